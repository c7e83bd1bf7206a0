package main

// GitHub access for the commands that talk to GitHub (pr, audit, the TUI's
// pull requests): the environment, read in one place; the authentication
// flags; and a lazy factory that builds the authenticated client only when
// a command first needs it, so that modes that never reach GitHub (pr
// --dry-run, pr with nothing to fix, a TUI session without a pull request)
// need no credentials.
//
// Credentials are short-lived by design: GITHUB_TOKEN (in GitHub Actions,
// the job's token), or a GitHub App whose installation token is minted for
// the run from its JWT (--app-id with --app-private-key-file or
// SESSIONIZE_APP_PRIVATE_KEY). Nothing asks for a personal access token,
// and one given in GITHUB_TOKEN draws a warning.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	rgithub "github.com/sessionize/sessionize/remediate/github"
)

// githubEnv is everything GitHub access reads from the environment.
type githubEnv struct {
	// token is GITHUB_TOKEN.
	token string
	// apiURL is GITHUB_API_URL (GitHub Enterprise Server, tests); empty
	// means https://api.github.com/.
	apiURL string
	// serverURL is GITHUB_SERVER_URL, the git server pushes and clones
	// use; empty means https://github.com, or GitHub Enterprise Server's
	// host when apiURL is its https://HOST/api/v3.
	serverURL string
	// appKey is SESSIONIZE_APP_PRIVATE_KEY, a GitHub App's private key
	// (PEM).
	appKey string
}

// githubEnv reads the environment of GitHub access.
func (a *app) githubEnv() githubEnv {
	return githubEnv{
		token:     a.getenv("GITHUB_TOKEN"),
		apiURL:    a.getenv("GITHUB_API_URL"),
		serverURL: a.getenv("GITHUB_SERVER_URL"),
		appKey:    a.getenv("SESSIONIZE_APP_PRIVATE_KEY"),
	}
}

// gitServer is the git server the token may be sent to: GITHUB_SERVER_URL;
// else, for GitHub Enterprise Server's API (https://HOST/api/v3), its host;
// else github.com, unless GITHUB_API_URL names another API, whose git
// server cannot be guessed (the token must not go to github.com).
func (e githubEnv) gitServer() (string, error) {
	if e.serverURL != "" {
		return e.serverURL, nil
	}
	api := strings.TrimSuffix(e.apiURL, "/")
	if api == "" || api == strings.TrimSuffix(rgithub.DefaultAPIURL, "/") {
		return rgithub.DefaultServerURL, nil
	}
	if u, err := url.Parse(api); err == nil && u.Host != "" && strings.TrimSuffix(u.Path, "/") == "/api/v3" {
		return u.Scheme + "://" + u.Host, nil
	}
	return "", usageError{fmt.Errorf("GITHUB_API_URL %q is not github.com's API: set GITHUB_SERVER_URL to its git server too", e.apiURL)}
}

// host is the host name of the git server, or "" when none can be told.
func (e githubEnv) host() string {
	server, err := e.gitServer()
	if err != nil {
		return ""
	}
	u, err := url.Parse(server)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// githubAuth are the flags that select a GitHub App instead of
// GITHUB_TOKEN.
type githubAuth struct {
	appID      string
	appKeyFile string
}

// addFlags registers --app-id and --app-private-key-file on f.
func (g *githubAuth) addFlags(f *pflag.FlagSet) {
	f.StringVar(&g.appID, "app-id", "", "authenticate as this GitHub App (numeric ID): an installation token is minted for the run")
	f.StringVar(&g.appKeyFile, "app-private-key-file", "", "the GitHub App's private key (PEM; else SESSIONIZE_APP_PRIVATE_KEY holds it)")
}

// validate checks the flags alone (the key is read when first needed).
func (g *githubAuth) validate() error {
	if g.appKeyFile != "" && g.appID == "" {
		return errors.New("--app-private-key-file needs --app-id")
	}
	if g.appID != "" {
		if id, err := strconv.ParseInt(g.appID, 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("--app-id %q: want the App's numeric ID", g.appID)
		}
	}
	return nil
}

// lazyGitHub is an authenticated GitHub client built on first use. Its
// Client method is safe for concurrent use.
type lazyGitHub struct {
	a      *app
	auth   githubAuth
	target rgithub.InstallationTarget
	retry  rgithub.RetryPolicy

	mu     sync.Mutex
	client *rgithub.Client
	// expires is when an App installation token lapses (an hour after it
	// was minted); zero for GITHUB_TOKEN.
	expires time.Time
}

// renewBefore is how long before an installation token lapses a new one
// is minted (a TUI session can outlast the hour a token lives).
const renewBefore = 5 * time.Minute

// gitHub returns the lazy client of a command: auth selects the App or
// GITHUB_TOKEN; target is where an App installation is looked up (the
// repository, or the organisation for an audit). Nothing is read or sent
// until Client is called.
func (a *app) gitHub(auth githubAuth, target rgithub.InstallationTarget) *lazyGitHub {
	return &lazyGitHub{a: a, auth: auth, target: target, retry: rgithub.RetryPolicy{Now: a.now, Logger: a.logger}}
}

// Client returns the authenticated client, building it on first use with
// ctx. A failure (no credentials, GitHub unreachable) is not kept: the next
// call tries again. An App's client is built anew when its installation
// token is about to lapse.
func (l *lazyGitHub) Client(ctx context.Context) (*rgithub.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client != nil && (l.expires.IsZero() || l.a.now().Before(l.expires.Add(-renewBefore))) {
		return l.client, nil
	}
	c, expires, err := l.build(ctx)
	if err != nil {
		return nil, err
	}
	l.client, l.expires = c, expires
	return c, nil
}

func (l *lazyGitHub) build(ctx context.Context) (*rgithub.Client, time.Time, error) {
	env := l.a.githubEnv()
	server, err := env.gitServer()
	if err != nil {
		return nil, time.Time{}, err
	}
	cfg := rgithub.ClientConfig{
		APIURL: env.apiURL, ServerURL: server, Retry: l.retry, Logger: l.a.logger,
		UserAgent: "sessionize/" + readBuildInfo().Version,
	}
	if l.auth.appID == "" {
		if env.token == "" {
			return nil, time.Time{}, usageError{errors.New("no GitHub credentials: in GitHub Actions pass the job's token (env GITHUB_TOKEN: ${{ github.token }}); " +
				"elsewhere authenticate as a GitHub App with --app-id and --app-private-key-file (or SESSIONIZE_APP_PRIVATE_KEY)")}
		}
		if strings.HasPrefix(env.token, "ghp_") || strings.HasPrefix(env.token, "github_pat_") {
			l.a.logger.Warn("GITHUB_TOKEN is a personal access token, a long-lived credential: prefer the job's token in GitHub Actions or a GitHub App (--app-id)")
		}
		cfg.Token = rgithub.Token(env.token)
		c, err := rgithub.NewClient(cfg)
		return c, time.Time{}, err
	}
	tok, err := l.mint(ctx, cfg, env)
	if err != nil {
		return nil, time.Time{}, err
	}
	cfg.Token = tok.Token
	c, err := rgithub.NewClient(cfg)
	return c, tok.ExpiresAt, err
}

// mint mints a GitHub App installation token for the target.
func (l *lazyGitHub) mint(ctx context.Context, cfg rgithub.ClientConfig, env githubEnv) (*rgithub.InstallationToken, error) {
	id, _ := strconv.ParseInt(l.auth.appID, 10, 64)
	pemData := []byte(env.appKey)
	if l.auth.appKeyFile != "" {
		data, err := os.ReadFile(l.auth.appKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--app-private-key-file: %w", err)
		}
		pemData = data
	} else if !strings.Contains(env.appKey, "\n") && strings.Contains(env.appKey, `\n`) {
		// A PEM pasted into a one-line variable with escaped newlines.
		pemData = []byte(strings.ReplaceAll(env.appKey, `\n`, "\n"))
	}
	if len(pemData) == 0 {
		return nil, usageError{errors.New("--app-id needs the App's private key: --app-private-key-file or SESSIONIZE_APP_PRIVATE_KEY")}
	}
	key, err := rgithub.ParsePrivateKey(pemData)
	if err != nil {
		return nil, err
	}
	tok, err := rgithub.MintInstallationToken(ctx, cfg, rgithub.App{ID: id, Key: key}, l.target)
	if err != nil {
		return nil, err
	}
	l.a.logger.Info("minted a GitHub App installation token", "app", id, "installation", tok.InstallationID, "expires", tok.ExpiresAt)
	return tok, nil
}
