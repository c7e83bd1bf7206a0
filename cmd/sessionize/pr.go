package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/remediate"
	rgithub "github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
)

// prOptions are the flags of `sessionize pr`.
type prOptions struct {
	// fix holds the flags shared with `sessionize fix` (target, --only,
	// --repo, the identifiers; see addFixFlags).
	fix    fixOptions
	base   string
	author string
	draft  bool
	dryRun bool
	auth   githubAuth
}

// newPRCmd builds `sessionize pr [PATH]`.
func newPRCmd(a *app) *cobra.Command { return newPRCmdWith(a, nil) }

// newPRCmdWith builds `sessionize pr`; runFn replaces the work in flag
// tests.
func newPRCmdWith(a *app, runFn func(context.Context, *prOptions) error) *cobra.Command {
	o := &prOptions{}
	if runFn == nil {
		runFn = a.runPR
	}
	cmd := &cobra.Command{
		Use:   "pr [PATH]",
		Short: "Open or update pull requests with fixes",
		Long: `pr plans the same rewrites as "sessionize fix" (a scan of the working tree at
PATH, default ".") and delivers each changed file as a pull request, the way
Dependabot and Renovate do: branch sessionize/<fixer>/<file-slug> from the
base branch, one commit by the configured author, a push over HTTPS, and a
pull request labelled security and sessionize whose description gives the
summary (which credential, redacted, where, score), the changes, the
provider-side setup (Terraform and CLI with the exact sub claims to trust),
the rollout order with the revoke commands, and the caveats.

A re-run regenerates each change from the current base branch and updates
its pull request: it force-pushes only a branch that holds nothing but its
own commits (by the author's email), and comments otherwise. A pull request
closed without merging is not reopened unless the finding changed.

Authentication uses short-lived tokens only: in GitHub Actions the job's
GITHUB_TOKEN (with contents: write and pull-requests: write; it can never
push changes under .github/workflows/), or a GitHub App (--app-id with
--app-private-key-file or SESSIONIZE_APP_PRIVATE_KEY), from which an
installation token is minted for this run. GITHUB_API_URL and
GITHUB_SERVER_URL point at GitHub Enterprise Server.

The commit author is --author, else author in the [pr] section of
.sessionize.toml (with labels = [...] and draft = true|false), else
"sessionize <sessionize@users.noreply.github.com>".

--dry-run prints each pull request (branch, title, labels, body, diff) and
makes no network request at all.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.fix.target = "."
			if len(args) == 1 {
				o.fix.target = args[0]
			}
			if isRemote(o.fix.target) {
				return usageError{errors.New("pr works on a local checkout of the repository: clone it first")}
			}
			if err := o.fix.validate(); err != nil {
				return usageError{err}
			}
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	addFixFlags(f, &o.fix)
	f.StringVar(&o.base, "base", "", "branch pull requests target (default: the repository's default branch)")
	f.StringVar(&o.author, "author", "", `author and committer, "Name <email>" (default: [pr] author, else sessionize <sessionize@users.noreply.github.com>)`)
	f.BoolVar(&o.draft, "draft", false, "open new pull requests as drafts")
	f.BoolVar(&o.dryRun, "dry-run", false, "print each pull request (branch, title, body, diff) instead of pushing and opening it; no network")
	o.auth.addFlags(f)
	return cmd
}

func (o *prOptions) validate() error {
	if o.author != "" {
		if _, err := rgithub.ParseAuthor(o.author); err != nil {
			return fmt.Errorf("--author: %w", err)
		}
	}
	if o.base != "" && (strings.HasPrefix(o.base, "-") || strings.ContainsAny(o.base, " ~^:?*[\\") || strings.Contains(o.base, "..")) {
		return fmt.Errorf("--base %q: not a branch name", o.base)
	}
	return o.auth.validate()
}

// prConfig is what pr takes from .sessionize.toml besides [fix].
func (a *app) prConfig(root string) (rgithub.Config, error) {
	cf, err := a.findConfig(root)
	if err != nil || cf == nil {
		return rgithub.Config{}, err
	}
	return rgithub.ParseConfig(cf.Name, cf.Data)
}

func (a *app) runPR(ctx context.Context, o *prOptions) error {
	target := o.fix.target
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("pr %q: %w", target, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("pr %q: not a directory", target)
	}
	opts, err := a.fixPlanOptions(&o.fix)
	if err != nil {
		return err
	}
	cfg, err := a.prConfig(target)
	if err != nil {
		return err
	}
	if opts.Repo == "" {
		return usageError{fmt.Errorf("pr %q: cannot tell the GitHub repository from the origin remote: pass --repo OWNER/NAME", target)}
	}
	repo, err := rgithub.ParseRepository(opts.Repo)
	if err != nil {
		return usageError{fmt.Errorf("--repo: %w", err)}
	}
	req, err := a.prRequest(o, cfg, repo)
	if err != nil {
		return err
	}
	report, res, err := a.planFixes(ctx, target, opts)
	if err != nil {
		return err
	}
	a.writeRefusals(res.Refusals)
	if len(res.Changes) == 0 {
		_, err := fmt.Fprintln(a.out, "Nothing to fix: no pull request to open.")
		return err
	}
	if o.dryRun {
		req.Base = firstSet(o.base, opts.DefaultBranch)
		req.Changes, req.Report, req.Fix = res.Changes, report, opts
		return a.printProposals(req)
	}
	gh, err := a.gitHub(o.auth, rgithub.InstallationTarget{Owner: repo.Owner, Repo: repo.Name}).Client(ctx)
	if err != nil {
		return err
	}
	// The repository's IDs and default branch make the subject claims
	// exact (immutable form); plan again with them (the scan is reused).
	opts, res, info, err := planWithRepository(ctx, gh, repo, target, report, opts)
	if err != nil {
		return err
	}
	req.Base = firstSet(o.base, info.DefaultBranch)
	req.Changes, req.Report, req.Fix = res.Changes, report, opts
	out, err := gh.Deliver(ctx, req)
	if out != nil {
		if werr := writeOutcomes(a.out, out); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	if err := out.Err(); err != nil {
		return fmt.Errorf("%d of %d pull requests failed:\n%w", countFailed(out), len(out.Outcomes), err)
	}
	return nil
}

// prRequest turns the flags and the [pr] configuration into a delivery
// request (without the changes).
func (a *app) prRequest(o *prOptions, cfg rgithub.Config, repo rgithub.Repository) (rgithub.Request, error) {
	req := rgithub.Request{Repo: repo, Draft: o.draft || cfg.Draft, Labels: cfg.Labels, ToolVersion: readBuildInfo().Version, Now: a.now}
	author := firstSet(o.author, cfg.Author)
	if author != "" {
		au, err := rgithub.ParseAuthor(author)
		if err != nil {
			return req, usageError{err}
		}
		req.Author = au
	}
	return req, nil
}

// planFixes scans the working tree at root, scores it and plans the
// fixes, as `sessionize fix` does.
func (a *app) planFixes(ctx context.Context, root string, opts remediate.Options) (*scanner.Report, *remediate.Result, error) {
	r, err := a.scanWorktree(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	res, err := remediate.Plan(ctx, root, r, opts)
	if err != nil {
		return nil, nil, err
	}
	return r, res, nil
}

// scanWorktree scans the working tree at root (no history), applies the
// ignore files and scores it.
func (a *app) scanWorktree(ctx context.Context, root string) (*scanner.Report, error) {
	det, err := a.newDetector(root)
	if err != nil {
		return nil, err
	}
	r, err := scanner.Scan(ctx, scanner.Options{
		Root: root, NoHistory: true, Detector: det, FileDetectors: fileDetectors(det),
		Logger: a.logger, ToolVersion: readBuildInfo().Version,
	})
	if err != nil {
		return nil, err
	}
	if err := a.prepareReport(r, root, ""); err != nil {
		return nil, err
	}
	return r, nil
}

// planWithRepository completes opts with what GitHub says about repo (the
// numeric IDs that make subject claims immutable, the default branch unless
// opts names one) and plans the fixes of report at root with them.
func planWithRepository(ctx context.Context, gh *rgithub.Client, repo rgithub.Repository, root string, report *scanner.Report,
	opts remediate.Options,
) (remediate.Options, *remediate.Result, *rgithub.RepositoryInfo, error) {
	info, err := gh.Repository(ctx, repo)
	if err != nil {
		return opts, nil, nil, err
	}
	opts.DefaultBranch = firstSet(opts.DefaultBranch, info.DefaultBranch)
	opts.OwnerID = firstSet(opts.OwnerID, strconv.FormatInt(info.OwnerID, 10))
	opts.RepoID = firstSet(opts.RepoID, strconv.FormatInt(info.RepoID, 10))
	res, err := remediate.Plan(ctx, root, report, opts)
	if err != nil {
		return opts, nil, nil, err
	}
	return opts, res, info, nil
}

// writeRefusals tells on stderr what the fixers would not rewrite.
func (a *app) writeRefusals(refusals []remediate.Refusal) {
	for _, r := range refusals {
		loc := r.Path
		if r.Line > 0 {
			loc = fmt.Sprintf("%s:%d", r.Path, r.Line)
		}
		fmt.Fprintf(a.err, "not fixed: %s (%s): %s\n", loc, firstSet(r.Fixer, "fix"), r.Reason)
	}
}

// printProposals prints the pull requests a run would open (--dry-run).
func (a *app) printProposals(req rgithub.Request) error {
	props, perr := rgithub.Propose(req)
	var b strings.Builder
	author := req.Author
	if author.Email == "" {
		author = rgithub.DefaultAuthor
	}
	base := firstSet(req.Base, "(the repository's default branch)")
	for i, p := range props {
		fmt.Fprintf(&b, "=== pull request %d of %d (dry run: nothing is pushed or opened)\n", i+1, len(props))
		fmt.Fprintf(&b, "branch: %s\nbase:   %s\ntitle:  %s\nlabels: %s\nauthor: %s\ndraft:  %t\n",
			p.Branch, base, p.Title, strings.Join(p.Labels, ", "), author, req.Draft)
		fmt.Fprintf(&b, "\n----- commit message -----\n%s\n----- body -----\n%s\n----- diff -----\n%s\n", p.CommitMessage, p.Body, p.Diff)
	}
	if _, err := io.WriteString(a.out, b.String()); err != nil {
		return err
	}
	return perr
}

// writeOutcomes prints one line per pull request.
func writeOutcomes(w io.Writer, res *rgithub.Result) error {
	var b strings.Builder
	for _, o := range res.Outcomes {
		num := ""
		if o.Number > 0 {
			num = "#" + strconv.Itoa(o.Number)
		}
		fmt.Fprintf(&b, "%-9s %-5s %s (%s)", o.Action, num, o.Branch, o.Path)
		if o.URL != "" {
			b.WriteString(" " + o.URL)
		}
		switch {
		case o.Err != nil:
			b.WriteString(": see the error below")
		case o.Reason != "":
			b.WriteString(": " + o.Reason)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countFailed(res *rgithub.Result) int {
	n := 0
	for _, o := range res.Outcomes {
		if o.Action == rgithub.Failed {
			n++
		}
	}
	return n
}

// auditOpener opens remediation pull requests for `audit --open-prs`: in
// each audited clone it plans the fixes from the audit's report and
// delivers them as `sessionize pr` does (identifiers as repository-variable
// placeholders, subject claims from the repository's IDs). It satisfies
// audit.PROpener; wire it with deps.prOpener = &auditOpener{...}.
type auditOpener struct {
	// client returns the authenticated client (a lazyGitHub's Client).
	client func(context.Context) (*rgithub.Client, error)
	// author, labels and draft are as for pr; zero values are defaults.
	author rgithub.Author
	labels []string
	draft  bool
	now    func() time.Time
	// rescan scans a clone's working tree; the audit hands over reports
	// rebuilt from its state, which hold redacted values only, and planning
	// and the no-raw-secret checks of a pull request need the values.
	rescan func(ctx context.Context, dir string) (*scanner.Report, error)
}

// OpenPRs implements audit.PROpener: it returns the URLs of the pull
// requests created or updated, at most max created (0: no limit).
func (o *auditOpener) OpenPRs(ctx context.Context, dir string, repo audit.RepositoryInfo, r *scanner.Report, max int) ([]string, error) {
	urls, err := o.deliver(ctx, dir, repo, r, max)
	if errors.Is(err, rgithub.ErrUnauthorized) {
		// Credentials GitHub rejects fail every repository alike: the
		// audit stops, as when they fail the listing.
		err = fmt.Errorf("%w: %w", audit.ErrAuth, err)
	}
	return urls, err
}

func (o *auditOpener) deliver(ctx context.Context, dir string, repo audit.RepositoryInfo, r *scanner.Report, max int) ([]string, error) {
	gr, err := rgithub.ParseRepository(repo.FullName)
	if err != nil {
		return nil, err
	}
	gh, err := o.client(ctx)
	if err != nil {
		return nil, err
	}
	if o.rescan != nil && !hasValues(r) {
		if r, err = o.rescan(ctx, dir); err != nil {
			return nil, err
		}
	}
	opts, res, _, err := planWithRepository(ctx, gh, gr, dir, r, remediate.Options{Repo: gr.String(), DefaultBranch: repo.DefaultBranch})
	if err != nil || len(res.Changes) == 0 {
		return nil, err
	}
	out, err := gh.Deliver(ctx, rgithub.Request{
		Repo: gr, Base: opts.DefaultBranch, Changes: res.Changes, Report: r, Fix: opts, Author: o.author,
		Draft: o.draft, Labels: o.labels, ToolVersion: readBuildInfo().Version, Max: max, Now: o.now,
	})
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, oc := range out.Outcomes {
		if oc.URL != "" && (oc.Action == rgithub.Created || oc.Action == rgithub.Updated || oc.Action == rgithub.Unchanged || oc.Action == rgithub.Commented) {
			urls = append(urls, oc.URL)
		}
	}
	return urls, out.Err()
}

// hasValues reports whether a report carries the secret values of its
// literal credentials (a fresh scan), not only their redacted forms (a
// report rebuilt from stored state).
func hasValues(r *scanner.Report) bool {
	for _, c := range r.Credentials {
		if c.Reference == "" && !c.Session && c.Secret.IsZero() {
			return false
		}
	}
	return true
}
