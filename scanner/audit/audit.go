package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

// Options configures an audit. Org, GitHub, CacheDir and Detector are
// required; the zero value of every other field means the default.
type Options struct {
	// Org is the organisation whose repositories are audited.
	Org string
	// GitHub lists the repositories. Build it with an HTTP client whose
	// transport applies Retry ([RetryPolicy.Transport]).
	GitHub *github.Client
	// Token authenticates HTTPS clones and fetches (a GitHub token, sent as
	// x-access-token basic auth); empty means anonymous. It is never logged.
	Token string
	// TokenFunc, when set, is asked for the token before each clone or
	// fetch instead of Token, so that an audit longer than a short-lived
	// token's life (a GitHub App installation token: one hour) renews it.
	TokenFunc func(ctx context.Context) (string, error)
	// ServerURL, when set, is the git server clone URLs are built from
	// (ServerURL/owner/name.git, GITHUB_SERVER_URL); empty means the API's
	// clone_url.
	ServerURL string
	// CacheDir holds the clones, one per repository, kept between runs.
	CacheDir string
	// State, when set, makes the audit incremental and tracks credentials
	// (see the package documentation); nil scans everything afresh and
	// reports every credential as new.
	State *state.DB

	// IncludeArchived and IncludeForks audit archived repositories and
	// forks too.
	IncludeArchived bool
	IncludeForks    bool
	// Repos is a comma-separated list of globs (path.Match): one with a
	// slash matches "owner/name", one without the name; empty means all.
	Repos string
	// Shard selects part of the repositories (see [Shard]).
	Shard Shard

	// Concurrency bounds the repositories audited at once; 0 means
	// GOMAXPROCS.
	Concurrency int
	// Workers bounds detection within one repository; 0 means GOMAXPROCS
	// divided among the concurrent repositories.
	Workers int
	// Detector matches content rules; FileDetectors examine CI definitions
	// and configuration files (as in scanner.Options).
	Detector      *detectors.Detector
	FileDetectors []detectors.FileDetector
	// MaxFileSize is scanner.Options.MaxFileSize.
	MaxFileSize int64
	// ToolVersion is written into the reports.
	ToolVersion string
	// RulesVersion identifies the rules and every option that changes what
	// a scan finds; empty means a digest of ToolVersion, the detector's
	// rules and MaxFileSize. Commits are rescanned when it changes.
	RulesVersion string
	// Score scores one repository's report; nil means scanner/score with
	// the Now clock. Scores depend on the repository alone, so that shards
	// merge to the whole audit.
	Score func(r *scanner.Report, repo RepositoryInfo) error

	// PROpener opens remediation pull requests after the scans (--open-prs),
	// at most MaxPRs in all (0: no limit); nil opens none.
	PROpener PROpener
	MaxPRs   int

	// Retry waits out rate limits go-github detects before sending; the
	// transport of GitHub's HTTP client should apply the same policy.
	Retry RetryPolicy
	// Progress, when set, is called from the collector goroutine once per
	// repository done. It must not block for long.
	Progress func(Event)
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// RepositoryInfo describes a repository to [Options.Score] and [PROpener].
type RepositoryInfo struct {
	FullName      string
	Visibility    string
	DefaultBranch string
}

// PROpener opens remediation pull requests for one audited repository: dir
// is its clone (checked out at the default branch), r its report. It opens
// at most max pull requests (0: no limit) and returns their URLs. The
// remediate/github package provides the implementation.
type PROpener interface {
	OpenPRs(ctx context.Context, dir string, repo RepositoryInfo, r *scanner.Report, max int) ([]string, error)
}

// Status says how a repository's report was obtained.
type Status string

// The statuses of [Event].
const (
	// StatusScanned: cloned or fetched and scanned in full.
	StatusScanned Status = "scanned"
	// StatusIncremental: fetched, only commits not scanned before were read.
	StatusIncremental Status = "incremental"
	// StatusReused: tips, metadata and rules unchanged; the stored report is
	// kept without scanning.
	StatusReused Status = "reused"
	// StatusResumed: completed earlier in this (interrupted) run.
	StatusResumed Status = "resumed"
	// StatusFailed: the repository could not be audited.
	StatusFailed Status = "failed"
)

// Event reports one repository done.
type Event struct {
	FullName string
	Status   Status
	// NewCommits counts the commits whose changes were read.
	NewCommits int
	Err        error
	// Done and Total count repositories.
	Done, Total int
}

// Stats counts what an audit did.
type Stats struct {
	// Listed is every repository of the organisation; Selected those
	// audited after filters and sharding.
	Listed, Selected int
	// Left out, by reason.
	Archived, Forks, Disabled, Unmatched, OtherShards int
	// Selected repositories, by status.
	Scanned, Incremental, Reused, Resumed, Failed int
	// NewCommits counts commits whose changes were read; empty repositories
	// are counted as Scanned.
	NewCommits int
	// Resumed run.
	ResumedRun bool
}

// Result is an audit's outcome.
type Result struct {
	Report *Report
	Stats  Stats
	// Failures joins the errors of the repositories that could not be
	// audited (each also in its report entry); nil when there are none.
	Failures error
}

// Run audits the organisation. It returns an error only when the audit as a
// whole fails: the listing fails, authentication is refused ([ErrAuth]), a
// rate limit outlasts the retry policy ([RateLimitError]), the state
// database fails, or ctx is cancelled (the next run resumes). A repository
// that cannot be audited is recorded in its entry and in Result.Failures.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	a := &auditor{opts: &opts}
	a.rulesVersion = opts.RulesVersion
	if a.rulesVersion == "" {
		a.rulesVersion = RulesVersion(opts.ToolVersion, opts.Detector, opts.MaxFileSize)
	}
	lst, err := listRepos(ctx, opts.GitHub, &opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Stats: Stats{
		Listed:   len(lst.repos) + lst.archived + lst.forks + lst.disabled + lst.unmatched + lst.otherShards,
		Selected: len(lst.repos), Archived: lst.archived, Forks: lst.forks, Disabled: lst.disabled,
		Unmatched: lst.unmatched, OtherShards: lst.otherShards,
	}}
	if opts.State != nil {
		run, err := opts.State.BeginRun(ctx, state.RunKey{Org: opts.Org, Scope: a.scope(), RulesVersion: a.rulesVersion}, a.now())
		if err != nil {
			return nil, err
		}
		a.run = run
		res.Stats.ResumedRun = run.Resumed
	}
	entries, err := a.auditAll(ctx, lst.repos, &res.Stats)
	if err != nil {
		return nil, err
	}
	if err := a.openPRs(ctx, entries); err != nil {
		return nil, err
	}
	rep := &Report{
		Org: opts.Org, Tool: scanner.Tool{Name: "sessionize", Version: opts.ToolVersion},
		RulesVersion: a.rulesVersion, GeneratedAt: a.now().UTC(),
		Filters: Filters{IncludeArchived: opts.IncludeArchived, IncludeForks: opts.IncludeForks, Repos: opts.Repos},
	}
	if opts.Shard.Enabled() {
		s := opts.Shard
		rep.Shard = &s
	}
	var failures []error
	for _, e := range entries {
		rep.Repositories = append(rep.Repositories, e.entry)
		if e.err != nil {
			failures = append(failures, fmt.Errorf("%s: %w", e.entry.FullName, e.err))
		}
	}
	rep.Finalize()
	res.Report = rep
	res.Failures = errors.Join(failures...)
	if opts.State != nil {
		if err := opts.State.FinishRun(ctx, a.run.ID, a.now()); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (o *Options) validate() error {
	switch {
	case o.Org == "":
		return errors.New("audit: no organisation")
	case o.GitHub == nil:
		return errors.New("audit: no GitHub client")
	case o.CacheDir == "":
		return errors.New("audit: no cache directory")
	case o.Detector == nil:
		return scanner.ErrNoDetector
	case o.PROpener == nil && o.MaxPRs > 0:
		return errors.New("audit: MaxPRs without a PROpener")
	}
	return ValidateGlobs(o.Repos)
}

// RulesVersion digests what decides a scan's findings: the tool version,
// the detector's rules and the size limit. Commits scanned with another
// rules version are scanned again.
func RulesVersion(toolVersion string, d *detectors.Detector, maxFileSize int64) string {
	h := sha256.New()
	fmt.Fprintf(h, "sessionize %s\nmax-file-size %d\n", toolVersion, maxFileSize)
	if d != nil {
		enc := json.NewEncoder(h)
		_ = enc.Encode(d.Rules())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// auditor is one audit's run.
type auditor struct {
	opts         *Options
	rulesVersion string
	run          state.Run
}

func (a *auditor) concurrency() int {
	if a.opts.Concurrency > 0 {
		return a.opts.Concurrency
	}
	return runtime.GOMAXPROCS(0)
}

func (a *auditor) workers() int {
	if a.opts.Workers > 0 {
		return a.opts.Workers
	}
	return max(1, runtime.GOMAXPROCS(0)/a.concurrency())
}

func (a *auditor) now() time.Time {
	if a.opts.Now == nil {
		return time.Now()
	}
	return a.opts.Now()
}

func (a *auditor) logger() *slog.Logger {
	if a.opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.opts.Logger
}
