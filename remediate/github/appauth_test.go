package github_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
)

// appKey is generated once per test binary: never a committed key.
var appKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func testKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := appKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// installationToken is what the fake App mints, built at run time.
var installationToken = fakeToken("ghs", "INSTALLATIONinstallation")

// TestApp_EndToEnd mints an installation token from the App's JWT and
// delivers with it: the fake server verifies the JWT with the App's
// public key, and only the installation token is then accepted, by git
// and by the API.
func TestApp_EndToEnd(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	clock := newClock()
	srv := githubtest.New(t, githubtest.Options{
		Token: installationToken, Now: clock.Now,
		App: &githubtest.App{ID: 4242, PublicKey: &key.PublicKey, InstallationID: 77, Token: installationToken},
	})
	files := map[string]string{workflowPath: deployYML}
	srv.AddRepo(owner, name, files)

	// The key as GitHub hands it out (PKCS#1 PEM) goes through the parser.
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	parsed, err := github.ParsePrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := github.ClientConfig{APIURL: srv.APIURL(), ServerURL: srv.ServerURL(), Retry: clock.policy()}
	tok, err := github.MintInstallationToken(t.Context(), cfg, github.App{ID: 4242, Key: parsed}, github.InstallationTarget{Owner: owner, Repo: name})
	if err != nil {
		t.Fatalf("MintInstallationToken() error = %v", err)
	}
	if tok.Token.Reveal() != installationToken || tok.InstallationID != 77 {
		t.Fatalf("minted %+v for installation %d", tok, tok.InstallationID)
	}

	// The JWT: verified by the server; iat 60 s in the past, exp 9 min
	// ahead, iss the App ID.
	jwts := srv.JWTs()
	if len(jwts) != 2 {
		t.Fatalf("%d verified JWTs, want 2 (installation lookup, token)", len(jwts))
	}
	want := githubtest.JWTClaims{IAT: epoch.Unix() - 60, EXP: epoch.Unix() + 540, ISS: "4242"}
	if diff := cmp.Diff(want, jwts[0]); diff != "" {
		t.Errorf("JWT claims mismatch (-want +got):\n%s", diff)
	}

	cfg.Token = tok.Token
	c, err := github.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, r := plan(t, files)
	out := deliver(t, c, request(res, r))
	if o := out.Outcomes[0]; o.Action != github.Created {
		t.Fatalf("outcome %+v, want created", o)
	}

	var paths []string
	for _, rq := range srv.Requests() {
		paths = append(paths, rq.Method+" "+rq.Path)
		switch rq.Path {
		case "/api/v3/repos/acme/site/installation", "/api/v3/app/installations/77/access_tokens":
			jwt, ok := strings.CutPrefix(rq.Auth, "Bearer ")
			if !ok || strings.Count(jwt, ".") != 2 {
				t.Errorf("%s: Authorization %q, want the App's JWT", rq, rq.Auth)
			}
		default:
			if rq.Auth != "Bearer "+installationToken {
				t.Errorf("%s: Authorization %q, want the installation token", rq, rq.Auth)
			}
		}
		if rq.Path == "/api/v3/app/installations/77/access_tokens" {
			var body struct{ Repositories []string }
			if err := json.Unmarshal(rq.Body, &body); err != nil || !cmp.Equal(body.Repositories, []string{"site"}) {
				t.Errorf("access token request body %s: want the token restricted to site", rq.Body)
			}
		}
	}
	if paths[0] != "GET /api/v3/repos/acme/site/installation" || paths[1] != "POST /api/v3/app/installations/77/access_tokens" {
		t.Errorf("requests start %q, want the installation lookup then the token", paths[:2])
	}
	if diff := cmp.Diff([][2]string{{"x-access-token", installationToken}}, srv.GitPasswords()); diff != "" {
		t.Errorf("git credentials mismatch (-want +got):\n%s", diff)
	}
}

func TestApp_WrongKey(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	srv := githubtest.New(t, githubtest.Options{
		Token: installationToken,
		App:   &githubtest.App{ID: 1, PublicKey: &key.PublicKey, InstallationID: 2, Token: installationToken},
	})
	srv.AddRepo(owner, name, map[string]string{"README.md": "x\n"})
	_, err = github.MintInstallationToken(t.Context(), github.ClientConfig{APIURL: srv.APIURL()}, github.App{ID: 1, Key: other},
		github.InstallationTarget{Owner: owner, Repo: name})
	if !errors.Is(err, github.ErrUnauthorized) || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("MintInstallationToken() error = %v, want ErrUnauthorized naming the private key", err)
	}
}

func TestParsePrivateKey(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"pkcs1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), ""},
		{"pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), ""},
		{"not pem", []byte("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ"), "not PEM"},
		{"garbage in pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("MIIEvQIBADANBgkqhk")}), "malformed"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), `"CERTIFICATE"`},
	}
	for _, tt := range tests {
		_, err := github.ParsePrivateKey(tt.data)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: ParsePrivateKey() error = %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: ParsePrivateKey() error = %v, want %q", tt.name, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), "MIIE"):
			t.Errorf("%s: error %q quotes the key", tt.name, err)
		}
	}
}
