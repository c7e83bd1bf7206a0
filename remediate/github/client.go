package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// Default endpoints of github.com.
const (
	DefaultAPIURL    = "https://api.github.com/"
	DefaultServerURL = "https://github.com"
)

// Token is a GitHub token (an installation token, the GITHUB_TOKEN of
// Actions). Every way of printing it yields "[redacted]"; [Token.Reveal]
// is the only way to the value.
type Token string

// String implements fmt.Stringer without revealing the token.
func (Token) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer without revealing the token.
func (Token) GoString() string { return `github.Token("[redacted]")` }

// Reveal returns the token itself, for an Authorization header.
func (t Token) Reveal() string { return string(t) }

// ClientConfig configures [NewClient]. Only Token is required.
type ClientConfig struct {
	// APIURL is the REST API base (GITHUB_API_URL): GitHub Enterprise
	// Server's https://HOST/api/v3/, or a test server; empty means
	// https://api.github.com/. It is used as given (no /api/v3/ is added).
	APIURL string
	// ServerURL is the git server (GITHUB_SERVER_URL) pushes go to, as
	// SERVER/OWNER/NAME.git; empty means https://github.com.
	ServerURL string
	// Token authenticates the API (Bearer) and git (x-access-token basic
	// auth).
	Token Token
	// Transport is the base HTTP transport; nil means
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Retry is the rate-limit and retry policy of API calls.
	Retry RetryPolicy
	// UserAgent defaults to "sessionize".
	UserAgent string
	// Logger receives diagnostics (never tokens); nil discards.
	Logger *slog.Logger
}

// Client talks to one GitHub server with one token. It is safe for
// concurrent use.
type Client struct {
	api       *gh.Client
	token     Token
	serverURL string
	retry     RetryPolicy
	logger    *slog.Logger
	// creator replaces api.PullRequests in tests.
	creator pullRequestCreator
}

// NewClient builds a client. The token is sent only to APIURL and
// ServerURL and is never logged.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("github client: no token")
	}
	api, err := newAPI(cfg, cfg.Token.Reveal())
	if err != nil {
		return nil, err
	}
	server := strings.TrimSuffix(cfg.ServerURL, "/")
	if server == "" {
		server = DefaultServerURL
	}
	if _, err := checkURL(server); err != nil {
		return nil, fmt.Errorf("GitHub server URL %q: %w", cfg.ServerURL, err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{api: api, token: cfg.Token, serverURL: server, retry: cfg.Retry, logger: logger}, nil
}

// newAPI builds a go-github client sending bearer as its token through the
// retrying transport.
func newAPI(cfg ClientConfig, bearer string) (*gh.Client, error) {
	p := cfg.Retry
	if p.Logger == nil {
		p.Logger = cfg.Logger
	}
	hc := &http.Client{Transport: p.Transport(cfg.Transport)}
	api := gh.NewClient(hc).WithAuthToken(bearer)
	api.UserAgent = cfg.UserAgent
	if api.UserAgent == "" {
		api.UserAgent = "sessionize"
	}
	base := cfg.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := checkURL(base)
	if err != nil {
		return nil, fmt.Errorf("GitHub API URL %q: %w", cfg.APIURL, err)
	}
	api.BaseURL = u
	api.UploadURL = u
	return api, nil
}

// checkURL accepts https URLs, and http ones only on the loopback
// interface (tests): a token never travels in clear text.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("want an absolute https URL")
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return u, nil
		}
		return nil, errors.New("http sends the token in clear text: use https")
	}
	return nil, errors.New("want an absolute https URL")
}

// API returns the go-github client, authenticated and retrying, for
// commands that need more than this package offers (the org audit).
func (c *Client) API() *gh.Client { return c.api }

// Token returns the client's token, for clones (scanner.CloneOptions).
func (c *Client) Token() Token { return c.token }

// ServerURL returns the git server, without a trailing slash.
func (c *Client) ServerURL() string { return c.serverURL }

// GitURL is the HTTPS URL pushes to r go to.
func (c *Client) GitURL(r Repository) string {
	return c.serverURL + "/" + r.Owner + "/" + r.Name + ".git"
}

// RepositoryInfo is what the tool needs to know about a repository.
type RepositoryInfo struct {
	// DefaultBranch is the branch pull requests target by default.
	DefaultBranch string
	// OwnerID and RepoID are the numeric IDs immutable subject claims
	// carry.
	OwnerID, RepoID int64
	Private         bool
	Archived        bool
}

// Repository reads r's default branch and IDs.
func (c *Client) Repository(ctx context.Context, r Repository) (*RepositoryInfo, error) {
	repo, _, err := c.api.Repositories.Get(ctx, r.Owner, r.Name)
	if err != nil {
		return nil, c.translate(fmt.Sprintf("get repository %q", r.String()), r, err)
	}
	return &RepositoryInfo{
		DefaultBranch: repo.GetDefaultBranch(), OwnerID: repo.GetOwner().GetID(), RepoID: repo.GetID(),
		Private: repo.GetPrivate(), Archived: repo.GetArchived(),
	}, nil
}

func (c *Client) translate(op string, r Repository, err error) error {
	return translate(op, r.String(), c.now(), err)
}

func (c *Client) now() time.Time { return c.retry.Time() }
