package main

// GitHub access for the commands that talk to GitHub (pr; audit can reuse
// it): the environment, read in one place; the authentication flags; and a
// lazy factory that builds the authenticated client only when a command
// first needs it, so that modes that never reach GitHub (pr --dry-run, pr
// with nothing to fix) need no credentials.
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
	"os"
	"strconv"
	"strings"
	"sync"

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
	// use; empty means https://github.com.
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
// Client method is safe for concurrent use; the first call's context is
// the one the client is built with.
type lazyGitHub struct {
	a      *app
	auth   githubAuth
	target rgithub.InstallationTarget
	retry  rgithub.RetryPolicy

	once   sync.Once
	client *rgithub.Client
	err    error
}

// gitHub returns the lazy client of a command: auth selects the App or
// GITHUB_TOKEN; target is where an App installation is looked up (the
// repository, or the organisation for an audit). Nothing is read or sent
// until Client is called.
func (a *app) gitHub(auth githubAuth, target rgithub.InstallationTarget) *lazyGitHub {
	return &lazyGitHub{a: a, auth: auth, target: target, retry: rgithub.RetryPolicy{Now: a.now, Logger: a.logger}}
}

// Client returns the authenticated client, building it on the first call.
func (l *lazyGitHub) Client(ctx context.Context) (*rgithub.Client, error) {
	l.once.Do(func() { l.client, l.err = l.build(ctx) })
	return l.client, l.err
}

func (l *lazyGitHub) build(ctx context.Context) (*rgithub.Client, error) {
	env := l.a.githubEnv()
	cfg := rgithub.ClientConfig{
		APIURL: env.apiURL, ServerURL: env.serverURL, Retry: l.retry, Logger: l.a.logger,
		UserAgent: "sessionize/" + readBuildInfo().Version,
	}
	if l.auth.appID == "" {
		if env.token == "" {
			return nil, usageError{errors.New("no GitHub credentials: in GitHub Actions pass the job's token (env GITHUB_TOKEN: ${{ github.token }}); " +
				"elsewhere authenticate as a GitHub App with --app-id and --app-private-key-file (or SESSIONIZE_APP_PRIVATE_KEY)")}
		}
		if strings.HasPrefix(env.token, "ghp_") || strings.HasPrefix(env.token, "github_pat_") {
			l.a.logger.Warn("GITHUB_TOKEN is a personal access token, a long-lived credential: prefer the job's token in GitHub Actions or a GitHub App (--app-id)")
		}
		cfg.Token = rgithub.Token(env.token)
		return rgithub.NewClient(cfg)
	}
	tok, err := l.mint(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	cfg.Token = tok
	return rgithub.NewClient(cfg)
}

// mint mints a GitHub App installation token for the target.
func (l *lazyGitHub) mint(ctx context.Context, cfg rgithub.ClientConfig, env githubEnv) (rgithub.Token, error) {
	id, _ := strconv.ParseInt(l.auth.appID, 10, 64)
	pemData := []byte(env.appKey)
	if l.auth.appKeyFile != "" {
		data, err := os.ReadFile(l.auth.appKeyFile)
		if err != nil {
			return "", fmt.Errorf("--app-private-key-file: %w", err)
		}
		pemData = data
	} else if !strings.Contains(env.appKey, "\n") && strings.Contains(env.appKey, `\n`) {
		// A PEM pasted into a one-line variable with escaped newlines.
		pemData = []byte(strings.ReplaceAll(env.appKey, `\n`, "\n"))
	}
	if len(pemData) == 0 {
		return "", usageError{errors.New("--app-id needs the App's private key: --app-private-key-file or SESSIONIZE_APP_PRIVATE_KEY")}
	}
	key, err := rgithub.ParsePrivateKey(pemData)
	if err != nil {
		return "", err
	}
	tok, err := rgithub.MintInstallationToken(ctx, cfg, rgithub.App{ID: id, Key: key}, l.target)
	if err != nil {
		return "", err
	}
	l.a.logger.Info("minted a GitHub App installation token", "app", id, "installation", tok.InstallationID, "expires", tok.ExpiresAt)
	return tok.Token, nil
}
