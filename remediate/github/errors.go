package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/sessionize/sessionize/internal/ghretry"
)

// Sentinels that [APIError] and push errors match with errors.Is.
var (
	// ErrUnauthorized: GitHub rejected the credentials (401): a bad or
	// expired token.
	ErrUnauthorized = errors.New("bad or expired GitHub credentials")
	// ErrForbidden: the credentials lack a permission (403, not a rate
	// limit).
	ErrForbidden = errors.New("GitHub permission denied")
	// ErrNotFound: the repository or object does not exist, or the
	// credentials cannot see it (404).
	ErrNotFound = errors.New("not found on GitHub")
	// ErrValidation: GitHub refused the request's content (422).
	ErrValidation = errors.New("GitHub validation failed")
	// ErrServer: GitHub kept failing (5xx) after the retries.
	ErrServer = errors.New("GitHub server error")
	// ErrWorkflowPermission: a push changing .github/workflows/ was refused
	// because the token lacks the workflows permission.
	ErrWorkflowPermission = errors.New("token lacks the workflows permission")
)

// APIError is a failed GitHub API call, translated from go-github so that
// callers need not depend on it. It never holds a token or a secret: only
// GitHub's message about the request.
type APIError struct {
	// Op names the operation and its object ("create pull request for
	// branch \"sessionize/...\"").
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is GitHub's message; Details its per-field errors (422).
	Message string
	Details []string
	// Permission is what GitHub says the call needs, from the
	// X-Accepted-GitHub-Permissions header ("pull_requests=write"), when a
	// 403 names it.
	Permission string
	// Repo is the repository, for messages.
	Repo string
}

// Error implements error with a message that says what to do.
func (e *APIError) Error() string {
	msg := e.Message
	if len(e.Details) > 0 {
		msg = strings.TrimSpace(msg + ": " + strings.Join(e.Details, "; "))
	}
	status := fmt.Sprintf("%d %s", e.StatusCode, msg)
	if msg == "" {
		status = fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("%s: GitHub rejected the credentials (%s): the token is invalid or expired; "+
			"in GitHub Actions pass the job's GITHUB_TOKEN, or authenticate as a GitHub App (--app-id)", e.Op, status)
	case e.StatusCode == http.StatusForbidden && e.Permission != "":
		return fmt.Sprintf("%s: permission denied (%s): the token needs %s", e.Op, status, e.Permission)
	case e.StatusCode == http.StatusForbidden:
		return fmt.Sprintf("%s: permission denied (%s): the token needs contents: write and pull-requests: write "+
			"(issues: write for labels and comments)", e.Op, status)
	case e.StatusCode == http.StatusNotFound:
		return fmt.Sprintf("%s: not found (%s): repository %q does not exist or the token cannot see it "+
			"(an App must be installed on it; a fine-grained token must include it)", e.Op, status, e.Repo)
	case e.StatusCode == http.StatusUnprocessableEntity:
		return fmt.Sprintf("%s: GitHub refused the request (%s)", e.Op, status)
	case e.StatusCode >= 500:
		return fmt.Sprintf("%s: GitHub server error (%s), still failing after retries", e.Op, status)
	}
	return fmt.Sprintf("%s: %s", e.Op, status)
}

// Is matches the sentinel of the status: [ErrUnauthorized],
// [ErrForbidden], [ErrNotFound], [ErrValidation], [ErrServer].
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrValidation:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// translate turns a go-github error into an [APIError] or a
// [RateLimitError]; other errors (network, context) are wrapped with op.
func translate(op, repo string, now time.Time, err error) error {
	if err == nil {
		return nil
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return &RateLimitError{Op: op, Reset: rl.Rate.Reset.Time, Msg: rl.Message}
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		e := &RateLimitError{Op: op, Secondary: true, Msg: ab.Message}
		if ab.RetryAfter != nil {
			e.Reset = now.Add(*ab.RetryAfter)
		}
		return e
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return fromErrorResponse(op, repo, now, er)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func fromErrorResponse(op, repo string, now time.Time, er *gh.ErrorResponse) error {
	h := er.Response.Header
	code := er.Response.StatusCode
	if code == http.StatusTooManyRequests || (code == http.StatusForbidden && strings.Contains(strings.ToLower(er.Message), "rate limit")) {
		e := &RateLimitError{Op: op, Secondary: h.Get("X-RateLimit-Remaining") != "0", Msg: er.Message}
		e.Reset, _ = ghretry.Reset(h, now)
		return e
	}
	e := &APIError{Op: op, StatusCode: code, Message: er.Message, Repo: repo}
	for _, d := range er.Errors {
		switch {
		case d.Message != "":
			e.Details = append(e.Details, d.Message)
		case d.Code != "":
			e.Details = append(e.Details, strings.TrimSpace(fmt.Sprintf("%s %s %s", d.Resource, d.Field, d.Code)))
		}
	}
	if code == http.StatusForbidden {
		e.Permission = acceptedPermissions(h.Get("X-Accepted-GitHub-Permissions"))
	}
	return e
}

// acceptedPermissions renders GitHub's X-Accepted-GitHub-Permissions
// header ("pull_requests=write; issues=write") as "pull_requests: write,
// or issues: write": alternatives are separated by ";", the permissions
// one alternative needs together by ",".
func acceptedPermissions(h string) string {
	var alts []string
	for alt := range strings.SplitSeq(h, ";") {
		var perms []string
		for p := range strings.SplitSeq(alt, ",") {
			name, level, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || name == "" {
				continue
			}
			perms = append(perms, name+": "+level)
		}
		if len(perms) > 0 {
			alts = append(alts, strings.Join(perms, " and "))
		}
	}
	if len(alts) == 0 {
		return ""
	}
	return strings.Join(alts, ", or ")
}
