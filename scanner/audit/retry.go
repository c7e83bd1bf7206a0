package audit

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sessionize/sessionize/internal/ghretry"
)

// RetryPolicy says how GitHub API calls wait out rate limits and retry
// server errors: the policy of remediate/github's pull requests too
// (internal/ghretry), so that a policy converts to and from theirs. The zero
// value means the defaults.
//
// A primary rate limit (403 or 429 with X-RateLimit-Remaining: 0) is waited
// out until X-RateLimit-Reset; a secondary one (403 or 429 with Retry-After,
// or a body naming the secondary rate limit) for Retry-After, else with
// exponential backoff from one minute. 5xx responses and network errors of
// requests other than POST are retried with exponential backoff from
// BaseDelay. Every wait gets up to a quarter more of random jitter and is
// capped at MaxWait; a limit that lifts later, or a request that failed
// MaxRetries+1 times, ends the retries and the last response is returned as
// is. Now, Sleep and Jitter are injectable so that tests never sleep.
type RetryPolicy ghretry.RetryPolicy

// Transport returns a RoundTripper that applies the policy to requests sent
// through base (nil means http.DefaultTransport). Request bodies are
// replayed with Request.GetBody.
func (p RetryPolicy) Transport(base http.RoundTripper) http.RoundTripper {
	return p.shared().Transport(base)
}

func (p RetryPolicy) shared() ghretry.RetryPolicy { return ghretry.RetryPolicy(p) }

// The policy's effective values, for waiting out the rate limits go-github
// detects before sending (RetryPolicy.call).
func (p RetryPolicy) maxRetries() int        { return p.shared().Retries() }
func (p RetryPolicy) maxWait() time.Duration { return p.shared().WaitCap() }
func (p RetryPolicy) now() time.Time         { return p.shared().Time() }
func (p RetryPolicy) withJitter(d time.Duration) time.Duration {
	return p.shared().Jittered(d)
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	return p.shared().Wait(ctx, d)
}

// ErrAuth is wrapped by errors that stop an audit because GitHub refused the
// credentials: HTTP 401, or 403 that is not a rate limit.
var ErrAuth = errors.New("github authentication failed")

// RateLimitError is returned when a rate limit outlasts the retry policy:
// Reset is when the limit lifts (zero when unknown), Msg is GitHub's
// message. It is remediate/github's RateLimitError too.
type RateLimitError = ghretry.RateLimitError
