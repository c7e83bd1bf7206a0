package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sessionize/sessionize/remediate"
	rgithub "github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/tui"
)

type tuiOptions struct {
	target         string
	noHistory      bool
	includeIgnored bool
	maxFileSize    string
	// auth selects a GitHub App for pull requests instead of GITHUB_TOKEN.
	auth githubAuth
}

// errNoTerminal is returned by `sessionize tui` when stdin or stdout is not
// a terminal.
var errNoTerminal = errors.New("sessionize tui needs a terminal on stdin and stdout; use `sessionize scan` for output to a file or a pipe")

// newTUICmd builds `sessionize tui [PATH]`.
func newTUICmd(a *app) *cobra.Command { return newTUICmdWith(a, nil) }

// newTUICmdWith builds `sessionize tui`; runFn replaces the work in flag
// tests.
func newTUICmdWith(a *app, runFn func(context.Context, *tuiOptions) error) *cobra.Command {
	o := &tuiOptions{}
	if runFn == nil {
		runFn = a.runTUI
	}
	cmd := &cobra.Command{
		Use:   "tui [PATH|URL]",
		Short: "Browse a scan interactively",
		Long: `Scan like "sessionize scan" (working tree and full history), then browse the
credentials in the terminal: filter, inspect occurrences and score reasons,
reveal a value on request, ignore a credential, preview and apply fixes.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.target = "."
			if len(args) == 1 {
				o.target = args[0]
			}
			if _, err := parseSize(o.maxFileSize); err != nil {
				return usageError{fmt.Errorf("--max-file-size: %w", err)}
			}
			if err := o.auth.validate(); err != nil {
				return usageError{err}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.noHistory, "no-history", false, "scan only the working tree")
	f.BoolVar(&o.includeIgnored, "include-ignored", false, "also scan files git ignores")
	f.StringVar(&o.maxFileSize, "max-file-size", "10MiB", "skip files and blobs larger than this (bytes, or with KiB, MiB, GiB, KB, MB, GB; 0 for no limit)")
	o.auth.addFlags(f)
	return cmd
}

// interactive reports whether stdin and stdout are terminals.
func (a *app) interactive() bool {
	in, ok := a.in.(*os.File)
	return ok && term.IsTerminal(int(in.Fd())) && a.outTTY
}

func (a *app) runTUI(ctx context.Context, o *tuiOptions) error {
	if !a.interactive() {
		return errNoTerminal
	}
	root, remote := o.target, isRemote(o.target)
	if remote {
		dir, cleanup, err := a.cloneRemote(ctx, root)
		if err != nil {
			return err
		}
		defer cleanup()
		root = dir
	}
	det, err := a.newDetector(root, largeScan)
	if err != nil {
		return err
	}
	// While the UI runs, logs are kept and written once it has quit.
	var logs bytes.Buffer
	saved := a.logger
	a.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: a.logLevel(), ReplaceAttr: dropTime}))
	defer func() {
		a.logger = saved
		_, _ = a.err.Write(logs.Bytes())
	}()
	size, _ := parseSize(o.maxFileSize)
	if size == 0 {
		size = -1
	}
	sopts := scanner.Options{
		Root: root, NoHistory: o.noHistory, IncludeIgnored: o.includeIgnored, MaxFileSize: size,
		Detector: det, FileDetectors: fileDetectors(det), Logger: a.logger, ToolVersion: readBuildInfo().Version,
	}
	cfg := tui.Config{
		Scan: func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
			so := sopts
			so.Progress = progress
			r, err := scanner.Scan(ctx, so)
			if err != nil {
				return nil, err
			}
			if remote {
				r.Target.Path = o.target
			}
			return r, a.prepareReport(r, root, "")
		},
		Target:  o.target,
		Root:    root,
		Input:   a.in,
		Output:  a.out,
		NoColor: !a.color(true),
	}
	if !remote {
		// A clone is removed on exit: ignoring, fixing or editing there is
		// lost.
		cfg.Ignorer = ignoreFile{dir: ignoreRoot(root)}
		cfg.Fixer = planFixer{root: root}
		cfg.Editor = a.editor()
		op, err := a.newPROpener(root, o.auth)
		if err != nil {
			return err
		}
		if op != nil {
			cfg.PROpener = op
		}
	}
	return tui.Run(ctx, cfg)
}

// editor is the user's editor: $VISUAL, else $EDITOR, else vi (as git does).
func (a *app) editor() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := a.getenv(v); e != "" {
			return e
		}
	}
	return "vi"
}

// ignoreFile adds credentials to the target's .sessionizeignore.
type ignoreFile struct{ dir string }

// Ignore implements tui.Ignorer.
func (f ignoreFile) Ignore(ctx context.Context, c scanner.Credential) (string, error) {
	comment := c.Type
	if len(c.Occurrences) > 0 {
		comment += fmt.Sprintf(" %s:%d", c.Occurrences[0].Path, c.Occurrences[0].Line)
	}
	added, err := remediate.AppendIgnore(ctx, f.dir, remediate.IgnoreEntry{Fingerprint: c.Fingerprint, Comment: comment})
	if err != nil {
		return "", err
	}
	if !added {
		return fmt.Sprintf("%s was already in %s", c.Fingerprint, scanner.IgnoreFile), nil
	}
	return fmt.Sprintf("ignored %s: added to %s", c.Fingerprint, scanner.IgnoreFile), nil
}

// planFixer adapts remediate's planner to tui.Fixer: one credential, with
// its own fixer, in the files it occurs in. Identifiers the tool cannot
// know stay repository-variable placeholders, as `fix` prints them without
// flags.
type planFixer struct{ root string }

// changes plans the rewrites that retire c.
func (f planFixer) changes(ctx context.Context, c scanner.Credential) ([]remediate.Change, error) {
	r := &scanner.Report{Credentials: []scanner.Credential{c}}
	res, err := remediate.Plan(ctx, f.root, r, remediate.Options{Only: []string{c.Fixer}, NoDiscover: true})
	if err != nil {
		return nil, err
	}
	return credentialChanges(res, c)
}

// credentialChanges picks the changes of a plan that retire c; when there
// is none, the first refusal says why.
func credentialChanges(res *remediate.Result, c scanner.Credential) ([]remediate.Change, error) {
	var out []remediate.Change
	for _, ch := range res.Changes {
		if slices.Contains(ch.Fingerprints, c.Fingerprint) {
			out = append(out, ch)
		}
	}
	if len(out) == 0 && len(res.Refusals) > 0 {
		rf := res.Refusals[0]
		return nil, fmt.Errorf("%s leaves %s unchanged: %s", rf.Fixer, rf.Path, rf.Reason)
	}
	return out, nil
}

// Preview implements tui.Fixer.
func (f planFixer) Preview(ctx context.Context, c scanner.Credential) (string, error) {
	chs, err := f.changes(ctx, c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := range chs {
		b.WriteString(chs[i].UnifiedDiff())
	}
	return b.String(), nil
}

// Apply implements tui.Fixer.
func (f planFixer) Apply(ctx context.Context, c scanner.Credential) (string, error) {
	chs, err := f.changes(ctx, c)
	if err != nil {
		return "", err
	}
	if len(chs) == 0 {
		return "", errors.New("nothing to change")
	}
	if err := remediate.Apply(f.root, chs); err != nil {
		return "", err
	}
	paths := make([]string, len(chs))
	for i, ch := range chs {
		paths[i] = ch.Path
	}
	return "rewrote " + strings.Join(paths, ", "), nil
}

// prOpener adapts pull-request delivery to tui.PROpener: the fix of one
// credential, in the files it occurs in, delivered as `sessionize pr`
// delivers it (identifiers from .sessionize.toml's [fix], else
// repository-variable placeholders; author, labels and draft from [pr]).
type prOpener struct {
	root   string
	repo   rgithub.Repository
	client func(context.Context) (*rgithub.Client, error)
	// fix and req are the plan options and the delivery request before the
	// credential and the repository's IDs fill them in.
	fix remediate.Options
	req rgithub.Request
}

// newPROpener returns the TUI's pull-request action for root, or nil when
// it is unavailable: root's origin is not on the GitHub server, or there
// are no credentials (neither GITHUB_TOKEN nor --app-id). Nothing is sent
// before the first pull request.
func (a *app) newPROpener(root string, auth githubAuth) (*prOpener, error) {
	env := a.githubEnv()
	if env.token == "" && auth.appID == "" {
		return nil, nil
	}
	if !onGitHub(scanner.OriginURL(root), env.host()) {
		return nil, nil
	}
	fix, err := a.fixPlanOptions(&fixOptions{target: root})
	if err != nil || fix.Repo == "" {
		return nil, err
	}
	repo, err := rgithub.ParseRepository(fix.Repo)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", fix.Repo, err)
	}
	cfg, err := a.prConfig(root)
	if err != nil {
		return nil, err
	}
	req, err := a.prRequest(&prOptions{}, cfg, repo)
	if err != nil {
		return nil, err
	}
	lazy := a.gitHub(auth, rgithub.InstallationTarget{Owner: repo.Owner, Repo: repo.Name})
	return &prOpener{root: root, repo: repo, client: lazy.Client, fix: fix, req: req}, nil
}

// onGitHub reports whether a remote URL (https://HOST/..., ssh://...,
// or scp-like [user@]HOST:PATH) is on the GitHub server host.
func onGitHub(remote, host string) bool {
	if remote == "" || host == "" {
		return false
	}
	var h string
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil {
			return false
		}
		h = u.Hostname()
	} else {
		_, rest, found := strings.Cut(remote, "@")
		if !found {
			rest = remote
		}
		h, _, _ = strings.Cut(rest, ":")
	}
	return strings.EqualFold(h, host)
}

// OpenPR implements tui.PROpener: it returns the pull requests' URLs (one
// per file the fix changes), each with what was done when that was not
// opening it.
func (p *prOpener) OpenPR(ctx context.Context, c scanner.Credential) (string, error) {
	gh, err := p.client(ctx)
	if err != nil {
		return "", err
	}
	r := &scanner.Report{Credentials: []scanner.Credential{c}}
	opts := p.fix
	opts.Only, opts.NoDiscover = []string{c.Fixer}, true
	opts, res, info, err := planWithRepository(ctx, gh, p.repo, p.root, r, opts)
	if err != nil {
		return "", err
	}
	chs, err := credentialChanges(res, c)
	if err != nil {
		return "", err
	}
	if len(chs) == 0 {
		return "", errors.New("nothing to change")
	}
	req := p.req
	req.Base = info.DefaultBranch
	req.Changes, req.Report, req.Fix = chs, r, opts
	out, err := gh.Deliver(ctx, req)
	if err != nil {
		return "", err
	}
	if err := out.Err(); err != nil {
		return "", err
	}
	return outcomeSummary(out), nil
}

// outcomeSummary is one line about a delivery: each pull request's URL,
// with the action unless it was opened.
func outcomeSummary(res *rgithub.Result) string {
	parts := make([]string, 0, len(res.Outcomes))
	for _, o := range res.Outcomes {
		s := o.URL
		switch {
		case s == "":
			s = string(o.Action) + " " + o.Branch
		case o.Action != rgithub.Created:
			s += " (" + string(o.Action) + ")"
		}
		if o.Reason != "" {
			s += ": " + o.Reason
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
