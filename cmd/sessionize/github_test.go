package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	rgithub "github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
)

func TestGitHubEnv_gitServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         githubEnv
		want, wantE string
	}{
		{"github.com", githubEnv{}, "https://github.com", ""},
		{"github.com's API", githubEnv{apiURL: "https://api.github.com/"}, "https://github.com", ""},
		{"server given", githubEnv{apiURL: "http://127.0.0.1:1/api/v3/", serverURL: "http://127.0.0.1:2"}, "http://127.0.0.1:2", ""},
		{"enterprise server", githubEnv{apiURL: "https://ghe.example.com/api/v3"}, "https://ghe.example.com", ""},
		{"enterprise server, slash", githubEnv{apiURL: "https://ghe.example.com/api/v3/"}, "https://ghe.example.com", ""},
		{"unknown API", githubEnv{apiURL: "https://api.example.com/"}, "", "set GITHUB_SERVER_URL"},
	}
	for _, tt := range tests {
		got, err := tt.env.gitServer()
		if got != tt.want || (err == nil) != (tt.wantE == "") || (err != nil && !strings.Contains(err.Error(), tt.wantE)) {
			t.Errorf("%s: gitServer() = %q, %v; want %q, %q", tt.name, got, err, tt.want, tt.wantE)
		}
	}
	if h := (githubEnv{apiURL: "https://api.example.com/"}).host(); h != "" {
		t.Errorf("host() of an unknown server = %q, want none", h)
	}
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestLazyGitHub_RenewsAppToken: an App's client is built once and reused
// while its installation token lives, and built anew (a new token minted)
// shortly before the hour is up.
func TestLazyGitHub_RenewsAppToken(t *testing.T) {
	key, _, keyFile := appKeyFile(t)
	clock := &testClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	inst := fakeGitHubToken("ghs", "RENEWtoken")
	srv := githubtest.New(t, githubtest.Options{
		Token: inst, Now: clock.Now,
		App: &githubtest.App{ID: 5, PublicKey: &key.PublicKey, InstallationID: 6, Token: inst},
	})
	srv.AddRepo("acme", "site", map[string]string{"README.md": "x\n"})
	env := map[string]string{"GITHUB_API_URL": srv.APIURL(), "GITHUB_SERVER_URL": srv.ServerURL()}
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	a.now = clock.Now
	lazy := a.gitHub(githubAuth{appID: "5", appKeyFile: keyFile}, rgithub.InstallationTarget{Owner: "acme", Repo: "site"})
	const mint = "/api/v3/app/installations/6/access_tokens"

	first, err := lazy.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(50 * time.Minute)
	if again, err := lazy.Client(t.Context()); err != nil || again != first {
		t.Errorf("Client() within the token's hour = %p, %v; want the same client %p", again, err, first)
	}
	if n := srv.Count("POST", mint); n != 1 {
		t.Errorf("%d tokens minted in the first hour, want 1", n)
	}
	clock.Add(6 * time.Minute)
	renewed, err := lazy.Client(t.Context())
	if err != nil || renewed == first {
		t.Errorf("Client() near the token's end = %p, %v; want a new client", renewed, err)
	}
	if n := srv.Count("POST", mint); n != 2 {
		t.Errorf("%d tokens minted, want 2", n)
	}
}

// TestLazyGitHub_FailureNotKept: a failure is returned, and the next call
// tries again.
func TestLazyGitHub_FailureNotKept(t *testing.T) {
	env := map[string]string{}
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return env[k] })
	lazy := a.gitHub(githubAuth{}, rgithub.InstallationTarget{Owner: "acme"})
	if _, err := lazy.Client(t.Context()); err == nil || !strings.Contains(err.Error(), "no GitHub credentials") {
		t.Fatalf("Client() without credentials: %v", err)
	}
	env["GITHUB_TOKEN"] = fakeGitHubToken("ghs", "Later")
	c, err := lazy.Client(t.Context())
	if err != nil || c.Token().Reveal() != env["GITHUB_TOKEN"] {
		t.Errorf("Client() once the token is set: %v", err)
	}
}
