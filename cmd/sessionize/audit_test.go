package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate/github/githubtest"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
	"github.com/sessionize/sessionize/scanner/audit/audittest"
	"github.com/sessionize/sessionize/scanner/report"
)

// cliOrg is a small fake organisation for CLI tests (audittest.SampleRepos):
// two repositories with secrets (one only in history) sharing a key, a
// clean one, an archived one.
func cliOrg(t *testing.T) *audittest.Org {
	return audittest.New(t, "acme", audittest.SampleRepos())
}

func cliEnv(t *testing.T, org *audittest.Org) map[string]string {
	home := t.TempDir()
	return map[string]string{
		"GITHUB_TOKEN":      audittest.Token,
		"GITHUB_API_URL":    strings.TrimSuffix(org.APIURL, "/"),
		"GITHUB_SERVER_URL": org.Git.URL,
		"HOME":              home,
		"XDG_CACHE_HOME":    filepath.Join(home, "xdg"),
		"NO_COLOR":          "1",
	}
}

func runTool(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

var timeFields = regexp.MustCompile(`"(duration_ms|generated_at|first_seen|last_seen|fixed_at)": ("[^"]*"|[0-9]+|null)`)

func normalized(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return timeFields.ReplaceAllString(string(data), `"$1": X`)
}

func TestAudit_CLI(t *testing.T) {
	org := cliOrg(t)
	env := cliEnv(t, org)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.json")

	code, stdout, stderr := runTool(t, env, "audit", "--org", "acme", "-o", whole)
	if code != exitOK || stdout != "" {
		t.Fatalf("audit exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	var doc struct {
		Org          string `json:"org"`
		Repositories []struct {
			FullName string          `json:"full_name"`
			Report   json.RawMessage `json:"report"`
			Error    *string         `json:"error"`
		} `json:"repositories"`
		Summary struct {
			Credentials     int `json:"credentials"`
			CrossRepository []struct {
				Repositories []string `json:"repositories"`
			} `json:"cross_repository"`
		} `json:"summary"`
	}
	data, _ := os.ReadFile(whole)
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("audit -o: not JSON: %v", err)
	}
	var names []string
	for _, r := range doc.Repositories {
		names = append(names, r.FullName)
	}
	if diff := cmp.Diff([]string{"acme/api", "acme/docs", "acme/lib", "acme/web"}, names); diff != "" {
		t.Errorf("audited repositories (-want +got):\n%s", diff)
	}
	if len(doc.Summary.CrossRepository) != 1 || !cmp.Equal(doc.Summary.CrossRepository[0].Repositories, []string{"acme/api", "acme/lib"}) {
		t.Errorf("cross-repository references = %+v", doc.Summary.CrossRepository)
	}
	for _, s := range []string{audittest.AWSKeyID("api"), audittest.GitHubPAT("web"), audittest.Token} {
		if strings.Contains(string(data), s) || strings.Contains(stderr, s) {
			t.Errorf("a raw secret or the token (%s...) reached the report or stderr", s[:4])
		}
	}
	// Defaults: clones under $XDG_CACHE_HOME/sessionize, state beside them.
	for _, p := range []string{"sessionize/audit-state.db", "sessionize/repos"} {
		if _, err := os.Stat(filepath.Join(env["XDG_CACHE_HOME"], p)); err != nil {
			t.Errorf("default cache: %v", err)
		}
	}

	// A re-run reuses the state: nothing new, nothing fixed.
	code, stdout, stderr = runTool(t, env, "audit", "--org", "acme", "--format", "markdown")
	if code != exitOK || !strings.Contains(stdout, "Nothing new, nothing fixed.") || !strings.Contains(stdout, "| Repositories | 4 audited, 0 failed |") {
		t.Errorf("markdown re-run: exit %d, stderr %s\n%s", code, stderr, stdout)
	}

	// --fail-on makes findings exit 1.
	if code, _, stderr = runTool(t, env, "audit", "--org", "acme", "--format", "html", "-o", filepath.Join(dir, "a.html"), "--fail-on", "low"); code != exitFindings {
		t.Errorf("--fail-on low: exit %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	if page, _ := os.ReadFile(filepath.Join(dir, "a.html")); !bytes.Contains(page, []byte(`<svg id="chart-readiness"`)) {
		t.Errorf("html report has no readiness chart")
	}

	// SARIF per repository, when this build has the SARIF writer.
	sarifDir := filepath.Join(dir, "sarif")
	code, _, stderr = runTool(t, env, "audit", "--org", "acme", "--format", "sarif", "-o", sarifDir)
	if _, err := report.Lookup("sarif"); err != nil {
		if code != exitError || !strings.Contains(stderr, "no sarif writer") {
			t.Errorf("sarif without a writer: exit %d, stderr %s", code, stderr)
		}
	} else if _, err := os.Stat(filepath.Join(sarifDir, "acme", "web.sarif")); code != exitOK || err != nil {
		t.Errorf("sarif: exit %d, %v; stderr %s", code, err, stderr)
	}

	// Two shards on two "machines" (own cache and state) merge to the whole.
	var shards []string
	for i, s := range []string{"0/2", "1/2"} {
		out := filepath.Join(dir, "shard"+s[:1]+".json")
		shards = append(shards, out)
		code, _, stderr = runTool(t, env, "audit", "--org", "acme", "--shard", s, "--cache-dir", filepath.Join(dir, "m"+s[:1]), "-o", out)
		if code != exitOK {
			t.Fatalf("shard %d: exit %d, stderr:\n%s", i, code, stderr)
		}
	}
	merged := filepath.Join(dir, "merged.json")
	if code, _, stderr = runTool(t, env, append([]string{"report", "merge", "-o", merged}, shards[1], shards[0])...); code != exitOK {
		t.Fatalf("report merge: exit %d, stderr:\n%s", code, stderr)
	}
	// The whole audit's tracking ran against its state's first run: compare
	// with a fresh whole audit.
	fresh := filepath.Join(dir, "fresh.json")
	if code, _, stderr = runTool(t, env, "audit", "--org", "acme", "--state", "none", "-o", fresh); code != exitOK {
		t.Fatalf("fresh audit: exit %d, stderr:\n%s", code, stderr)
	}
	if diff := cmp.Diff(normalized(t, fresh), normalized(t, merged)); diff != "" {
		t.Errorf("merged shards differ from the whole audit (-whole +merged):\n%s", diff)
	}
}

func TestAudit_RepositoryFailure(t *testing.T) {
	org := audittest.New(t, "acme", []*audittest.Repo{
		{Name: "ok", Commits: []audittest.Commit{{Files: map[string]string{"a.txt": "hello\n"}}}},
		{Name: "gone", Missing: true},
	})
	env := cliEnv(t, org)
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runTool(t, env, "audit", "--org", "acme", "-o", out)
	if code != exitError || !strings.Contains(stderr, "1 of 2 repositories could not be audited") || !strings.Contains(stderr, "acme/gone") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 naming acme/gone", code, stderr)
	}
	if data, err := os.ReadFile(out); err != nil || !bytes.Contains(data, []byte(`"full_name": "acme/ok"`)) {
		t.Errorf("the report is written despite the failure: %v", err)
	}
}

func TestAudit_AuthFailure(t *testing.T) {
	org := cliOrg(t)
	env := cliEnv(t, org)
	env["GITHUB_TOKEN"] = "expired"
	code, _, stderr := runTool(t, env, "audit", "--org", "acme", "--state", "none")
	if code != exitError || !strings.Contains(stderr, "github authentication failed: 401 Bad credentials") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "expired") {
		t.Errorf("the token reached stderr")
	}
}

func TestAudit_Flags(t *testing.T) {
	env := map[string]string{"GITHUB_TOKEN": "t", "HOME": t.TempDir()}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no org", []string{"audit"}, env, "error: --org is required"},
		{"org with slash", []string{"audit", "--org", "acme/api"}, env, "want an organisation login"},
		{"bad shard", []string{"audit", "--org", "acme", "--shard", "2/2"}, env, "error: --shard: shard \"2/2\": want I/N with 0 <= I < N"},
		{"bad format", []string{"audit", "--org", "acme", "--format", "xml"}, env, "error: --format: unknown format \"xml\""},
		{"sarif to stdout", []string{"audit", "--org", "acme", "--format", "sarif"}, env, "give a directory with -o"},
		{"max prs alone", []string{"audit", "--org", "acme", "--max-prs", "3"}, env, "--max-prs needs --open-prs"},
		{"bad glob", []string{"audit", "--org", "acme", "--repos", "[a"}, env, "--repos: repository pattern"},
		{"app id not numeric", []string{"audit", "--org", "acme", "--app-id", "x"}, env, "--app-id \"x\": want the App's numeric ID"},
		{"app without key", []string{"audit", "--org", "acme", "--app-id", "12"}, env, "--app-id needs the App's private key"},
		{"key without app", []string{"audit", "--org", "acme", "--app-private-key-file", "k.pem"}, env, "--app-private-key-file needs --app-id"},
		{"bad app key", []string{"audit", "--org", "acme", "--app-id", "12"}, map[string]string{"SESSIONIZE_APP_PRIVATE_KEY": "k", "HOME": "/h"}, "GitHub App private key: not PEM"},
		{"no token", []string{"audit", "--org", "acme"}, map[string]string{"HOME": "/h"}, "no GitHub credentials: in GitHub Actions pass the job's token"},
		{"unknown api", []string{"audit", "--org", "acme"}, map[string]string{"GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://api.example.com", "HOME": "/h"}, "set GITHUB_SERVER_URL"},
		{"merge nothing", []string{"report", "merge"}, env, "requires at least 1 arg"},
		{"report alone", []string{"report"}, env, "report needs a subcommand: merge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runTool(t, tc.env, tc.args...)
			if code != exitError || !strings.Contains(stderr, tc.want) {
				t.Errorf("sessionize %s: exit %d, stderr:\n%s\nwant exit %d and %q", strings.Join(tc.args, " "), code, stderr, exitError, tc.want)
			}
		})
	}
}

// auditPRServer is a fake GitHub serving organisation acme: "site" with a
// workflow wiring stored AWS keys (fixable), "docs" without credentials.
func auditPRServer(t *testing.T, opts githubtest.Options) (*githubtest.Server, map[string]string) {
	t.Helper()
	srv := githubtest.New(t, opts)
	srv.AddRepo("acme", "docs", map[string]string{"README.md": "# docs\n"})
	srv.AddRepo("acme", "site", map[string]string{prWorkflow: prDeploy, "README.md": "# site\n"})
	home := t.TempDir()
	env := map[string]string{
		"GITHUB_API_URL": srv.APIURL(), "GITHUB_SERVER_URL": srv.ServerURL(),
		"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, "xdg"), "NO_COLOR": "1",
	}
	return srv, env
}

// auditPRs reads the pull requests of each repository from a JSON report.
func auditPRs(t *testing.T, p string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Repositories []struct {
			FullName     string   `json:"full_name"`
			PullRequests []string `json:"pull_requests"`
			Error        *string  `json:"error"`
		} `json:"repositories"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range doc.Repositories {
		if r.Error != nil {
			t.Errorf("%s failed: %s", r.FullName, *r.Error)
		}
		out[r.FullName] = r.PullRequests
	}
	return out
}

// TestAudit_OpenPRs: --open-prs opens a pull request on the repository
// with a fixable workflow, through the same delivery as `sessionize pr`;
// a re-run updates nothing and opens nothing new.
func TestAudit_OpenPRs(t *testing.T) {
	srv, env := auditPRServer(t, githubtest.Options{Token: prToken})
	env["GITHUB_TOKEN"] = prToken
	out := filepath.Join(t.TempDir(), "audit.json")
	code, _, stderr := runTool(t, env, "audit", "--org", "acme", "--open-prs", "--max-prs", "3", "-o", out)
	if code != exitOK {
		t.Fatalf("audit --open-prs: exit %d, stderr:\n%s", code, stderr)
	}
	pr := srv.ServerURL() + "/acme/site/pull/1"
	if diff := cmp.Diff(map[string][]string{"acme/docs": nil, "acme/site": {pr}}, auditPRs(t, out)); diff != "" {
		t.Errorf("pull requests in the report (-want +got):\n%s", diff)
	}
	pulls := srv.Pulls("acme", "site")
	if len(pulls) != 1 || pulls[0].Head != "sessionize/gha-aws-oidc/github-workflows-deploy-yml" || pulls[0].Base != "main" {
		t.Fatalf("pull requests on acme/site: %+v", pulls)
	}
	// Subject claims carry the repository's IDs, as pr's do.
	repo := srv.Repo("acme", "site")
	if immutable := "repo:acme@" + itoa(repo.OwnerID) + "/site@" + itoa(repo.ID) + ":ref:refs/heads/main"; !strings.Contains(pulls[0].Body, immutable) {
		t.Errorf("body lacks %q", immutable)
	}
	if got, err := srv.ReadFile("acme", "site", pulls[0].Head, prWorkflow); err != nil || !strings.Contains(got, "id-token: write") {
		t.Errorf("pushed workflow (%v):\n%s", err, got)
	}
	if strings.Contains(stderr, prToken) {
		t.Error("the token reached stderr")
	}

	// The state makes the re-run reuse the clone; the pull request is
	// found again, not opened twice.
	code, _, stderr = runTool(t, env, "audit", "--org", "acme", "--open-prs", "-o", out)
	if code != exitOK {
		t.Fatalf("second audit: exit %d, stderr:\n%s", code, stderr)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls after two audits, want 1", n)
	}
}

// TestAudit_GitHubApp: --app-id mints an installation token for the
// organisation from the App's JWT (verified by the fake with the App's
// public key), and that token lists, clones and opens the pull request.
func TestAudit_GitHubApp(t *testing.T) {
	key, _, keyFile := appKeyFile(t)
	inst := fakeGitHubToken("ghs", "AUDITapp")
	srv, env := auditPRServer(t, githubtest.Options{
		Token: inst, App: &githubtest.App{ID: 4321, PublicKey: &key.PublicKey, InstallationID: 77, Token: inst},
	})
	out := filepath.Join(t.TempDir(), "audit.json")
	code, _, stderr := runTool(t, env, "audit", "--org", "acme", "--app-id", "4321", "--app-private-key-file", keyFile,
		"--open-prs", "--state", "none", "-o", out)
	if code != exitOK {
		t.Fatalf("audit --app-id: exit %d, stderr:\n%s", code, stderr)
	}
	if len(srv.JWTs()) == 0 {
		t.Error("no App JWT was verified")
	}
	var listed, minted bool
	for _, r := range srv.Requests() {
		switch {
		case r.Path == "/api/v3/app/installations/77/access_tokens":
			minted = r.Method == "POST"
		case strings.HasPrefix(r.Path, "/api/v3/app/") || strings.HasSuffix(r.Path, "/installation"):
			// JWT-authenticated.
		case r.Auth != "Bearer "+inst:
			t.Errorf("%s sent without the installation token", r)
		case r.Path == "/api/v3/orgs/acme/repos":
			listed = true
		}
	}
	if !minted || !listed {
		t.Errorf("token minted %v, repositories listed with it %v", minted, listed)
	}
	// Clones (both repositories) and the push used the installation token.
	if diff := cmp.Diff([][2]string{{"x-access-token", inst}}, srv.GitPasswords()); diff != "" {
		t.Errorf("git credentials mismatch (-want +got):\n%s", diff)
	}
	if pulls := srv.Pulls("acme", "site"); len(pulls) != 1 {
		t.Errorf("%d pull requests on acme/site, want 1", len(pulls))
	}
	if diff := cmp.Diff([]string{srv.ServerURL() + "/acme/site/pull/1"}, auditPRs(t, out)["acme/site"]); diff != "" {
		t.Errorf("pull requests in the report (-want +got):\n%s", diff)
	}
}

// TestAudit_PROpenerSeam: with --open-prs, the budget of --max-prs reaches
// the opener, which sees the repositories with a fixable credential only.
func TestAudit_PROpenerSeam(t *testing.T) {
	org := audittest.New(t, "acme", []*audittest.Repo{
		{Name: "docs", Commits: []audittest.Commit{{Files: map[string]string{"README.md": "# docs\n"}}}},
		{Name: "site", Commits: []audittest.Commit{{Files: map[string]string{prWorkflow: prDeploy}}}},
	})
	env := cliEnv(t, org)
	prs := &fakePROpener{}
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	cmd := auditCommand(a, auditDeps{prOpener: prs})
	cmd.SetArgs([]string{"--org", "acme", "--open-prs", "--max-prs", "2", "--state", "none"})
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("audit: %v\n%s", err, errb.String())
	}
	want := []openPRsCall{{repo: "acme/site", max: 2}}
	if diff := cmp.Diff(want, prs.calls, cmp.AllowUnexported(openPRsCall{})); diff != "" {
		t.Errorf("OpenPRs calls (-want +got):\n%s", diff)
	}
}

// fakePROpener records the calls of the audit's pull-request seam.
type fakePROpener struct{ calls []openPRsCall }

type openPRsCall struct {
	repo string
	max  int
}

var _ audit.PROpener = (*fakePROpener)(nil)

func (f *fakePROpener) OpenPRs(_ context.Context, _ string, repo audit.RepositoryInfo, _ *scanner.Report, max int) ([]string, error) {
	f.calls = append(f.calls, openPRsCall{repo.FullName, max})
	return nil, nil
}

func TestAudit_FlagsParsed(t *testing.T) {
	var got *auditOptions
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
	cmd := auditCommand(a, auditDeps{run: func(_ context.Context, o *auditOptions) error { got = o; return nil }})
	cmd.SetArgs([]string{
		"--org", "acme", "--shard", "1/4", "--repos", "svc-*,acme/web", "--include-archived", "--include-forks",
		"--concurrency", "3", "--cache-dir", "/c", "--state", "/s.db", "--format", "html", "-o", "r.html",
	})
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := auditOptions{
		org: "acme", shard: "1/4", repos: "svc-*,acme/web", includeArchived: true, includeForks: true,
		concurrency: 3, cacheDir: "/c", statePath: "/s.db", format: "html", output: "r.html", failOn: "none", maxFileSize: "10MiB",
	}
	if diff := cmp.Diff(want, *got, cmp.AllowUnexported(auditOptions{}, githubAuth{})); diff != "" {
		t.Errorf("parsed options (-want +got):\n%s", diff)
	}
}
