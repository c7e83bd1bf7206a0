package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/tui"
)

var (
	_ tui.Ignorer  = ignoreFile{}
	_ tui.Fixer    = planFixer{}
	_ tui.PROpener = (*prOpener)(nil)
)

func TestTUI_needsTerminal(t *testing.T) {
	t.Parallel()
	var out, errw bytes.Buffer
	code := run([]string{"tui", t.TempDir()}, strings.NewReader(""), &out, &errw, func(string) string { return "" })
	if code != exitError {
		t.Errorf("tui without a terminal exited %d, want %d", code, exitError)
	}
	if got := errw.String(); !strings.Contains(got, "needs a terminal") || !strings.Contains(got, "sessionize scan") {
		t.Errorf("stderr = %q, want a message pointing to `sessionize scan`", got)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", out.String())
	}
}

func TestTUICmd_flags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    tuiOptions
		wantErr string
	}{
		{name: "defaults", args: nil, want: tuiOptions{target: ".", maxFileSize: "10MiB"}},
		{
			name: "path and flags", args: []string{"repo", "--no-history", "--include-ignored", "--max-file-size", "1MiB"},
			want: tuiOptions{target: "repo", noHistory: true, includeIgnored: true, maxFileSize: "1MiB"},
		},
		{
			name: "github app", args: []string{"--app-id", "7", "--app-private-key-file", "app.pem"},
			want: tuiOptions{target: ".", maxFileSize: "10MiB", auth: githubAuth{appID: "7", appKeyFile: "app.pem"}},
		},
		{name: "bad size", args: []string{"--max-file-size", "lots"}, wantErr: `--max-file-size: "lots" is not a size`},
		{name: "bad app id", args: []string{"--app-id", "x"}, wantErr: `--app-id "x": want the App's numeric ID`},
		{name: "two paths", args: []string{"a", "b"}, wantErr: "accepts at most 1 arg(s), received 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
			var got *tuiOptions
			cmd := newTUICmdWith(a, func(_ context.Context, o *tuiOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("tui %q: error %v, want %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("tui %q: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(tuiOptions{}, githubAuth{})); diff != "" {
				t.Errorf("tui %q options mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestTUI_ignoreFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := scanner.Credential{
		Fingerprint: "0123456789abcdef", Type: "aws-access-key",
		Occurrences: []scanner.Occurrence{{Path: "config/aws.ini", Line: 2}},
	}
	f := ignoreFile{dir: dir}
	got, err := f.Ignore(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ignored 0123456789abcdef: added to .sessionizeignore"; got != want {
		t.Errorf("Ignore = %q, want %q", got, want)
	}
	if got, _ = f.Ignore(t.Context(), c); got != "0123456789abcdef was already in .sessionizeignore" {
		t.Errorf("second Ignore = %q", got)
	}
	data, err := os.ReadFile(filepath.Join(dir, scanner.IgnoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(data), "0123456789abcdef  # aws-access-key config/aws.ini:2\n") {
		t.Errorf("%s = %q", scanner.IgnoreFile, data)
	}
	ig, err := scanner.LoadIgnores(dir)
	if err != nil || !ig.Ignored(c.Fingerprint, scanner.Occurrence{}) {
		t.Errorf("LoadIgnores after Ignore: %v, ignored %v", err, err == nil && ig.Ignored(c.Fingerprint, scanner.Occurrence{}))
	}
}

func TestTUI_editorChoice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VISUAL": "code --wait", "EDITOR": "vim"}, "code --wait"},
		{map[string]string{"EDITOR": "nano"}, "nano"},
		{nil, "vi"},
	}
	for _, tt := range tests {
		a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return tt.env[k] })
		if got := a.editor(); got != tt.want {
			t.Errorf("editor with %v = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestTUI_prOpener opens the pull request of a credential chosen in the UI
// on the fake GitHub, then, for the other key of the same workflow, finds
// and updates that pull request instead of opening another.
func TestTUI_prOpener(t *testing.T) {
	srv := githubtest.New(t, githubtest.Options{Token: prToken})
	files := map[string]string{prWorkflow: prDeploy, "README.md": "# site\n"}
	srv.AddRepo("acme", "site", files)
	dir := checkoutWithOrigin(t, files, srv.ServerURL()+"/acme/site.git")
	env := map[string]string{"GITHUB_TOKEN": prToken, "GITHUB_API_URL": srv.APIURL(), "GITHUB_SERVER_URL": srv.ServerURL()}
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	op, err := a.newPROpener(dir, githubAuth{})
	if err != nil || op == nil {
		t.Fatalf("newPROpener() = %v, %v; want an opener", op, err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d API requests before any pull request, want none", n)
	}
	// The report as the UI has it: scanned and scored.
	r, _, err := a.planFixes(t.Context(), dir, remediate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var creds []scanner.Credential
	for _, c := range r.Credentials {
		if c.Fixer == "gha-aws-oidc" {
			creds = append(creds, c)
		}
	}
	if len(creds) != 2 {
		t.Fatalf("%d credentials for gha-aws-oidc, want the two stored AWS keys", len(creds))
	}
	url := srv.ServerURL() + "/acme/site/pull/1"
	got, err := op.OpenPR(t.Context(), creds[0])
	if err != nil || got != url {
		t.Fatalf("OpenPR() = %q, %v; want %q", got, err, url)
	}
	pulls := srv.Pulls("acme", "site")
	if len(pulls) != 1 || pulls[0].Head != "sessionize/gha-aws-oidc/github-workflows-deploy-yml" {
		t.Fatalf("pull requests: %+v", pulls)
	}
	repo := srv.Repo("acme", "site")
	if immutable := "repo:acme@" + itoa(repo.OwnerID) + "/site@" + itoa(repo.ID) + ":ref:refs/heads/main"; !strings.Contains(pulls[0].Body, immutable) {
		t.Errorf("body lacks the immutable subject %q", immutable)
	}
	got, err = op.OpenPR(t.Context(), creds[1])
	if err != nil || !strings.HasPrefix(got, url+" (") {
		t.Errorf("OpenPR(second key) = %q, %v; want %s updated, not another", got, err, url)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls, want 1", n)
	}
}

// TestTUI_prOpenerAvailability: the action exists only for a local
// checkout whose origin is on the GitHub server, with credentials.
func TestTUI_prOpenerAvailability(t *testing.T) {
	files := map[string]string{"README.md": "x\n"}
	onGitHubCom := checkoutWithOrigin(t, files, "git@github.com:acme/site.git")
	onGitLab := checkoutWithOrigin(t, files, "https://gitlab.com/acme/site.git")
	plain := t.TempDir()
	token := map[string]string{"GITHUB_TOKEN": prToken}
	tests := []struct {
		name string
		root string
		env  map[string]string
		auth githubAuth
		want bool
	}{
		{"token and github.com origin", onGitHubCom, token, githubAuth{}, true},
		{"app and github.com origin", onGitHubCom, nil, githubAuth{appID: "7"}, true},
		{"no credentials", onGitHubCom, nil, githubAuth{}, false},
		{"origin on another server", onGitLab, token, githubAuth{}, false},
		{"origin not on GITHUB_SERVER_URL", onGitHubCom, map[string]string{"GITHUB_TOKEN": prToken, "GITHUB_SERVER_URL": "https://ghe.example.com"}, githubAuth{}, false},
		{"no repository", plain, token, githubAuth{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return tt.env[k] })
			op, err := a.newPROpener(tt.root, tt.auth)
			if err != nil || (op != nil) != tt.want {
				t.Errorf("newPROpener() = %v, %v; want available %v", op, err, tt.want)
			}
		})
	}
}

func TestOnGitHub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		remote, host string
		want         bool
	}{
		{"https://github.com/acme/site.git", "github.com", true},
		{"https://x-access-token@GitHub.com/acme/site", "github.com", true},
		{"ssh://git@github.com:22/acme/site.git", "github.com", true},
		{"git@github.com:acme/site.git", "github.com", true},
		{"github.com:acme/site.git", "github.com", true},
		{"git@gitlab.com:acme/site.git", "github.com", false},
		{"https://ghe.example.com/acme/site", "github.com", false},
		{"http://127.0.0.1:8080/acme/site.git", "127.0.0.1", true},
		{"", "github.com", false},
		{"https://github.com/acme/site", "", false},
	}
	for _, tt := range tests {
		if got := onGitHub(tt.remote, tt.host); got != tt.want {
			t.Errorf("onGitHub(%q, %q) = %v, want %v", tt.remote, tt.host, got, tt.want)
		}
	}
}

// tuiFiller returns n characters of alphabet from a fixed seed: fake,
// token-shaped values built at test time.
func tuiFiller(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, 0x7e57))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// tuiFixtureRepo creates a repository holding an AWS key pair, a Stripe key
// and a workflow wiring stored AWS keys, committed with a fixed author and
// time, and returns the raw values.
func tuiFixtureRepo(t *testing.T, dir string) (awsKey, awsSecret, stripe string) {
	t.Helper()
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	awsKey = "AKIA" + tuiFiller(11, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	awsSecret = tuiFiller(12, alnum+"/+", 40)
	stripe = "sk_live_" + tuiFiller(13, alnum, 24)
	files := map[string]string{
		"config/aws.ini": "[default]\naws_access_key_id = " + awsKey + "\naws_secret_access_key = " + awsSecret + "\n",
		"app/billing.py": "import stripe\n\nstripe.api_key = \"" + stripe + "\"\n",
		".github/workflows/deploy.yml": `name: deploy
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: ./deploy.sh
`,
		"README.md": "# demo\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Alice", Email: "alice@example.com", When: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("initial", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	return awsKey, awsSecret, stripe
}

// tmuxSession runs one program in a detached tmux server of its own.
type tmuxSession struct {
	t    *testing.T
	sock string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	args = append([]string{"-S", s.sock, "-f", "/dev/null"}, args...)
	out, err := exec.CommandContext(s.t.Context(), "tmux", args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "tui") }

// send sends keys: tmux key names, or text with literal=true.
func (s *tmuxSession) send(literal bool, keys ...string) {
	s.t.Helper()
	args := []string{"send-keys", "-t", "tui"}
	if literal {
		args = append(args, "-l")
	}
	s.tmux(append(args, keys...)...)
}

// waitScreen polls the pane until ok holds, and returns the screen.
func (s *tmuxSession) waitScreen(what string, timeout time.Duration, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		select {
		case <-deadline.C:
			s.t.Fatalf("waiting for %s: timed out after %v; screen:\n%s", what, timeout, scr)
		case <-tick.C:
		}
	}
}

func (s *tmuxSession) waitFor(what string, texts ...string) string {
	s.t.Helper()
	return s.waitScreen(what, 20*time.Second, func(scr string) bool {
		for _, x := range texts {
			if !strings.Contains(scr, x) {
				return false
			}
		}
		return true
	})
}

// tuiListRow is one credential row as the list shows it.
type tuiListRow struct {
	severity string
	score    int
	typ      string
	line     string
}

var tuiRowRE = regexp.MustCompile(`^[> ] (CRITICAL|HIGH|MEDIUM|LOW|INFO|-)\s+(\d+)\s+(\S+)\s`)

func tuiListRows(scr string) []tuiListRow {
	var rows []tuiListRow
	for _, l := range strings.Split(scr, "\n") {
		if m := tuiRowRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			rows = append(rows, tuiListRow{severity: m[1], score: n, typ: m[3], line: l})
		}
	}
	return rows
}

// TestTUI_tmux runs the real binary in a real terminal (tmux, 120x40) on a
// repository holding an AWS key pair, a Stripe key and a workflow wiring
// stored AWS keys, and drives it with ?, /, Enter, Esc and q.
func TestTUI_tmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "sessionize")
	build := exec.CommandContext(t.Context(), goCmd, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := filepath.Join(tmp, "repo")
	awsKey, awsSecret, stripe := tuiFixtureRepo(t, repo)
	raws := []string{awsKey, awsSecret, stripe}

	script := filepath.Join(tmp, "run.sh")
	body := fmt.Sprintf("#!/bin/sh\ncd %q || exit 9\nunset NO_COLOR\nHOME=%q %q tui .\necho \"EXIT=$?\"\nsleep 600\n", repo, tmp, bin)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, sock: filepath.Join(tmp, "tmux.sock")}
	s.tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", script)
	// t.Context() is already cancelled when cleanups run.
	t.Cleanup(func() { _ = exec.CommandContext(context.Background(), "tmux", "-S", s.sock, "kill-server").Run() })

	noRaw := func(scr, step string, allowed string) {
		t.Helper()
		for _, raw := range raws {
			if raw != allowed && strings.Contains(scr, raw) {
				t.Errorf("%s: the screen shows a raw secret (%d characters)", step, len(raw))
			}
		}
	}

	// The list, highest score first.
	scr := s.waitScreen("the credential list", 90*time.Second, func(scr string) bool {
		return strings.Contains(scr, "FIRST PATH") && strings.Contains(scr, "stripe-secret-key") && strings.Contains(scr, "aws-access-key")
	})
	t.Logf("list:\n%s", scr)
	noRaw(scr, "list", "")
	rows := tuiListRows(scr)
	for i := 1; i < len(rows); i++ {
		if rows[i].score > rows[i-1].score {
			t.Errorf("row %d (score %d) above row %d (score %d): not sorted by score", i, rows[i-1].score, i+1, rows[i].score)
		}
	}
	var workflow, secretKey bool
	for _, r := range rows {
		if strings.Contains(r.line, ".github/workflows/deploy.yml") {
			workflow = true
			if !strings.HasPrefix(r.typ, "aws-") {
				t.Errorf("workflow credential typed %q, want an AWS type", r.typ)
			}
		}
		secretKey = secretKey || strings.Contains(r.line, "config/aws.ini:3")
	}
	if !strings.Contains(scr, "config/aws.ini:2") || !strings.Contains(scr, "app/billing.py:3") {
		t.Errorf("the list lacks the AWS access key (config/aws.ini:2) or the Stripe key (app/billing.py:3)")
	}
	// The secret key and the workflow come from detectors still landing
	// (generic rule or config-file detector; CI-definition detectors):
	// checked softly.
	if !secretKey {
		t.Logf("note: no credential at config/aws.ini:3 (the AWS secret key)")
	}
	if !workflow {
		t.Logf("note: no credential in .github/workflows/deploy.yml (CI-definition detectors not landed?)")
	}

	// ? shows the help, ? again hides it.
	s.send(false, "?")
	scr = s.waitFor("the help", "Keys", "close help")
	noRaw(scr, "help", "")
	s.send(false, "?")
	s.waitFor("the list again", "FIRST PATH")

	// / filters.
	s.send(true, "/stripe")
	scr = s.waitScreen("the filtered list", 10*time.Second, func(scr string) bool {
		return strings.Contains(scr, "/stripe") && len(tuiListRows(scr)) == 1
	})
	if r := tuiListRows(scr); r[0].typ != "stripe-secret-key" {
		t.Errorf("filtered row is %q, want stripe-secret-key", r[0].typ)
	}
	s.send(false, "Enter") // keep the filter
	s.waitFor("the filter kept", "enter details")

	// Enter opens the detail; r reveals; Esc goes back and hides.
	s.send(false, "Enter")
	scr = s.waitFor("the detail pane", "Occurrences (1)", "app/billing.py:3:19", "(r reveals)")
	t.Logf("detail:\n%s", scr)
	noRaw(scr, "detail", "")
	s.send(false, "r")
	scr = s.waitFor("the revealed value", "(r hides)")
	if !strings.Contains(scr, stripe) {
		t.Error("r did not reveal the Stripe key")
	}
	noRaw(scr, "revealed detail", stripe)
	s.send(false, "Escape")
	scr = s.waitFor("the list after Esc", "FIRST PATH", "/stripe")
	noRaw(scr, "list after Esc", "")
	s.send(false, "Escape") // clears the filter
	scr = s.waitScreen("the whole list", 10*time.Second, func(scr string) bool {
		return !strings.Contains(scr, "/stripe") && len(tuiListRows(scr)) == len(rows)
	})
	noRaw(scr, "whole list", "")

	// q quits, with exit status 0, and the terminal is restored.
	s.send(false, "q")
	scr = s.waitFor("the program's exit", "EXIT=0")
	if strings.Contains(scr, "FIRST PATH") {
		t.Errorf("the UI is still on screen after q:\n%s", scr)
	}
}
