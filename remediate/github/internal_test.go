package github

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gh "github.com/google/go-github/v62/github"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
	"github.com/sessionize/sessionize/scanner"
)

// The real service is a pull-request creator.
var _ pullRequestCreator = (*gh.PullRequestsService)(nil)

func TestBranchName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("very-long-directory-name/", 5) + "deploy.yml"
	tests := []struct{ fixer, path, want string }{
		{"gha-aws-oidc", ".github/workflows/deploy.yml", "sessionize/gha-aws-oidc/github-workflows-deploy-yml"},
		{"npmrc-env", ".npmrc", "sessionize/npmrc-env/npmrc"},
		{"source-env", "src/Config.Java", "sessionize/source-env/src-config-java"},
		{"source-env", "a b/ü--x..y", "sessionize/source-env/a-b-x-y"},
		{"terraform-ambient", "---", "sessionize/terraform-ambient/file"},
		{"gha-aws-oidc", long, "sessionize/gha-aws-oidc/very-long-directory-name-very-long-directory-name-v-8777eb50"},
	}
	for _, tt := range tests {
		if got := BranchName(tt.fixer, tt.path); got != tt.want {
			t.Errorf("BranchName(%q, %q) = %q, want %q", tt.fixer, tt.path, got, tt.want)
		}
	}
	if a, b := Slug(long), Slug(strings.Replace(long, "deploy", "release", 1)); a == b {
		t.Errorf("Slug() of two long paths collide: %q", a)
	}
}

func TestMarker_RoundTrip(t *testing.T) {
	t.Parallel()
	c := &remediate.Change{Path: "a.yml", Fixer: "gha-aws-oidc", Fixers: []string{"gha-aws-oidc"}, Fingerprints: []string{"bbbb000000000000", "aaaa000000000000"}}
	m := markerFor(c)
	if diff := cmp.Diff([]string{"aaaa000000000000", "bbbb000000000000"}, m.Creds); diff != "" {
		t.Errorf("creds mismatch (-want +got):\n%s", diff)
	}
	got, ok := ParseMarker("text\n\n" + m.String() + "\n")
	if !ok {
		t.Fatalf("ParseMarker(%q) found nothing", m.String())
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	// The finding depends on what was found, not on the rewrite.
	c2 := *c
	c2.After, c2.Summary = []byte("other"), "other"
	if markerFor(&c2).Finding != m.Finding {
		t.Error("finding changed with the rewrite")
	}
	c2.Fingerprints = []string{"cccc000000000000"}
	if markerFor(&c2).Finding == m.Finding {
		t.Error("finding did not change with the credentials")
	}
	// Without fingerprints: the removed lines.
	a := &remediate.Change{Path: "x", Fixer: "f", Fixers: []string{"f"}, Before: []byte("k: 1\nsecret: a\n"), After: []byte("k: 1\nsecret: ${A}\n")}
	b := &remediate.Change{Path: "x", Fixer: "f", Fixers: []string{"f"}, Before: []byte("k: 2\nsecret: a\n"), After: []byte("k: 2\nsecret: ${A}\n")}
	d := &remediate.Change{Path: "x", Fixer: "f", Fixers: []string{"f"}, Before: []byte("k: 2\nsecret: b\n"), After: []byte("k: 2\nsecret: ${A}\n")}
	if markerFor(a).Finding != markerFor(b).Finding || markerFor(b).Finding == markerFor(d).Finding {
		t.Error("finding without fingerprints: want it to follow the removed lines only")
	}
	if _, ok := ParseMarker("<!-- sessionize:v2 fixer=x creds= finding=ab -->"); ok {
		t.Error("ParseMarker accepted another version")
	}
}

func FuzzParseMarker(f *testing.F) {
	// A marker as the tool writes it, rendered rather than written out: 16
	// hex digits after "creds=" read as a generic secret to our own scan.
	f.Add(Marker{Fixer: "gha-aws-oidc", Creds: []string{strings.Repeat("0f", 8), strings.Repeat("a1", 8)}, Finding: strings.Repeat("01", 8)}.String())
	f.Add("<!-- sessionize:v1 fixer=x creds= finding=a -->")
	f.Add("no marker")
	f.Fuzz(func(t *testing.T, body string) {
		m, ok := ParseMarker(body)
		if !ok {
			return
		}
		again, ok := ParseMarker(m.String())
		if !ok || !cmp.Equal(m, again) {
			t.Errorf("ParseMarker(%q) = %+v, which does not round-trip (%+v)", body, m, again)
		}
	})
}

func TestKeepChecks(t *testing.T) {
	t.Parallel()
	old := "## Rollout\n\n1. [x] Do the setup.\n2. [ ] Merge.\n- [x] Create a token.\n"
	body := "## Rollout\n\n1. [ ] Do the setup.\n2. [ ] Merge.\n3. [ ] Revoke.\n- [ ] Create a token.\n"
	want := "## Rollout\n\n1. [x] Do the setup.\n2. [ ] Merge.\n3. [ ] Revoke.\n- [x] Create a token.\n"
	if got := keepChecks(body, old); got != want {
		t.Errorf("keepChecks() mismatch (-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestRedactDiff(t *testing.T) {
	t.Parallel()
	raw := "hunter2-" + strings.Repeat("q9", 8)
	ss := secretSet{{raw: raw, redacted: "hunt****", fingerprint: "f"}}
	// A high-entropy value on a removed line, not in the report: assembled
	// here so that our own scan does not take the fixture for a secret.
	entropic := strings.Join([]string{"AbCdEf", "0123456789", "GhIjKl"}, "")
	diff := "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n password: " + raw + "\n-token: " + entropic + "\n-name: secrets.AWS_SECRET_ACCESS_KEY\n+token: ${TOKEN}\n"
	want := "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n password: hunt****\n-token: AbCd************\n-name: secrets.AWS_SECRET_ACCESS_KEY\n+token: ${TOKEN}\n"
	if got := redactDiff(diff, ss); got != want {
		t.Errorf("redactDiff() mismatch (-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestAcceptedPermissions(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                                  "",
		"pull_requests=write":               "pull_requests: write",
		"contents=write,workflows=write":    "contents: write and workflows: write",
		"pull_requests=write; issues=write": "pull_requests: write, or issues: write",
		" junk ; metadata=read ":            "metadata: read",
	}
	for in, want := range tests {
		if got := acceptedPermissions(in); got != want {
			t.Errorf("acceptedPermissions(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAuthor(t *testing.T) {
	t.Parallel()
	a, err := ParseAuthor("Security Bot <bot@example.com>")
	if err != nil || a != (Author{"Security Bot", "bot@example.com"}) {
		t.Errorf("ParseAuthor() = %+v, %v", a, err)
	}
	for _, bad := range []string{"bot@example.com", "Bot", "Bot <>", ""} {
		if _, err := ParseAuthor(bad); err == nil {
			t.Errorf("ParseAuthor(%q) accepted", bad)
		}
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      Config
		wantErr   string
	}{
		{"none", "[extend]\nuseDefault = true\n", Config{}, ""},
		{
			"full", "[fix]\nrole_arn = \"x\"\n\n[pr]\nauthor = \"Bot <bot@example.com>\"\nlabels = [\"credentials\"]\ndraft = true\n",
			Config{Author: "Bot <bot@example.com>", Labels: []string{"credentials"}, Draft: true},
			"",
		},
		{"unknown key", "[pr]\nauthr = \"x\"\n", Config{}, `.sessionize.toml:2:1: unknown key "pr.authr"`},
		{"bad author", "[pr]\nauthor = \"bot\"\n", Config{}, `[pr] author "bot"`},
	}
	for _, tt := range tests {
		got, err := ParseConfig(".sessionize.toml", []byte(tt.doc))
		if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: ParseConfig() error = %v, want %q", tt.name, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: ParseConfig() mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestCaveats(t *testing.T) {
	t.Parallel()
	c := &remediate.Change{
		Path: ".github/workflows/release.yml", Fixer: "gha-pypi-trusted-publishing",
		Setup:       []remediate.Setup{{Provider: "pypi", Subjects: []string{"repo:a/b:pull_request", "repo:a/b:ref:refs/tags/*"}}},
		Permissions: []remediate.PermissionChange{{Job: "publish", Before: "default", After: "contents: read, id-token: write"}},
		Caveats:     []string{"lower-case caveat from the fixer"},
	}
	got := strings.Join(caveats(c), "\n")
	for _, s := range []string{"lower-case caveat", "forks get no OIDC token", "permissions of job `publish`", "`sub` claim", "by its file name (`release.yml`)"} {
		if !strings.Contains(got, s) {
			t.Errorf("caveats lack %q:\n%s", s, got)
		}
	}
	plain := &remediate.Change{Path: ".npmrc", Fixer: "npmrc-env"}
	if cv := caveats(plain); len(cv) != 0 {
		t.Errorf("caveats of a plain change: %q", cv)
	}
}

// failingCreator fails for one branch and passes the others on.
type failingCreator struct {
	next   pullRequestCreator
	branch string
}

func (f failingCreator) Create(ctx context.Context, owner, repo string, pull *gh.NewPullRequest) (*gh.PullRequest, *gh.Response, error) {
	if pull.GetHead() == f.branch {
		return nil, nil, errors.New("injected failure")
	}
	return f.next.Create(ctx, owner, repo, pull)
}

// TestDeliver_FailureDoesNotStopOthers: the first pull request fails; the
// second is still opened and the failure is reported.
func TestDeliver_FailureDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	tok := "ghs_" + strings.Repeat("fake0", 7)
	srv := githubtest.New(t, githubtest.Options{Token: tok})
	files := map[string]string{"a/.npmrc": "//registry.npmjs.org/:_authToken=${A}\n", "b/.npmrc": "//registry.npmjs.org/:_authToken=${B}\n"}
	srv.AddRepo("acme", "site", files)
	change := func(p string) remediate.Change {
		before := []byte(files[p])
		return remediate.Change{
			Path: p, Fixer: "npmrc-env", Fixers: []string{"npmrc-env"}, Before: before,
			After: []byte(strings.Replace(string(before), "}", "_TOKEN}", 1)), Summary: "Rename the variable",
		}
	}
	c, err := NewClient(ClientConfig{APIURL: srv.APIURL(), ServerURL: srv.ServerURL(), Token: Token(tok)})
	if err != nil {
		t.Fatal(err)
	}
	c.creator = failingCreator{next: c.api.PullRequests, branch: "sessionize/npmrc-env/a-npmrc"}
	res, err := c.Deliver(t.Context(), Request{
		Repo: Repository{"acme", "site"}, Changes: []remediate.Change{change("a/.npmrc"), change("b/.npmrc")},
		Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []Action
	for _, o := range res.Outcomes {
		got = append(got, o.Action)
	}
	if diff := cmp.Diff([]Action{Failed, Created}, got); diff != "" {
		t.Fatalf("actions mismatch (-want +got):\n%s", diff)
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Errorf("Result.Err() = %v", err)
	}
}

func TestSecretsOf(t *testing.T) {
	t.Parallel()
	raw := "sk_live_" + strings.Repeat("4eC39HqLyjWDarjtT1zdp7dc", 1)
	r := &scanner.Report{Credentials: []scanner.Credential{
		{Fingerprint: "a", Secret: detectors.NewSecret(raw)},
		{Fingerprint: "b", Secret: detectors.NewSecret("secrets.AWS_KEY"), Reference: "secrets.AWS_KEY"},
		{Fingerprint: "c", Secret: detectors.NewSecret("abc")},
	}}
	ss := secretsOf(r)
	if len(ss) != 1 || ss[0].fingerprint != "a" {
		t.Fatalf("secretsOf() = %d values, want only the literal", len(ss))
	}
	if fp, ok := ss.find("x " + raw + " y"); !ok || fp != "a" {
		t.Errorf("find() = %q, %v", fp, ok)
	}
	if got := ss.redact("v=" + raw); strings.Contains(got, raw) {
		t.Errorf("redact() = %q", got)
	}
}

func TestGitError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		sideband string
		path     string
		wantIs   error
		want     string
	}{
		{
			"app without workflows", errors.New("command error on refs/heads/x: refusing to allow a GitHub App to create or update workflow `.github/workflows/a.yml` without `workflows` permission"),
			"", ".github/workflows/a.yml", ErrWorkflowPermission, "Workflows: Read and write",
		},
		{
			"oauth without workflow scope", errors.New("command error on refs/heads/x: pre-receive hook declined"),
			"remote: refusing to allow an OAuth App to create or update workflow `.github/workflows/a.yml` without `workflow` scope\n", ".github/workflows/a.yml", ErrWorkflowPermission, "GITHUB_TOKEN of Actions can never push",
		},
		{
			"other refusal under workflows", errors.New("command error on refs/heads/x: pre-receive hook declined"),
			"remote: protected\n", ".github/workflows/a.yml", nil, "(server said: remote: protected); if the server refused a change under .github/workflows/",
		},
		{"lease", errors.New("non-fast-forward update: refs/heads/x"), "", "a", ErrBranchMoved, "run sessionize pr again"},
	}
	for _, tt := range tests {
		err := gitError("push branch \"x\"", tt.err, tt.sideband, tt.path)
		if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
			t.Errorf("%s: gitError() = %v, want %v", tt.name, err, tt.wantIs)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: gitError() = %q, want it to hold %q", tt.name, err, tt.want)
		}
	}
}
