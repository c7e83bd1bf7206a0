package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
	"github.com/sessionize/sessionize/scanner/audit/audittest"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

var (
	detOnce sync.Once
	det     *detectors.Detector
	detErr  error
)

// detector builds the content detector once for all tests: it is safe for
// concurrent use and compiling its rules is the slow part.
func detector(t testing.TB) *detectors.Detector {
	t.Helper()
	detOnce.Do(func() {
		det, detErr = detectors.New(detectors.Options{})
		if detErr == nil {
			detErr = det.Compile()
		}
	})
	if detErr != nil {
		t.Fatal(detErr)
	}
	return det
}

var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// liveRepos is the number of scannable repositories of the fixture org.
const liveRepos = 40

// sharedKey is an AWS key committed to several repositories.
var sharedKey = audittest.AWSKeyID("shared")

// fixtureRepos builds the fixture organisation: liveRepos small
// repositories (a quarter with a secret only in history, a quarter with a
// token in the working tree, every fifth with a key shared across
// repositories), one empty repository, one archived and one fork (both with
// secrets, both left out by default) and one listed repository the git
// server does not have.
func fixtureRepos() []*audittest.Repo {
	var repos []*audittest.Repo
	for i := range liveRepos {
		name := fmt.Sprintf("svc-%02d", i)
		r := &audittest.Repo{Name: name, Private: i%3 == 0, Commits: []audittest.Commit{{
			Message: "init",
			Files:   map[string]string{"README.md": "# " + name + "\n", "main.go": "package main\n\nfunc main() {}\n"},
		}}}
		switch i % 4 {
		case 0:
			r.Commits = append(r.Commits,
				audittest.Commit{Message: "add config", Files: map[string]string{"config.ini": "[default]\naws_access_key_id = " + audittest.AWSKeyID(name) + "\n"}},
				audittest.Commit{Message: "remove config", Files: map[string]string{"config.ini": ""}},
			)
		case 1:
			r.Commits = append(r.Commits, audittest.Commit{Message: "add env", Files: map[string]string{".env": "GITHUB_TOKEN=" + audittest.GitHubPAT(name) + "\n"}})
		}
		if i%5 == 2 {
			r.Commits = append(r.Commits, audittest.Commit{Message: "deploy", Files: map[string]string{"deploy/aws.ini": "[deploy]\naws_access_key_id = " + sharedKey + "\n"}})
		}
		if i == 3 {
			r.Branches = map[string][]audittest.Commit{"feature": {{Message: "wip", Files: map[string]string{"notes.txt": "token " + audittest.GitHubPAT("feature") + "\n"}}}}
		}
		repos = append(repos, r)
	}
	return append(repos,
		&audittest.Repo{Name: "empty"},
		&audittest.Repo{Name: "legacy", Archived: true, Commits: []audittest.Commit{{Files: map[string]string{"k.ini": "aws_access_key_id = " + audittest.AWSKeyID("legacy") + "\n"}}}},
		&audittest.Repo{Name: "upstream-fork", Fork: true, Commits: []audittest.Commit{{Files: map[string]string{"k.ini": "aws_access_key_id = " + audittest.AWSKeyID("fork") + "\n"}}}},
		&audittest.Repo{Name: "broken", Missing: true},
	)
}

func newOrg(t testing.TB) *audittest.Org {
	org := audittest.New(t, "acme", fixtureRepos())
	org.PerPage = 10
	return org
}

// smallOrg is a five-repository organisation (svc-00 to svc-02 of the
// fixture, the archived one and the fork) listed one repository per page,
// for tests that do not need forty repositories.
func smallOrg(t testing.TB) *audittest.Org {
	all := fixtureRepos()
	var repos []*audittest.Repo
	for _, r := range all {
		switch r.Name {
		case "svc-00", "svc-01", "svc-02", "legacy", "upstream-fork":
			repos = append(repos, r)
		}
	}
	org := audittest.New(t, "acme", repos)
	org.PerPage = 1
	return org
}

// client is a go-github client for the fake API, with the retrying
// transport.
func client(t testing.TB, org *audittest.Org, token string, p audit.RetryPolicy) *github.Client {
	t.Helper()
	c, err := github.NewClient(&http.Client{Transport: p.Transport(nil)}).WithAuthToken(token).WithEnterpriseURLs(org.APIURL, org.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type env struct {
	cache, state string
}

func newEnv(t testing.TB) env {
	d := t.TempDir()
	return env{cache: filepath.Join(d, "cache"), state: filepath.Join(d, "state.db")}
}

func options(t testing.TB, org *audittest.Org, e env) audit.Options {
	return audit.Options{
		Org: "acme", GitHub: client(t, org, audittest.Token, audit.RetryPolicy{}), Token: audittest.Token,
		CacheDir: e.cache, Concurrency: 2, Detector: detector(t),
		ToolVersion: "test", Now: func() time.Time { return fixedNow },
	}
}

// run audits with a state database opened for the run.
func run(t testing.TB, opts audit.Options, statePath string) *audit.Result {
	t.Helper()
	if statePath != "" {
		db, err := state.Open(context.Background(), statePath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		opts.State = db
	}
	res, err := audit.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("audit.Run: %v", err)
	}
	return res
}

func entry(t testing.TB, r *audit.Report, name string) audit.Repository {
	t.Helper()
	for _, e := range r.Repositories {
		if e.FullName == "acme/"+name {
			return e
		}
	}
	t.Fatalf("no entry for acme/%s", name)
	return audit.Repository{}
}

func credentialAt(r *scanner.Report, path string) *scanner.Credential {
	for i := range r.Credentials {
		for _, o := range r.Credentials[i].Occurrences {
			if o.Path == path {
				return &r.Credentials[i]
			}
		}
	}
	return nil
}

func TestRun_Org(t *testing.T) {
	org := newOrg(t)
	e := newEnv(t)
	res := run(t, options(t, org, e), e.state)
	rep := res.Report

	var names []string
	for _, r := range rep.Repositories {
		names = append(names, r.FullName)
	}
	if len(names) != liveRepos+2 {
		t.Errorf("audited %d repositories, want %d: %v", len(names), liveRepos+2, names)
	}
	for _, n := range names {
		if n == "acme/legacy" || n == "acme/upstream-fork" {
			t.Errorf("%s audited: archived repositories and forks are left out by default", n)
		}
	}
	wantStats := audit.Stats{Listed: liveRepos + 4, Selected: liveRepos + 2, Archived: 1, Forks: 1, Scanned: liveRepos + 1, Failed: 1}
	gotStats := res.Stats
	gotStats.NewCommits = 0
	if diff := cmp.Diff(wantStats, gotStats); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	if res.Failures == nil || !strings.Contains(res.Failures.Error(), "acme/broken") {
		t.Errorf("Failures = %v, want acme/broken's", res.Failures)
	}
	broken := entry(t, rep, "broken")
	if broken.Report != nil || !strings.Contains(broken.Error, "not found") {
		t.Errorf("acme/broken: report %v, error %q; want no report and a not-found error", broken.Report != nil, broken.Error)
	}

	// Pagination: 44 repositories at 10 per page.
	var pages []string
	pages = append(pages, org.APIRequests()...)
	if len(pages) != 5 {
		t.Errorf("API requests = %q, want 5 pages", pages)
	}

	for i := range liveRepos {
		name := fmt.Sprintf("svc-%02d", i)
		r := entry(t, rep, name).Report
		if r == nil {
			t.Errorf("%s: no report (error %q)", name, entry(t, rep, name).Error)
			continue
		}
		if r.Target.Path != "acme/"+name {
			t.Errorf("%s: target path %q", name, r.Target.Path)
		}
		switch i % 4 {
		case 0:
			c := credentialAt(r, "config.ini")
			if c == nil {
				t.Errorf("%s: secret only in history not found", name)
				break
			}
			o := c.Occurrences[0]
			if o.Where != scanner.WhereHistory || o.InHead || o.Commit == "" {
				t.Errorf("%s: config.ini occurrence = %+v, want history, not in HEAD, with its commit", name, o)
			}
		case 1:
			c := credentialAt(r, ".env")
			if c == nil || c.Occurrences[0].Where != scanner.WhereWorktree || c.Occurrences[0].Commit == "" {
				t.Errorf("%s: working-tree token not found with its commit: %+v", name, c)
			}
		}
	}
	if credentialAt(entry(t, rep, "svc-03").Report, "notes.txt") == nil {
		t.Errorf("svc-03: secret on a side branch not found")
	}
	if got := len(entry(t, rep, "empty").Report.Credentials); got != 0 {
		t.Errorf("empty repository has %d credentials", got)
	}

	// The shared key is cross-referenced.
	var shared []string
	for i := range liveRepos {
		if i%5 == 2 {
			shared = append(shared, fmt.Sprintf("acme/svc-%02d", i))
		}
	}
	found := false
	for _, x := range rep.Summary.CrossRepository {
		if strings.HasPrefix(x.Redacted, sharedKey[:4]) && cmp.Equal(x.Repositories, shared) {
			found = true
		}
	}
	if !found {
		t.Errorf("shared key not cross-referenced in %d repositories: %+v", len(shared), rep.Summary.CrossRepository)
	}

	// No raw secret anywhere in the JSON report.
	var buf bytes.Buffer
	if err := audit.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sharedKey, audittest.AWSKeyID("svc-00"), audittest.GitHubPAT("svc-01"), audittest.Token} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("JSON report carries a raw secret or the token (%s...)", s[:4])
		}
	}
}

// normalizeJSON blanks what depends on time.
var timeFields = regexp.MustCompile(`"(duration_ms|generated_at|first_seen|last_seen|fixed_at)": ("[^"]*"|[0-9]+|null)`)

func normalizeJSON(b []byte) string {
	return timeFields.ReplaceAllString(string(b), `"$1": X`)
}

func jsonOf(t testing.TB, r *audit.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := audit.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reportsOf returns each repository's report as JSON, without the scan
// counters that depend on how much was scanned.
var counters = regexp.MustCompile(`"(commits_scanned|blobs_scanned|bytes_scanned|duration_ms)": [0-9]+`)

func reportsOf(t testing.TB, r *audit.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range r.Repositories {
		single := &audit.Report{Org: r.Org, Repositories: []audit.Repository{{FullName: e.FullName, Report: e.Report, Error: e.Error}}}
		single.Finalize()
		out[e.FullName] = counters.ReplaceAllString(string(jsonOf(t, single)), `"$1": X`)
	}
	return out
}

func TestRun_Incremental(t *testing.T) {
	org := newOrg(t)
	e := newEnv(t)
	opts := options(t, org, e)
	first := run(t, opts, e.state)
	packs := org.TotalGitRequests("pack")

	// Nothing changed: every report is reused, nothing fetched or scanned.
	second := run(t, opts, e.state)
	want := audit.Stats{Listed: liveRepos + 4, Selected: liveRepos + 2, Archived: 1, Forks: 1, Reused: liveRepos + 1, Failed: 1}
	if diff := cmp.Diff(want, second.Stats); diff != "" {
		t.Errorf("re-run Stats mismatch (-want +got):\n%s", diff)
	}
	if got := org.TotalGitRequests("pack"); got != packs {
		t.Errorf("re-run fetched %d times, want no fetch", got-packs)
	}
	if diff := cmp.Diff(reportsOf(t, first.Report), reportsOf(t, second.Report)); diff != "" {
		t.Errorf("re-run disagrees with the first run (-first +second):\n%s", diff)
	}
	for _, r := range second.Report.Repositories {
		for _, tr := range r.Tracking {
			if tr.Status != state.StatusOpen {
				t.Errorf("%s: %s is %s on an unchanged re-run, want open", r.FullName, tr.Fingerprint, tr.Status)
			}
		}
	}
	if second.Report.Summary.New != 0 || second.Report.Summary.Fixed != 0 {
		t.Errorf("re-run: %d new, %d fixed; want none", second.Report.Summary.New, second.Report.Summary.Fixed)
	}

	// Pushes: a new secret in svc-01, a force-push dropping svc-04's
	// history secret, the shared key removed from svc-07's working tree.
	newPAT := audittest.GitHubPAT("pushed")
	org.AddCommit("svc-01", audittest.Commit{Message: "more", Files: map[string]string{"ci/token.txt": "token: " + newPAT + "\n"}})
	org.ResetMain("svc-04", 2, audittest.Commit{Message: "clean", Files: map[string]string{"CHANGELOG.md": "v2\n"}})
	org.AddCommit("svc-07", audittest.Commit{Message: "drop key", Files: map[string]string{"deploy/aws.ini": ""}})
	oldFP := credentialAt(entry(t, first.Report, "svc-04").Report, "config.ini").Fingerprint

	third := run(t, opts, e.state)
	st := third.Stats
	if st.Reused != liveRepos-3+1 || st.Incremental != 2 || st.Scanned != 1 {
		t.Errorf("after pushes: %d reused, %d incremental, %d scanned; want %d, 2, 1 (the force-pushed one)", st.Reused, st.Incremental, st.Scanned, liveRepos-2)
	}
	// Only the pushed commits are read: one each in svc-01 and svc-07, and
	// the two commits of svc-04's rewritten history.
	if st.NewCommits != 4 {
		t.Errorf("after pushes: %d commits read, want 4", st.NewCommits)
	}
	tracked := map[string]state.Status{}
	for _, r := range third.Report.Repositories {
		for _, tr := range r.Tracking {
			if tr.Status != state.StatusOpen {
				tracked[r.FullName+" "+tr.Redacted[:4]+" "+string(tr.Status)] = tr.Status
			}
			if r.FullName == "acme/svc-04" && tr.Fingerprint == oldFP && tr.FixedAt == nil {
				t.Errorf("svc-04's rewritten-away key has no fixed time")
			}
		}
	}
	wantTracked := map[string]state.Status{"acme/svc-01 ghp_ new": state.StatusNew, "acme/svc-04 AKIA fixed": state.StatusFixed}
	if diff := cmp.Diff(wantTracked, tracked); diff != "" {
		t.Errorf("tracking after pushes (-want +got):\n%s", diff)
	}
	if c := credentialAt(entry(t, third.Report, "svc-07").Report, "deploy/aws.ini"); c == nil || c.Occurrences[0].Where != scanner.WhereHistory || c.Occurrences[0].InHead {
		t.Errorf("svc-07: removed key should be a history occurrence: %+v", c)
	}

	// The incremental result equals a fresh audit of the same org.
	fe := newEnv(t)
	fresh := run(t, options(t, org, fe), fe.state)
	if diff := cmp.Diff(reportsOf(t, fresh.Report), reportsOf(t, third.Report)); diff != "" {
		t.Errorf("incremental audit differs from a fresh one (-fresh +incremental):\n%s", diff)
	}
}

func TestRun_ShardsMerge(t *testing.T) {
	org := newOrg(t)
	we := newEnv(t)
	whole := run(t, options(t, org, we), we.state)

	const n = 3
	var shards []*audit.Report
	total := 0
	for i := range n {
		e := newEnv(t)
		opts := options(t, org, e)
		opts.Shard = audit.Shard{Index: i, Count: n}
		res := run(t, opts, e.state)
		total += res.Stats.Selected
		// Round-trip through JSON, as shard artifacts do.
		r, err := audit.ReadJSON(bytes.NewReader(jsonOf(t, res.Report)))
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, r)
	}
	if total != whole.Stats.Selected {
		t.Errorf("shards audited %d repositories, the whole audit %d", total, whole.Stats.Selected)
	}
	// Any order of shards merges to the same report.
	shards[0], shards[2] = shards[2], shards[0]
	merged, err := audit.Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(normalizeJSON(jsonOf(t, whole.Report)), normalizeJSON(jsonOf(t, merged))); diff != "" {
		t.Errorf("merged shards differ from the whole audit (-whole +merged):\n%s", diff)
	}
}

func TestRun_Resume(t *testing.T) {
	org := newOrg(t)
	e := newEnv(t)
	opts := options(t, org, e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done []string
	opts.Progress = func(ev audit.Event) {
		if ev.Err == nil {
			done = append(done, ev.FullName)
		}
		if len(done) == 5 {
			cancel()
		}
	}
	db, err := state.Open(ctx, e.state)
	if err != nil {
		t.Fatal(err)
	}
	opts.State = db
	_, err = audit.Run(ctx, opts)
	db.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted audit.Run error = %v, want context.Canceled", err)
	}
	packs := map[string]int{}
	for _, n := range done {
		packs[n] = org.GitRequests(n, "pack") + org.GitRequests(n, "refs")
	}

	opts.Progress = nil
	res := run(t, opts, e.state)
	if !res.Stats.ResumedRun || res.Stats.Resumed < 5 {
		t.Errorf("resumed run: ResumedRun %v, %d resumed; want true and at least 5", res.Stats.ResumedRun, res.Stats.Resumed)
	}
	for _, n := range done {
		if got := org.GitRequests(n, "pack") + org.GitRequests(n, "refs"); got != packs[n] {
			t.Errorf("%s was completed before the interruption but redone", n)
		}
	}
	if got := len(res.Report.Repositories); got != liveRepos+2 {
		t.Errorf("resumed audit has %d repositories, want %d", got, liveRepos+2)
	}
	// The next run starts afresh: everything reused, nothing resumed.
	again := run(t, opts, e.state)
	if again.Stats.ResumedRun || again.Stats.Reused != liveRepos+1 {
		t.Errorf("run after a completed resume: %+v", again.Stats)
	}
}

func TestRun_Filters(t *testing.T) {
	org := smallOrg(t)
	e := newEnv(t)
	opts := options(t, org, e)
	opts.IncludeArchived, opts.IncludeForks = true, true
	opts.Repos = "svc-0[0-2],acme/legacy,upstream-*"
	res := run(t, opts, "")
	var got []string
	for _, r := range res.Report.Repositories {
		got = append(got, r.FullName)
	}
	want := []string{"acme/legacy", "acme/svc-00", "acme/svc-01", "acme/svc-02", "acme/upstream-fork"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("selected repositories (-want +got):\n%s", diff)
	}
	for _, r := range res.Report.Repositories {
		for _, tr := range r.Tracking {
			if tr.Status != state.StatusNew {
				t.Errorf("without state, %s is %s, want new", tr.Fingerprint, tr.Status)
			}
		}
	}
}

func TestRun_Auth(t *testing.T) {
	org := smallOrg(t)
	e := newEnv(t)
	tests := []struct {
		name      string
		apiToken  string
		gitToken  string
		intercept func(w http.ResponseWriter, r *http.Request) bool
		want      string
	}{
		{name: "bad api token", apiToken: "wrong", gitToken: audittest.Token, want: "401 Bad credentials"},
		{name: "forbidden", apiToken: audittest.Token, gitToken: audittest.Token, intercept: func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
			return true
		}, want: "403 Resource not accessible"},
		{name: "bad git token", apiToken: audittest.Token, gitToken: "wrong", want: "authentication required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			org.Intercept = tc.intercept
			defer func() { org.Intercept = nil }()
			opts := options(t, org, e)
			opts.GitHub = client(t, org, tc.apiToken, audit.RetryPolicy{})
			opts.Token = tc.gitToken
			_, err := audit.Run(context.Background(), opts)
			if !errors.Is(err, audit.ErrAuth) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("audit.Run error = %v, want ErrAuth mentioning %q", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), audittest.Token) || strings.Contains(err.Error(), "wrong")) {
				t.Errorf("error carries a token: %v", err)
			}
		})
	}
}

func TestRun_OrgNotFound(t *testing.T) {
	org := smallOrg(t)
	opts := options(t, org, newEnv(t))
	opts.Org = "nobody"
	_, err := audit.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), `list repositories for org "nobody": not found (404)`) {
		t.Errorf("audit.Run error = %v, want a 404 naming the org", err)
	}
}

// TestRun_RateLimits serves rate limits and server errors before each page
// and checks that the audit waits them out.
func TestRun_RateLimits(t *testing.T) {
	org := smallOrg(t)
	var mu sync.Mutex
	calls := map[string]int{}
	reset := time.Now().Add(90 * time.Second).Truncate(time.Second)
	org.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		page := r.URL.Query().Get("page")
		calls[page]++
		w.Header().Set("Content-Type", "application/json")
		switch {
		case page == "" && calls[page] == 1: // primary limit
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(reset.Unix()))
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"API rate limit exceeded"}`)
			return true
		case page == "2" && calls[page] == 1: // secondary limit
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
			return true
		case page == "3" && calls[page] <= 2: // server errors
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, `{"message":"Server Error"}`)
			return true
		case page == "4" && calls[page] == 1: // 429 with Retry-After
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}
	var waits []time.Duration
	p := audit.RetryPolicy{
		Now:    func() time.Time { return reset.Add(-60 * time.Second) },
		Jitter: func(time.Duration) time.Duration { return 0 },
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, d)
			return nil
		},
	}
	opts := options(t, org, newEnv(t))
	opts.GitHub = client(t, org, audittest.Token, p)
	opts.Repos = "svc-00"
	res := run(t, opts, "")
	if len(res.Report.Repositories) != 1 {
		t.Errorf("audited %d repositories, want 1", len(res.Report.Repositories))
	}
	want := []time.Duration{60 * time.Second, 7 * time.Second, time.Second, 2 * time.Second, 3 * time.Second}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}

	// A limit that lasts longer than the policy allows stops the audit.
	org.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(2*time.Hour).Unix()))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"API rate limit exceeded"}`)
		return true
	}
	p.Now = nil
	opts.GitHub = client(t, org, audittest.Token, p)
	_, err := audit.Run(context.Background(), opts)
	var rl *audit.RateLimitError
	if !errors.As(err, &rl) || errors.Is(err, audit.ErrAuth) {
		t.Errorf("audit.Run error = %v, want a RateLimitError, not an auth failure", err)
	}
}

func sortedNames(r *audit.Report) []string {
	var out []string
	for _, e := range r.Repositories {
		out = append(out, e.FullName)
	}
	sort.Strings(out)
	return out
}

// TestStart checks the fake organisation outside a test's lifetime, as
// testscript's Setup would start it.
func TestStart(t *testing.T) {
	if !audittest.GitAvailable() {
		t.Skip("git is not installed")
	}
	org, err := audittest.Start("acme", []*audittest.Repo{{Name: "api", Commits: []audittest.Commit{{Files: map[string]string{"a": "b\n"}}}}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	opts := options(t, org, newEnv(t))
	res := run(t, opts, "")
	if len(res.Report.Repositories) != 1 || len(org.Unexpected()) != 0 {
		t.Errorf("audit of a started org: %d repositories, unexpected requests %v", len(res.Report.Repositories), org.Unexpected())
	}
}

// TestRun_TokenFunc checks that clones ask for a fresh token each time (an
// App token renewed during a long audit), and that failing to get one stops
// the audit as an authentication failure.
func TestRun_TokenFunc(t *testing.T) {
	org := smallOrg(t)
	e := newEnv(t)
	opts := options(t, org, e)
	opts.Token = ""
	var calls atomic.Int64
	opts.TokenFunc = func(context.Context) (string, error) {
		calls.Add(1)
		return audittest.Token, nil
	}
	res := run(t, opts, "")
	if n := int64(len(res.Report.Repositories)); calls.Load() < n-2 {
		t.Errorf("TokenFunc called %d times for %d repositories, want about once each", calls.Load(), n)
	}
	opts = options(t, org, newEnv(t))
	opts.Token = ""
	opts.TokenFunc = func(context.Context) (string, error) { return "", errors.New("minting refused") }
	if _, err := audit.Run(context.Background(), opts); !errors.Is(err, audit.ErrAuth) || !strings.Contains(err.Error(), "minting refused") {
		t.Errorf("audit.Run with a failing TokenFunc error = %v, want ErrAuth", err)
	}
}
