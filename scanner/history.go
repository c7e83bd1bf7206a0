package scanner

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner/internal/lineset"
)

// treeCacheSize bounds the decoded-tree cache (a tree of a few hundred
// entries takes some tens of kilobytes).
const treeCacheSize = 2048

// commitInfo is what the history scan keeps of a commit.
type commitInfo struct {
	hash    plumbing.Hash
	parents []plumbing.Hash
	tree    plumbing.Hash
	author  string
	when    time.Time
	// order is the commit's position in the scan: parents before children,
	// earlier commits first.
	order int
}

// historyScan scans every commit reachable from any reference once, in
// topological order, and every line of content once: a blob new at a path
// has its lines checked against the memory of lines already seen, and only
// the runs of new lines are matched against the rules.
type historyScan struct {
	g       *gitRepo
	opts    *Options
	c       *counters
	eng     *engine
	mem     *memory
	lines   lineset.Set
	commits []*commitInfo
	byHash  map[plumbing.Hash]*commitInfo

	// seenPair holds path+blob pairs already handled; doneBlob the blobs
	// already read (value: whether they were scanned).
	seenPair map[string]struct{}
	doneBlob map[plumbing.Hash]bool
	// trees caches decoded trees: consecutive commits share most of theirs.
	trees map[plumbing.Hash]*object.Tree

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
	copyOf  bool // the blob was scanned at another path: reuse its findings
	results []detectors.Finding
	err     error
}

func newHistoryScan(g *gitRepo, opts *Options, c *counters, eng *engine) *historyScan {
	return &historyScan{
		g: g, opts: opts, c: c, eng: eng, mem: newMemory(),
		byHash:   map[plumbing.Hash]*commitInfo{},
		seenPair: map[string]struct{}{},
		doneBlob: map[plumbing.Hash]bool{},
		trees:    map[plumbing.Hash]*object.Tree{},
		occ:      map[occKey]*Occurrence{},
		byBlob:   map[plumbing.Hash][]detectors.Finding{},
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
	if err := h.walk(ctx); err != nil {
		return err
	}
	jobs := make(chan *blobJob, 64)
	results := make(chan *blobJob, 64)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		defer close(jobs)
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("read history of %q: repository is corrupt: %v", h.g.name, r)
			}
		}()
		return h.produce(gctx, jobs)
	})
	workers := errgroup.Group{}
	for range h.opts.workers() {
		workers.Go(func() error {
			for j := range jobs {
				if !j.copyOf {
					j.results, j.err = h.eng.detectNew(gctx, j.path, j.commit.hash.String(), &j.lines, j.isNew)
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
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.resolveCopies()
	rep.tick(PhaseHistory, true)
	return nil
}

// tips returns the commits the references point at, peeling tags; HEAD is
// included so that a detached HEAD's commits are scanned.
func (h *historyScan) tips() ([]plumbing.Hash, error) {
	refs, err := h.g.repo.References()
	if err != nil {
		return nil, fmt.Errorf("list references of %q: %w", h.g.name, err)
	}
	var names []string
	byName := map[string]plumbing.Hash{}
	_ = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		n := r.Name().String()
		names = append(names, n)
		byName[n] = r.Hash()
		return nil
	})
	if head, err := h.g.repo.Head(); err == nil {
		names = append(names, "HEAD")
		byName["HEAD"] = head.Hash()
	}
	sort.Strings(names)
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	for _, n := range names {
		c, ok := h.peel(byName[n])
		if ok && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// peel follows annotated tags to the commit they name; references to trees
// or blobs are not history.
func (h *historyScan) peel(hash plumbing.Hash) (plumbing.Hash, bool) {
	for range 10 {
		obj, err := h.g.repo.Storer.EncodedObject(plumbing.AnyObject, hash)
		if err != nil {
			return plumbing.ZeroHash, false
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return hash, true
		case plumbing.TagObject:
			t, err := object.DecodeTag(h.g.repo.Storer, obj)
			if err != nil {
				return plumbing.ZeroHash, false
			}
			hash = t.Target
		default:
			return plumbing.ZeroHash, false
		}
	}
	return plumbing.ZeroHash, false
}

// walk collects every commit reachable from the tips, except those reachable
// from --since, and orders them.
func (h *historyScan) walk(ctx context.Context) error {
	tips, err := h.tips()
	if err != nil {
		return err
	}
	exclude := map[plumbing.Hash]bool{}
	if h.opts.Since != "" {
		since, err := h.g.repo.ResolveRevision(plumbing.Revision(h.opts.Since))
		if err != nil {
			return fmt.Errorf("resolve --since %q in %q: %w", h.opts.Since, h.g.name, err)
		}
		if err := h.reach([]plumbing.Hash{*since}, func(c *object.Commit) { exclude[c.Hash] = true }, nil, ctx); err != nil {
			return err
		}
	}
	err = h.reach(tips, func(c *object.Commit) {
		ci := &commitInfo{hash: c.Hash, parents: c.ParentHashes, tree: c.TreeHash, author: c.Author.Name, when: c.Author.When}
		h.byHash[c.Hash] = ci
	}, exclude, ctx)
	if err != nil {
		return err
	}
	h.order()
	h.c.commitsTotal.Store(int64(len(h.commits)))
	return nil
}

// reach visits every commit reachable from start, skipping those in stop.
// Missing commits (shallow and partial clones) are counted, not errors.
func (h *historyScan) reach(start []plumbing.Hash, visit func(*object.Commit), stop map[plumbing.Hash]bool, ctx context.Context) error {
	seen := map[plumbing.Hash]bool{}
	stack := append([]plumbing.Hash(nil), start...)
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		hash := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[hash] || stop[hash] {
			continue
		}
		seen[hash] = true
		c, err := h.g.repo.CommitObject(hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			h.c.missing.Add(1)
			continue
		}
		if err != nil {
			return fmt.Errorf("read commit %s of %q: %w", hash, h.g.name, err)
		}
		visit(c)
		stack = append(stack, c.ParentHashes...)
	}
	return nil
}

// order sorts the commits topologically, parents first, and among commits
// whose parents are done the earliest (author date, then hash) first.
func (h *historyScan) order() {
	pending := map[plumbing.Hash]int{}
	children := map[plumbing.Hash][]*commitInfo{}
	ready := &commitHeap{}
	for _, c := range h.byHash {
		n := 0
		for _, p := range c.parents {
			if _, ok := h.byHash[p]; ok {
				n++
				children[p] = append(children[p], c)
			}
		}
		pending[c.hash] = n
		if n == 0 {
			heap.Push(ready, c)
		}
	}
	for ready.Len() > 0 {
		c := heap.Pop(ready).(*commitInfo)
		c.order = len(h.commits)
		h.commits = append(h.commits, c)
		for _, ch := range children[c.hash] {
			pending[ch.hash]--
			if pending[ch.hash] == 0 {
				heap.Push(ready, ch)
			}
		}
	}
}

type commitHeap []*commitInfo

func (q commitHeap) Len() int { return len(q) }
func (q commitHeap) Less(i, j int) bool {
	if !q[i].when.Equal(q[j].when) {
		return q[i].when.Before(q[j].when)
	}
	return q[i].hash.String() < q[j].hash.String()
}
func (q commitHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitHeap) Push(x any)   { *q = append(*q, x.(*commitInfo)) }
func (q *commitHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// produce walks the ordered commits, diffs each against its first parent and
// sends a job for every blob new at its path.
func (h *historyScan) produce(ctx context.Context, jobs chan<- *blobJob) error {
	for _, c := range h.commits {
		if err := ctx.Err(); err != nil {
			return err
		}
		if h.opts.SkipCommit != nil && h.opts.SkipCommit(c.hash.String()) {
			h.c.commits.Add(1)
			continue
		}
		var parentTree plumbing.Hash
		if len(c.parents) > 0 {
			if p, ok := h.byHash[c.parents[0]]; ok {
				parentTree = p.tree
			} else if pc, err := h.g.repo.CommitObject(c.parents[0]); err == nil {
				parentTree = pc.TreeHash // outside --since: diff against it
			}
		}
		changes, err := h.diffTrees(parentTree, c.tree, "")
		if err != nil {
			return err
		}
		for _, ch := range changes {
			if err := h.handle(ctx, c, ch, jobs); err != nil {
				return err
			}
		}
		h.c.commits.Add(1)
	}
	return nil
}

type change struct {
	path string
	blob plumbing.Hash
}

// diffTrees returns the regular files of tree "to" whose blob differs from
// tree "from" at the same path (added or modified), descending only into
// subtrees whose hashes differ.
func (h *historyScan) diffTrees(from, to plumbing.Hash, prefix string) ([]change, error) {
	if from == to {
		return nil, nil
	}
	newT, err := h.tree(to)
	if err != nil || newT == nil {
		return nil, err
	}
	oldEntries := map[string]object.TreeEntry{}
	if !from.IsZero() {
		oldT, err := h.tree(from)
		if err != nil {
			return nil, err
		}
		if oldT != nil {
			for _, e := range oldT.Entries {
				oldEntries[e.Name] = e
			}
		}
	}
	var out []change
	for _, e := range newT.Entries {
		old, had := oldEntries[e.Name]
		if had && old.Hash == e.Hash && old.Mode == e.Mode {
			continue
		}
		p := prefix + e.Name
		switch e.Mode {
		case filemode.Dir:
			var oldHash plumbing.Hash
			if had && old.Mode == filemode.Dir {
				oldHash = old.Hash
			}
			sub, err := h.diffTrees(oldHash, e.Hash, p+"/")
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
			if had && old.Hash == e.Hash {
				continue // a mode change only
			}
			out = append(out, change{path: p, blob: e.Hash})
		}
	}
	return out, nil
}

func (h *historyScan) tree(hash plumbing.Hash) (*object.Tree, error) {
	if t, ok := h.trees[hash]; ok {
		return t, nil
	}
	t, err := h.g.repo.TreeObject(hash)
	if err == nil {
		if len(h.trees) >= treeCacheSize {
			clear(h.trees)
		}
		h.trees[hash] = t
	}
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		h.c.missing.Add(1)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s of %q: %w", hash, h.g.name, err)
	}
	return t, nil
}

// handle deals with one blob new at a path in commit c.
func (h *historyScan) handle(ctx context.Context, c *commitInfo, ch change, jobs chan<- *blobJob) error {
	rel, ok := h.g.rel(ch.path)
	if !ok {
		return nil
	}
	key := ch.path + "\x00" + ch.blob.String()
	if _, dup := h.seenPair[key]; dup {
		return nil
	}
	h.seenPair[key] = struct{}{}
	if scanned, done := h.doneBlob[ch.blob]; done {
		if !scanned {
			return nil
		}
		return send(ctx, jobs, &blobJob{commit: c, path: rel, blob: ch.blob, copyOf: true})
	}
	h.doneBlob[ch.blob] = false
	if h.opts.Detector.PathAllowed(ch.path) {
		return nil
	}
	content, skip, err := h.readBlob(ch.blob)
	if err != nil {
		return err
	}
	if skip != scanIt {
		h.c.skip(skip)
		return nil
	}
	h.doneBlob[ch.blob] = true
	h.c.blobs.Add(1)
	h.c.bytes.Add(int64(len(content)))
	l := splitLines(content)
	isNew := make([]bool, len(l.hashes))
	for i, hash := range l.hashes {
		isNew[i] = h.lines.Add(hash)
	}
	return send(ctx, jobs, &blobJob{commit: c, path: rel, blob: ch.blob, lines: l, isNew: isNew})
}

func send(ctx context.Context, jobs chan<- *blobJob, j *blobJob) error {
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readBlob reads a blob whole unless it is too large, binary or an LFS
// pointer. A missing blob (partial clone) is counted and skipped.
func (h *historyScan) readBlob(hash plumbing.Hash) ([]byte, skipReason, error) {
	b, err := h.g.repo.BlobObject(hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		h.c.missing.Add(1)
		return nil, skipMissing, nil
	}
	if err != nil {
		return nil, scanIt, fmt.Errorf("read blob %s of %q: %w", hash, h.g.name, err)
	}
	if max := h.opts.maxFileSize(); max > 0 && b.Size > max {
		return nil, skipTooBig, nil
	}
	r, err := b.Reader()
	if err != nil {
		return nil, scanIt, fmt.Errorf("read blob %s of %q: %w", hash, h.g.name, err)
	}
	defer r.Close()
	content, err := io.ReadAll(r)
	if err != nil {
		return nil, scanIt, fmt.Errorf("read blob %s of %q: %w", hash, h.g.name, err)
	}
	return content, classifyContent(content, int64(len(content)), 0), nil
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
	if len(j.results) > 0 {
		h.byBlob[j.blob] = j.results
	}
	h.c.findings.Add(int64(len(j.results)))
}

func (h *historyScan) add(c *commitInfo, path string, f detectors.Finding) {
	f.Path = path
	k := occKey{fp: f.Fingerprint(), path: path}
	if prev, ok := h.occ[k]; ok && h.byHash[commitHash(prev.Commit)].order <= c.order {
		return
	}
	h.occ[k] = &Occurrence{
		Path: path, Line: f.Line, Column: f.Column, EndLine: f.EndLine,
		Where: WhereHistory, Commit: c.hash.String(), Author: c.author, Date: c.when.UTC(),
		Finding: f,
	}
}

func commitHash(s string) plumbing.Hash { return plumbing.NewHash(s) }

// resolveCopies gives blobs met again at another path the findings of their
// first scan.
func (h *historyScan) resolveCopies() {
	for _, j := range h.copies {
		for _, f := range h.byBlob[j.blob] {
			h.add(j.commit, j.path, f)
		}
	}
}
