package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// repoInfo is what the audit needs of a listed repository.
type repoInfo struct {
	FullName      string
	CloneURL      string
	DefaultBranch string
	Visibility    string
	// PushedAt is pushed_at in RFC 3339, "" when the API did not say.
	PushedAt string
	Archived bool
	Fork     bool
	Disabled bool
}

// listing counts what the listing left out, by reason.
type listing struct {
	repos                                []repoInfo
	archived, forks, disabled, unmatched int
	otherShards                          int
}

// listRepos lists the organisation's repositories, following pagination,
// and selects those the options ask for.
func listRepos(ctx context.Context, gh *github.Client, opts *Options) (*listing, error) {
	all, err := listAll(ctx, gh, opts)
	if err != nil {
		return nil, err
	}
	globs := splitGlobs(opts.Repos)
	out := &listing{}
	for _, r := range all {
		switch {
		case r.Disabled:
			out.disabled++
		case r.Archived && !opts.IncludeArchived:
			out.archived++
		case r.Fork && !opts.IncludeForks:
			out.forks++
		case !matchAny(globs, r.FullName):
			out.unmatched++
		case !opts.Shard.Contains(r.FullName):
			out.otherShards++
		default:
			out.repos = append(out.repos, r)
		}
	}
	return out, nil
}

func listAll(ctx context.Context, gh *github.Client, opts *Options) ([]repoInfo, error) {
	lo := &github.RepositoryListByOrgOptions{Type: "all", Sort: "full_name", ListOptions: github.ListOptions{PerPage: 100}}
	var out []repoInfo
	seen := map[string]bool{}
	for {
		var page []*github.Repository
		var resp *github.Response
		err := opts.Retry.call(ctx, func() error {
			var err error
			page, resp, err = gh.Repositories.ListByOrg(ctx, opts.Org, lo)
			return err
		})
		if err != nil {
			return nil, apiError(fmt.Sprintf("list repositories for org %q", opts.Org), err)
		}
		for _, r := range page {
			info := repoInfo{
				FullName: r.GetFullName(), CloneURL: r.GetCloneURL(), DefaultBranch: r.GetDefaultBranch(),
				Visibility: r.GetVisibility(), Archived: r.GetArchived(), Fork: r.GetFork(), Disabled: r.GetDisabled(),
			}
			if r.PushedAt != nil {
				info.PushedAt = r.GetPushedAt().UTC().Format(time.RFC3339)
			}
			if info.Visibility == "" {
				info.Visibility = "public"
				if r.GetPrivate() {
					info.Visibility = "private"
				}
			}
			if info.FullName == "" || seen[info.FullName] {
				continue // a repository moved between pages while listing
			}
			seen[info.FullName] = true
			out = append(out, info)
		}
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		lo.Page = resp.NextPage
	}
}

// call runs an API call, waiting out the rate limits go-github detects on
// its own before sending a request (its remaining count reached zero).
// Rate limits and server errors GitHub answers with are handled by the
// retrying transport.
func (p RetryPolicy) call(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		var rl *github.RateLimitError
		if !errors.As(err, &rl) || attempt >= p.maxRetries() {
			return err
		}
		wait := max(0, rl.Rate.Reset.Time.Sub(p.now()))
		if wait > p.maxWait() {
			return err
		}
		if serr := p.sleep(ctx, p.withJitter(wait)); serr != nil {
			return serr
		}
	}
}

// apiError translates a go-github error: authentication failures wrap
// [ErrAuth], exhausted rate limits become [RateLimitError].
func apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s: %w", op, &RateLimitError{Reset: rl.Rate.Reset.Time, Msg: rl.Message})
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) {
		e := &RateLimitError{Msg: ab.Message}
		return fmt.Errorf("%s: %w", op, e)
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: %w: 401 %s (check GITHUB_TOKEN, or the GitHub App installation)", op, ErrAuth, er.Message)
		case http.StatusForbidden:
			return fmt.Errorf("%s: %w: 403 %s (the token lacks access to the organisation's repositories)", op, ErrAuth, er.Message)
		case http.StatusTooManyRequests:
			return fmt.Errorf("%s: %w", op, &RateLimitError{Msg: er.Message})
		case http.StatusNotFound:
			return fmt.Errorf("%s: not found (404): no such organisation, or the token cannot see it", op)
		}
		return fmt.Errorf("%s: %d %s", op, er.Response.StatusCode, er.Message)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// splitGlobs splits a comma-separated --repos list.
func splitGlobs(s string) []string {
	var out []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, strings.ToLower(g))
		}
	}
	return out
}

// matchAny reports whether a repository matches one of the globs (none means
// all): a glob with a slash matches the full name, one without the name.
func matchAny(globs []string, fullName string) bool {
	if len(globs) == 0 {
		return true
	}
	full := strings.ToLower(fullName)
	_, name, _ := strings.Cut(full, "/")
	for _, g := range globs {
		target := name
		if strings.Contains(g, "/") {
			target = full
		}
		if ok, _ := path.Match(g, target); ok {
			return true
		}
	}
	return false
}

// ValidateGlobs checks a --repos list.
func ValidateGlobs(s string) error {
	for _, g := range splitGlobs(s) {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("repository pattern %q: %w", g, err)
		}
	}
	return nil
}
