package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
)

type fixOptions struct {
	target        string
	write         bool
	only          []string
	repo          string
	ownerID       string
	repoID        string
	defaultBranch string
	ids           remediate.Identifiers
}

// newFixCmd builds `sessionize fix [PATH]`.
func newFixCmd(a *app) *cobra.Command { return newFixCmdWith(a, nil) }

// newFixCmdWith builds `sessionize fix`; runFn replaces the work in flag
// tests.
func newFixCmdWith(a *app, runFn func(context.Context, *fixOptions) error) *cobra.Command {
	o := &fixOptions{}
	if runFn == nil {
		runFn = a.runFix
	}
	// --app-id named the App of rewritten workflows before it meant
	// authentication (pr, audit, tui); it stays, hidden, as an alias.
	var legacyAppID string
	cmd := &cobra.Command{
		Use:   "fix [PATH]",
		Short: "Rewrite files to fetch session-scoped credentials",
		Long: `fix scans the working tree (no history), plans rewrites from standing
credentials to session-scoped fetches, prints them as a unified diff and
changes nothing; --write applies them atomically. It ends with what was
fixed, what was refused and why, and the provider-side setup (Terraform and
CLI) to do before merging. Identifiers the tool cannot know come from the
flags, from the [fix] section of .sessionize.toml, else from repository
variables (${{ vars.AWS_ROLE_ARN }}, ...) listed in the setup.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.target = "."
			if len(args) == 1 {
				o.target = args[0]
			}
			if cmd.Flags().Changed("app-id") {
				if o.ids.GitHubAppID != "" && o.ids.GitHubAppID != legacyAppID {
					return usageError{errors.New("--app-id is the old name of --workflow-app-id: give one of them")}
				}
				o.ids.GitHubAppID = legacyAppID
				a.logger.Warn("fix --app-id is deprecated: use --workflow-app-id (--app-id authenticates as a GitHub App in pr, audit and tui)")
			}
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.write, "write", false, "apply the changes (atomically) instead of printing them")
	addFixFlags(f, o)
	f.StringVar(&legacyAppID, "app-id", "", "deprecated: --workflow-app-id")
	_ = f.MarkHidden("app-id") // the flag exists: MarkHidden cannot fail
	return cmd
}

// addFixFlags registers on f the flags fix and pr share: the fixers
// (--only), the repository subject claims name, and the identifiers
// rewrites refer to.
func addFixFlags(f *pflag.FlagSet, o *fixOptions) {
	f.StringSliceVar(&o.only, "only", nil, "run only these fixers (comma-separated; see docs/DESIGN.md)")
	f.StringVar(&o.repo, "repo", "", "repository as OWNER/NAME for subject claims (default: from the origin remote)")
	f.StringVar(&o.ownerID, "github-owner-id", "", "numeric ID of the repository owner, for immutable subject claims")
	f.StringVar(&o.repoID, "github-repo-id", "", "numeric ID of the repository, for immutable subject claims")
	f.StringVar(&o.defaultBranch, "default-branch", "", "branch scheduled and dispatched runs use (default main)")
	f.StringVar(&o.ids.AWSRoleARN, "role-arn", "", "AWS role ARN to assume (else ${{ vars.AWS_ROLE_ARN }})")
	f.StringVar(&o.ids.AWSRegion, "aws-region", "", "AWS region when the file does not name one")
	f.StringVar(&o.ids.GCPWorkloadIdentityProvider, "workload-identity-provider", "", "GCP workload identity provider resource name")
	f.StringVar(&o.ids.GCPServiceAccount, "service-account", "", "GCP service account email to impersonate")
	f.StringVar(&o.ids.AzureClientID, "azure-client-id", "", "Entra application (client) ID")
	f.StringVar(&o.ids.AzureTenantID, "azure-tenant-id", "", "Entra tenant ID")
	f.StringVar(&o.ids.AzureSubscriptionID, "azure-subscription-id", "", "Azure subscription ID")
	f.StringVar(&o.ids.VaultRole, "vault-role", "", "Vault jwt auth role")
	f.StringVar(&o.ids.VaultAddr, "vault-addr", "", "Vault address")
	f.StringVar(&o.ids.GitHubAppID, "workflow-app-id", "", "GitHub App ID rewritten workflows mint installation tokens with (else ${{ vars.APP_ID }})")
	f.StringVar(&o.ids.GitLabURL, "gitlab-url", "", "GitLab instance URL (default https://gitlab.com)")
	f.StringVar(&o.ids.TerraformRoleARN, "terraform-role-arn", "", "role for Terraform AWS providers to assume (assume_role)")
}

var repoFlag = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (o *fixOptions) validate() error {
	if isRemote(o.target) {
		return errors.New("fix works on a local checkout; clone the repository first")
	}
	if err := remediate.ValidateOnly(o.only); err != nil {
		return fmt.Errorf("--only: %w", err)
	}
	if o.repo != "" && !repoFlag.MatchString(o.repo) {
		return fmt.Errorf("--repo %q: want OWNER/NAME", o.repo)
	}
	return nil
}

func (a *app) runFix(ctx context.Context, o *fixOptions) error {
	fi, err := os.Stat(o.target)
	if err != nil {
		return fmt.Errorf("fix %q: %w", o.target, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("fix %q: not a directory", o.target)
	}
	opts, err := a.fixPlanOptions(o)
	if err != nil {
		return err
	}
	// The report is prepared as pr prepares it (ignores applied, scored with
	// the repository's policy), so that fixers see each credential's fixer.
	_, res, err := a.planFixes(ctx, o.target, opts)
	if err != nil {
		return err
	}
	if !o.write {
		for i := range res.Changes {
			if _, err := io.WriteString(a.out, res.Changes[i].UnifiedDiff()); err != nil {
				return err
			}
		}
	} else if err := remediate.Apply(o.target, res.Changes); err != nil {
		return err
	}
	return writeFixSummary(a.out, res, o.write)
}

// fixPlanOptions merges the flags over .sessionize.toml's [fix] section and
// finds the repository from the origin remote.
func (a *app) fixPlanOptions(o *fixOptions) (remediate.Options, error) {
	opts := remediate.Options{Only: o.only, IDs: o.ids, Repo: o.repo, OwnerID: o.ownerID, RepoID: o.repoID, DefaultBranch: o.defaultBranch}
	cf, err := a.findConfig(o.target)
	if err != nil {
		return opts, err
	}
	if cf != nil {
		cfg, err := remediate.ParseConfig(cf.Name, cf.Data)
		if err != nil {
			return opts, err
		}
		opts.IDs = opts.IDs.Merge(cfg.Identifiers)
		opts.Repo = firstSet(opts.Repo, cfg.Repo)
		opts.OwnerID = firstSet(opts.OwnerID, cfg.OwnerID)
		opts.RepoID = firstSet(opts.RepoID, cfg.RepoID)
		opts.DefaultBranch = firstSet(opts.DefaultBranch, cfg.DefaultBranch)
		if len(opts.Only) == 0 {
			opts.Only = cfg.Only
		}
	}
	if opts.Repo == "" {
		opts.Repo = originRepo(o.target)
	}
	return opts, nil
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var remoteRepo = regexp.MustCompile(`[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(\.git)?/?$`)

// originRepo returns OWNER/NAME from the origin remote's URL, or "".
func originRepo(root string) string {
	url := scanner.OriginURL(root)
	if url == "" {
		return ""
	}
	m := remoteRepo.FindStringSubmatch(url)
	if m == nil {
		return ""
	}
	return m[1] + "/" + m[2]
}

// writeFixSummary prints what was fixed, refused and must be set up.
func writeFixSummary(w io.Writer, res *remediate.Result, written bool) error {
	var b strings.Builder
	verb := "Would fix"
	if written {
		verb = "Fixed"
	}
	fmt.Fprintf(&b, "\n# %s %d file(s)\n", verb, len(res.Changes))
	var caveats, revokes []string
	for _, c := range res.Changes {
		fmt.Fprintf(&b, "- %s (%s): %s\n", c.Path, strings.Join(c.Fixers, ", "), c.Summary)
		for _, d := range c.Details {
			fmt.Fprintf(&b, "    %s\n", d)
		}
		for _, p := range c.Permissions {
			fmt.Fprintf(&b, "    permissions of job %s: %s -> %s\n", p.Job, p.Before, p.After)
		}
		for _, cv := range c.Caveats {
			caveats = appendOnce(caveats, cv)
		}
		for _, rv := range c.Revoke {
			for _, cmd := range rv.Commands {
				revokes = appendOnce(revokes, fmt.Sprintf("%s: %s", rv.Credential, cmd))
			}
		}
	}
	if len(res.Refusals) > 0 {
		fmt.Fprintf(&b, "\n# Refused %d\n", len(res.Refusals))
		for _, r := range res.Refusals {
			loc := r.Path
			if r.Line > 0 {
				loc = fmt.Sprintf("%s:%d", r.Path, r.Line)
			}
			fmt.Fprintf(&b, "- %s (%s): %s\n", loc, firstSet(r.Fixer, "fix"), r.Reason)
		}
	}
	if setup := res.Setup(); len(setup) > 0 {
		b.WriteString("\n# Provider-side setup (before merging)\n")
		for _, s := range setup {
			fmt.Fprintf(&b, "\n## %s\n", s.Title)
			for _, sub := range s.Subjects {
				fmt.Fprintf(&b, "trusted subject: %s\n", sub)
			}
			for _, v := range s.Variables {
				fmt.Fprintf(&b, "set variable %s: %s\n", v.Name, v.Description)
			}
			for _, st := range s.Steps {
				fmt.Fprintf(&b, "- %s\n", st)
			}
			if s.Terraform != "" {
				fmt.Fprintf(&b, "\n```hcl\n%s```\n", s.Terraform)
			}
			if s.CLI != "" {
				fmt.Fprintf(&b, "\n```sh\n%s```\n", s.CLI)
			}
		}
	}
	if len(caveats) > 0 {
		b.WriteString("\n# Caveats\n")
		for _, c := range caveats {
			fmt.Fprintf(&b, "- %s\n", c)
		}
	}
	if len(res.Changes) > 0 {
		b.WriteString("\n# Rollout\n1. Do the provider-side setup above.\n2. Merge the change.\n3. Wait for a green run that uses the new credentials.\n4. Revoke the old credentials (never before step 3):\n")
		for _, r := range revokes {
			fmt.Fprintf(&b, "   %s\n", r)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func appendOnce(dst []string, s string) []string {
	for _, d := range dst {
		if d == s {
			return dst
		}
	}
	return append(dst, s)
}
