package audit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/score"
)

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
	token, err := a.token(ctx)
	if err != nil {
		return outcome{}, err
	}
	remote := gitRemote{url: a.cloneURL(r), token: token}
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
	token, err := a.token(ctx)
	if err != nil {
		return err
	}
	return gitRemote{url: a.cloneURL(r), token: token}.sync(ctx, dir, tips)
}

// token returns the token for the next clone or fetch. A failure to get one
// is an authentication failure: it stops the audit.
func (a *auditor) token(ctx context.Context) (string, error) {
	if a.opts.TokenFunc == nil {
		return a.opts.Token, nil
	}
	t, err := a.opts.TokenFunc(ctx)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrAuth, err)
	}
	return t, nil
}

// score applies Options.Score, or scanner/score.
func (a *auditor) score(r *scanner.Report, repo repoInfo) error {
	info := RepositoryInfo{FullName: repo.FullName, Visibility: repo.Visibility, DefaultBranch: repo.DefaultBranch}
	if a.opts.Score != nil {
		return a.opts.Score(r, info)
	}
	return score.Apply(r, score.Options{Now: a.opts.Now})
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
