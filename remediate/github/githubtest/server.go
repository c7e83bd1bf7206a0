// Package githubtest fakes GitHub for tests of pull-request delivery: a
// smart-HTTP git server (git http-backend through net/http/cgi, serving bare
// repositories created in a temporary directory) and the REST API under
// /api/v3/ (the endpoints remediate/github uses, and an organisation's
// repository listing for the org audit's pull requests), with every request
// recorded, the token checked, faults injectable and a GitHub App flow
// whose JWTs are verified with the App's public key.
//
// It needs the git binary. Import it only from _test.go files.
package githubtest

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a [Server].
type Options struct {
	// Token is the token the API and git accept; empty means any
	// non-empty token.
	Token string
	// App, when set, enables the GitHub App endpoints.
	App *App
	// Now is the clock JWTs are checked against; nil means time.Now.
	Now func() time.Time
}

// App describes the GitHub App the fake server knows.
type App struct {
	ID             int64
	PublicKey      *rsa.PublicKey
	InstallationID int64
	// Token is the installation token minted; once minted, it is the only
	// token the API and git accept besides JWTs on /app/ endpoints.
	Token string
}

// Request is a recorded request.
type Request struct {
	Method, Path, Query string
	// Auth is the Authorization header.
	Auth string
	Body []byte
}

// String renders the request on one line, for failure messages.
func (r Request) String() string { return r.Method + " " + r.Path }

// Fault is a response served instead of the real one to the next Times
// requests matching Method and Path.
type Fault struct {
	Method, Path string
	Times        int
	Status       int
	Header       map[string]string
	Body         string
}

// JWTClaims are the claims of a verified App JWT.
type JWTClaims struct {
	IAT int64  `json:"iat"`
	EXP int64  `json:"exp"`
	ISS string `json:"iss"`
}

// Server is a fake GitHub. Its methods are safe for concurrent use.
type Server struct {
	t    testing.TB
	opts Options
	// Git serves the repositories (GITHUB_SERVER_URL), API the REST API.
	Git, API *httptest.Server
	// Root holds the bare repositories, OWNER/NAME.git.
	Root string

	mu       sync.Mutex
	token    string
	requests []Request
	gitReqs  []Request
	faults   []*Fault
	repos    map[string]*Repo
	jwts     []JWTClaims
	nextID   int64
}

// New starts a fake GitHub, stopped when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("githubtest needs the git binary")
	}
	s := &Server{t: t, opts: opts, Root: t.TempDir(), token: opts.Token, repos: map[string]*Repo{}, nextID: 1000}
	s.Git = httptest.NewServer(s.gitHandler())
	s.API = httptest.NewServer(s.record(s.apiMux()))
	t.Cleanup(s.Git.Close)
	t.Cleanup(s.API.Close)
	return s
}

// APIURL is the API base, like GITHUB_API_URL on GitHub Enterprise Server.
func (s *Server) APIURL() string { return s.API.URL + "/api/v3/" }

// ServerURL is the git server, like GITHUB_SERVER_URL.
func (s *Server) ServerURL() string { return s.Git.URL }

// Requests returns every API request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// GitRequests returns every git request so far (bodies are packs).
func (s *Server) GitRequests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.gitReqs...)
}

// Count returns how many API requests had this method and path.
func (s *Server) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// JWTs returns the claims of every verified App JWT.
func (s *Server) JWTs() []JWTClaims {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]JWTClaims(nil), s.jwts...)
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// record reads and records each API request, checks its credentials and
// serves injected faults before the mux.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), Body: body})
		var fault *Fault
		for _, f := range s.faults {
			if f.Times > 0 && f.Method == r.Method && f.Path == r.URL.Path {
				f.Times--
				fault = f
				break
			}
		}
		s.mu.Unlock()
		if fault != nil {
			for k, v := range fault.Header {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(fault.Status)
			_, _ = io.WriteString(w, fault.Body)
			return
		}
		if !s.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized checks the bearer token, or the App's JWT on App endpoints.
func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(r.Header.Get("Authorization"), "token ")
	}
	if !ok || tok == "" {
		return false
	}
	if s.opts.App != nil && (strings.HasPrefix(r.URL.Path, "/api/v3/app/") || strings.HasSuffix(r.URL.Path, "/installation")) {
		return s.verifyJWT(tok) == nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token == "" || tok == s.token
}

// verifyJWT checks an App JWT: RS256 signature with the App's public key,
// iss the App ID, iat not in the future, exp after now and at most 10
// minutes after iat... plus the 60 seconds GitHub's clients backdate iat.
func (s *Server) verifyJWT(tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	var header struct {
		Alg, Typ string
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return fmt.Errorf("header %+v: want RS256", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	if err := verifyRS256(s.opts.App.PublicKey, parts[0]+"."+parts[1], sig); err != nil {
		return err
	}
	var c JWTClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return err
	}
	now := s.now().Unix()
	switch {
	case c.ISS != fmt.Sprint(s.opts.App.ID):
		return fmt.Errorf("iss %q", c.ISS)
	case c.IAT > now:
		return fmt.Errorf("iat in the future")
	case c.EXP <= now:
		return fmt.Errorf("expired")
	case c.EXP-c.IAT > 11*60:
		return fmt.Errorf("lives longer than 10 minutes")
	}
	s.mu.Lock()
	s.jwts = append(s.jwts, c)
	s.mu.Unlock()
	return nil
}

func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
