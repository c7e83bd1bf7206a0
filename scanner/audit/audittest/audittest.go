// Package audittest fakes a GitHub organisation for audit tests: a GitHub
// REST API under /api/v3/ (repository listing with Link pagination, the
// Authorization header checked) and a git smart-HTTP server (git
// http-backend through net/http/cgi) serving repositories built with go-git
// with fixed authors and dates. It also makes token-shaped fake secrets
// from deterministic filler. Import it from _test.go files only.
package audittest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Token is the token the fake servers accept.
const Token = "audittest-token"

// Repo describes a repository of the fake organisation.
type Repo struct {
	// Name is the repository's name (without the owner).
	Name     string
	Private  bool
	Archived bool
	Fork     bool
	// Missing lists the repository in the API but leaves it off the git
	// server: cloning it fails with 404.
	Missing bool
	// Commits are applied in order on branch main; each maps paths to new
	// content, an empty string removing the file.
	Commits []Commit
	// Branches are extra branches, each forked from main after Commits.
	Branches map[string][]Commit

	git *git.Repository
	wt  billy.Filesystem
	n   int
	// pushes moves pushed_at, as GitHub does on every push.
	pushes int
}

// Commit is one commit of a fixture repository.
type Commit struct {
	Message string
	Files   map[string]string
}

// Org is a fake organisation. Its servers stop when the test ends.
type Org struct {
	Name string
	// API serves the GitHub REST API under /api/v3/; APIURL is its base.
	API    *httptest.Server
	APIURL string
	// Git serves the repositories at /<org>/<name>.git.
	Git *httptest.Server
	// PerPage caps the page size of repository listings.
	PerPage int
	// Intercept, when set, sees every API request first and may answer it
	// (returning true), e.g. with a rate limit or an error.
	Intercept func(w http.ResponseWriter, r *http.Request) bool

	t          tb
	root       string
	mu         sync.Mutex
	repos      []*Repo
	api        []string
	gitRq      map[string]int
	unexpected []string
}

// GitAvailable reports whether the git binary (for git http-backend) is
// installed.
func GitAvailable() bool {
	_, err := exec.LookPath("git")
	return err == nil
}

// New builds the organisation's repositories and starts its servers,
// stopped when the test ends. It skips the test when git is not installed.
func New(t testing.TB, name string, repos []*Repo) *Org {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed: the fake git server needs git http-backend")
	}
	o := &Org{t: t}
	t.Cleanup(o.Close)
	if err := o.start(gitPath, name, repos, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return o
}

// Start is New for callers without a testing.TB, such as testscript's
// Setup: the repositories are built under root, Close stops the servers,
// and unexpected API requests (answered 404) are listed by Unexpected.
func Start(name string, repos []*Repo, root string) (*Org, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("start fake organisation: git is not installed: %w", err)
	}
	o := &Org{}
	o.t = &recorder{o: o}
	if err := o.start(gitPath, name, repos, root); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// tb is what the fake needs of a test.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

// recorder stands in for a test outside one: errors are recorded, fatal
// ones panic (they are mistakes in the fixture).
type recorder struct{ o *Org }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.o.unexpected = append(r.o.unexpected, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (r *recorder) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }

// Unexpected returns the unexpected API requests seen (Start only).
func (o *Org) Unexpected() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.unexpected...)
}

// Close stops the servers.
func (o *Org) Close() {
	if o.Git != nil {
		o.Git.Close()
	}
	if o.API != nil {
		o.API.Close()
	}
}

// start builds the repositories under root and starts the servers.
func (o *Org) start(gitPath, name string, repos []*Repo, root string) error {
	o.Name, o.PerPage, o.root, o.repos, o.gitRq = name, 100, root, repos, map[string]int{}
	for _, r := range repos {
		if r.Missing {
			continue
		}
		if err := o.build(r); err != nil {
			return fmt.Errorf("build fixture repository %s: %w", r.Name, err)
		}
	}
	o.Git = httptest.NewServer(o.gitHandler(gitPath))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/orgs/{org}/repos", o.listRepos)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.t.Errorf("unexpected GitHub API request %s %s", r.Method, r.URL)
		o.mu.Unlock()
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	})
	o.API = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.api = append(o.api, r.Method+" "+r.URL.RequestURI())
		intercept := o.Intercept
		o.mu.Unlock()
		if intercept != nil && intercept(w, r) {
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+Token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	o.APIURL = o.API.URL + "/api/v3/"
	return nil
}

// build creates a repository's bare git directory and commits.
func (o *Org) build(r *Repo) error {
	dir := filepath.Join(o.root, o.Name, r.Name+".git")
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	r.wt = memfs.New()
	g, err := git.Init(st, r.wt)
	if err != nil {
		return err
	}
	r.git = g
	if err := g.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		return err
	}
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	cfg.Core.IsBare = true
	if err := g.Storer.SetConfig(cfg); err != nil {
		return err
	}
	for _, c := range r.Commits {
		if err := r.commit(c); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(r.Branches))
	for b := range r.Branches {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		if err := r.branch(b, r.Branches[b]); err != nil {
			return err
		}
	}
	return nil
}

// AddCommit adds a commit on main of a repository, as a push would.
func (o *Org) AddCommit(name string, c Commit) {
	o.t.Helper()
	r := o.repo(name)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := r.commit(c); err != nil {
		o.t.Fatalf("add commit to %s: %v", name, err)
	}
	r.pushes++
}

// ResetMain moves main back n commits and adds c, as a force-push would.
func (o *Org) ResetMain(name string, n int, c Commit) {
	o.t.Helper()
	r := o.repo(name)
	head, err := r.git.Head()
	if err != nil {
		o.t.Fatal(err)
	}
	h := head.Hash()
	for range n {
		cm, err := r.git.CommitObject(h)
		if err != nil {
			o.t.Fatal(err)
		}
		h = cm.ParentHashes[0]
	}
	wt, err := r.git.Worktree()
	if err != nil {
		o.t.Fatal(err)
	}
	if err := wt.Reset(&git.ResetOptions{Commit: h, Mode: git.HardReset}); err != nil {
		o.t.Fatal(err)
	}
	if err := r.commit(c); err != nil {
		o.t.Fatal(err)
	}
	o.mu.Lock()
	r.pushes++
	o.mu.Unlock()
}

func (o *Org) repo(name string) *Repo {
	for _, r := range o.repos {
		if r.Name == name {
			return r
		}
	}
	o.t.Fatalf("no fixture repository %s", name)
	return nil
}

func (r *Repo) commit(c Commit) error {
	wt, err := r.git.Worktree()
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(c.Files))
	for p := range c.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		content := c.Files[p]
		if content == "" {
			if _, err := wt.Remove(p); err != nil {
				return fmt.Errorf("remove %s: %w", p, err)
			}
			continue
		}
		if err := writeFile(r.wt, p, content); err != nil {
			return err
		}
		if _, err := wt.Add(p); err != nil {
			return err
		}
	}
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.n) * time.Hour)
	r.n++
	sig := &object.Signature{Name: "Alice", Email: "alice@example.com", When: when}
	msg := c.Message
	if msg == "" {
		msg = fmt.Sprintf("commit %d", r.n)
	}
	_, err = wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	return err
}

func (r *Repo) branch(name string, commits []Commit) error {
	wt, err := r.git.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true}); err != nil {
		return err
	}
	for _, c := range commits {
		if err := r.commit(c); err != nil {
			return err
		}
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main")})
}

func writeFile(fs billy.Filesystem, p, content string) error {
	if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := fs.Create(p)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(content)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// gitHandler serves the repositories with git http-backend, requiring the
// token as x-access-token basic auth.
func (o *Org) gitHandler(gitPath string) http.Handler {
	backend := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + o.root, "GIT_HTTP_EXPORT_ALL=1"},
		// http-backend complains on stderr about missing repositories.
		Stderr: io.Discard,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "x-access-token" || pass != Token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		repo, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), ".git/")
		o.mu.Lock()
		o.gitRq[repo+" "+gitOp(r)]++
		o.mu.Unlock()
		backend.ServeHTTP(w, r)
	})
}

func gitOp(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/info/refs") {
		return "refs"
	}
	return "pack"
}

// GitRequests returns how many requests a repository ("org/name") got of a
// kind: "refs" (reference listings) or "pack" (fetches and clones).
func (o *Org) GitRequests(fullName, kind string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gitRq[fullName+" "+kind]
}

// TotalGitRequests counts the git requests of a kind over all repositories.
func (o *Org) TotalGitRequests(kind string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for k, v := range o.gitRq {
		if strings.HasSuffix(k, " "+kind) {
			n += v
		}
	}
	return n
}

// APIRequests returns the API requests received, "METHOD /path?query".
func (o *Org) APIRequests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.api...)
}

// listRepos serves GET /orgs/{org}/repos with Link pagination.
func (o *Org) listRepos(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("org") != o.Name {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
		return
	}
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 || per > o.PerPage {
		per = o.PerPage
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	all := o.repoJSON()
	last := max(1, (len(all)+per-1)/per)
	from, to := min((page-1)*per, len(all)), min(page*per, len(all))
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	_ = json.NewEncoder(w).Encode(all[from:to]) // only fails when the client went away
}

func (o *Org) repoJSON() []map[string]any {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]map[string]any, 0, len(o.repos))
	for _, r := range o.repos {
		vis := "public"
		if r.Private {
			vis = "private"
		}
		full := o.Name + "/" + r.Name
		out = append(out, map[string]any{
			"name": r.Name, "full_name": full, "private": r.Private, "visibility": vis,
			"archived": r.Archived, "fork": r.Fork, "disabled": false, "default_branch": "main",
			"clone_url": o.Git.URL + "/" + full + ".git",
			"pushed_at": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.pushes) * time.Hour).Format(time.RFC3339),
			"owner":     map[string]any{"login": o.Name},
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["full_name"].(string) < out[j]["full_name"].(string) })
	return out
}

// filler returns n characters of alphabet chosen deterministically by seed.
func filler(seed string, n int, alphabet string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		for _, c := range sum {
			if b.Len() == n {
				break
			}
			b.WriteByte(alphabet[int(c)%len(alphabet)])
		}
	}
	return b.String()
}

// AWSKeyID returns a fake AWS access key ID ("AKIA" + 16 characters) that
// the detectors take for a real one. Different seeds give different keys.
func AWSKeyID(seed string) string {
	return "AKIA" + filler("aws/"+seed, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
}

// GitHubPAT returns a fake classic GitHub personal access token.
func GitHubPAT(seed string) string {
	return "ghp_" + filler("ghp/"+seed, 36, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}

// BasicAuth returns the value of an Authorization header for the git server.
func BasicAuth() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+Token))
}

// RemoveRepo deletes a repository from the git server (it stays listed).
func (o *Org) RemoveRepo(name string) {
	o.t.Helper()
	if err := os.RemoveAll(filepath.Join(o.root, o.Name, name+".git")); err != nil {
		o.t.Fatal(err)
	}
}

// SampleRepos is a small organisation for CLI tests and scripts: "api"
// with an AWS key only in history, "web" with a GitHub token in its working
// tree, "docs" without secrets, "lib" with api's key (a credential in two
// repositories), and "old", archived, with a key.
func SampleRepos() []*Repo {
	return []*Repo{
		{Name: "api", Commits: []Commit{
			{Message: "add config", Files: map[string]string{"config.ini": "aws_access_key_id = " + AWSKeyID("api") + "\n"}},
			{Message: "remove config", Files: map[string]string{"config.ini": ""}},
		}},
		{Name: "web", Commits: []Commit{{Message: "env", Files: map[string]string{".env": "GITHUB_TOKEN=" + GitHubPAT("web") + "\n"}}}},
		{Name: "docs", Commits: []Commit{{Message: "docs", Files: map[string]string{"README.md": "# docs\n"}}}},
		{Name: "lib", Commits: []Commit{{Message: "deploy", Files: map[string]string{"deploy.ini": "aws_access_key_id = " + AWSKeyID("api") + "\n"}}}},
		{Name: "old", Archived: true, Commits: []Commit{{Message: "key", Files: map[string]string{"k": "aws_access_key_id = " + AWSKeyID("old") + "\n"}}}},
	}
}
