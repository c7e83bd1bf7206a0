package github

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how GitHub API calls wait out rate limits and retry
// server errors. The zero value means the defaults; it is safe for
// concurrent use when its functions are.
//
// A primary rate limit (403 or 429 with X-RateLimit-Remaining: 0) is waited
// out until X-RateLimit-Reset; a secondary one (403 or 429 with
// Retry-After, or whose body names the secondary rate limit) for
// Retry-After, else with exponential backoff from one minute, as GitHub
// asks. 5xx responses and network errors are retried with exponential
// backoff from BaseDelay, for requests that can be repeated safely (not
// POST: a pull request or comment must not be created twice). Every wait
// gets up to a quarter more of random jitter. A wait longer than MaxWait,
// or a request that failed MaxRetries+1 times, ends the retries: the last
// response is returned, and the [Client] turns it into a [RateLimitError]
// carrying the reset time, or an [APIError].
type RetryPolicy struct {
	// MaxRetries bounds the retries of one request; 0 means 5, negative
	// none.
	MaxRetries int
	// BaseDelay is the first backoff for server and network errors; 0
	// means one second.
	BaseDelay time.Duration
	// MaxWait caps one wait; 0 means 15 minutes.
	MaxWait time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx is done; nil means a timer. Tests
	// replace it (and Now) so that nothing sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a random duration in [0, d); nil means math/rand/v2.
	Jitter func(d time.Duration) time.Duration
	// Logger is told about every wait; nil discards.
	Logger *slog.Logger
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
	return rand.N(d)
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

func (p RetryPolicy) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
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
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
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
		w, retry := t.decide(req, resp, err, attempt)
		if !retry || attempt >= t.p.maxRetries() {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
		}
		t.p.logger().Warn("waiting before retrying a GitHub request", "request", req.Method+" "+req.URL.Path,
			"reason", w.reason, "wait", w.d.Round(time.Second).String(), "attempt", attempt+1)
		if serr := t.p.sleep(ctx, w.d); serr != nil {
			return nil, serr
		}
	}
}

type wait struct {
	d      time.Duration
	reason string
}

// decide says whether to retry a round trip, and after how long.
func (t *retryTransport) decide(req *http.Request, resp *http.Response, err error, attempt int) (wait, bool) {
	if err != nil {
		if req.Context().Err() != nil || !replayable(req.Method) {
			return wait{}, false
		}
		return wait{t.backoff(t.p.baseDelay(), attempt), "network error"}, true
	}
	if w, limited := t.rateLimitWait(resp, attempt); limited {
		if w.d > t.p.maxWait() {
			return wait{}, false // lifts too late: the caller reports when
		}
		w.d = t.withJitter(w.d)
		return w, true
	}
	if resp.StatusCode >= 500 && replayable(req.Method) {
		return wait{t.backoff(t.p.baseDelay(), attempt), fmt.Sprintf("server error %d", resp.StatusCode)}, true
	}
	return wait{}, false
}

// withJitter adds up to a quarter of d.
func (t *retryTransport) withJitter(d time.Duration) time.Duration {
	return d + t.p.jitter(d/4+time.Millisecond)
}

// backoff is the jittered exponential wait before retry number attempt
// (0-based), capped at MaxWait.
func (t *retryTransport) backoff(base time.Duration, attempt int) time.Duration {
	d := min(base<<min(attempt, 16), t.p.maxWait())
	return min(t.withJitter(d), t.p.maxWait())
}

// rateLimitWait recognises a rate-limited response and returns how long to
// wait before the limit lifts.
func (t *retryTransport) rateLimitWait(resp *http.Response, attempt int) (wait, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return wait{}, false
	}
	if d, ok := retryAfter(resp.Header, t.p.now()); ok {
		return wait{d, "secondary rate limit (Retry-After)"}, true
	}
	h := resp.Header
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := rateReset(h); ok {
			// A second more: GitHub's reset is rounded down.
			return wait{max(0, reset.Sub(t.p.now())) + time.Second, "primary rate limit"}, true
		}
		return wait{min(time.Minute<<min(attempt, 6), t.p.maxWait()), "primary rate limit"}, true
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimitBody(resp) {
		return wait{min(time.Minute<<min(attempt, 6), t.p.maxWait()), "secondary rate limit"}, true
	}
	return wait{}, false
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(s); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(s); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// rateReset parses X-RateLimit-Reset (Unix seconds).
func rateReset(h http.Header) (time.Time, bool) {
	reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(reset, 0), true
}

// secondaryLimitBody reports whether a body names the secondary rate
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
	return bytes.Contains(lower, []byte("secondary rate limit")) || bytes.Contains(lower, []byte("abuse detection"))
}

// replayable reports whether a request may be sent again after a server
// or network error: not POST, which creates things.
func replayable(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}
