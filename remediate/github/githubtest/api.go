package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Repo is a repository of the fake server.
type Repo struct {
	Owner, Name   string
	ID, OwnerID   int64
	DefaultBranch string

	pulls    []*Pull
	labels   []string
	comments map[int][]string
}

// Pull is a pull request of the fake server.
type Pull struct {
	Number                  int
	Title, Body, Head, Base string
	State                   string // open or closed
	Merged, Draft           bool
	Labels                  []string
}

// AddRepo creates owner/name, a bare repository whose default branch
// main holds files in one commit by "Alice <alice@example.com>".
func (s *Server) AddRepo(owner, name string, files map[string]string) *Repo {
	s.t.Helper()
	bare := s.bare(owner, name)
	if err := os.MkdirAll(filepath.Dir(bare), 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.mustGit(s.Root, nil, "init", "-q", "--bare", "-b", "main", bare)
	s.mustGit(bare, nil, "config", "http.receivepack", "true")
	s.mu.Lock()
	s.nextID++
	r := &Repo{Owner: owner, Name: name, ID: s.nextID + 5000, OwnerID: s.nextID, DefaultBranch: "main", comments: map[int][]string{}}
	s.repos[owner+"/"+name] = r
	s.mu.Unlock()
	s.Commit(owner, name, "main", files, "Alice", "alice@example.com", "initial commit")
	return r
}

func (s *Server) repo(owner, name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[owner+"/"+name]
	if r == nil {
		s.t.Fatalf("githubtest: no repository %s/%s", owner, name)
	}
	return r
}

// Repo returns a copy of owner/name's description (IDs, default branch).
func (s *Server) Repo(owner, name string) Repo {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	return Repo{Owner: r.Owner, Name: r.Name, ID: r.ID, OwnerID: r.OwnerID, DefaultBranch: r.DefaultBranch}
}

// Pulls returns copies of owner/name's pull requests, in number order.
func (s *Server) Pulls(owner, name string) []Pull {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pull, len(r.pulls))
	for i, p := range r.pulls {
		out[i] = *p
		out[i].Labels = slices.Clone(p.Labels)
	}
	return out
}

// AddPull adds a pull request (as a person would open it) and returns its
// number.
func (s *Server) AddPull(owner, name string, p Pull) int {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Number = len(r.pulls) + 1
	if p.State == "" {
		p.State = "open"
	}
	r.pulls = append(r.pulls, &p)
	return p.Number
}

// ClosePull closes a pull request, merged or not.
func (s *Server) ClosePull(owner, name string, number int, merged bool) {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := r.pulls[number-1]
	p.State, p.Merged = "closed", merged
}

// Comments returns the comments on issue or pull request number.
func (s *Server) Comments(owner, name string, number int) []string {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(r.comments[number])
}

// AddComment adds a comment (as a person would write it) to issue or
// pull request number.
func (s *Server) AddComment(owner, name string, number int, body string) {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	r.comments[number] = append(r.comments[number], body)
}

// Labels returns owner/name's labels.
func (s *Server) Labels(owner, name string) []string {
	r := s.repo(owner, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(r.labels)
}

// apiMux routes the REST API endpoints remediate/github uses; anything
// else fails the test.
func (s *Server) apiMux() http.Handler {
	m := http.NewServeMux()
	const p = "/api/v3/repos/{owner}/{repo}"
	m.HandleFunc("GET "+p, s.withRepo(s.getRepo))
	m.HandleFunc("GET "+p+"/pulls", s.withRepo(s.listPulls))
	m.HandleFunc("POST "+p+"/pulls", s.withRepo(s.createPull))
	m.HandleFunc("PATCH "+p+"/pulls/{number}", s.withRepo(s.editPull))
	m.HandleFunc("GET "+p+"/compare/{basehead}", s.withRepo(s.compare))
	m.HandleFunc("GET "+p+"/labels/{name}", s.withRepo(s.getLabel))
	m.HandleFunc("POST "+p+"/labels", s.withRepo(s.createLabel))
	m.HandleFunc("POST "+p+"/issues/{number}/labels", s.withRepo(s.addLabels))
	m.HandleFunc("GET "+p+"/issues/{number}/comments", s.withRepo(s.listComments))
	m.HandleFunc("POST "+p+"/issues/{number}/comments", s.withRepo(s.createComment))
	m.HandleFunc("GET "+p+"/installation", s.withRepo(s.repoInstallation))
	m.HandleFunc("GET /api/v3/orgs/{org}/installation", s.orgInstallation)
	m.HandleFunc("GET /api/v3/orgs/{org}/repos", s.listOrgRepos)
	m.HandleFunc("POST /api/v3/app/installations/{id}/access_tokens", s.accessToken)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.t.Errorf("githubtest: unexpected request %s %s", r.Method, r.URL)
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	return m
}

type repoHandler func(w http.ResponseWriter, r *http.Request, repo *Repo)

func (s *Server) withRepo(h repoHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		repo := s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
		s.mu.Unlock()
		if repo == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		h(w, r, repo)
	}
}

func (s *Server) getRepo(w http.ResponseWriter, _ *http.Request, repo *Repo) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": repo.ID, "name": repo.Name, "full_name": repo.Owner + "/" + repo.Name,
		"owner": map[string]any{"id": repo.OwnerID, "login": repo.Owner}, "default_branch": repo.DefaultBranch,
		"private": true,
	})
}

// listOrgRepos lists the repositories of an owner, by name, paginated, as
// an organisation's listing (the org audit reads it).
func (s *Server) listOrgRepos(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	s.mu.Lock()
	var list []map[string]any
	for _, repo := range s.repos {
		if repo.Owner != org {
			continue
		}
		full := repo.Owner + "/" + repo.Name
		list = append(list, map[string]any{
			"id": repo.ID, "name": repo.Name, "full_name": full, "private": true, "visibility": "private",
			"owner": map[string]any{"id": repo.OwnerID, "login": repo.Owner}, "default_branch": repo.DefaultBranch,
			"clone_url": s.Git.URL + "/" + full + ".git", "archived": false, "fork": false, "disabled": false,
			"pushed_at": "2024-01-01T00:00:00Z",
		})
	}
	s.mu.Unlock()
	if len(list) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	slices.SortFunc(list, func(a, b map[string]any) int { return strings.Compare(a["name"].(string), b["name"].(string)) })
	writeJSON(w, http.StatusOK, page(w, r, list))
}

func (s *Server) pullJSON(repo *Repo, p *Pull) map[string]any {
	labels := []map[string]string{}
	for _, l := range p.Labels {
		labels = append(labels, map[string]string{"name": l})
	}
	return map[string]any{
		"number": p.Number, "state": p.State, "title": p.Title, "body": p.Body, "draft": p.Draft, "merged": p.Merged,
		"html_url": fmt.Sprintf("%s/%s/%s/pull/%d", s.Git.URL, repo.Owner, repo.Name, p.Number),
		"head":     map[string]any{"ref": p.Head, "label": repo.Owner + ":" + p.Head, "sha": s.Branch(repo.Owner, repo.Name, p.Head)},
		"base":     map[string]any{"ref": p.Base},
		"labels":   labels,
	}
}

// page cuts list to the page the query asks for (per_page, default 30;
// page, from 1) and sets the Link header to the next page, as GitHub does.
func page[T any](w http.ResponseWriter, r *http.Request, list []T) []T {
	per, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n <= 0 {
		n = 1
	}
	start := min((n-1)*per, len(list))
	end := min(start+per, len(list))
	if end < len(list) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(n+1))
		next.RawQuery = q.Encode()
		next.Scheme, next.Host = "http", r.Host
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.String()))
	}
	return list[start:end]
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request, repo *Repo) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	s.mu.Lock()
	var list []*Pull
	for _, p := range repo.pulls {
		if (state == "all" || p.State == state) && (q.Get("head") == "" || q.Get("head") == repo.Owner+":"+p.Head) {
			list = append(list, p)
		}
	}
	if q.Get("direction") == "desc" {
		slices.Reverse(list)
	}
	s.mu.Unlock()
	out := []map[string]any{}
	for _, p := range page(w, r, list) {
		out = append(out, s.pullJSON(repo, p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createPull(w http.ResponseWriter, r *http.Request, repo *Repo) {
	var in struct {
		Title, Head, Base, Body string
		Draft                   bool
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	if s.Branch(repo.Owner, repo.Name, in.Head) == "" || s.Branch(repo.Owner, repo.Name, in.Base) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed",
			"errors":  []map[string]string{{"resource": "PullRequest", "field": "head", "code": "invalid"}},
		})
		return
	}
	s.mu.Lock()
	for _, p := range repo.pulls {
		if p.State == "open" && p.Head == in.Head {
			s.mu.Unlock()
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"message": "Validation Failed",
				"errors":  []map[string]string{{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for " + repo.Owner + ":" + in.Head + "."}},
			})
			return
		}
	}
	p := &Pull{Number: len(repo.pulls) + 1, Title: in.Title, Head: in.Head, Base: in.Base, Body: in.Body, Draft: in.Draft, State: "open"}
	repo.pulls = append(repo.pulls, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.pullJSON(repo, p))
}

// pull finds the pull request of the path's {number}.
func (s *Server) pull(w http.ResponseWriter, r *http.Request, repo *Repo) *Pull {
	n, err := strconv.Atoi(r.PathValue("number"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || n < 1 || n > len(repo.pulls) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return nil
	}
	return repo.pulls[n-1]
}

func (s *Server) editPull(w http.ResponseWriter, r *http.Request, repo *Repo) {
	p := s.pull(w, r, repo)
	if p == nil {
		return
	}
	var in struct {
		Title, Body, Base, State *string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	s.mu.Lock()
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.Base != nil {
		p.Base = *in.Base
	}
	if in.State != nil {
		p.State = *in.State
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.pullJSON(repo, p))
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request, repo *Repo) {
	base, head, ok := strings.Cut(r.PathValue("basehead"), "...")
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	bare := s.bare(repo.Owner, repo.Name)
	list, err := s.log(bare, base, head)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No common ancestor between " + base + " and " + head + "."})
		return
	}
	behind, _ := s.log(bare, head, base)
	commits := []map[string]any{}
	for i := len(list) - 1; i >= 0; i-- { // oldest first, as GitHub lists them
		c := list[i]
		parents := []map[string]string{}
		for p := range strings.FieldsSeq(c.Parents) {
			parents = append(parents, map[string]string{"sha": p})
		}
		commits = append(commits, map[string]any{
			"sha": c.SHA, "parents": parents,
			"commit": map[string]any{
				"message": c.Message, "tree": map[string]string{"sha": c.Tree},
				"author":    map[string]string{"name": c.AuthorName, "email": c.Email},
				"committer": map[string]string{"name": c.Committer, "email": c.CEmail},
			},
		})
	}
	status := "ahead"
	switch {
	case len(list) == 0 && len(behind) == 0:
		status = "identical"
	case len(list) == 0:
		status = "behind"
	case len(behind) > 0:
		status = "diverged"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status": status, "ahead_by": len(list), "behind_by": len(behind),
		"total_commits": len(list), "commits": commits,
	})
}

func (s *Server) getLabel(w http.ResponseWriter, r *http.Request, repo *Repo) {
	s.mu.Lock()
	found := slices.Contains(repo.labels, r.PathValue("name"))
	s.mu.Unlock()
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": r.PathValue("name")})
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request, repo *Repo) {
	var in struct{ Name, Color, Description string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(repo.labels, in.Name) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed",
			"errors":  []map[string]string{{"resource": "Label", "code": "already_exists", "field": "name"}},
		})
		return
	}
	repo.labels = append(repo.labels, in.Name)
	writeJSON(w, http.StatusCreated, map[string]string{"name": in.Name, "color": in.Color})
}

func (s *Server) addLabels(w http.ResponseWriter, r *http.Request, repo *Repo) {
	p := s.pull(w, r, repo)
	if p == nil {
		return
	}
	var names []string
	if err := json.NewDecoder(r.Body).Decode(&names); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	s.mu.Lock()
	out := []map[string]string{}
	for _, n := range names {
		if !slices.Contains(repo.labels, n) {
			repo.labels = append(repo.labels, n) // GitHub creates unknown labels too
		}
		if !slices.Contains(p.Labels, n) {
			p.Labels = append(p.Labels, n)
		}
	}
	for _, n := range p.Labels {
		out = append(out, map[string]string{"name": n})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, repo *Repo) {
	if s.pull(w, r, repo) == nil {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("number"))
	s.mu.Lock()
	all := []map[string]any{}
	for i, c := range repo.comments[n] {
		all = append(all, map[string]any{"id": i + 1, "body": c})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page(w, r, all))
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, repo *Repo) {
	if s.pull(w, r, repo) == nil {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("number"))
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	s.mu.Lock()
	repo.comments[n] = append(repo.comments[n], in.Body)
	id := len(repo.comments[n])
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "body": in.Body})
}

func (s *Server) installation(w http.ResponseWriter, account string) {
	if s.opts.App == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": s.opts.App.InstallationID, "app_id": s.opts.App.ID, "account": map[string]string{"login": account}})
}

func (s *Server) repoInstallation(w http.ResponseWriter, _ *http.Request, repo *Repo) {
	s.installation(w, repo.Owner)
}

func (s *Server) orgInstallation(w http.ResponseWriter, r *http.Request) {
	s.installation(w, r.PathValue("org"))
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	app := s.opts.App
	if app == nil || r.PathValue("id") != strconv.FormatInt(app.InstallationID, 10) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	s.mu.Lock()
	s.token = app.Token
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"token": app.Token, "expires_at": s.now().Add(time.Hour).UTC().Format(time.RFC3339)})
}
