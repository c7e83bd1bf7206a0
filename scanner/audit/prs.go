package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/sessionize/sessionize/scanner"
)

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
