package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/report"
)

// errRewritten reports that commits the stored history names are no longer
// reachable (a force-push or a deleted branch): the repository's history is
// scanned afresh.
var errRewritten = errors.New("history rewritten")

// scanInput is what one repository's scan starts from.
type scanInput struct {
	dir      string
	repo     repoInfo
	identity string
	// prevHistory is the stored history-only report for the rules version,
	// prevCommits the commits it covers; nil for a first scan.
	prevHistory *scanner.Report
	prevCommits map[string]bool
}

// scanOutput is one repository's scan result.
type scanOutput struct {
	// report is scored and normalised; snapshot its unscored form and
	// history the history-only report, both as the state keeps them.
	report            *scanner.Report
	snapshot, history []byte
	// commits are every commit the history walk met; resetCommits says the
	// stored ones must be forgotten first.
	commits      []string
	resetCommits bool
	// newCommits counts the commits whose changes were read.
	newCommits int
}

// scanRepo scans a synchronised clone incrementally: the history commits
// not scanned yet, then the whole working tree, and merges the result with
// the stored history.
func (a *auditor) scanRepo(ctx context.Context, in scanInput) (*scanOutput, error) {
	out, err := a.scanOnce(ctx, in)
	if errors.Is(err, errRewritten) {
		a.logger().Info("history rewritten: rescanning", "repository", in.repo.FullName)
		in.prevHistory, in.prevCommits = nil, nil
		out, err = a.scanOnce(ctx, in)
		if out != nil {
			out.resetCommits = true
		}
	}
	return out, err
}

func (a *auditor) scanOnce(ctx context.Context, in scanInput) (*scanOutput, error) {
	start := a.now()
	var mu sync.Mutex
	out := &scanOutput{}
	walked := map[string]bool{}
	base := scanner.Options{
		Root: in.dir, Detector: a.opts.Detector, FileDetectors: a.opts.FileDetectors,
		MaxFileSize: a.opts.MaxFileSize, Repository: in.identity, Workers: a.workers(),
		Logger: a.opts.Logger, Clock: a.opts.Now, ToolVersion: a.opts.ToolVersion,
	}
	hopts := base
	hopts.HistoryOnly = true
	// The scanner asks about every commit of the walk (some backends more
	// than once): the first question records it.
	hopts.SkipCommit = func(hash string) bool {
		mu.Lock()
		defer mu.Unlock()
		skip := in.prevCommits[hash]
		if !walked[hash] {
			walked[hash] = true
			out.commits = append(out.commits, hash)
			if !skip {
				out.newCommits++
			}
		}
		return skip
	}
	hr, err := scanner.Scan(ctx, hopts)
	if err != nil {
		return nil, fmt.Errorf("scan history of %q: %w", in.repo.FullName, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if in.prevHistory != nil && !coversHistory(in.prevHistory, walked) {
		return nil, errRewritten
	}
	wopts := base
	wopts.NoHistory = true
	wr, err := scanner.Scan(ctx, wopts)
	if err != nil {
		return nil, fmt.Errorf("scan working tree of %q: %w", in.repo.FullName, err)
	}
	hist := mergeHistory(in.prevHistory, hr)
	if out.history, err = encodeSnapshot(hist); err != nil {
		return nil, err
	}
	r := combine(wr, hist, hr)
	r.Target = scanner.Target{
		Path:           in.repo.FullName,
		CommitsScanned: hr.Target.CommitsScanned,
		BlobsScanned:   hr.Target.BlobsScanned + wr.Target.BlobsScanned,
		BytesScanned:   hr.Target.BytesScanned + wr.Target.BytesScanned,
		DurationMS:     a.now().Sub(start).Milliseconds(),
	}
	r.Summary.ObjectsMissing = hr.Summary.ObjectsMissing + wr.Summary.ObjectsMissing
	r.Summary.Skipped = addSkipped(hr.Summary.Skipped, wr.Summary.Skipped)
	for _, p := range append(hr.Problems, wr.Problems...) {
		a.logger().Warn("skipped part of a file", "repository", in.repo.FullName, "path", p.Path, "problem", p.Msg)
	}
	a.applyIgnores(r, in)
	r.Finalize()
	if out.snapshot, err = encodeSnapshot(r); err != nil {
		return nil, err
	}
	if out.report, err = a.scored(out.snapshot, in.repo); err != nil {
		return nil, err
	}
	return out, nil
}

// applyIgnores applies the repository's ignore files.
func (a *auditor) applyIgnores(r *scanner.Report, in scanInput) {
	ig, err := scanner.LoadIgnores(in.dir)
	if err != nil {
		// A malformed ignore file must not hide findings: report everything.
		a.logger().Warn("ignore file not applied", "repository", in.repo.FullName, "error", err)
		return
	}
	ig.Apply(r)
}

// scored turns a stored snapshot into the repository's report: scored now,
// in the form the JSON report carries. Fresh, reused and resumed reports
// all take this path, so that they agree.
func (a *auditor) scored(snap []byte, repo repoInfo) (*scanner.Report, error) {
	r, err := decodeSnapshot(snap)
	if err != nil {
		return nil, err
	}
	if err := a.score(r, repo); err != nil {
		return nil, fmt.Errorf("score %q: %w", repo.FullName, err)
	}
	r.Finalize()
	return normalize(r)
}

// coversHistory reports whether every commit the stored history names was
// met again by the walk.
func coversHistory(prev *scanner.Report, walked map[string]bool) bool {
	for _, c := range prev.Credentials {
		for _, o := range c.Occurrences {
			if o.Commit != "" && !walked[o.Commit] {
				return false
			}
		}
	}
	return true
}

type occKey struct{ fp, path string }

// mergeHistory joins the stored history with the new commits' history: per
// credential and path the stored (earlier) occurrence wins, as the history
// engine keeps the earliest commit that introduced a credential at a path.
func mergeHistory(prev, next *scanner.Report) *scanner.Report {
	byFP := map[string]*scanner.Credential{}
	var order []string
	seen := map[occKey]bool{}
	add := func(c *scanner.Credential) {
		h, ok := byFP[c.Fingerprint]
		if !ok {
			cp := *c
			cp.Occurrences = nil
			h = &cp
			byFP[c.Fingerprint] = h
			order = append(order, c.Fingerprint)
		} else if moreSpecific(c, h) {
			adopt(h, c)
		}
		for _, o := range c.Occurrences {
			k := occKey{c.Fingerprint, o.Path}
			if seen[k] {
				continue
			}
			seen[k] = true
			o.Where = scanner.WhereHistory
			h.Occurrences = append(h.Occurrences, o)
		}
	}
	for _, r := range []*scanner.Report{prev, next} {
		if r == nil {
			continue
		}
		for i := range r.Credentials {
			add(&r.Credentials[i])
		}
	}
	out := &scanner.Report{Version: scanner.ReportVersion, Tool: next.Tool, Target: scanner.Target{Path: next.Target.Path}}
	for _, fp := range order {
		out.Credentials = append(out.Credentials, *byFP[fp])
	}
	out.Finalize()
	return out
}

// combine builds the repository's report as a full scan would: the working
// tree's occurrences (carrying the commit that introduced them), then the
// history's occurrences at paths where the working tree no longer has them.
// next is the new commits' history scan, whose in-HEAD marks are current.
func combine(wt, hist, next *scanner.Report) *scanner.Report {
	inHead := map[occKey]bool{}
	for _, c := range next.Credentials {
		for _, o := range c.Occurrences {
			inHead[occKey{c.Fingerprint, o.Path}] = o.InHead
		}
	}
	histOcc := map[occKey]scanner.Occurrence{}
	for _, c := range hist.Credentials {
		for _, o := range c.Occurrences {
			histOcc[occKey{c.Fingerprint, o.Path}] = o
		}
	}
	byFP := map[string]*scanner.Credential{}
	var order []string
	used := map[occKey]bool{}
	for _, c := range wt.Credentials {
		cp := c
		cp.Occurrences = append([]scanner.Occurrence(nil), c.Occurrences...)
		for i := range cp.Occurrences {
			o := &cp.Occurrences[i]
			if o.Where == scanner.WhereCIReference {
				continue
			}
			k := occKey{c.Fingerprint, o.Path}
			if h, ok := histOcc[k]; ok {
				o.Commit, o.Author, o.Date = h.Commit, h.Author, h.Date
				used[k] = true
			}
		}
		byFP[c.Fingerprint] = &cp
		order = append(order, c.Fingerprint)
	}
	for i := range hist.Credentials {
		hc := &hist.Credentials[i]
		for _, o := range hc.Occurrences {
			k := occKey{hc.Fingerprint, o.Path}
			if used[k] {
				continue
			}
			fc, ok := byFP[hc.Fingerprint]
			if !ok {
				cp := *hc
				cp.Occurrences = nil
				fc = &cp
				byFP[hc.Fingerprint] = fc
				order = append(order, hc.Fingerprint)
			} else if moreSpecific(hc, fc) {
				adopt(fc, hc)
			}
			o.Where = scanner.WhereHistory
			o.InHead = inHead[k]
			fc.Occurrences = append(fc.Occurrences, o)
		}
	}
	out := &scanner.Report{Version: scanner.ReportVersion, Tool: wt.Tool}
	for _, fp := range order {
		out.Credentials = append(out.Credentials, *byFP[fp])
	}
	out.Finalize()
	return out
}

// moreSpecific mirrors the scanner's choice of the finding that describes a
// credential best: a dedicated rule over a generic one, a decoded expiry
// over the type's default lifetime.
func moreSpecific(f, c *scanner.Credential) bool {
	fg, cg := strings.Contains(f.Rule, "generic"), strings.Contains(c.Rule, "generic")
	if fg != cg {
		return cg
	}
	if f.Lifetime != c.Lifetime && f.Lifetime != "" {
		return !f.ExpiresAt.IsZero() && c.ExpiresAt.IsZero()
	}
	return false
}

// adopt takes f's classification into c; c keeps its fingerprint, secret
// and occurrences.
func adopt(c, f *scanner.Credential) {
	c.Rule, c.Type, c.Provider, c.Lifetime, c.Privilege = f.Rule, f.Type, f.Provider, f.Lifetime, f.Privilege
	c.ExpiresAt, c.IssuedAt = f.ExpiresAt, f.IssuedAt
	if c.Fixer == "" {
		c.Fixer = f.Fixer
	}
}

func addSkipped(a, b scanner.Skipped) scanner.Skipped {
	return scanner.Skipped{
		Binary: a.Binary + b.Binary, TooLarge: a.TooLarge + b.TooLarge, LFS: a.LFS + b.LFS,
		Unreadable: a.Unreadable + b.Unreadable, Invalid: a.Invalid + b.Invalid,
	}
}

// normalize returns the report as the JSON report carries it: redacted
// (raw secrets dropped), sorted, its summary computed from what JSON keeps.
// Stored, reused and merged reports all pass through this form, so that
// they give the same bytes.
func normalize(r *scanner.Report) (*scanner.Report, error) {
	data, err := encodeReport(r)
	if err != nil {
		return nil, err
	}
	return decodeReport(data)
}

func encodeReport(r *scanner.Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r, report.Options{}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeReport(data []byte) (*scanner.Report, error) {
	return report.ReadJSON(bytes.NewReader(data))
}

// emptyReport is the report of a repository without any commit.
func emptyReport(fullName, toolVersion string) *scanner.Report {
	r := &scanner.Report{Version: scanner.ReportVersion, Tool: scanner.Tool{Name: "sessionize", Version: toolVersion}, Target: scanner.Target{Path: fullName}}
	r.Finalize()
	return r
}

func sortCredentials(cs []state.Credential) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Fingerprint < cs[j].Fingerprint })
}

func sortOutcomes(os []outcome) {
	sort.SliceStable(os, func(i, j int) bool { return os[i].entry.FullName < os[j].entry.FullName })
}
