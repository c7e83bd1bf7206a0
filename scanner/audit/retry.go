package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how GitHub API calls wait out rate limits and retry
// server errors. The zero value means the defaults.
//
// A primary rate limit (403 or 429 with X-RateLimit-Remaining: 0) is waited
// out until X-RateLimit-Reset; a secondary one (403 or 429 with Retry-After,
// or a body naming the secondary rate limit) for Retry-After, else with
// exponential backoff from one minute. 5xx responses and network errors of
// idempotent requests are retried with exponential backoff from BaseDelay.
// Every wait gets up to a quarter more of random jitter and is capped at
// MaxWait; after MaxRetries retries the last response is returned as is.
type RetryPolicy struct {
	// MaxRetries bounds the retries of one request; 0 means 5, negative none.
	MaxRetries int
	// BaseDelay is the first backoff for server errors; 0 means 1s.
	BaseDelay time.Duration
	// MaxWait caps one wait; 0 means 15 minutes. A rate limit that resets
	// later is returned to the caller.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done; nil means a timer. Tests
	// replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Jitter returns a random duration in [0, d); nil means math/rand/v2.
	Jitter func(d time.Duration) time.Duration
}

func (p RetryPolicy) maxRetries() int {
	switch {
	case p.MaxRetries == 0:
		return 5
	case p.MaxRetries < 0:
		return 0
	}
	return p.MaxRetries
}

func (p RetryPolicy) baseDelay() time.Duration {
	if p.BaseDelay <= 0 {
		return time.Second
	}
	return p.BaseDelay
}

func (p RetryPolicy) maxWait() time.Duration {
	if p.MaxWait <= 0 {
		return 15 * time.Minute
	}
	return p.MaxWait
}

func (p RetryPolicy) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p RetryPolicy) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	if p.Jitter != nil {
		return p.Jitter(d)
	}
	return rand.N(d) //nolint:gosec // G404: retry jitter, nothing secret
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// withJitter adds up to a quarter of d, and caps the result.
func (p RetryPolicy) withJitter(d time.Duration) time.Duration {
	d += p.jitter(d/4 + time.Millisecond)
	return min(d, p.maxWait())
}

// backoff is the exponential wait before retry number attempt (0-based).
func (p RetryPolicy) backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt, 16)
	return p.withJitter(min(d, p.maxWait()))
}

// Transport returns a RoundTripper that applies the policy to requests sent
// through base (nil means http.DefaultTransport). Request bodies are
// replayed with Request.GetBody.
func (p RetryPolicy) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retryTransport{p: p, base: base}
}

type retryTransport struct {
	p    RetryPolicy
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil {
			if req.GetBody == nil {
				return nil, fmt.Errorf("retry %s %s: request body cannot be replayed", req.Method, req.URL.Path)
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("retry %s %s: %w", req.Method, req.URL.Path, err)
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		wait, retry := t.decide(req, resp, err, attempt)
		if !retry || attempt >= t.p.maxRetries() {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
		}
		if serr := t.p.sleep(ctx, wait); serr != nil {
			return nil, serr
		}
	}
}

// decide says whether to retry a round trip, and after how long.
func (t *retryTransport) decide(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if err != nil {
		if req.Context().Err() != nil || !idempotent(req.Method) {
			return 0, false
		}
		return t.p.backoff(t.p.baseDelay(), attempt), true
	}
	if d, limited := t.rateLimitWait(resp, attempt); limited {
		if d > t.p.maxWait() {
			return 0, false // resets too late: the caller reports it
		}
		return t.p.withJitter(d), true
	}
	if resp.StatusCode >= 500 && idempotent(req.Method) {
		return t.p.backoff(t.p.baseDelay(), attempt), true
	}
	return 0, false
}

// rateLimitWait recognises a rate-limited response and returns how long to
// wait before the limit lifts.
func (t *retryTransport) rateLimitWait(resp *http.Response, attempt int) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	h := resp.Header
	if s := h.Get("Retry-After"); s != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if at, err := http.ParseTime(s); err == nil {
			return max(0, at.Sub(t.p.now())), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(0, time.Unix(reset, 0).Sub(t.p.now())), true
		}
		return t.p.backoff(time.Minute, attempt), true
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimitBody(resp) {
		return time.Minute << min(attempt, 6), true
	}
	return 0, false
}

// secondaryLimitBody reports whether a 403 body names the secondary rate
// limit; the body is restored for the caller.
func secondaryLimitBody(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return false
	}
	lower := bytes.ToLower(data)
	return bytes.Contains(lower, []byte("secondary rate limit")) || bytes.Contains(lower, []byte("abuse"))
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// ErrAuth is wrapped by errors that stop an audit because GitHub refused the
// credentials: HTTP 401, or 403 that is not a rate limit.
var ErrAuth = errors.New("github authentication failed")

// RateLimitError is returned when a rate limit outlasts the retry policy.
type RateLimitError struct {
	// Reset is when the limit lifts; zero when unknown.
	Reset time.Time
	Msg   string
}

func (e *RateLimitError) Error() string {
	if e.Reset.IsZero() {
		return "github rate limit exceeded: " + e.Msg
	}
	return fmt.Sprintf("github rate limit exceeded until %s: %s", e.Reset.UTC().Format(time.RFC3339), e.Msg)
}
