package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/sessionize/sessionize/remediate"
	rgithub "github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
	"github.com/sessionize/sessionize/scanner/audit"
)

// prToken is a fake installation token, built at run time.
var prToken = fakeGitHubToken("ghs", "PRtest")

// fakeGitHubToken builds a token-shaped fake at run time from a prefix and
// deterministic filler (STYLE §9), so that no token-shaped literal sits in
// the source for the tool's own scan to find.
func fakeGitHubToken(prefix, filler string) string {
	return prefix + "_" + strings.Repeat(filler, 36/len(filler)+1)[:36]
}

// testAppKey is a GitHub App key generated once per test binary: never a
// committed key.
var testAppKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// appKeyFile writes testAppKey as GitHub hands it out (PKCS#1 PEM) and
// returns the key, the PEM and the file.
func appKeyFile(t *testing.T) (*rsa.PrivateKey, []byte, string) {
	t.Helper()
	key, err := testAppKey()
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	p := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(p, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	return key, pemKey, p
}

const (
	prWorkflow = ".github/workflows/deploy.yml"
	prDeploy   = `name: Deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read   # read the site
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 sync ./site s3://my-bucket --delete
`
)

// prCheckout makes a local checkout of acme/site holding files, its origin
// on github.com, as a developer or an Actions job has it.
func prCheckout(t *testing.T, files map[string]string) string {
	t.Helper()
	return checkoutWithOrigin(t, files, "https://github.com/acme/site.git")
}

// checkoutWithOrigin makes a local checkout holding files, committed, with
// origin at originURL.
func checkoutWithOrigin(t *testing.T, files map[string]string, originURL string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	if err := gitc("init", dir, ""); err != nil {
		t.Fatal(err)
	}
	for p, c := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := gitc("commit", dir, "initial"); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{originURL}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runPRCmd runs the tool with env as the whole environment.
func runPRCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func prServer(t *testing.T, opts githubtest.Options, files map[string]string) (*githubtest.Server, map[string]string) {
	t.Helper()
	srv := githubtest.New(t, opts)
	srv.AddRepo("acme", "site", files)
	env := map[string]string{"GITHUB_API_URL": srv.APIURL(), "GITHUB_SERVER_URL": srv.ServerURL(), "NO_COLOR": "1"}
	return srv, env
}

func TestPR_OpensThenUpdates(t *testing.T) {
	files := map[string]string{prWorkflow: prDeploy, "README.md": "# site\n"}
	srv, env := prServer(t, githubtest.Options{Token: prToken}, files)
	env["GITHUB_TOKEN"] = prToken
	dir := prCheckout(t, files)

	code, stdout, stderr := runPRCmd(t, env, "pr", dir, "--role-arn", "arn:aws:iam::111122223333:role/deploy")
	if code != exitOK {
		t.Fatalf("pr exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "created   #1    sessionize/gha-aws-oidc/github-workflows-deploy-yml (.github/workflows/deploy.yml)") {
		t.Errorf("stdout:\n%s", stdout)
	}
	pulls := srv.Pulls("acme", "site")
	if len(pulls) != 1 {
		t.Fatalf("%d pull requests, want 1", len(pulls))
	}
	body := pulls[0].Body
	// The IDs from the API make the immutable subject exact.
	repo := srv.Repo("acme", "site")
	immutable := "repo:acme@" + itoa(repo.OwnerID) + "/site@" + itoa(repo.ID) + ":ref:refs/heads/main"
	for _, s := range []string{"`repo:acme/site:ref:refs/heads/main`", "`" + immutable + "`", "role-to-assume: arn:aws:iam::111122223333:role/deploy"} {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q:\n%s", s, body)
		}
	}
	got, err := srv.ReadFile("acme", "site", "sessionize/gha-aws-oidc/github-workflows-deploy-yml", prWorkflow)
	if err != nil || !strings.Contains(got, "contents: read   # read the site") || !strings.Contains(got, "id-token: write") {
		t.Errorf("pushed workflow (%v):\n%s", err, got)
	}

	code, stdout, stderr = runPRCmd(t, env, "pr", dir, "--role-arn", "arn:aws:iam::111122223333:role/deploy")
	if code != exitOK || !strings.Contains(stdout, "unchanged #1") {
		t.Errorf("second run: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls, want 1", n)
	}
}

func TestPR_AuthorFromConfigAndFlag(t *testing.T) {
	files := map[string]string{prWorkflow: prDeploy}
	srv, env := prServer(t, githubtest.Options{Token: prToken}, files)
	env["GITHUB_TOKEN"] = prToken
	dir := prCheckout(t, map[string]string{
		prWorkflow:         prDeploy,
		".sessionize.toml": "[pr]\nauthor = \"Security Bot <security-bot@example.com>\"\nlabels = [\"credentials\"]\ndraft = true\n",
	})
	if code, _, stderr := runPRCmd(t, env, "pr", dir, "--base", "main"); code != exitOK {
		t.Fatalf("pr exit %d:\n%s", code, stderr)
	}
	log := srv.Log("acme", "site", "main", "sessionize/gha-aws-oidc/github-workflows-deploy-yml")
	if len(log) != 1 || log[0].AuthorName != "Security Bot" || log[0].Email != "security-bot@example.com" {
		t.Errorf("commits %+v, want one by Security Bot", log)
	}
	p := srv.Pulls("acme", "site")[0]
	if !p.Draft || !cmp.Equal(p.Labels, []string{"security", "sessionize", "github-actions", "credentials"}) {
		t.Errorf("pull request draft %v labels %q", p.Draft, p.Labels)
	}
	// --author wins; the earlier commit is then someone else's: comment.
	srv.Commit("acme", "site", "main", map[string]string{"README.md": "new\n"}, "Alice", "alice@example.com", "readme")
	code, stdout, stderr := runPRCmd(t, env, "pr", dir, "--author", "Other <other@example.com>")
	if code != exitOK || !strings.Contains(stdout, "commented #1") {
		t.Errorf("with another author: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestPR_GitHubApp(t *testing.T) {
	key, pemKey, keyFile := appKeyFile(t)
	inst := fakeGitHubToken("ghs", "APPinstallation")
	files := map[string]string{prWorkflow: prDeploy}
	srv, env := prServer(t, githubtest.Options{Token: inst, App: &githubtest.App{ID: 99, PublicKey: &key.PublicKey, InstallationID: 5, Token: inst}}, files)
	dir := prCheckout(t, files)
	code, stdout, stderr := runPRCmd(t, env, "pr", dir, "--app-id", "99", "--app-private-key-file", keyFile)
	if code != exitOK || !strings.Contains(stdout, "created") {
		t.Fatalf("pr exit %d\n%s%s", code, stdout, stderr)
	}
	if len(srv.JWTs()) == 0 {
		t.Error("no App JWT was verified")
	}
	if diff := cmp.Diff([][2]string{{"x-access-token", inst}}, srv.GitPasswords()); diff != "" {
		t.Errorf("git credentials mismatch (-want +got):\n%s", diff)
	}
	// The key from the environment, pasted on one line.
	env["SESSIONIZE_APP_PRIVATE_KEY"] = strings.ReplaceAll(string(pemKey), "\n", `\n`)
	if code, _, stderr := runPRCmd(t, env, "pr", dir, "--app-id", "99"); code != exitOK {
		t.Errorf("with SESSIONIZE_APP_PRIVATE_KEY: exit %d\n%s", code, stderr)
	}
}

func TestPR_DryRunMakesNoRequest(t *testing.T) {
	secret := "npm_" + strings.Repeat("Ab3dE", 7) + "x"
	files := map[string]string{prWorkflow: prDeploy, ".npmrc": "//registry.npmjs.org/:_authToken=" + secret + "\n"}
	srv, env := prServer(t, githubtest.Options{Token: prToken}, map[string]string{"README.md": "x\n"})
	env["GITHUB_TOKEN"] = prToken
	dir := prCheckout(t, files)
	before := len(srv.Requests())
	code, stdout, stderr := runPRCmd(t, env, "pr", dir, "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, s := range []string{
		"=== pull request 1 of 2", "branch: sessionize/gha-aws-oidc/github-workflows-deploy-yml", "base:   (the repository's default branch)",
		"title:  Replace AWS access keys with an OIDC role assumption in .github/workflows/deploy.yml",
		"labels: security, sessionize, github-actions", "----- body -----", "## Rollout", "----- diff -----",
		"+          role-to-assume: ${{ vars.AWS_ROLE_ARN }}", "branch: sessionize/npmrc-env/npmrc",
	} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if strings.Contains(stdout+stderr, secret) {
		t.Error("dry run printed the raw secret")
	}
	if after := len(srv.Requests()); after != before || len(srv.GitRequests()) != 0 {
		t.Errorf("dry run made %d API and %d git requests", after-before, len(srv.GitRequests()))
	}
}

func TestPR_Errors(t *testing.T) {
	dir := prCheckout(t, map[string]string{prWorkflow: prDeploy})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no credentials", nil, []string{"pr", dir}, "no GitHub credentials: in GitHub Actions pass the job's token"},
		{"bad author", nil, []string{"pr", dir, "--author", "nobody"}, `--author: author "nobody": want "Name <email>"`},
		{"key without app", nil, []string{"pr", dir, "--app-private-key-file", "k.pem"}, "--app-private-key-file needs --app-id"},
		{"app without key", nil, []string{"pr", dir, "--app-id", "12"}, "--app-id needs the App's private key"},
		{"remote", nil, []string{"pr", "https://github.com/acme/site"}, "pr works on a local checkout"},
		{"unknown fixer", nil, []string{"pr", dir, "--only", "nope"}, `--only: unknown fixer "nope"`},
		{"bad base", nil, []string{"pr", dir, "--base", "a..b"}, `--base "a..b": not a branch name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runPRCmd(t, tt.env, tt.args...)
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %q", code, stderr, tt.want)
			}
		})
	}
}

func TestPR_FlagsShareFix(t *testing.T) {
	var got *prOptions
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
	cmd := newPRCmdWith(a, func(_ context.Context, o *prOptions) error { got = o; return nil })
	cmd.SetArgs([]string{
		"repo", "--role-arn", "arn:aws:iam::1:role/x", "--only", "gha-aws-oidc", "--workflow-app-id", "7",
		"--app-id", "8", "--repo", "acme/site", "--base", "release", "--draft", "--dry-run",
	})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.fix.target != "repo" || got.fix.ids.AWSRoleARN != "arn:aws:iam::1:role/x" || got.fix.ids.GitHubAppID != "7" ||
		got.auth.appID != "8" || got.fix.repo != "acme/site" || !cmp.Equal(got.fix.only, []string{"gha-aws-oidc"}) ||
		got.base != "release" || !got.draft || !got.dryRun {
		t.Errorf("parsed %+v, fix %+v", got, got.fix)
	}
	if cmd.Flags().Lookup("write") != nil {
		t.Error("pr has fix's --write")
	}
	// Every flag fix and pr share is fix's, with its help.
	fix := newFixCmd(a)
	fix.Flags().VisitAll(func(ff *pflag.Flag) {
		if ff.Name == "write" || ff.Name == "app-id" {
			return
		}
		if pf := cmd.Flags().Lookup(ff.Name); pf == nil || pf.Usage != ff.Usage {
			t.Errorf("pr's --%s differs from fix's", ff.Name)
		}
	})
}

// The audit's pull requests go through the same delivery.
var _ audit.PROpener = (*auditOpener)(nil)

func TestAuditOpener(t *testing.T) {
	files := map[string]string{prWorkflow: prDeploy}
	srv, env := prServer(t, githubtest.Options{Token: prToken}, files)
	env["GITHUB_TOKEN"] = prToken
	dir := prCheckout(t, files)
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	r, _, err := a.planFixes(t.Context(), dir, remediate.Options{Repo: "acme/site"})
	if err != nil {
		t.Fatal(err)
	}
	o := &auditOpener{client: a.gitHub(githubAuth{}, rgithub.InstallationTarget{Owner: "acme"}).Client}
	urls, err := o.OpenPRs(t.Context(), dir, audit.RepositoryInfo{FullName: "acme/site", DefaultBranch: "main"}, r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{srv.ServerURL() + "/acme/site/pull/1"}, urls); diff != "" {
		t.Errorf("OpenPRs() mismatch (-want +got):\n%s", diff)
	}
}

// TestAuditOpener_BadCredentials: credentials GitHub rejects stop the
// audit (audit.ErrAuth) instead of failing each repository in turn.
func TestAuditOpener_BadCredentials(t *testing.T) {
	files := map[string]string{prWorkflow: prDeploy}
	_, env := prServer(t, githubtest.Options{Token: prToken}, files)
	env["GITHUB_TOKEN"] = fakeGitHubToken("ghs", "Expired")
	dir := prCheckout(t, files)
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	r, _, err := a.planFixes(t.Context(), dir, remediate.Options{Repo: "acme/site"})
	if err != nil {
		t.Fatal(err)
	}
	o := &auditOpener{client: a.gitHub(githubAuth{}, rgithub.InstallationTarget{Owner: "acme"}).Client}
	_, err = o.OpenPRs(t.Context(), dir, audit.RepositoryInfo{FullName: "acme/site", DefaultBranch: "main"}, r, 0)
	if !errors.Is(err, audit.ErrAuth) || !errors.Is(err, rgithub.ErrUnauthorized) {
		t.Errorf("OpenPRs() with a rejected token: %v, want audit.ErrAuth", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
