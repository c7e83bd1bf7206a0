package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sessionize/sessionize/scanner/internal/gitobj"
)

// stagedChange is a staged blob that differs from what history holds at its
// path.
type stagedChange struct {
	path string
	blob plumbing.Hash
	// head is HEAD's blob at path, zero when HEAD has none.
	head plumbing.Hash
	// olds are the blobs already in history whose lines are not new: HEAD's
	// at path, a rename's source, the merged or replayed commits' at path.
	olds []plumbing.Hash
}

type pathHash struct {
	path string
	hash plumbing.Hash
}

// idxDir is a directory of the index, with the hash of the tree git would
// write for it.
type idxDir struct {
	children []idxChild // in tree order
	hash     plumbing.Hash
	// valid reports whether hash was computed: no entry with a conflict
	// stage or an intent-to-add below.
	valid bool
}

// idxChild is a file (one stage of it) or a subdirectory.
type idxChild struct {
	name string
	e    *index.Entry
	dir  *idxDir
}

// buildDir builds the directory whose entries (sorted by path, all below
// it) start their names after prefix bytes.
func buildDir(entries []*index.Entry, prefix int) *idxDir {
	d := &idxDir{valid: true}
	for i := 0; i < len(entries); {
		e := entries[i]
		rest := e.Name[prefix:]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 || slash == len(rest)-1 {
			// A file, or a sparse index's directory entry "dir/".
			if e.Stage != 0 || e.IntentToAdd {
				d.valid = false
			}
			d.children = append(d.children, idxChild{name: strings.TrimSuffix(rest, "/"), e: e})
			i++
			continue
		}
		dirPrefix := e.Name[:prefix+slash+1]
		j := i + 1
		for j < len(entries) && strings.HasPrefix(entries[j].Name, dirPrefix) {
			j++
		}
		sub := buildDir(entries[i:j], prefix+slash+1)
		d.valid = d.valid && sub.valid
		d.children = append(d.children, idxChild{name: rest[:slash], dir: sub})
		i = j
	}
	if d.valid {
		d.hash = d.treeHash()
	}
	return d
}

// treeHash computes the hash of the tree object git writes for d. Index
// order (bytewise by path) is tree order (names, directories as "name/").
func (d *idxDir) treeHash() plumbing.Hash {
	var buf bytes.Buffer
	for _, ch := range d.children {
		mode, hash := filemode.Dir, plumbing.ZeroHash
		if ch.dir != nil {
			hash = ch.dir.hash
		} else {
			mode, hash = ch.e.Mode, ch.e.Hash
		}
		buf.WriteString(strconv.FormatUint(uint64(mode), 8))
		buf.WriteByte(' ')
		buf.WriteString(ch.name)
		buf.WriteByte(0)
		buf.Write(hash[:])
	}
	return plumbing.ComputeHash(plumbing.TreeObject, buf.Bytes())
}

// indexDiff compares the index with HEAD's tree, and with the trees of the
// commits being merged or replayed, descending only into directories whose
// trees differ.
type indexDiff struct {
	g      *gitRepo
	obj    *gitobj.Store
	c      *counters
	head   *object.Tree   // nil before the first commit
	others []*object.Tree // MERGE_HEAD, CHERRY_PICK_HEAD, REBASE_HEAD

	changes     []stagedChange
	deleted     []pathHash // HEAD files the index no longer has
	deletedDirs []pathHash // HEAD directories the index no longer has
	added       []addedDir // index directories HEAD does not have
	unmerged    map[string]bool
	problems    []Problem
}

// addedDir is a directory new to the index, kept aside until every deleted
// directory is known: a directory moved whole costs nothing.
type addedDir struct {
	path   string
	dir    *idxDir
	others []*object.Tree
}

// maxRenameSources bounds the deleted files considered as rename sources, as
// git's diff.renameLimit does.
const maxRenameSources = 1000

// run returns the staged blobs with content new to history.
func (d *indexDiff) run(ctx context.Context, idx *index.Index) ([]stagedChange, error) {
	entries := idx.Entries
	if !sort.SliceIsSorted(entries, func(i, j int) bool { return entryLess(entries[i], entries[j]) }) {
		entries = append([]*index.Entry(nil), entries...)
		sort.Slice(entries, func(i, j int) bool { return entryLess(entries[i], entries[j]) })
	}
	d.unmerged = map[string]bool{}
	if err := d.dir(ctx, "", buildDir(entries, 0), d.head, d.others); err != nil {
		return nil, err
	}
	moved := map[plumbing.Hash]bool{}
	for _, dd := range d.deletedDirs {
		moved[dd.hash] = true
	}
	for i := 0; i < len(d.added); i++ { // expanding may add more
		a := d.added[i]
		if a.dir.valid && moved[a.dir.hash] {
			continue
		}
		if err := d.dir(ctx, a.path, a.dir, nil, a.others); err != nil {
			return nil, err
		}
	}
	if err := d.dropRenames(); err != nil {
		return nil, err
	}
	return d.changes, nil
}

func entryLess(a, b *index.Entry) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Stage < b.Stage
}

// dir compares index directory n at prefix with the trees at the same place
// in HEAD (nil: none) and in the commits being merged.
func (d *indexDiff) dir(ctx context.Context, prefix string, n *idxDir, head *object.Tree, others []*object.Tree) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n.valid && head != nil && head.Hash == n.hash {
		return nil
	}
	for _, o := range others {
		if n.valid && o != nil && o.Hash == n.hash {
			return nil // all of it comes from a commit being merged
		}
	}
	headEntries := treeEntries(head)
	otherEntries := make([]map[string]object.TreeEntry, len(others))
	for i, o := range others {
		otherEntries[i] = treeEntries(o)
	}
	seen := make(map[string]bool, len(n.children))
	for _, ch := range n.children {
		seen[ch.name] = true
		p := prefix + ch.name
		if ch.dir == nil {
			d.file(p, ch.name, ch.e, headEntries[ch.name], otherEntries)
			continue
		}
		sub, err := d.subtree(headEntries, ch.name)
		if err != nil {
			return err
		}
		subOthers := make([]*object.Tree, len(others))
		for i := range others {
			if subOthers[i], err = d.subtree(otherEntries[i], ch.name); err != nil {
				return err
			}
		}
		if sub == nil && d.head != nil && ch.dir.valid {
			d.added = append(d.added, addedDir{path: p + "/", dir: ch.dir, others: subOthers})
			continue
		}
		if err := d.dir(ctx, p+"/", ch.dir, sub, subOthers); err != nil {
			return err
		}
	}
	for name, e := range headEntries {
		if seen[name] {
			continue
		}
		switch {
		case isFileMode(e.Mode):
			d.deleted = append(d.deleted, pathHash{prefix + name, e.Hash})
		case e.Mode == filemode.Dir:
			d.deletedDirs = append(d.deletedDirs, pathHash{prefix + name + "/", e.Hash})
		}
	}
	return nil
}

// file records index entry e at path p (base name name) unless history
// already holds its blob there. he is HEAD's entry at p (zero: none).
func (d *indexDiff) file(p, name string, e *index.Entry, he object.TreeEntry, others []map[string]object.TreeEntry) {
	if e.Stage != 0 {
		if !d.unmerged[p] {
			d.unmerged[p] = true
			d.problems = append(d.problems, Problem{Path: p, Msg: "unmerged (conflict not resolved yet): not scanned"})
		}
		return
	}
	if e.IntentToAdd || !isFileMode(e.Mode) {
		return // nothing staged yet, a symbolic link, a submodule
	}
	c := stagedChange{path: p, blob: e.Hash}
	if isFileMode(he.Mode) {
		if he.Hash == e.Hash {
			return
		}
		c.head = he.Hash
		c.olds = append(c.olds, he.Hash)
	}
	for _, oe := range others {
		o, ok := oe[name]
		if !ok || !isFileMode(o.Mode) {
			continue
		}
		if o.Hash == e.Hash {
			return
		}
		c.olds = append(c.olds, o.Hash)
	}
	d.changes = append(d.changes, c)
}

// subtree returns the subdirectory name of a tree's entries, nil when there
// is none or it is missing from a partial clone.
func (d *indexDiff) subtree(entries map[string]object.TreeEntry, name string) (*object.Tree, error) {
	e, ok := entries[name]
	if !ok || e.Mode != filemode.Dir {
		return nil, nil
	}
	t, err := d.obj.Tree(e.Hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		d.c.missing.Add(1)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s of %q: %w", e.Hash, d.g.top, err)
	}
	return t, nil
}

func treeEntries(t *object.Tree) map[string]object.TreeEntry {
	if t == nil {
		return nil
	}
	m := make(map[string]object.TreeEntry, len(t.Entries))
	for _, e := range t.Entries {
		m[e.Name] = e
	}
	return m
}

func isFileMode(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated
}

// newPath reports whether a change is a path history does not hold at all.
func (c *stagedChange) newPath() bool { return len(c.olds) == 0 }

// dropRenames drops new paths whose blob a deleted path held: renames and
// moves without edits. Deleted directories are listed only when some path is
// new.
func (d *indexDiff) dropRenames() error {
	anyNew := false
	for i := range d.changes {
		anyNew = anyNew || d.changes[i].newPath()
	}
	if !anyNew || (len(d.deleted) == 0 && len(d.deletedDirs) == 0) {
		return nil
	}
	for _, dd := range d.deletedDirs {
		if len(d.deleted) >= maxRenameSources {
			break
		}
		if err := d.listFiles(dd.path, dd.hash); err != nil {
			return err
		}
	}
	d.deletedDirs = nil
	gone := make(map[plumbing.Hash]bool, len(d.deleted))
	for _, f := range d.deleted {
		gone[f.hash] = true
	}
	kept := d.changes[:0]
	for _, c := range d.changes {
		if c.newPath() && gone[c.blob] {
			continue
		}
		kept = append(kept, c)
	}
	d.changes = kept
	return nil
}

// listFiles adds the files of a deleted HEAD directory to d.deleted.
func (d *indexDiff) listFiles(prefix string, hash plumbing.Hash) error {
	t, err := d.subtree(map[string]object.TreeEntry{"": {Mode: filemode.Dir, Hash: hash}}, "")
	if err != nil || t == nil {
		return err
	}
	for _, e := range t.Entries {
		if len(d.deleted) >= maxRenameSources {
			return nil
		}
		switch {
		case isFileMode(e.Mode):
			d.deleted = append(d.deleted, pathHash{prefix + e.Name, e.Hash})
		case e.Mode == filemode.Dir:
			if err := d.listFiles(prefix+e.Name+"/", e.Hash); err != nil {
				return err
			}
		}
	}
	return nil
}

// Inexact rename pairing compares a new path with at most this many deleted
// files, and pairs it with one holding at least half of its lines.
const (
	maxInexactSources = 100
	renameSimilarity  = 0.5
)

// renameSources pairs new paths with deleted files they were renamed from
// with edits. Deleted blobs are read at most once, and only for new paths.
type renameSources struct {
	s       *stagedScan
	deleted []pathHash
	counts  map[plumbing.Hash]map[uint64]int // nil value: not text
	sizes   map[plumbing.Hash]int
}

// match returns the deleted blob holding the largest share (at least half)
// of the lines of l and of its own lines, if any.
func (r *renameSources) match(l *lines) (plumbing.Hash, bool, error) {
	if len(r.deleted) == 0 || len(r.deleted) > maxInexactSources {
		return plumbing.ZeroHash, false, nil
	}
	if r.counts == nil {
		r.counts = map[plumbing.Hash]map[uint64]int{}
		r.sizes = map[plumbing.Hash]int{}
	}
	newCounts := lineCounts(l.hashes)
	best, bestScore := plumbing.ZeroHash, renameSimilarity
	for _, d := range r.deleted {
		counts, ok := r.counts[d.hash]
		if !ok {
			content, skip, err := r.s.blob(d.hash)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			if skip == scanIt {
				hs := splitLines(content).hashes
				counts = lineCounts(hs)
				r.sizes[d.hash] = len(hs)
			}
			r.counts[d.hash] = counts
		}
		if counts == nil {
			continue
		}
		common := 0
		for h, n := range newCounts {
			common += min(n, counts[h])
		}
		score := float64(common) / float64(max(len(l.hashes), r.sizes[d.hash]))
		if score >= bestScore {
			best, bestScore = d.hash, score
		}
	}
	return best, !best.IsZero(), nil
}
