package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// goGitBackend reads history with go-git. Tree differences and blobs are
// read concurrently through two repository handles (go-git's storage is
// not safe for concurrent use through one).
type goGitBackend struct {
	g     *gitRepo
	opts  *Options
	c     *counters
	blobR *git.Repository
	// release closes the second repository handle, if one was opened.
	release func()
	// trees caches decoded trees: consecutive commits share most of theirs.
	trees map[plumbing.Hash]*object.Tree
}

// treeCacheSize bounds the decoded-tree cache (a tree of a few hundred
// entries takes some tens of kilobytes).
const treeCacheSize = 2048

func newGoGitBackend(g *gitRepo, opts *Options, c *counters) *goGitBackend {
	b := &goGitBackend{g: g, opts: opts, c: c, trees: map[plumbing.Hash]*object.Tree{}, release: func() {}}
	second, err := openRepo(g.name)
	if err != nil || second == nil {
		b.blobR = g.repo
	} else {
		b.blobR = second.repo
		b.release = second.close
	}
	return b
}

func (b *goGitBackend) close() { b.release() }

// tips returns the commits the references point at, peeling tags; HEAD is
// included so that a detached HEAD's commits are scanned.
func (b *goGitBackend) tips() ([]plumbing.Hash, error) {
	refs, err := b.g.repo.References()
	if err != nil {
		return nil, fmt.Errorf("list references of %q: %w", b.g.name, err)
	}
	var names []string
	byName := map[string]plumbing.Hash{}
	_ = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		names = append(names, r.Name().String())
		byName[r.Name().String()] = r.Hash()
		return nil
	})
	if head, err := b.g.repo.Head(); err == nil {
		names = append(names, "HEAD")
		byName["HEAD"] = head.Hash()
	}
	sort.Strings(names)
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	for _, n := range names {
		c, ok, err := b.peel(byName[n])
		if err != nil {
			return nil, fmt.Errorf("read %s of %q: %w", n, b.g.name, err)
		}
		if ok && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// peel follows annotated tags to the commit they name; references to trees
// or blobs are not history. A missing object is counted; an object that
// cannot be decoded is an error.
func (b *goGitBackend) peel(hash plumbing.Hash) (plumbing.Hash, bool, error) {
	for range 10 {
		obj, err := b.g.repo.Storer.EncodedObject(plumbing.AnyObject, hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			b.c.missing.Add(1)
			return plumbing.ZeroHash, false, nil
		}
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return hash, true, nil
		case plumbing.TagObject:
			t, err := object.DecodeTag(b.g.repo.Storer, obj)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			hash = t.Target
		default:
			return plumbing.ZeroHash, false, nil
		}
	}
	return plumbing.ZeroHash, false, nil
}

func (b *goGitBackend) commits(ctx context.Context, since string) (map[plumbing.Hash]*commitInfo, error) {
	tips, err := b.tips()
	if err != nil {
		return nil, err
	}
	exclude := map[plumbing.Hash]bool{}
	if since != "" {
		h, err := b.g.repo.ResolveRevision(plumbing.Revision(since))
		if err != nil {
			return nil, fmt.Errorf("resolve --since %q in %q: %w", since, b.g.name, err)
		}
		if err := b.reach(ctx, []plumbing.Hash{*h}, nil, func(c *object.Commit) { exclude[c.Hash] = true }); err != nil {
			return nil, err
		}
	}
	byHash := map[plumbing.Hash]*commitInfo{}
	err = b.reach(ctx, tips, exclude, func(c *object.Commit) {
		byHash[c.Hash] = &commitInfo{hash: c.Hash, parents: c.ParentHashes, tree: c.TreeHash, author: c.Author.Name, when: c.Author.When}
	})
	return byHash, err
}

// reach visits every commit reachable from start, skipping those in stop.
// Missing commits (shallow and partial clones) are counted, not errors.
func (b *goGitBackend) reach(ctx context.Context, start []plumbing.Hash, stop map[plumbing.Hash]bool, visit func(*object.Commit)) error {
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
		c, err := b.g.repo.CommitObject(hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			b.c.missing.Add(1)
			continue
		}
		if err != nil {
			return fmt.Errorf("read commit %s of %q: %w", hash, b.g.name, err)
		}
		visit(c)
		stack = append(stack, c.ParentHashes...)
	}
	return nil
}

func (b *goGitBackend) changes(ctx context.Context, commits []*commitInfo, skip func(*commitInfo) bool, out chan<- commitChanges) error {
	byHash := make(map[plumbing.Hash]*commitInfo, len(commits))
	for _, c := range commits {
		byHash[c.hash] = c
	}
	for _, c := range commits {
		if err := ctx.Err(); err != nil {
			return err
		}
		cc := commitChanges{commit: c}
		if !skip(c) {
			var parentTree plumbing.Hash
			if len(c.parents) > 0 {
				if p, ok := byHash[c.parents[0]]; ok {
					parentTree = p.tree
				} else if pc, err := b.g.repo.CommitObject(c.parents[0]); err == nil {
					parentTree = pc.TreeHash // outside --since: diff against it
				}
			}
			ch, err := b.diffTrees(parentTree, c.tree, "")
			if err != nil {
				return err
			}
			cc.changes = ch
		}
		if err := sendTo(ctx, out, cc); err != nil {
			return err
		}
	}
	return nil
}

// diffTrees returns the regular files of tree "to" whose blob differs from
// tree "from" at the same path (added or modified), descending only into
// subtrees whose hashes differ.
func (b *goGitBackend) diffTrees(from, to plumbing.Hash, prefix string) ([]change, error) {
	if from == to {
		return nil, nil
	}
	newT, err := b.tree(to)
	if err != nil || newT == nil {
		return nil, err
	}
	oldEntries := map[string]object.TreeEntry{}
	if !from.IsZero() {
		oldT, err := b.tree(from)
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
			sub, err := b.diffTrees(oldHash, e.Hash, p+"/")
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

func (b *goGitBackend) tree(hash plumbing.Hash) (*object.Tree, error) {
	if t, ok := b.trees[hash]; ok {
		return t, nil
	}
	t, err := b.g.repo.TreeObject(hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		b.c.missing.Add(1)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s of %q: %w", hash, b.g.name, err)
	}
	if len(b.trees) >= treeCacheSize {
		clear(b.trees)
	}
	b.trees[hash] = t
	return t, nil
}

func (b *goGitBackend) blobs(ctx context.Context, reqs <-chan plumbing.Hash, out chan<- blobData) error {
	for h := range reqs {
		bd := b.readBlob(h)
		if err := sendTo(ctx, out, bd); err != nil {
			return err
		}
		if bd.err != nil {
			return nil
		}
	}
	return nil
}

// readBlob reads a blob whole unless it is too large, binary or an LFS
// pointer. A missing blob (partial clone) is counted and skipped.
func (b *goGitBackend) readBlob(hash plumbing.Hash) blobData {
	bd := blobData{hash: hash}
	blob, err := b.blobR.BlobObject(hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		b.c.missing.Add(1)
		bd.skip = skipMissing
		return bd
	}
	if err != nil {
		bd.err = fmt.Errorf("read blob %s of %q: %w", hash, b.g.name, err)
		return bd
	}
	if max := b.opts.maxFileSize(); max > 0 && blob.Size > max {
		bd.skip = skipTooBig
		return bd
	}
	r, err := blob.Reader()
	if err != nil {
		bd.err = fmt.Errorf("read blob %s of %q: %w", hash, b.g.name, err)
		return bd
	}
	defer r.Close()
	content := make([]byte, blob.Size)
	if _, err := io.ReadFull(r, content); err != nil {
		bd.err = fmt.Errorf("read blob %s of %q: %w", hash, b.g.name, err)
		return bd
	}
	bd.content = content
	bd.skip = classifyContent(content, int64(len(content)), 0)
	return bd
}
