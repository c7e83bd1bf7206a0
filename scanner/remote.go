package scanner

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// CloneOptions configures [Clone].
type CloneOptions struct {
	// Token authenticates HTTPS clones (a short-lived GitHub token); empty
	// means anonymous.
	Token string
}

// Clone clones url with its full history, every branch and every tag into
// dir, an empty directory, and checks out the default branch.
func Clone(ctx context.Context, url, dir string, opts CloneOptions) error {
	co := &git.CloneOptions{URL: url, Tags: git.AllTags}
	if opts.Token != "" {
		co.Auth = &githttp.BasicAuth{Username: "x-access-token", Password: opts.Token}
	}
	if _, err := git.PlainCloneContext(ctx, dir, false, co); err != nil {
		if errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed) {
			return fmt.Errorf("clone %q: %w (set GITHUB_TOKEN to a token that can read it)", url, err)
		}
		return fmt.Errorf("clone %q: %w", url, err)
	}
	return nil
}
