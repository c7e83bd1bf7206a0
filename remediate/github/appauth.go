package github

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// App is a GitHub App: its ID and private key. It prints without its key.
type App struct {
	ID  int64
	Key *rsa.PrivateKey
}

// String implements fmt.Stringer without the key.
func (a App) String() string { return fmt.Sprintf("GitHub App %d", a.ID) }

// GoString implements fmt.GoStringer without the key.
func (a App) GoString() string { return fmt.Sprintf("github.App{ID: %d}", a.ID) }

// ParsePrivateKey reads a GitHub App's private key: PEM, PKCS#1 ("RSA
// PRIVATE KEY", what GitHub hands out) or PKCS#8. Errors never quote the
// key.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("GitHub App private key: not PEM (want the .pem file GitHub generated)")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("GitHub App private key: malformed PKCS#1 RSA key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("GitHub App private key: malformed PKCS#8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("GitHub App private key: not an RSA key")
		}
		return rk, nil
	}
	return nil, fmt.Errorf("GitHub App private key: PEM block %q, want \"RSA PRIVATE KEY\"", block.Type)
}

// JWT lifetimes: GitHub refuses an exp more than 10 minutes ahead; iat is
// set in the past against clock drift, as GitHub recommends.
const (
	jwtBackdate = 60 * time.Second
	jwtLifetime = 9 * time.Minute
)

// JWT returns the App's JSON Web Token for now: RS256, iss the App ID, iat
// 60 seconds in the past, exp 9 minutes ahead (GitHub allows 10).
func (a App) JWT(now time.Time) (string, error) {
	if a.Key == nil {
		return "", errors.New("GitHub App JWT: no private key")
	}
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, err := json.Marshal(struct {
		IAT int64  `json:"iat"`
		EXP int64  `json:"exp"`
		ISS string `json:"iss"`
	}{now.Add(-jwtBackdate).Unix(), now.Add(jwtLifetime).Unix(), strconv.FormatInt(a.ID, 10)})
	if err != nil {
		return "", err
	}
	signing := header + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.Key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("GitHub App JWT: sign: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// InstallationTarget says where the App's installation is looked up: a
// repository (Owner and Repo), or an organisation or user account (Owner
// only).
type InstallationTarget struct {
	Owner, Repo string
}

// InstallationToken is a token minted for an App installation; it lasts an
// hour.
type InstallationToken struct {
	Token          Token
	ExpiresAt      time.Time
	InstallationID int64
}

// MintInstallationToken authenticates as the App (its JWT) at cfg.APIURL,
// finds its installation for target (GET /repos/{owner}/{repo}/installation;
// for an account GET /orgs/{org}/installation, else
// GET /users/{user}/installation; when that is not found, the account in
// GET /app/installations) and mints an installation token (POST
// /app/installations/{id}/access_tokens), restricted to target.Repo when
// given. cfg.Token is ignored; cfg.Retry.Now is the JWT's clock. Use the
// token for one run: build the run's [Client] with it.
func MintInstallationToken(ctx context.Context, cfg ClientConfig, app App, target InstallationTarget) (*InstallationToken, error) {
	if target.Owner == "" {
		return nil, errors.New("GitHub App installation: no owner to look it up for")
	}
	jwt, err := app.JWT(cfg.Retry.Time())
	if err != nil {
		return nil, err
	}
	api, err := newAPI(cfg, jwt)
	if err != nil {
		return nil, err
	}
	now := cfg.Retry.Time()
	id, err := findInstallation(ctx, api, target, now)
	if errors.Is(err, ErrUnauthorized) {
		return nil, fmt.Errorf("GitHub rejected the JWT of %s: check the App ID, that the private key is the App's, and the system clock: %w", app, err)
	}
	if err != nil {
		return nil, err
	}
	var opts *gh.InstallationTokenOptions
	if target.Repo != "" {
		opts = &gh.InstallationTokenOptions{Repositories: []string{target.Repo}}
	}
	tok, _, err := api.Apps.CreateInstallationToken(ctx, id, opts)
	if err != nil {
		return nil, translate(fmt.Sprintf("mint installation token for %s (installation %d)", app, id), target.String(), now, err)
	}
	if tok.GetToken() == "" {
		return nil, fmt.Errorf("mint installation token for %s: GitHub returned no token", app)
	}
	return &InstallationToken{Token: Token(tok.GetToken()), ExpiresAt: tok.GetExpiresAt().Time, InstallationID: id}, nil
}

// String returns OWNER/REPO, or OWNER for an account.
func (t InstallationTarget) String() string {
	if t.Repo == "" {
		return t.Owner
	}
	return t.Owner + "/" + t.Repo
}

// findInstallation returns the ID of the App's installation for target.
func findInstallation(ctx context.Context, api *gh.Client, t InstallationTarget, now time.Time) (int64, error) {
	if t.Repo != "" {
		inst, _, err := api.Apps.FindRepositoryInstallation(ctx, t.Owner, t.Repo)
		if err != nil {
			return 0, installationError(t.String(), translate("find the App's installation on "+t.String(), t.String(), now, err))
		}
		return inst.GetID(), nil
	}
	inst, _, err := api.Apps.FindOrganizationInstallation(ctx, t.Owner)
	if errors.Is(translate("", "", now, err), ErrNotFound) {
		inst, _, err = api.Apps.FindUserInstallation(ctx, t.Owner)
	}
	if err == nil {
		return inst.GetID(), nil
	}
	if terr := translate("", "", now, err); !errors.Is(terr, ErrNotFound) {
		return 0, translate("find the App's installation on "+t.Owner, t.Owner, now, err)
	}
	opts := &gh.ListOptions{PerPage: 100}
	for {
		list, resp, err := api.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return 0, translate("list the App's installations", t.Owner, now, err)
		}
		for _, in := range list {
			if strings.EqualFold(in.GetAccount().GetLogin(), t.Owner) {
				return in.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return 0, installationError(t.Owner, nil)
}

// installationError explains a missing installation.
func installationError(target string, err error) error {
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("the GitHub App is not installed on %q (or its private key belongs to another App): install it with contents, pull requests and workflows write permissions", target)
}
