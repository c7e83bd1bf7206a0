package github_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
)

const branch = "sessionize/gha-aws-oidc/github-workflows-deploy-yml"

// newRepo starts a fake GitHub holding acme/site with the deploy workflow
// on main, and plans its fix.
func newRepo(t *testing.T) (*githubtest.Server, github.Request) {
	t.Helper()
	srv := githubtest.New(t, githubtest.Options{Token: token})
	files := map[string]string{workflowPath: deployYML, "README.md": "# site\n"}
	srv.AddRepo(owner, name, files)
	res, r := plan(t, files)
	if len(res.Changes) != 1 {
		t.Fatalf("plan: %d changes, want 1: %+v", len(res.Changes), res.Refusals)
	}
	return srv, request(res, r)
}

func TestDeliver_Create(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	clock := newClock()
	res := deliver(t, newClient(t, srv, token, clock), req)

	want := []github.Outcome{{
		Path: workflowPath, Fixer: "gha-aws-oidc", Branch: branch, Action: github.Created, Number: 1,
		URL: srv.ServerURL() + "/acme/site/pull/1",
	}}
	if diff := cmp.Diff(want, res.Outcomes); diff != "" {
		t.Fatalf("Deliver() outcomes mismatch (-want +got):\n%s", diff)
	}
	if err := res.Err(); err != nil {
		t.Fatalf("Result.Err() = %v", err)
	}

	// The pull request: head, base, title, body, labels.
	pulls := srv.Pulls(owner, name)
	if len(pulls) != 1 {
		t.Fatalf("%d pull requests, want 1", len(pulls))
	}
	pr := pulls[0]
	if pr.Head != branch || pr.Base != "main" || pr.State != "open" || pr.Draft {
		t.Errorf("pull request head %q base %q state %q draft %v, want %q main open false", pr.Head, pr.Base, pr.State, pr.Draft, branch)
	}
	if want := "Replace AWS access keys with an OIDC role assumption in .github/workflows/deploy.yml"; pr.Title != want {
		t.Errorf("title = %q, want %q", pr.Title, want)
	}
	if diff := cmp.Diff([]string{"security", "sessionize", "github-actions"}, pr.Labels); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		"## Summary", "`secrets.AWS_ACCESS_KEY_ID`", "| high |",
		"## Changes", "```diff", "+          role-to-assume: ${{ vars.AWS_ROLE_ARN }}",
		"## Required provider-side setup (before merging)", "`repo:acme/site:ref:refs/heads/main`",
		"```hcl", "aws_iam_openid_connect_provider", "```sh", "gh variable set AWS_ROLE_ARN --repo acme/site",
		"## Rollout", "1. [ ] Do the provider-side setup above", "2. [ ] Merge this pull request.",
		"3. [ ] Wait for a green run", "4. [ ] Revoke the old credentials", "aws iam update-access-key",
		"5. [ ] Delete the stored secrets", "`gh secret delete AWS_ACCESS_KEY_ID --repo acme/site`",
		"## Caveats", "changes the claim and breaks the trust",
		"<!-- sessionize:v1 fixer=gha-aws-oidc creds=",
	} {
		if !strings.Contains(pr.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, pr.Body)
		}
	}
	order := []string{"## Summary", "## Changes", "## Required provider-side setup", "## Rollout", "## Caveats", "<!-- sessionize:v1"}
	last := -1
	for _, s := range order {
		i := strings.Index(pr.Body, s)
		if i < last {
			t.Errorf("body: %q comes before the section preceding it (want order %q)", s, order)
		}
		last = i
	}

	// The creation request itself.
	var created []githubtest.Request
	for _, r := range srv.Requests() {
		if r.Method == "POST" && r.Path == "/api/v3/repos/acme/site/pulls" {
			created = append(created, r)
		}
		if r.Auth != "Bearer "+token {
			t.Errorf("%s: Authorization %q, want the bearer token", r, r.Auth)
		}
	}
	if len(created) != 1 {
		t.Fatalf("%d POST /pulls, want 1", len(created))
	}
	var body struct {
		Title, Head, Base, Body string
		Draft                   *bool
	}
	if err := json.Unmarshal(created[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Head != branch || body.Base != "main" || body.Title != pr.Title || body.Body != pr.Body || body.Draft == nil || *body.Draft {
		t.Errorf("POST /pulls body = %s", created[0].Body)
	}
	if diff := cmp.Diff([][2]string{{"x-access-token", token}}, srv.GitPasswords()); diff != "" {
		t.Errorf("git credentials mismatch (-want +got):\n%s", diff)
	}
	// The labels were missing: created, once each.
	if n := srv.Count("POST", "/api/v3/repos/acme/site/labels"); n != 3 {
		t.Errorf("%d labels created, want 3", n)
	}

	// The pushed branch: one commit on main by the tool, the rewritten
	// file with its comments.
	log := srv.Log(owner, name, "main", branch)
	if len(log) != 1 {
		t.Fatalf("branch has %d commits on main, want 1", len(log))
	}
	c := log[0]
	if c.AuthorName != "sessionize" || c.Email != "sessionize@users.noreply.github.com" || c.Committer != "sessionize" || c.CEmail != c.Email {
		t.Errorf("commit by %s <%s>, committed by %s <%s>", c.AuthorName, c.Email, c.Committer, c.CEmail)
	}
	if c.Parents != srv.Branch(owner, name, "main") {
		t.Errorf("commit parent %s, want main's tip", c.Parents)
	}
	if !strings.HasPrefix(c.Message, pr.Title+"\n") {
		t.Errorf("commit message = %q", c.Message)
	}
	got, err := srv.ReadFile(owner, name, branch, workflowPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.TrimSuffix(string(req.Changes[0].After), "\n"), got); diff != "" {
		t.Errorf("pushed file mismatch (-want +got):\n%s", diff)
	}
	for _, comment := range []string{"# Deploys the site on every push to main.", "branches: [main]   # only main", "# the job needs to read the repository", "aws-region: us-east-1   # keep in sync with the bucket"} {
		if !strings.Contains(got, comment) {
			t.Errorf("pushed file lost %q:\n%s", comment, got)
		}
	}
	if readme, _ := srv.ReadFile(owner, name, branch, "README.md"); readme != "# site" {
		t.Errorf("README.md on the branch = %q", readme)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v, want no wait", s)
	}
}

func TestDeliver_SecondRunUpdates(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	c := newClient(t, srv, token, newClock())
	deliver(t, c, req)
	tip := srv.Branch(owner, name, branch)

	// Nothing changed: nothing pushed, no second pull request.
	res := deliver(t, c, req)
	if o := res.Outcomes[0]; o.Action != github.Unchanged || o.Number != 1 {
		t.Errorf("second run: %+v, want unchanged #1", o)
	}
	if got := srv.Branch(owner, name, branch); got != tip {
		t.Errorf("second run moved the branch from %s to %s", tip, got)
	}

	// The base moves: the change is regenerated on it and force-pushed.
	main := srv.Commit(owner, name, "main", map[string]string{"README.md": "# site\n\nNow with docs.\n"}, "Alice", "alice@example.com", "docs")
	res = deliver(t, c, req)
	if o := res.Outcomes[0]; o.Action != github.Updated || o.Number != 1 {
		t.Errorf("third run: %+v, want updated #1", o)
	}
	log := srv.Log(owner, name, "main", branch)
	if len(log) != 1 || log[0].Parents != main {
		t.Errorf("branch after the base moved: %+v, want one commit on %s", log, main)
	}
	if readme, _ := srv.ReadFile(owner, name, branch, "README.md"); !strings.Contains(readme, "Now with docs.") {
		t.Errorf("branch not regenerated from the new base: README.md = %q", readme)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls over three runs, want 1", n)
	}
	if n := len(srv.Pulls(owner, name)); n != 1 {
		t.Errorf("%d pull requests, want 1", n)
	}
}

func TestDeliver_RegeneratesFromBase(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	// main's copy of the workflow differs from the scanned one (a step
	// more); the pull request must carry main's copy, fixed.
	onMain := strings.Replace(deployYML, "      - run: aws s3 sync", "      - run: echo building\n      - run: aws s3 sync", 1)
	srv.Commit(owner, name, "main", map[string]string{workflowPath: onMain}, "Alice", "alice@example.com", "build step")
	res := deliver(t, newClient(t, srv, token, newClock()), req)
	if o := res.Outcomes[0]; o.Action != github.Created {
		t.Fatalf("outcome %+v, want created", o)
	}
	got, _ := srv.ReadFile(owner, name, branch, workflowPath)
	if !strings.Contains(got, "echo building") || !strings.Contains(got, "role-to-assume") || strings.Contains(got, "aws-access-key-id") {
		t.Errorf("pushed file not regenerated from main:\n%s", got)
	}
}

func TestDeliver_ClosedNotReopened(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	c := newClient(t, srv, token, newClock())
	deliver(t, c, req)
	srv.ClosePull(owner, name, 1, false)
	tip := srv.Branch(owner, name, branch)

	res := deliver(t, c, req)
	o := res.Outcomes[0]
	if o.Action != github.Skipped || o.Number != 1 || !strings.Contains(o.Reason, "closed without merging") {
		t.Errorf("outcome %+v, want skipped because #1 was closed", o)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls, want 1", n)
	}
	if srv.Count("PATCH", "/api/v3/repos/acme/site/pulls/1") != 0 {
		t.Error("the closed pull request was edited")
	}
	if got := srv.Branch(owner, name, branch); got != tip {
		t.Error("the branch of the closed pull request was pushed")
	}

	// The finding changes (another stored secret wired in): a new pull
	// request.
	changed := strings.Replace(deployYML, "aws-region: us-east-1", "aws-session-token: ${{ secrets.AWS_SESSION_TOKEN }}\n          aws-region: us-east-1", 1)
	res2, r2 := plan(t, map[string]string{workflowPath: changed})
	srv.Commit(owner, name, "main", map[string]string{workflowPath: changed}, "Alice", "alice@example.com", "session token")
	out := deliver(t, c, request(res2, r2)).Outcomes[0]
	if out.Action != github.Created || out.Number != 2 {
		t.Errorf("after the finding changed: %+v, want created #2", out)
	}
}

func TestDeliver_ForeignCommitGetsComment(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	c := newClient(t, srv, token, newClock())
	deliver(t, c, req)
	bob := srv.Commit(owner, name, branch, map[string]string{"NOTES.md": "role ARN is in the wiki\n"}, "Bob", "bob@example.com", "notes")
	srv.Commit(owner, name, "main", map[string]string{"README.md": "# site v2\n"}, "Alice", "alice@example.com", "v2")

	res := deliver(t, c, req)
	o := res.Outcomes[0]
	if o.Action != github.Commented || o.Number != 1 {
		t.Fatalf("outcome %+v, want commented on #1", o)
	}
	if got := srv.Branch(owner, name, branch); got != bob {
		t.Errorf("branch force-pushed over Bob's commit: tip %s, want %s", got, bob)
	}
	comments := srv.Comments(owner, name, 1)
	if len(comments) != 1 || !strings.Contains(comments[0], "commits by others") || !strings.Contains(comments[0], "by Bob") {
		t.Fatalf("comments = %q", comments)
	}

	// Again, after a long discussion: no second comment for the same
	// change (the earlier one is found on the first of two pages).
	for i := range 120 {
		srv.AddComment(owner, name, 1, fmt.Sprintf("comment %d", i))
	}
	if o := deliver(t, c, req).Outcomes[0]; o.Action != github.Commented {
		t.Errorf("second run: %+v", o)
	}
	if n := len(srv.Comments(owner, name, 1)); n != 121 {
		t.Errorf("%d comments after two runs, want 121", n)
	}
	if n := srv.Count("GET", "/api/v3/repos/acme/site/issues/1/comments"); n != 3 {
		t.Errorf("%d GET comments, want 3 (one page, then two)", n)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls, want 1", n)
	}
}

func TestDeliver_SecondaryRateLimitOnCreate(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	srv.Inject(githubtest.Fault{
		Method: "POST", Path: "/api/v3/repos/acme/site/pulls", Status: 403,
		Header: map[string]string{"Retry-After": "60"},
		Body:   `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
	})
	clock := newClock()
	res := deliver(t, newClient(t, srv, token, clock), req)
	if o := res.Outcomes[0]; o.Action != github.Created || o.Number != 1 {
		t.Fatalf("outcome %+v, want created #1", o)
	}
	if diff := cmp.Diff([]time.Duration{60 * time.Second}, clock.Sleeps()); diff != "" {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 2 {
		t.Errorf("%d POST /pulls, want 2 (limited, then created)", n)
	}
	if n := len(srv.Pulls(owner, name)); n != 1 {
		t.Errorf("%d pull requests, want 1", n)
	}
}

func TestDeliver_NoRawSecretSent(t *testing.T) {
	t.Parallel()
	secret := npmToken()
	srv := githubtest.New(t, githubtest.Options{Token: token})
	npmrc := "# registry auth\n//registry.npmjs.org/:_authToken=" + secret + "\nregistry=https://registry.npmjs.org/\n"
	files := map[string]string{".npmrc": npmrc, workflowPath: deployYML}
	srv.AddRepo(owner, name, files)
	res, r := plan(t, files)
	if len(res.Changes) != 2 {
		t.Fatalf("plan: %d changes, want 2", len(res.Changes))
	}
	out := deliver(t, newClient(t, srv, token, newClock()), request(res, r))
	for _, o := range out.Outcomes {
		if o.Action != github.Created {
			t.Fatalf("outcome %+v, want created", o)
		}
	}

	check := func(what, s string) {
		t.Helper()
		if strings.Contains(s, secret) {
			t.Errorf("%s carries the raw secret", what)
		}
	}
	for _, rq := range srv.Requests() {
		check(rq.String()+" path and query", rq.Path+"?"+rq.Query)
		check(rq.String()+" body", string(rq.Body))
		check(rq.String()+" Authorization", rq.Auth)
	}
	for _, rq := range srv.GitRequests() {
		check("git "+rq.String(), rq.Path+"?"+rq.Query+" "+rq.Auth)
	}
	for _, p := range srv.Pulls(owner, name) {
		check("branch "+p.Head, p.Head)
		check("title", p.Title)
		check("body", p.Body)
		for _, c := range srv.Log(owner, name, "main", p.Head) {
			check("commit message", c.Message)
		}
	}
	npmBranch := "sessionize/npmrc-env/npmrc"
	pushed, err := srv.ReadFile(owner, name, npmBranch, ".npmrc")
	if err != nil {
		t.Fatal(err)
	}
	check("pushed .npmrc", pushed)
	if !strings.Contains(pushed, "# registry auth") || !strings.Contains(pushed, "${NPM_TOKEN}") {
		t.Errorf("pushed .npmrc = %q", pushed)
	}
	var body string
	for _, p := range srv.Pulls(owner, name) {
		if p.Head == npmBranch {
			body = p.Body
		}
	}
	if !strings.Contains(body, "-//registry.npmjs.org/:_authToken=npm_") || !strings.Contains(body, "+//registry.npmjs.org/:_authToken=${NPM_TOKEN}") {
		t.Errorf("body lacks the redacted diff:\n%s", body)
	}
	if !strings.Contains(body, r.Credentials[0].Fingerprint) && !strings.Contains(body, r.Credentials[1].Fingerprint) {
		t.Errorf("body lacks the credential's fingerprint:\n%s", body)
	}
}

func TestDeliver_WorkflowPushRefused(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t, githubtest.Options{Token: token})
	npmrc := "//registry.npmjs.org/:_authToken=" + npmToken() + "\n"
	files := map[string]string{".npmrc": npmrc, workflowPath: deployYML}
	srv.AddRepo(owner, name, files)
	srv.RefuseWorkflowPushes(owner, name)
	res, r := plan(t, files)

	out := deliver(t, newClient(t, srv, token, newClock()), request(res, r))
	got := map[string]github.Action{}
	for _, o := range out.Outcomes {
		got[o.Path] = o.Action
	}
	if diff := cmp.Diff(map[string]github.Action{".npmrc": github.Created, workflowPath: github.Failed}, got); diff != "" {
		t.Fatalf("outcomes mismatch (-want +got):\n%s", diff)
	}
	err := out.Err()
	if !errors.Is(err, github.ErrWorkflowPermission) {
		t.Fatalf("Result.Err() = %v, want ErrWorkflowPermission", err)
	}
	for _, s := range []string{"Workflows: Read and write", "GITHUB_TOKEN", "without `workflows` permission"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func TestDeliver_DraftAndLimit(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t, githubtest.Options{Token: token})
	files := map[string]string{".npmrc": "//registry.npmjs.org/:_authToken=" + npmToken() + "\n", workflowPath: deployYML}
	srv.AddRepo(owner, name, files)
	res, r := plan(t, files)
	req := request(res, r)
	req.Draft, req.Max, req.Labels = true, 1, []string{"credentials"}
	out := deliver(t, newClient(t, srv, token, newClock()), req)
	if a, b := out.Outcomes[0].Action, out.Outcomes[1].Action; a != github.Created || b != github.Skipped {
		t.Fatalf("actions %s, %s: want created, skipped (limit 1)", a, b)
	}
	p := srv.Pulls(owner, name)[0]
	if !p.Draft {
		t.Error("pull request is not a draft")
	}
	if diff := cmp.Diff([]string{"security", "sessionize", "github-actions", "credentials"}, p.Labels); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
}
