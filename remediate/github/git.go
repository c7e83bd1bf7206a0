package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// ErrBranchMoved is wrapped by a push refused because the branch changed
// on GitHub after the tool checked it (the lease failed).
var ErrBranchMoved = errors.New("branch changed on GitHub while sessionize was working on it")

// gitBase is a shallow bare clone of the base branch, in a directory the
// caller removes. Commits for every branch are built on its tip and pushed
// from it; it is never checked out.
type gitBase struct {
	repo   *git.Repository
	url    string
	auth   *githttp.BasicAuth
	branch string
	tip    *object.Commit
}

// gitAuth is how git authenticates to GitHub with a token.
func gitAuth(tok Token) *githttp.BasicAuth {
	return &githttp.BasicAuth{Username: "x-access-token", Password: tok.Reveal()}
}

// cloneBase fetches the tip of branch base from url into dir (depth 1, no
// tags, no checkout).
func cloneBase(ctx context.Context, dir, url string, tok Token, base string) (*gitBase, error) {
	auth := gitAuth(tok)
	repo, err := git.PlainCloneContext(ctx, dir, true, &git.CloneOptions{
		URL: url, Auth: auth, ReferenceName: plumbing.NewBranchReferenceName(base),
		SingleBranch: true, Depth: 1, Tags: git.NoTags,
	})
	if err != nil {
		return nil, gitError(fmt.Sprintf("fetch base branch %q from %s", base, url), err, "")
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(base), true)
	if err != nil {
		return nil, fmt.Errorf("fetch base branch %q from %s: %w", base, url, err)
	}
	tip, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read base branch %q: %w", base, err)
	}
	return &gitBase{repo: repo, url: url, auth: auth, branch: base, tip: tip}, nil
}

// file returns the content of p at the base's tip; ok is false when the
// file is not there.
func (g *gitBase) file(p string) (data []byte, ok bool, err error) {
	tree, err := g.tip.Tree()
	if err != nil {
		return nil, false, fmt.Errorf("read base tree: %w", err)
	}
	entry, err := tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find %q on the base branch: %w", p, err)
	}
	if !entry.Mode.IsFile() {
		return nil, false, nil
	}
	blob, err := g.repo.BlobObject(entry.Hash)
	if err != nil {
		return nil, false, fmt.Errorf("read %q on the base branch: %w", p, err)
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, false, fmt.Errorf("read %q on the base branch: %w", p, err)
	}
	defer r.Close()
	data, err = io.ReadAll(r)
	if err != nil {
		return nil, false, fmt.Errorf("read %q on the base branch: %w", p, err)
	}
	return data, true, nil
}

// commitFile writes a commit on the base's tip whose tree replaces p's
// content, and returns the commit and its tree.
func (g *gitBase) commitFile(p string, content []byte, a Author, when time.Time, msg string) (commit, tree plumbing.Hash, err error) {
	s := g.repo.Storer
	blob := s.NewEncodedObject()
	blob.SetType(plumbing.BlobObject)
	w, err := blob.Writer()
	if err != nil {
		return commit, tree, err
	}
	if _, err := w.Write(content); err != nil {
		return commit, tree, err
	}
	if err := w.Close(); err != nil {
		return commit, tree, err
	}
	bh, err := s.SetEncodedObject(blob)
	if err != nil {
		return commit, tree, fmt.Errorf("store blob of %q: %w", p, err)
	}
	tree, err = g.replace(g.tip.TreeHash, strings.Split(p, "/"), bh)
	if err != nil {
		return commit, tree, fmt.Errorf("build tree with %q: %w", p, err)
	}
	sig := object.Signature{Name: a.Name, Email: a.Email, When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: []plumbing.Hash{g.tip.Hash}}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return commit, tree, err
	}
	commit, err = s.SetEncodedObject(obj)
	if err != nil {
		return commit, tree, fmt.Errorf("store commit: %w", err)
	}
	return commit, tree, nil
}

// replace returns the hash of the tree th with the file at parts replaced
// by blob, keeping the entry's mode; trees are written to the storer.
func (g *gitBase) replace(th plumbing.Hash, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	t, err := object.GetTree(g.repo.Storer, th)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	entries := make([]object.TreeEntry, len(t.Entries))
	copy(entries, t.Entries)
	found := false
	for i := range entries {
		e := &entries[i]
		if e.Name != parts[0] {
			continue
		}
		found = true
		if len(parts) == 1 {
			if !e.Mode.IsFile() {
				return plumbing.ZeroHash, fmt.Errorf("%q is not a file", e.Name)
			}
			e.Hash = blob
			break
		}
		if e.Mode != filemode.Dir {
			return plumbing.ZeroHash, fmt.Errorf("%q is not a directory", e.Name)
		}
		if e.Hash, err = g.replace(e.Hash, parts[1:], blob); err != nil {
			return plumbing.ZeroHash, err
		}
		break
	}
	if !found {
		return plumbing.ZeroHash, fmt.Errorf("%q not found", parts[0])
	}
	nt := &object.Tree{Entries: entries}
	obj := g.repo.Storer.NewEncodedObject()
	if err := nt.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.repo.Storer.SetEncodedObject(obj)
}

// remoteBranches lists the remote's branches under the tool's prefix, with
// their tips.
func (g *gitBase) remoteBranches(ctx context.Context) (map[string]plumbing.Hash, error) {
	rem, err := g.repo.Remote(git.DefaultRemoteName)
	if err != nil {
		return nil, err
	}
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: g.auth})
	if err != nil {
		return nil, gitError("list branches of "+g.url, err, "")
	}
	out := map[string]plumbing.Hash{}
	for _, r := range refs {
		if name := r.Name(); name.IsBranch() && strings.HasPrefix(name.Short(), BranchPrefix) && r.Type() == plumbing.HashReference {
			out[name.Short()] = r.Hash()
		}
	}
	return out, nil
}

// push sets branch to commit on the remote, only if the remote branch is
// still at lease (zero: absent). path is the file changed, for errors.
func (g *gitBase) push(ctx context.Context, branch string, commit, lease plumbing.Hash, path string) error {
	local := plumbing.NewBranchReferenceName(branch)
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(local, commit)); err != nil {
		return err
	}
	// go-git checks a lease against the remote-tracking branch.
	tracking := plumbing.NewRemoteReferenceName(git.DefaultRemoteName, branch)
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(tracking, lease)); err != nil {
		return err
	}
	var sideband bytes.Buffer
	err := g.repo.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName,
		RefSpecs:   []config.RefSpec{config.RefSpec(local.String() + ":" + local.String())},
		Auth:       g.auth, Progress: &sideband,
		ForceWithLease: &git.ForceWithLease{RefName: local, Hash: lease},
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if err != nil {
		return gitError(fmt.Sprintf("push branch %q", branch), err, sideband.String(), path)
	}
	return nil
}

// workflowRefusal matches GitHub's refusal of workflow changes: "refusing
// to allow a GitHub App to create or update workflow `...` without
// `workflows` permission" (or an OAuth App without `workflow` scope).
var workflowRefusal = regexp.MustCompile("refusing to allow an? [^\n]*? to create or update workflow[^\n]*without `?workflows?`? (permission|scope)")

// gitError explains a git transport failure; sideband is what the server
// printed (hooks, GitHub's refusals), paths the files pushed.
func gitError(op string, err error, sideband string, paths ...string) error {
	msg := err.Error()
	if m := workflowRefusal.FindString(sideband + "\n" + msg); m != "" {
		return fmt.Errorf("%s: GitHub refused the change to a workflow (%q): %w; "+
			"grant a GitHub App \"Workflows: Read and write\" (and accept the new permission on its installation); "+
			"the GITHUB_TOKEN of Actions can never push changes under .github/workflows/, so use a GitHub App (--app-id) for such pull requests",
			op, m, ErrWorkflowPermission)
	}
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return fmt.Errorf("%s: GitHub rejected the token (401): it is invalid or expired: %w", op, ErrUnauthorized)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%s: the token may not push (403): it needs contents: write: %w", op, ErrForbidden)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Errorf("%s: repository not found, or the token cannot see it: %w", op, ErrNotFound)
	case strings.Contains(msg, "non-fast-forward update"):
		return fmt.Errorf("%s: %w; run sessionize pr again", op, ErrBranchMoved)
	case strings.Contains(msg, "couldn't find remote ref"), errors.Is(err, plumbing.ErrReferenceNotFound):
		return fmt.Errorf("%s: no such branch on GitHub: %w", op, ErrNotFound)
	}
	hint := ""
	for _, p := range paths {
		if strings.HasPrefix(p, ".github/workflows/") {
			hint = "; if the server refused a change under .github/workflows/, the token lacks the workflows permission " +
				"(grant it to the GitHub App; the GITHUB_TOKEN of Actions cannot push workflow changes)"
		}
	}
	if remote := strings.TrimSpace(sideband); remote != "" {
		msg += " (server said: " + lastLines(remote, 5) + ")"
	}
	return fmt.Errorf("%s: %s%s", op, msg, hint)
}

// lastLines returns the last n lines of s, joined with "; ".
func lastLines(s string, n int) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
