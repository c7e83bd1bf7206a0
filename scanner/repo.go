package scanner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// gitRepo is an opened repository and where the scan target sits in it.
type gitRepo struct {
	repo *git.Repository
	// top is the work tree's top-level directory; empty for a bare repository.
	top string
	// prefix is the target's slash path inside the work tree ("" at the top,
	// else "sub/dir/"): only paths under it are scanned, reported relative
	// to it.
	prefix string
	// name identifies the repository in errors.
	name string
	// closer releases the pack files kept open.
	closer io.Closer
}

// objectCacheSize bounds go-git's cache of decoded objects (delta bases).
const objectCacheSize = 32 * cache.MiByte

// close releases the repository's open files.
func (g *gitRepo) close() {
	if g != nil && g.closer != nil {
		_ = g.closer.Close()
	}
}

// openRepo opens the git repository containing root, if any. It returns nil
// and no error for a directory outside any repository.
func openRepo(root string) (*gitRepo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve %q: %w", root, err)
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %q: %w", root, err)
	}
	g := &gitRepo{repo: repo, name: root}
	if fs, ok := repo.Storer.(*filesystem.Storage); ok {
		if fi, err := fs.Filesystem().Stat("objects"); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("open repository %q: it has no objects database", root)
		}
		if err := checkPacks(fs.Filesystem()); err != nil {
			return nil, fmt.Errorf("open repository %q: %w", root, err)
		}
		// Keep pack files open across lookups (go-git otherwise reopens the
		// pack for every object) and bound the object cache: a history scan
		// reads every object once, so a large cache buys little.
		st := filesystem.NewStorageWithOptions(fs.Filesystem(), cache.NewObjectLRU(objectCacheSize), filesystem.Options{KeepDescriptors: true})
		var wtFS billy.Filesystem
		if w, err := repo.Worktree(); err == nil {
			wtFS = w.Filesystem
		}
		if r2, err := git.Open(st, wtFS); err == nil {
			g.repo, g.closer = r2, st
		}
	}
	wt, err := g.repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open work tree of %q: %w", root, err)
	}
	g.top = wt.Filesystem.Root()
	rel, err := filepath.Rel(evalSymlinks(g.top), evalSymlinks(abs))
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("locate %q in its work tree %q", root, g.top)
	}
	if rel != "." {
		g.prefix = filepath.ToSlash(rel) + "/"
	}
	return g, nil
}

func evalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// rel maps a repository path to the target-relative path, and reports
// whether it is under the target.
func (g *gitRepo) rel(p string) (string, bool) {
	if g.prefix == "" {
		return p, true
	}
	r, ok := strings.CutPrefix(p, g.prefix)
	return r, ok
}

// headTree returns HEAD's tree, nil when HEAD does not resolve (a new
// repository).
func (g *gitRepo) headTree() (*object.Tree, error) {
	ref, err := g.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve HEAD of %q: %w", g.name, err)
	}
	c, err := g.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read HEAD commit of %q: %w", g.name, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read HEAD tree of %q: %w", g.name, err)
	}
	return t, nil
}

// OriginURL returns the URL of the origin remote of the repository that
// holds dir (dir or one of its parents), or "" when there is none or the
// repository cannot be opened.
func OriginURL(dir string) string {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	return (&gitRepo{repo: r}).originURL()
}

// originURL returns the URL of the origin remote, or "".
func (g *gitRepo) originURL() string {
	r, err := g.repo.Remote("origin")
	if err != nil || len(r.Config().URLs) == 0 {
		return ""
	}
	return r.Config().URLs[0]
}

// repositoryIdentity normalises a remote URL to host/owner/name, so that
// https and ssh clones of one repository agree.
func repositoryIdentity(url string) string {
	u := strings.TrimSuffix(strings.TrimSpace(url), "/")
	u = strings.TrimSuffix(u, ".git")
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
		u = strings.TrimPrefix(u, p)
	}
	if at := strings.LastIndex(u, "@"); at >= 0 && !strings.Contains(u[:at], "/") {
		u = u[at+1:]
	}
	u = strings.Replace(u, ":", "/", 1)
	return strings.ToLower(u)
}

// fileExists reports whether p is an existing regular file.
func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// partial reports whether the repository is a partial clone: git would fetch
// missing objects from the promisor remote on demand, so history is read
// with go-git, which counts them missing instead.
func (g *gitRepo) partial() bool {
	cfg, err := g.repo.Config()
	if err != nil {
		return false
	}
	if cfg.Raw.Section("extensions").Option("partialclone") != "" {
		return true
	}
	for _, sub := range cfg.Raw.Section("remote").Subsections {
		if sub.Option("promisor") == "true" || sub.Option("partialclonefilter") != "" {
			return true
		}
	}
	return false
}

// checkPacks reports a pack index whose pack file is gone: every object it
// lists would read as missing, and a repository is not a partial clone by
// accident.
func checkPacks(dot billy.Filesystem) error {
	entries, err := dot.ReadDir("objects/pack")
	if err != nil {
		return nil // no packs yet
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = true
	}
	for _, e := range entries {
		if base, ok := strings.CutSuffix(e.Name(), ".idx"); ok && !have[base+".pack"] {
			return fmt.Errorf("pack index %s has no pack file %s.pack", e.Name(), base)
		}
	}
	return nil
}
