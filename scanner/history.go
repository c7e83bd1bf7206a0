package scanner

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner/internal/lineset"
)

// historyScan scans every commit reachable from any reference once, in
// topological order, and every line of content once: a blob new at a path
// has its lines checked against the memory of lines already seen, and only
// the runs of new lines are matched against the rules.
//
// It is a pipeline: the backend diffs commits (one goroutine) and reads
// blobs (another); a planner decides, in commit order, which path/blob pairs
// are new; a line stage classifies each new blob's lines, in the same order;
// detector workers match the new lines; the collector keeps, for each
// credential and path, the earliest commit.
type historyScan struct {
	g       *gitRepo
	opts    *Options
	c       *counters
	eng     *engine
	mem     *memory
	lines   lineset.Set
	be      backend
	commits []*commitInfo
	byHash  map[plumbing.Hash]*commitInfo

	// results, kept by the collector only.
	occ      map[occKey]*Occurrence
	byBlob   map[plumbing.Hash][]detectors.Finding
	copies   []blobJob
	problems []Problem
}

type occKey struct {
	fp, path string
}

// blobJob is a blob new at a path, with its lines classified new or seen.
type blobJob struct {
	commit  *commitInfo
	path    string // target-relative
	blob    plumbing.Hash
	lines   lines
	isNew   []bool
	copyOf  bool // the blob was read at another path: reuse its findings
	results []detectors.Finding
	err     error
}

// planItem is the planner's decision for one path/blob pair, in order.
type planItem struct {
	commit *commitInfo
	path   string
	blob   plumbing.Hash
	copyOf bool
}

func newHistoryScan(g *gitRepo, opts *Options, c *counters, eng *engine) *historyScan {
	return &historyScan{
		g: g, opts: opts, c: c, eng: eng, mem: newMemory(),
		occ:    map[occKey]*Occurrence{},
		byBlob: map[plumbing.Hash][]detectors.Finding{},
	}
}

// run scans the history. Reading errors other than missing objects stop it
// with an error naming the repository; a panic inside go-git does too.
func (h *historyScan) run(ctx context.Context, rep *reporter) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read history of %q: repository is corrupt: %v", h.g.name, r)
		}
	}()
	be := newBackend(h.g, h.opts, h.c)
	h.be = be
	defer be.close()
	byHash, err := be.commits(ctx, h.opts.Since)
	if err != nil {
		return err
	}
	h.byHash = byHash
	h.commits = order(byHash)
	h.c.commitsTotal.Store(int64(len(h.commits)))

	w := h.opts.workers()
	diffs := make(chan commitChanges, 16)
	plan := make(chan planItem, 256)
	reqs := make(chan plumbing.Hash, 256)
	blobs := make(chan blobData, 2)
	jobs := make(chan *blobJob, 2*w)
	results := make(chan *blobJob, 2*w)
	g, gctx := errgroup.WithContext(ctx)
	guard := func(f func() error) func() error {
		return func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("read history of %q: repository is corrupt: %v", h.g.name, r)
				}
			}()
			return f()
		}
	}
	g.Go(guard(func() error {
		defer close(diffs)
		return be.changes(gctx, h.commits, h.skip, diffs)
	}))
	g.Go(guard(func() error {
		defer close(blobs)
		return be.blobs(gctx, reqs, blobs)
	}))
	g.Go(func() error {
		defer close(plan)
		defer close(reqs)
		return h.planner(gctx, diffs, plan, reqs)
	})
	g.Go(func() error {
		defer close(jobs)
		return h.lineStage(gctx, plan, blobs, jobs)
	})
	var workers errgroup.Group
	for range w {
		workers.Go(func() error {
			for j := range jobs {
				if !j.copyOf {
					j.results, j.err = h.detect(gctx, j)
				}
				select {
				case results <- j:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		err := workers.Wait()
		close(results)
		return err
	})
	for j := range results {
		h.collect(j)
		rep.tick(PhaseHistory, false)
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			// Killed git processes report broken pipes: the cause is the
			// cancellation.
			return ctx.Err()
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.resolveCopies()
	rep.tick(PhaseHistory, true)
	return nil
}

// detect matches a blob's new lines against the content rules, and runs the
// configuration-file detectors that understand its path on the whole blob,
// keeping what they find on new lines (a literal in a file's history).
func (h *historyScan) detect(ctx context.Context, j *blobJob) ([]detectors.Finding, error) {
	fs, err := h.eng.detectNew(ctx, j.path, j.commit.hash.String(), &j.lines, j.isNew)
	if err != nil {
		return nil, err
	}
	structured, problems := fileDetections(ctx, h.opts.FileDetectors, j.path, j.lines.content, false)
	if len(problems) > 0 {
		h.opts.logger().Debug("structured detector in history", "path", j.path, "commit", j.commit.hash.String(), "problems", problems)
	}
	for _, f := range structured {
		if touchesNew(f, j.isNew) {
			fs = append(fs, f)
		}
	}
	if len(structured) == 0 {
		return fs, nil
	}
	return reconcile(j.lines.content, fs), nil
}

func (h *historyScan) skip(c *commitInfo) bool {
	return h.opts.SkipCommit != nil && h.opts.SkipCommit(c.hash.String())
}

// planner decides, in commit order, which path/blob pairs are new: a pair
// seen before costs nothing, a blob seen before at another path is a copy
// whose findings are reused, and any other blob is requested from the
// backend.
func (h *historyScan) planner(ctx context.Context, diffs <-chan commitChanges, plan chan<- planItem, reqs chan<- plumbing.Hash) error {
	seenPair := map[string]struct{}{}
	seenBlob := map[plumbing.Hash]struct{}{}
	for cc := range diffs {
		for _, ch := range cc.changes {
			rel, ok := h.g.rel(ch.path)
			if !ok {
				continue
			}
			key := ch.path + "\x00" + ch.blob.String()
			if _, dup := seenPair[key]; dup {
				continue
			}
			seenPair[key] = struct{}{}
			item := planItem{commit: cc.commit, path: rel, blob: ch.blob}
			if h.opts.Detector.PathAllowed(ch.path) {
				continue
			}
			if _, seen := seenBlob[ch.blob]; seen {
				item.copyOf = true
			} else {
				seenBlob[ch.blob] = struct{}{}
				if err := sendTo(ctx, reqs, ch.blob); err != nil {
					return err
				}
			}
			if err := sendTo(ctx, plan, item); err != nil {
				return err
			}
		}
		h.c.commits.Add(1)
	}
	return nil
}

// lineStage receives the planned pairs and, for each read, the blob, in the
// same order; it classifies each line of a new blob as new or seen and sends
// the jobs to the detector workers.
func (h *historyScan) lineStage(ctx context.Context, plan <-chan planItem, blobs <-chan blobData, jobs chan<- *blobJob) error {
	for it := range plan {
		if it.copyOf {
			if err := sendTo(ctx, jobs, &blobJob{commit: it.commit, path: it.path, blob: it.blob, copyOf: true}); err != nil {
				return err
			}
			continue
		}
		var bd blobData
		select {
		case b, ok := <-blobs:
			if !ok {
				return ctx.Err()
			}
			bd = b
		case <-ctx.Done():
			return ctx.Err()
		}
		if bd.err != nil {
			return bd.err
		}
		if bd.hash != it.blob {
			return fmt.Errorf("read history of %q: blob %s arrived for %s", h.g.name, bd.hash, it.blob)
		}
		if bd.skip != scanIt {
			h.c.skip(bd.skip)
			continue
		}
		h.c.blobs.Add(1)
		h.c.bytes.Add(int64(len(bd.content)))
		l := splitLines(bd.content)
		isNew := make([]bool, len(l.hashes))
		for i, hash := range l.hashes {
			isNew[i] = h.lines.Add(hash) || h.opts.NoLineDedup
		}
		if err := sendTo(ctx, jobs, &blobJob{commit: it.commit, path: it.path, blob: it.blob, lines: l, isNew: isNew}); err != nil {
			return err
		}
	}
	return nil
}

func sendTo[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// collect records a job's findings as occurrences, keeping for each
// credential and path the earliest commit.
func (h *historyScan) collect(j *blobJob) {
	if j.copyOf {
		h.copies = append(h.copies, *j)
		return
	}
	if j.err != nil {
		if !errors.Is(j.err, context.Canceled) {
			h.problems = append(h.problems, Problem{Path: j.path, Msg: j.err.Error()})
		}
		return
	}
	for _, f := range j.results {
		h.mem.record(f, &j.lines)
		h.add(j.commit, j.path, f)
	}
	j.lines, j.isNew = lines{}, nil
	if len(j.results) > 0 {
		h.byBlob[j.blob] = j.results
	}
	h.c.findings.Add(int64(len(j.results)))
}

func (h *historyScan) add(c *commitInfo, path string, f detectors.Finding) {
	f.Path = path
	k := occKey{fp: f.Fingerprint(), path: path}
	if prev, ok := h.occ[k]; ok && h.byHash[plumbing.NewHash(prev.Commit)].order <= c.order {
		return
	}
	h.occ[k] = &Occurrence{
		Path: path, Line: f.Line, Column: f.Column, EndLine: f.EndLine,
		Where: WhereHistory, Commit: c.hash.String(), Author: c.author, Date: c.when.UTC(),
		Finding: f,
	}
}

// resolveCopies gives blobs met again at another path the findings of their
// first scan.
func (h *historyScan) resolveCopies() {
	for _, j := range h.copies {
		for _, f := range h.byBlob[j.blob] {
			h.add(j.commit, j.path, f)
		}
	}
}
