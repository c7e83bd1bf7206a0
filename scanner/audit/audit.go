package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/score"
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

// outcome is one repository's result, as the collector receives it.
type outcome struct {
	entry  Repository
	status Status
	err    error
	// dir is the clone (for pull requests); empty when none was needed.
	dir string
	// save is what to store; nil for failures and resumed repositories.
	save *state.Save
	// newCommits counts commits read.
	newCommits int
}

// auditAll audits the repositories with bounded concurrency: workers send
// outcomes to one collector, which alone writes the state and the results.
func (a *auditor) auditAll(ctx context.Context, repos []repoInfo, st *Stats) ([]outcome, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(a.concurrency())
	results := make(chan outcome)
	collected := make(chan []outcome, 1)
	collectErr := make(chan error, 1)
	go func() {
		out, err := a.collect(ctx, results, len(repos), st)
		collected <- out
		collectErr <- err
	}()
	for _, r := range repos {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			o, err := a.auditOne(gctx, r)
			if err != nil {
				return err
			}
			select {
			case results <- o:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}
	err := g.Wait()
	close(results)
	out, cerr := <-collected, <-collectErr
	if err != nil {
		return nil, err
	}
	if cerr != nil {
		return nil, cerr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// collect stores each outcome in the state and gathers them.
func (a *auditor) collect(ctx context.Context, results <-chan outcome, total int, st *Stats) ([]outcome, error) {
	var out []outcome
	var firstErr error
	for o := range results {
		if firstErr != nil {
			continue // drain: the audit is failing
		}
		// Completed work is stored even when the audit is being cancelled,
		// so that the next run resumes after it.
		if err := a.store(context.WithoutCancel(ctx), &o); err != nil {
			firstErr = err
			continue
		}
		countStatus(st, o)
		out = append(out, o)
		if a.opts.Progress != nil {
			a.opts.Progress(Event{FullName: o.entry.FullName, Status: o.status, NewCommits: o.newCommits, Err: o.err, Done: len(out), Total: total})
		}
		if o.err != nil {
			a.logger().Warn("repository not audited", "repository", o.entry.FullName, "error", o.err)
		} else {
			a.logger().Info("repository audited", "repository", o.entry.FullName, "status", o.status, "new_commits", o.newCommits)
		}
	}
	return out, firstErr
}

func countStatus(st *Stats, o outcome) {
	st.NewCommits += o.newCommits
	switch o.status {
	case StatusScanned:
		st.Scanned++
	case StatusIncremental:
		st.Incremental++
	case StatusReused:
		st.Reused++
	case StatusResumed:
		st.Resumed++
	case StatusFailed:
		st.Failed++
	}
}

// store writes an outcome to the state and fills in its tracking.
func (a *auditor) store(ctx context.Context, o *outcome) error {
	if o.save == nil {
		if o.err != nil && a.opts.State != nil {
			return a.opts.State.SaveFailure(ctx, o.entry.FullName, a.run.ID, o.err.Error())
		}
		return nil
	}
	if a.opts.State == nil {
		o.entry.Tracking = untracked(o.entry.Report, a.now())
		return nil
	}
	o.save.RunID = a.run.ID
	o.save.Now = a.now()
	tracked, err := a.opts.State.SaveRepo(ctx, *o.save)
	if err != nil {
		return err
	}
	o.entry.Tracking = tracked
	return nil
}

// untracked lists every credential as new, for audits without state.
func untracked(r *scanner.Report, now time.Time) []state.Tracked {
	var out []state.Tracked
	for _, c := range trackedCredentials(r) {
		out = append(out, state.Tracked{
			Fingerprint: c.Fingerprint, Status: state.StatusNew, Rule: c.Rule, Type: c.Type, Provider: c.Provider,
			Redacted: c.Redacted, FirstSeen: now.UTC(), LastSeen: now.UTC(),
		})
	}
	return out
}

func trackedCredentials(r *scanner.Report) []state.Credential {
	if r == nil {
		return nil
	}
	out := make([]state.Credential, 0, len(r.Credentials))
	for _, c := range r.Credentials {
		out = append(out, state.Credential{Fingerprint: c.Fingerprint, Rule: c.Rule, Type: c.Type, Provider: c.Provider, Redacted: c.RedactedSecret()})
	}
	// Sorted by fingerprint so that tracking lists do not depend on scores.
	sortCredentials(out)
	return out
}

// auditOne audits one repository. Its error return is reserved for failures
// that stop the whole audit; a repository's own failure is in the outcome.
func (a *auditor) auditOne(ctx context.Context, r repoInfo) (outcome, error) {
	o, err := a.tryOne(ctx, r)
	if err == nil {
		return o, nil
	}
	if errors.Is(err, ErrAuth) || ctx.Err() != nil || isStateError(err) {
		if ctx.Err() != nil {
			return outcome{}, ctx.Err()
		}
		return outcome{}, err
	}
	entry := a.entry(r)
	entry.Error = err.Error()
	return outcome{entry: entry, status: StatusFailed, err: err}, nil
}

func (a *auditor) entry(r repoInfo) Repository {
	return Repository{FullName: r.FullName, Visibility: r.Visibility, DefaultBranch: r.DefaultBranch}
}

// stateError marks state database failures: they stop the audit.
type stateError struct{ err error }

func (e stateError) Error() string { return e.err.Error() }
func (e stateError) Unwrap() error { return e.err }

func isStateError(err error) bool { return errors.As(err, new(stateError)) }

func (a *auditor) tryOne(ctx context.Context, r repoInfo) (outcome, error) {
	entry := a.entry(r)
	var prev *state.Repo
	if a.opts.State != nil {
		p, ok, err := a.opts.State.Repo(ctx, r.FullName)
		if err != nil {
			return outcome{}, stateError{err}
		}
		if ok {
			prev = p
		}
	}
	dir := a.cloneDir(r)
	if prev != nil && prev.RunID == a.run.ID && a.run.Resumed {
		if rep, err := a.scored(prev.Report, r); err == nil {
			if err := a.clonePRs(ctx, r, dir, prev.Tips); err != nil {
				return outcome{}, err
			}
			entry.Report, entry.Tracking = rep, prev.Tracking
			return outcome{entry: entry, status: StatusResumed, dir: dir}, nil
		}
	}
	meta := metaDigest(r)
	same := prev != nil && prev.RulesVersion == a.rulesVersion && prev.Meta == meta
	remote := gitRemote{url: a.cloneURL(r), token: a.opts.Token}
	var tips map[string]string
	if same && r.PushedAt != "" && prev.PushedAt == r.PushedAt {
		// No push since the stored report: its tips still hold.
		tips = prev.Tips
	} else {
		var err error
		if tips, err = remote.tips(ctx); err != nil {
			return outcome{}, err
		}
	}
	save := &state.Save{FullName: r.FullName, RulesVersion: a.rulesVersion, Tips: tips, PushedAt: r.PushedAt, Meta: meta}
	if same && equalTips(prev.Tips, tips) {
		if rep, err := a.scored(prev.Report, r); err == nil {
			if err := a.clonePRs(ctx, r, dir, tips); err != nil {
				return outcome{}, err
			}
			entry.Report = rep
			save.Report, save.History = prev.Report, prev.History
			save.Credentials = trackedCredentials(rep)
			return outcome{entry: entry, status: StatusReused, dir: dir, save: save}, nil
		}
		// An unreadable stored report (older snapshot form): scan afresh.
	}
	if len(tips) == 0 {
		empty, err := encodeSnapshot(emptyReport(r.FullName, a.opts.ToolVersion))
		if err != nil {
			return outcome{}, err
		}
		if entry.Report, err = a.scored(empty, r); err != nil {
			return outcome{}, err
		}
		save.Report, save.History, save.ResetCommits = empty, empty, true
		return outcome{entry: entry, status: StatusScanned, save: save}, nil
	}
	if err := remote.sync(ctx, dir, tips); err != nil {
		return outcome{}, err
	}
	in := scanInput{dir: dir, repo: r, identity: a.identity(r)}
	status := StatusScanned
	if prev != nil && prev.RulesVersion == a.rulesVersion {
		if hist, err := decodeSnapshot(prev.History); err == nil {
			commits, err := a.opts.State.ScannedCommits(ctx, r.FullName, a.rulesVersion)
			if err != nil {
				return outcome{}, stateError{err}
			}
			in.prevHistory, in.prevCommits, status = hist, commits, StatusIncremental
		}
	}
	so, err := a.scanRepo(ctx, in)
	if err != nil {
		return outcome{}, err
	}
	if so.resetCommits {
		status = StatusScanned
	}
	save.Report, save.History = so.snapshot, so.history
	save.Credentials = trackedCredentials(so.report)
	save.Commits, save.ResetCommits = so.commits, so.resetCommits || status == StatusScanned
	entry.Report = so.report
	return outcome{entry: entry, status: status, dir: dir, save: save, newCommits: so.newCommits}, nil
}

// clonePRs makes sure a reused repository's clone is in the cache when
// pull requests are to be opened from it.
func (a *auditor) clonePRs(ctx context.Context, r repoInfo, dir string, tips map[string]string) error {
	if a.opts.PROpener == nil || len(tips) == 0 {
		return nil
	}
	return gitRemote{url: a.cloneURL(r), token: a.opts.Token}.sync(ctx, dir, tips)
}

// score applies Options.Score, or scanner/score.
func (a *auditor) score(r *scanner.Report, repo repoInfo) error {
	info := RepositoryInfo{FullName: repo.FullName, Visibility: repo.Visibility, DefaultBranch: repo.DefaultBranch}
	if a.opts.Score != nil {
		return a.opts.Score(r, info)
	}
	return score.Apply(r, score.Options{Now: a.opts.Now})
}

// openPRs hands each audited repository with a fixable credential to the
// PROpener, in name order, within the MaxPRs budget.
func (a *auditor) openPRs(ctx context.Context, outs []outcome) error {
	if a.opts.PROpener == nil {
		return nil
	}
	sortOutcomes(outs)
	left := a.opts.MaxPRs
	for i := range outs {
		o := &outs[i]
		if o.entry.Report == nil || o.dir == "" || !fixable(o.entry.Report) {
			continue
		}
		if a.opts.MaxPRs > 0 && left <= 0 {
			break
		}
		info := RepositoryInfo{FullName: o.entry.FullName, Visibility: o.entry.Visibility, DefaultBranch: o.entry.DefaultBranch}
		urls, err := a.opts.PROpener.OpenPRs(ctx, o.dir, info, o.entry.Report, left)
		if errors.Is(err, ErrAuth) || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		if err != nil {
			o.err = errors.Join(o.err, fmt.Errorf("open pull requests: %w", err))
			a.logger().Warn("pull requests not opened", "repository", o.entry.FullName, "error", err)
		}
		o.entry.PullRequests = urls
		left -= len(urls)
	}
	return nil
}

func fixable(r *scanner.Report) bool {
	for _, c := range r.Credentials {
		if c.Fixer != "" {
			return true
		}
	}
	return false
}

// scope identifies the repository selection for resuming runs.
func (a *auditor) scope() string {
	o := a.opts
	return fmt.Sprintf("shard=%s archived=%t forks=%t repos=%s", o.Shard, o.IncludeArchived, o.IncludeForks, o.Repos)
}

// cloneURL is ServerURL/owner/name.git, else the API's clone_url.
func (a *auditor) cloneURL(r repoInfo) string {
	if a.opts.ServerURL != "" {
		return strings.TrimSuffix(a.opts.ServerURL, "/") + "/" + r.FullName + ".git"
	}
	return r.CloneURL
}

// identity names the repository for CI-reference fingerprints:
// host/owner/name, lower-cased, the same on every machine.
func (a *auditor) identity(r repoInfo) string {
	host := "github.com"
	if u, err := url.Parse(a.cloneURL(r)); err == nil && u.Host != "" {
		host = u.Host
	}
	return strings.ToLower(host + "/" + r.FullName)
}

// cloneDir is the repository's clone in the cache:
// CacheDir/repos/<host>/<owner>/<name>.
func (a *auditor) cloneDir(r repoInfo) string {
	host := "github.com"
	if u, err := url.Parse(a.cloneURL(r)); err == nil && u.Host != "" {
		host = strings.ReplaceAll(u.Host, ":", "_")
	}
	owner, name, _ := strings.Cut(r.FullName, "/")
	return filepath.Join(a.opts.CacheDir, "repos", host, safeName(owner), safeName(name))
}

// safeName keeps a path element inside its directory.
func safeName(s string) string {
	if s == "" || s == "." || s == ".." {
		return "_" + s
	}
	return strings.NewReplacer("/", "_", "\\", "_").Replace(s)
}

// metaDigest digests the metadata a report depends on besides content.
func metaDigest(r repoInfo) string {
	return "visibility=" + r.Visibility
}

func equalTips(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
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
