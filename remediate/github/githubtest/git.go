package githubtest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func verifyRS256(pub *rsa.PublicKey, signing string, sig []byte) error {
	sum := sha256.Sum256([]byte(signing))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// gitHandler serves the bare repositories with git http-backend, after
// checking x-access-token basic auth against the accepted token.
func (s *Server) gitHandler() http.Handler {
	gitPath, _ := exec.LookPath("git")
	backend := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "HOME=" + s.Root,
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.gitReqs = append(s.gitReqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), Body: body})
		want := s.token
		s.mu.Unlock()
		user, pass, ok := r.BasicAuth()
		if !ok || user != "x-access-token" || pass == "" || (want != "" && pass != want) {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "Invalid username or token.", http.StatusUnauthorized)
			return
		}
		r.Header.Del("Authorization")
		backend.ServeHTTP(w, r)
	})
}

// git runs the git binary in dir with a clean configuration.
func (s *Server) git(dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(s.t.Context(), "git", args...)
	cmd.Dir = dir
	// The caller's environment without its git settings.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+s.Root,
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

func (s *Server) mustGit(dir string, env []string, args ...string) string {
	s.t.Helper()
	out, err := s.git(dir, env, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// bare is the directory of a repository.
func (s *Server) bare(owner, name string) string {
	return filepath.Join(s.Root, owner, name+".git")
}

// Commit adds a commit to branch of owner/name, writing files (path →
// content; empty content deletes). A missing branch starts from the
// default branch; the first commit creates the repository's history.
// It returns the commit's hash.
func (s *Server) Commit(owner, name, branch string, files map[string]string, authorName, authorEmail, msg string) string {
	s.t.Helper()
	repo := s.repo(owner, name)
	work := filepath.Join(s.t.TempDir(), "work")
	bare := s.bare(owner, name)
	s.mustGit(s.Root, nil, "clone", "-q", bare, work)
	if _, err := s.git(work, nil, "rev-parse", "--verify", "-q", "refs/remotes/origin/"+branch); err == nil {
		s.mustGit(work, nil, "checkout", "-q", "-B", branch, "origin/"+branch)
	} else if _, err := s.git(work, nil, "rev-parse", "--verify", "-q", "refs/remotes/origin/"+repo.DefaultBranch); err == nil {
		s.mustGit(work, nil, "checkout", "-q", "-B", branch, "origin/"+repo.DefaultBranch)
	} else {
		s.mustGit(work, nil, "checkout", "-q", "--orphan", branch)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		abs := filepath.Join(work, filepath.FromSlash(p))
		if files[p] == "" {
			s.mustGit(work, nil, "rm", "-q", p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			s.t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(files[p]), 0o644); err != nil {
			s.t.Fatal(err)
		}
		s.mustGit(work, nil, "add", p)
	}
	env := []string{"GIT_AUTHOR_NAME=" + authorName, "GIT_AUTHOR_EMAIL=" + authorEmail, "GIT_COMMITTER_NAME=" + authorName, "GIT_COMMITTER_EMAIL=" + authorEmail}
	s.mustGit(work, env, "commit", "-q", "--allow-empty", "-m", msg)
	s.mustGit(work, nil, "push", "-q", "origin", "HEAD:refs/heads/"+branch)
	return s.mustGit(work, nil, "rev-parse", "HEAD")
}

// ReadFile returns path at rev (a branch or commit) of owner/name.
func (s *Server) ReadFile(owner, name, rev, path string) (string, error) {
	return s.git(s.bare(owner, name), nil, "show", rev+":"+path)
}

// Branch returns the tip of branch, or "" when it does not exist.
func (s *Server) Branch(owner, name, branch string) string {
	out, err := s.git(s.bare(owner, name), nil, "rev-parse", "--verify", "-q", "refs/heads/"+branch)
	if err != nil {
		return ""
	}
	return out
}

// CommitInfo is one commit of [Server.Log].
type CommitInfo struct {
	SHA, Tree, Parents string
	AuthorName, Email  string
	Committer, CEmail  string
	Subject, Message   string
}

// Log returns the commits reachable from head and not from base ("" for
// every commit), newest first.
func (s *Server) Log(owner, name, base, head string) []CommitInfo {
	s.t.Helper()
	list, err := s.log(s.bare(owner, name), base, head)
	if err != nil {
		s.t.Fatal(err)
	}
	return list
}

func (s *Server) log(bare, base, head string) ([]CommitInfo, error) {
	rng := head
	if base != "" {
		rng = base + ".." + head
	}
	out, err := s.git(bare, nil, "log", "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%s%x00%B%x1e", rng, "--")
	if err != nil {
		return nil, err
	}
	var list []CommitInfo
	for rec := range strings.SplitSeq(out, "\x1e") {
		f := strings.Split(strings.TrimLeft(rec, "\n"), "\x00")
		if len(f) < 9 {
			continue
		}
		list = append(list, CommitInfo{SHA: f[0], Tree: f[1], Parents: f[2], AuthorName: f[3], Email: f[4], Committer: f[5], CEmail: f[6], Subject: f[7], Message: f[8]})
	}
	return list, nil
}

// RefusePushes installs a pre-receive hook in owner/name that refuses
// every push with message (as GitHub's refusal of workflow changes).
func (s *Server) RefusePushes(owner, name, message string) {
	s.t.Helper()
	hook := filepath.Join(s.bare(owner, name), "hooks", "pre-receive")
	script := "#!/bin/sh\necho " + shellQuote(message) + " >&2\nexit 1\n"
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
}

// WorkflowRefusal is GitHub's refusal of a push that changes a workflow
// without the workflows permission.
const WorkflowRefusal = "refusing to allow a GitHub App to create or update workflow `.github/workflows/deploy.yml` without `workflows` permission"

// RefuseWorkflowPushes installs a pre-receive hook in owner/name that
// refuses, as GitHub does for a token without the workflows permission,
// pushes whose new commits change files under .github/workflows/.
func (s *Server) RefuseWorkflowPushes(owner, name string) {
	s.t.Helper()
	hook := filepath.Join(s.bare(owner, name), "hooks", "pre-receive")
	script := `#!/bin/sh
while read old new ref; do
  for c in $(git rev-list "$new" --not --branches); do
    if git diff-tree --no-commit-id --name-only -r "$c" | grep -q '^\.github/workflows/'; then
      echo ` + shellQuote(WorkflowRefusal) + ` >&2
      exit 1
    fi
  done
done
exit 0
`
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// basicAuth decodes a Basic Authorization header into user and password.
func basicAuth(h string) (user, pass string, ok bool) {
	b, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return "", "", false
	}
	data, err := base64.StdEncoding.DecodeString(b)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(data), ":")
	return user, pass, ok
}

// GitPasswords returns the distinct (user, password) pairs git requests
// carried, in order of first use.
func (s *Server) GitPasswords() [][2]string {
	var out [][2]string
	seen := map[[2]string]bool{}
	for _, r := range s.GitRequests() {
		u, p, ok := basicAuth(r.Auth)
		if !ok {
			continue
		}
		k := [2]string{u, p}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
