// Package scannertest builds git repositories for tests with go-git: fixed
// author and clock, so commit hashes are stable. It is imported only from
// _test.go files.
package scannertest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is a repository on disk being built by a test.
type Repo struct {
	t    testing.TB
	Dir  string
	Repo *git.Repository
	when time.Time
}

// Start is the author date of the first commit; each commit is an hour
// later.
var Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// New initialises a repository in dir (created if needed) with branch main.
func New(t testing.TB, dir string) *Repo {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatalf("init %s: %v", dir, err)
	}
	if err := r.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		t.Fatal(err)
	}
	return &Repo{t: t, Dir: dir, Repo: r, when: Start}
}

// Write writes a file of the work tree (not staged).
func (r *Repo) Write(path, content string) *Repo {
	r.t.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return r
}

// Remove deletes a file from the work tree and the index.
func (r *Repo) Remove(path string) *Repo {
	r.t.Helper()
	if _, err := r.worktree().Remove(path); err != nil {
		r.t.Fatalf("remove %s: %v", path, err)
	}
	return r
}

// Commit stages every change and commits it; it returns the commit hash.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	wt := r.worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatalf("add: %v", err)
	}
	sig := &object.Signature{Name: "Alice", Email: "alice@example.com", When: r.when}
	r.when = r.when.Add(time.Hour)
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatalf("commit: %v", err)
	}
	return h.String()
}

// Branch creates branch name at HEAD and checks it out.
func (r *Repo) Branch(name string) *Repo {
	r.t.Helper()
	err := r.worktree().Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true, Keep: true})
	if err != nil {
		r.t.Fatalf("branch %s: %v", name, err)
	}
	return r
}

// Checkout checks out an existing branch.
func (r *Repo) Checkout(name string) *Repo {
	r.t.Helper()
	if err := r.worktree().Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Force: true}); err != nil {
		r.t.Fatalf("checkout %s: %v", name, err)
	}
	return r
}

// Tag creates a lightweight tag at HEAD.
func (r *Repo) Tag(name string) *Repo {
	r.t.Helper()
	head, err := r.Repo.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.Repo.CreateTag(name, head.Hash(), nil); err != nil {
		r.t.Fatalf("tag %s: %v", name, err)
	}
	return r
}

// DeleteBranch removes a branch reference (its commits stay reachable only
// through other references).
func (r *Repo) DeleteBranch(name string) *Repo {
	r.t.Helper()
	if err := r.Repo.Storer.RemoveReference(plumbing.NewBranchReferenceName(name)); err != nil {
		r.t.Fatal(err)
	}
	return r
}

func (r *Repo) worktree() *git.Worktree {
	r.t.Helper()
	wt, err := r.Repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	return wt
}
