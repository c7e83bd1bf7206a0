package github_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
)

// TestClient_Errors covers how API failures reach callers: retried and
// waited out where GitHub allows it, else translated into typed errors
// with a message saying what to do.
func TestClient_Errors(t *testing.T) {
	t.Parallel()
	const path = "/api/v3/repos/acme/site"
	in := func(d time.Duration) string { return strconv.FormatInt(epoch.Add(d).Unix(), 10) }
	tests := []struct {
		name   string
		faults []githubtest.Fault
		// wantIs is the sentinel (or nil for success); wantRate asks for a
		// RateLimitError with this reset (zero: any).
		wantIs    error
		wantRate  *github.RateLimitError
		wantMsg   []string
		wantWaits []time.Duration
		wantCalls int
	}{
		{
			name:      "401 bad credentials",
			faults:    []githubtest.Fault{{Status: 401, Body: `{"message":"Bad credentials"}`}},
			wantIs:    github.ErrUnauthorized,
			wantMsg:   []string{`get repository "acme/site"`, "401 Bad credentials", "invalid or expired", "GITHUB_TOKEN", "--app-id"},
			wantCalls: 1,
		},
		{
			name: "403 names the missing permission",
			faults: []githubtest.Fault{{
				Status: 403, Header: map[string]string{"X-Accepted-GitHub-Permissions": "metadata=read; contents=read"},
				Body: `{"message":"Resource not accessible by integration"}`,
			}},
			wantIs:    github.ErrForbidden,
			wantMsg:   []string{"Resource not accessible by integration", "the token needs metadata: read, or contents: read"},
			wantCalls: 1,
		},
		{
			name:      "403 without a permission header",
			faults:    []githubtest.Fault{{Status: 403, Body: `{"message":"Must have admin rights to Repository."}`}},
			wantIs:    github.ErrForbidden,
			wantMsg:   []string{"Must have admin rights", "contents: write and pull-requests: write"},
			wantCalls: 1,
		},
		{
			name:      "404",
			faults:    []githubtest.Fault{{Status: 404, Body: `{"message":"Not Found"}`}},
			wantIs:    github.ErrNotFound,
			wantMsg:   []string{`repository "acme/site" does not exist or the token cannot see it`},
			wantCalls: 1,
		},
		{
			name:      "422 shows GitHub's message",
			faults:    []githubtest.Fault{{Status: 422, Body: `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and x"}]}`}},
			wantIs:    github.ErrValidation,
			wantMsg:   []string{"Validation Failed: No commits between main and x"},
			wantCalls: 1,
		},
		{
			name:      "5xx retried then fine",
			faults:    []githubtest.Fault{{Status: 502, Times: 2, Body: `{"message":"Server Error"}`}},
			wantWaits: []time.Duration{time.Second, 2 * time.Second},
			wantCalls: 3,
		},
		{
			name:      "5xx gives up",
			faults:    []githubtest.Fault{{Status: 500, Times: 10, Body: `{"message":"Server Error"}`}},
			wantIs:    github.ErrServer,
			wantMsg:   []string{"GitHub server error (500", "after retries"},
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second},
			wantCalls: 6,
		},
		{
			name: "primary rate limit waited out",
			faults: []githubtest.Fault{{
				Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": in(30 * time.Second)},
				Body: `{"message":"API rate limit exceeded for installation ID 1."}`,
			}},
			wantWaits: []time.Duration{30 * time.Second},
			wantCalls: 2,
		},
		{
			name: "primary rate limit beyond the cap",
			faults: []githubtest.Fault{{
				Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": in(time.Hour)},
				Body: `{"message":"API rate limit exceeded for installation ID 1."}`,
			}},
			wantRate:  &github.RateLimitError{Reset: epoch.Add(time.Hour)},
			wantMsg:   []string{"GitHub rate limit exceeded until 2025-03-01T13:00:00Z"},
			wantCalls: 1,
		},
		{
			name: "secondary rate limit with Retry-After",
			faults: []githubtest.Fault{{
				Status: 403, Header: map[string]string{"Retry-After": "90"},
				Body: `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
			}},
			wantWaits: []time.Duration{90 * time.Second},
			wantCalls: 2,
		},
		{
			name:      "secondary rate limit without a hint backs off, then gives up",
			faults:    []githubtest.Fault{{Status: 429, Times: 10, Body: `{"message":"You have exceeded a secondary rate limit."}`}},
			wantRate:  &github.RateLimitError{Secondary: true},
			wantMsg:   []string{"secondary rate limit exceeded"},
			wantWaits: []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute},
			wantCalls: 6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := githubtest.New(t, githubtest.Options{Token: token})
			srv.AddRepo(owner, name, map[string]string{"README.md": "x\n"})
			for _, f := range tt.faults {
				f.Method, f.Path = "GET", path
				srv.Inject(f)
			}
			clock := newClock()
			info, err := newClient(t, srv, token, clock).Repository(t.Context(), github.Repository{Owner: owner, Name: name})
			switch {
			case tt.wantIs == nil && tt.wantRate == nil:
				if err != nil {
					t.Fatalf("Repository() error = %v", err)
				}
				if info.DefaultBranch != "main" {
					t.Errorf("default branch %q", info.DefaultBranch)
				}
			case tt.wantRate != nil:
				var rl *github.RateLimitError
				if !errors.As(err, &rl) {
					t.Fatalf("Repository() error = %v, want a RateLimitError", err)
				}
				if rl.Secondary != tt.wantRate.Secondary || (!tt.wantRate.Reset.IsZero() && !rl.Reset.Equal(tt.wantRate.Reset)) {
					t.Errorf("RateLimitError = %+v, want %+v", rl, tt.wantRate)
				}
			default:
				if !errors.Is(err, tt.wantIs) {
					t.Fatalf("Repository() error = %v, want %v", err, tt.wantIs)
				}
			}
			for _, m := range tt.wantMsg {
				if err == nil || !strings.Contains(err.Error(), m) {
					t.Errorf("error %v lacks %q", err, m)
				}
			}
			if diff := cmp.Diff(tt.wantWaits, clock.Sleeps()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if n := srv.Count("GET", path); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestClient_PostNotRetriedOnServerError: a POST that may have created
// something is never sent twice.
func TestClient_PostNotRetriedOnServerError(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	srv.Inject(githubtest.Fault{Method: "POST", Path: "/api/v3/repos/acme/site/pulls", Status: 502, Body: `{"message":"Server Error"}`})
	clock := newClock()
	res := deliver(t, newClient(t, srv, token, clock), req)
	o := res.Outcomes[0]
	if o.Action != github.Failed || !errors.Is(o.Err, github.ErrServer) {
		t.Fatalf("outcome %+v, want failed with ErrServer", o)
	}
	if n := srv.Count("POST", "/api/v3/repos/acme/site/pulls"); n != 1 {
		t.Errorf("%d POST /pulls, want 1", n)
	}
	// The branch is pushed; the next run opens the pull request.
	if o := deliver(t, newClient(t, srv, token, clock), req).Outcomes[0]; o.Action != github.Created {
		t.Errorf("next run: %+v, want created", o)
	}
}

func TestClient_BadCredentialsOnEveryChange(t *testing.T) {
	t.Parallel()
	srv, req := newRepo(t)
	_, err := newClient(t, srv, "ghs_wrong", newClock()).Deliver(t.Context(), req)
	if !errors.Is(err, github.ErrUnauthorized) {
		t.Fatalf("Deliver() error = %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "ghs_wrong") {
		t.Errorf("error %q holds the token", err)
	}
}

func TestNewClient_URLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		api, server string
		wantErr     string
	}{
		{"", "", ""},
		{"https://ghes.example.com/api/v3", "https://ghes.example.com", ""},
		{"http://127.0.0.1:8080/api/v3/", "http://localhost:9090", ""},
		{"http://ghes.example.com/api/v3/", "", "clear text"},
		{"", "http://ghes.example.com", "clear text"},
		{"ftp://x/", "", "absolute https URL"},
	}
	for _, tt := range tests {
		_, err := github.NewClient(github.ClientConfig{APIURL: tt.api, ServerURL: tt.server, Token: "t"})
		if got := fmt.Sprint(err); (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(got, tt.wantErr)) {
			t.Errorf("NewClient(%q, %q) error = %v, want %q", tt.api, tt.server, err, tt.wantErr)
		}
	}
}

func TestToken_NeverPrints(t *testing.T) {
	t.Parallel()
	tok := github.Token("ghs_secretsecret")
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s %q", tok, tok, tok, tok, tok), fmt.Sprintf("%+v", github.InstallationToken{Token: tok})} {
		if strings.Contains(s, "secretsecret") {
			t.Errorf("printed %q", s)
		}
	}
}
