package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/sessionize/sessionize/scanner"
)

// isRemote reports whether a scan target is a URL to clone rather than a
// local path.
func isRemote(target string) bool {
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
		if strings.HasPrefix(target, p) {
			return true
		}
	}
	return strings.HasPrefix(target, "git@") && strings.Contains(target, ":")
}

// cloneRemote clones target into a temporary directory removed by cleanup.
// A GITHUB_TOKEN in the environment authenticates HTTPS clones from the
// GitHub server (GITHUB_SERVER_URL, default github.com) only.
func (a *app) cloneRemote(ctx context.Context, target string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "sessionize-clone-")
	if err != nil {
		return "", nil, fmt.Errorf("create clone directory: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	opts := scanner.CloneOptions{}
	if tok := a.getenv("GITHUB_TOKEN"); tok != "" && sameHost(target, a.serverURL()) {
		opts.Token = tok
	}
	if err := scanner.Clone(ctx, target, dir, opts); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// serverURL is the GitHub server: GITHUB_SERVER_URL or https://github.com.
func (a *app) serverURL() string {
	if s := a.getenv("GITHUB_SERVER_URL"); s != "" {
		return strings.TrimSuffix(s, "/")
	}
	return "https://github.com"
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == "https" && strings.EqualFold(ua.Host, ub.Host)
}
