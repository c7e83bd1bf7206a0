package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/detectors"
	rgithub "github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/score"
)

// auditOptions are the flags of `sessionize audit`.
type auditOptions struct {
	org             string
	format          string
	output          string
	statePath       string
	cacheDir        string
	includeArchived bool
	includeForks    bool
	repos           string
	shard           string
	concurrency     int
	openPRs         bool
	maxPRs          int
	auth            githubAuth
	failOn          string
	maxFileSize     string
}

// auditDeps are the seams of the audit command; the zero value is this
// build.
type auditDeps struct {
	// run replaces the work in flag tests.
	run func(context.Context, *auditOptions) error
	// prOpener opens the pull requests of --open-prs; nil means
	// remediate/github's delivery, as `sessionize pr` does it
	// (auditOpener).
	prOpener audit.PROpener
}

// newAuditCmd builds `sessionize audit --org ORG`.
func newAuditCmd(a *app) *cobra.Command { return auditCommand(a, auditDeps{}) }

func auditCommand(a *app, deps auditDeps) *cobra.Command {
	o := &auditOptions{}
	run := deps.run
	if run == nil {
		run = func(ctx context.Context, o *auditOptions) error { return a.runAudit(ctx, o, deps) }
	}
	cmd := &cobra.Command{
		Use:   "audit --org ORG",
		Short: "Audit every repository of a GitHub organisation",
		Long: `Audit lists the organisation's repositories, clones or fetches each one into a
cache directory, scans its working tree and full history, and writes one
report. With the state database (default in the cache directory) a re-run
scans only what it has not seen, reports what is new and what was fixed,
and an interrupted audit resumes.

--shard I/N audits the repositories whose FNV-1a hash of the lower-cased
"owner/name", modulo N, is I (0-based), so N machines share an audit;
combine their JSON reports with "sessionize report merge".

--open-prs opens or updates remediation pull requests for each audited
repository's fixable files, as "sessionize pr" does (at most --max-prs in
all); the token then needs contents, pull-requests and, for workflow files,
workflows write permissions.

Authentication: GITHUB_TOKEN (in GitHub Actions the job's token, or one
minted by actions/create-github-app-token), or a GitHub App (--app-id with
--app-private-key-file or SESSIONIZE_APP_PRIVATE_KEY) whose installation
token for the organisation is minted for the run. The one token lists,
clones and opens pull requests. API base from GITHUB_API_URL, git server for
clones and pushes from GITHUB_SERVER_URL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			return run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.org, "org", "", "GitHub organisation to audit (required)")
	f.StringVar(&o.format, "format", "json", "output format: "+strings.Join(audit.Formats(), ", ")+" (sarif: one file per repository into the -o directory)")
	f.StringVarP(&o.output, "output", "o", "", "write the report to this file (a directory for sarif) instead of stdout")
	f.StringVar(&o.statePath, "state", "", `state database (default: audit-state.db in the cache directory; "none" for no state)`)
	f.StringVar(&o.cacheDir, "cache-dir", "", "directory for clones (default: $XDG_CACHE_HOME/sessionize, else ~/.cache/sessionize)")
	f.BoolVar(&o.includeArchived, "include-archived", false, "audit archived repositories too")
	f.BoolVar(&o.includeForks, "include-forks", false, "audit forks too")
	f.StringVar(&o.repos, "repos", "", "only repositories matching these comma-separated globs (NAME or OWNER/NAME patterns)")
	f.StringVar(&o.shard, "shard", "", "audit only shard I of N (I/N, 0-based): FNV-1a of the lower-cased full name mod N")
	f.IntVar(&o.concurrency, "concurrency", runtime.GOMAXPROCS(0), "repositories audited at once")
	f.BoolVar(&o.openPRs, "open-prs", false, "open remediation pull requests for fixable credentials")
	f.IntVar(&o.maxPRs, "max-prs", 0, "open at most this many pull requests in all (with --open-prs; 0: no limit)")
	o.auth.addFlags(f)
	f.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a credential is at or above this severity (critical, high, medium, low, info, none)")
	f.StringVar(&o.maxFileSize, "max-file-size", "10MiB", "skip files and blobs larger than this (0 for no limit)")
	return cmd
}

func (o *auditOptions) validate() error {
	switch {
	case o.org == "":
		return errors.New("--org is required")
	case strings.ContainsAny(o.org, "/ "):
		return fmt.Errorf("--org %q: want an organisation login, e.g. acme", o.org)
	case o.concurrency < 1:
		return fmt.Errorf("--concurrency %d: want at least 1", o.concurrency)
	case o.maxPRs < 0:
		return fmt.Errorf("--max-prs %d: want 0 or more", o.maxPRs)
	case o.maxPRs > 0 && !o.openPRs:
		return errors.New("--max-prs needs --open-prs")
	case o.format == "sarif" && (o.output == "" || o.output == "-"):
		return errors.New("--format sarif writes one file per repository: give a directory with -o")
	}
	if err := audit.CheckFormat(o.format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if o.shard != "" {
		if _, err := audit.ParseShard(o.shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	if err := audit.ValidateGlobs(o.repos); err != nil {
		return fmt.Errorf("--repos: %w", err)
	}
	if _, err := parseFailOn(o.failOn); err != nil {
		return err
	}
	if _, err := parseSize(o.maxFileSize); err != nil {
		return fmt.Errorf("--max-file-size: %w", err)
	}
	return o.auth.validate()
}

// auditEnv is what the audit reads from the environment besides GitHub
// access (githubEnv).
type auditEnv struct {
	cacheHome string
	home      string
}

func (a *app) auditEnv() auditEnv {
	return auditEnv{cacheHome: a.getenv("XDG_CACHE_HOME"), home: a.getenv("HOME")}
}

// cacheDir is --cache-dir, else $XDG_CACHE_HOME/sessionize, else
// ~/.cache/sessionize.
func (e auditEnv) cacheDir(flag string) (string, error) {
	switch {
	case flag != "":
		return flag, nil
	case e.cacheHome != "":
		return filepath.Join(e.cacheHome, "sessionize"), nil
	case e.home != "":
		return filepath.Join(e.home, ".cache", "sessionize"), nil
	}
	return "", errors.New("no cache directory: set --cache-dir, XDG_CACHE_HOME or HOME")
}

func (a *app) runAudit(ctx context.Context, o *auditOptions, deps auditDeps) error {
	cacheDir, err := a.auditEnv().cacheDir(o.cacheDir)
	if err != nil {
		return usageError{err}
	}
	// One token for the listing, the clones and the pull requests:
	// GITHUB_TOKEN, or the App's installation token for the organisation.
	lazy := a.gitHub(o.auth, rgithub.InstallationTarget{Owner: o.org})
	prs, err := a.auditPROpener(o, deps, lazy)
	if err != nil {
		return err
	}
	gh, err := lazy.Client(ctx)
	if err != nil {
		return err
	}
	det, err := a.auditDetector()
	if err != nil {
		return err
	}
	size, _ := parseSize(o.maxFileSize)
	if size == 0 {
		size = -1
	}
	// The embedded policy is parsed once and shared by every repository's
	// scoring (score reads it only).
	policy, err := rules.DefaultPolicy()
	if err != nil {
		return err
	}
	shard, _ := audit.ParseShard(o.shard)
	if o.shard == "" {
		shard = audit.Shard{}
	}
	opts := audit.Options{
		Org: o.org, GitHub: gh.API(), ServerURL: gh.ServerURL(), CacheDir: cacheDir,
		// Each clone asks the lazy client, which mints a new App token
		// before the old one expires.
		TokenFunc: func(ctx context.Context) (string, error) {
			c, err := lazy.Client(ctx)
			if err != nil {
				return "", err
			}
			return c.Token().Reveal(), nil
		},
		IncludeArchived: o.includeArchived, IncludeForks: o.includeForks, Repos: o.repos, Shard: shard,
		Concurrency: o.concurrency, Detector: det, FileDetectors: fileDetectors(det), MaxFileSize: size,
		ToolVersion: readBuildInfo().Version, PROpener: prs, MaxPRs: o.maxPRs,
		Retry: audit.RetryPolicy(lazy.retry), Logger: a.logger, Now: a.now,
		// A repository's score depends on it alone (public repositories
		// weigh more), so that shards merge to the whole audit; credentials
		// seen in several repositories are cross-referenced in the summary.
		Score: func(r *scanner.Report, repo audit.RepositoryInfo) error {
			return score.Apply(r, score.Options{Now: a.now, Policy: policy, PublicRepo: repo.Visibility == "public"})
		},
	}
	if a.errTTY && !a.quiet {
		opts.Progress = func(ev audit.Event) {
			fmt.Fprintf(a.err, "\r\x1b[2Kaudit %d/%d %s (%s)", ev.Done, ev.Total, ev.FullName, ev.Status)
			if ev.Done == ev.Total {
				fmt.Fprint(a.err, "\r\x1b[2K")
			}
		}
	}
	db, err := a.openState(ctx, o.statePath, cacheDir)
	if err != nil {
		return err
	}
	if db != nil {
		defer db.Close()
		opts.State = db
	}
	res, err := audit.Run(ctx, opts)
	if err != nil {
		return err
	}
	return a.finishAudit(res, o)
}

// openState opens --state, by default audit-state.db in the cache
// directory; "none" means no state.
func (a *app) openState(ctx context.Context, flag, cacheDir string) (*state.DB, error) {
	p := flag
	switch p {
	case "none":
		return nil, nil
	case "":
		p = filepath.Join(cacheDir, "audit-state.db")
	}
	db, err := state.Open(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("--state: %w", err)
	}
	return db, nil
}

// finishAudit writes the report, lists the repositories that failed and
// decides the exit code: failures exit 2 after the report is written.
func (a *app) finishAudit(res *audit.Result, o *auditOptions) error {
	st := res.Stats
	a.logger.Info("audit done", "org", o.org, "selected", st.Selected, "scanned", st.Scanned, "incremental", st.Incremental,
		"reused", st.Reused, "resumed", st.Resumed, "failed", st.Failed, "new_commits", st.NewCommits)
	if err := a.writeAuditReport(res.Report, o.format, o.output); err != nil {
		return err
	}
	switch {
	case res.Failures != nil && st.Failed > 0:
		return fmt.Errorf("%d of %d repositories could not be audited (each is in the report):\n%w", st.Failed, st.Selected, res.Failures)
	case res.Failures != nil:
		return fmt.Errorf("audit finished with errors (each is in the report):\n%w", res.Failures)
	}
	failOn, _ := parseFailOn(o.failOn)
	if sev, ok := res.Report.MaxSeverity(); ok && failOn != "" && sev.Rank() >= failOn.Rank() {
		return findingsError{}
	}
	return nil
}

// writeAuditReport writes an org report in a format to a file, stdout, or
// for sarif a directory.
func (a *app) writeAuditReport(r *audit.Report, format, output string) error {
	if format == "sarif" {
		return audit.WriteSARIFDir(output, r)
	}
	var buf strings.Builder
	if err := audit.Write(&buf, format, r); err != nil {
		return err
	}
	return a.writeOutput(output, []byte(buf.String()))
}

// auditPROpener is what delivers the pull requests of --open-prs (nil
// without it): deps.prOpener, else remediate/github's delivery with the
// audit's client. The author, labels and draft setting come from the [pr]
// section of --config, when given (repositories' own configuration files
// are not read, as for the rules).
func (a *app) auditPROpener(o *auditOptions, deps auditDeps, lazy *lazyGitHub) (audit.PROpener, error) {
	switch {
	case !o.openPRs:
		return nil, nil
	case deps.prOpener != nil:
		return deps.prOpener, nil
	}
	op := &auditOpener{client: lazy.Client, now: a.now, rescan: a.scanWorktree}
	if a.configFile == "" {
		return op, nil
	}
	cfg, err := a.prConfig(".")
	if err != nil {
		return nil, err
	}
	if cfg.Author != "" {
		if op.author, err = rgithub.ParseAuthor(cfg.Author); err != nil {
			return nil, err
		}
	}
	op.labels, op.draft = cfg.Labels, cfg.Draft
	return op, nil
}

// auditDetector builds the content detector: the built-in rules, extended
// by --config when given (repositories' own configuration files are not
// read: one rule set keeps an org's reports comparable).
func (a *app) auditDetector() (*detectors.Detector, error) {
	if a.configFile != "" {
		return a.newDetector(".", largeScan)
	}
	d, err := detectors.New(detectors.Options{})
	if err != nil {
		return nil, err
	}
	return d, nil
}
