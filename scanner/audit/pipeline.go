package audit

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

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
