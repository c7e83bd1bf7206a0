package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// gitRemote reaches one repository's git server.
type gitRemote struct {
	url   string
	token string
}

func (g gitRemote) auth() transport.AuthMethod {
	if g.token == "" {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: g.token}
}

// tips lists the remote's branches and tags, and the branch HEAD names
// ("HEAD" → "refs/heads/main"). An empty repository has no tips.
func (g gitRemote) tips(ctx context.Context) (map[string]string, error) {
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{g.url}})
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: g.auth()})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, gitError("list references of "+g.url, err)
	}
	out := map[string]string{}
	for _, r := range refs {
		n := r.Name()
		switch {
		case n == plumbing.HEAD && r.Type() == plumbing.SymbolicReference:
			out["HEAD"] = r.Target().String()
		case n.IsBranch() || n.IsTag():
			if r.Type() == plumbing.HashReference {
				out[n.String()] = r.Hash().String()
			}
		}
	}
	return out, nil
}

// errGitAuth marks git transport authentication failures: they are fatal
// like API ones.
var errGitAuth = errors.New("git authentication failed")

// gitError names the operation and marks authentication failures.
func gitError(op string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return fmt.Errorf("%s: %w: %w (check GITHUB_TOKEN, or the GitHub App installation)", op, ErrAuth, err)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%s: %w: %w (the token cannot read the repository's contents)", op, ErrAuth, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// sync brings the cached clone at dir to the remote's tips: it clones when
// the cache has none (or a broken one), else fetches, then makes the local
// references exactly the remote's (the default branch checked out, every
// branch as refs/remotes/origin/*, every tag) and resets the work tree to
// the default branch.
func (g gitRemote) sync(ctx context.Context, dir string, tips map[string]string) error {
	repo, err := git.PlainOpen(dir)
	if err == nil {
		err = g.fetch(ctx, repo)
		if err == nil {
			return g.align(repo, dir, tips)
		}
		if errors.Is(err, ErrAuth) || ctx.Err() != nil {
			return err
		}
	}
	// No cache, or a broken one: clone afresh.
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear cache %q: %w", dir, err)
	}
	if err := g.clone(ctx, dir); err != nil {
		return err
	}
	repo, err = git.PlainOpen(dir)
	if err != nil {
		return fmt.Errorf("open clone %q: %w", dir, err)
	}
	return g.align(repo, dir, tips)
}

// clone clones into a temporary directory beside dir and renames it, so that
// an interrupted clone never leaves a half-written cache.
func (g gitRemote) clone(ctx context.Context, dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("create cache %q: %w", filepath.Dir(dir), err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".clone-")
	if err != nil {
		return fmt.Errorf("create cache %q: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	_, err = git.PlainCloneContext(ctx, tmp, false, &git.CloneOptions{URL: g.url, Auth: g.auth(), Tags: git.AllTags})
	if err != nil {
		return gitError("clone "+g.url, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("move clone into cache %q: %w", dir, err)
	}
	return nil
}

func (g gitRemote) fetch(ctx context.Context, repo *git.Repository) error {
	err := repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin",
		RemoteURL:  g.url,
		RefSpecs:   []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"},
		Auth:       g.auth(),
		Tags:       git.NoTags,
		Force:      true,
		Prune:      true,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return gitError("fetch "+g.url, err)
}

// align makes the clone's references the remote's and checks out the
// default branch: stale branches would otherwise be scanned as history.
func (g gitRemote) align(repo *git.Repository, dir string, tips map[string]string) error {
	want := map[plumbing.ReferenceName]plumbing.Hash{}
	for name, hash := range tips {
		rn := plumbing.ReferenceName(name)
		switch {
		case rn.IsBranch():
			want[plumbing.NewRemoteReferenceName("origin", rn.Short())] = plumbing.NewHash(hash)
		case rn.IsTag():
			want[rn] = plumbing.NewHash(hash)
		}
	}
	head := plumbing.ReferenceName(tips["HEAD"])
	if !head.IsBranch() {
		head = pickDefault(tips)
	}
	headHash, ok := want[plumbing.NewRemoteReferenceName("origin", head.Short())]
	if !ok {
		return fmt.Errorf("align clone %q: remote HEAD %q has no branch", dir, head)
	}
	want[head] = headHash
	if err := setRefs(repo, want); err != nil {
		return fmt.Errorf("align clone %q: %w", dir, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, head)); err != nil {
		return fmt.Errorf("align clone %q: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("align clone %q: %w", dir, err)
	}
	if err := wt.Reset(&git.ResetOptions{Commit: headHash, Mode: git.HardReset}); err != nil {
		return fmt.Errorf("check out %s in %q: %w", head.Short(), dir, err)
	}
	return nil
}

// setRefs makes the branch, remote-branch and tag references exactly want.
func setRefs(repo *git.Repository, want map[plumbing.ReferenceName]plumbing.Hash) error {
	iter, err := repo.Storer.IterReferences()
	if err != nil {
		return err
	}
	var stale []plumbing.ReferenceName
	_ = iter.ForEach(func(r *plumbing.Reference) error {
		n := r.Name()
		if r.Type() != plumbing.HashReference || !(n.IsBranch() || n.IsRemote() || n.IsTag()) {
			return nil
		}
		if h, ok := want[n]; !ok || h != r.Hash() {
			stale = append(stale, n)
		}
		return nil
	})
	for _, n := range stale {
		if err := repo.Storer.RemoveReference(n); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n.String())
	}
	sort.Strings(names)
	for _, n := range names {
		rn := plumbing.ReferenceName(n)
		if err := repo.Storer.SetReference(plumbing.NewHashReference(rn, want[rn])); err != nil {
			return err
		}
	}
	return nil
}

// pickDefault chooses a branch when the remote does not say which HEAD
// names: main, then master, then the first in order.
func pickDefault(tips map[string]string) plumbing.ReferenceName {
	for _, n := range []string{"refs/heads/main", "refs/heads/master"} {
		if _, ok := tips[n]; ok {
			return plumbing.ReferenceName(n)
		}
	}
	var branches []string
	for n := range tips {
		if strings.HasPrefix(n, "refs/heads/") {
			branches = append(branches, n)
		}
	}
	sort.Strings(branches)
	if len(branches) == 0 {
		return ""
	}
	return plumbing.ReferenceName(branches[0])
}
