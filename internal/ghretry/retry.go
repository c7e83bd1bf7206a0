// Package ghretry is the one retry policy of GitHub API calls: an HTTP
// transport that waits out primary and secondary rate limits and retries
// server and network errors with capped, jittered exponential backoff, and
// the typed error for a rate limit that outlasts it.
//
// scanner/audit (repository listings) and remediate/github (pull requests,
// App tokens) both use it. It imports only the standard library, so that
// both layers may (STYLE §2); go-github's errors are translated by its
// callers.
package ghretry

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
// gets up to a quarter more of random jitter and is capped at MaxWait. A
// limit that lifts later than MaxWait, or a request that failed
// MaxRetries+1 times, ends the retries: the last response is returned, for
// the caller to turn into a [RateLimitError] or an error of its own.
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

// Defaults of the zero [RetryPolicy].
const (
	DefaultMaxRetries = 5
	DefaultBaseDelay  = time.Second
	DefaultMaxWait    = 15 * time.Minute
)

// Retries returns how many times one request is retried at most:
// MaxRetries, or its default.
func (p RetryPolicy) Retries() int {
	switch {
	case p.MaxRetries == 0:
		return DefaultMaxRetries
	case p.MaxRetries < 0:
		return 0
	}
	return p.MaxRetries
}

// WaitCap returns the longest single wait: MaxWait, or its default.
func (p RetryPolicy) WaitCap() time.Duration {
	if p.MaxWait <= 0 {
		return DefaultMaxWait
	}
	return p.MaxWait
}

func (p RetryPolicy) baseDelay() time.Duration {
	if p.BaseDelay <= 0 {
		return DefaultBaseDelay
	}
	return p.BaseDelay
}

// Time returns the policy's current time: Now, or time.Now.
func (p RetryPolicy) Time() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// Jittered returns d plus up to a quarter of random jitter, capped at
// [RetryPolicy.WaitCap] (a d above the cap is returned as is).
func (p RetryPolicy) Jittered(d time.Duration) time.Duration {
	j := d/4 + time.Millisecond
	if p.Jitter != nil {
		j = p.Jitter(j)
	} else {
		j = rand.N(j) //nolint:gosec // G404: spreading retries needs no cryptographic randomness
	}
	return max(d, min(d+j, p.WaitCap()))
}

// Wait sleeps for d, or until ctx is done (returning its error).
func (p RetryPolicy) Wait(ctx context.Context, d time.Duration) error {
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

// Transport returns a RoundTripper that applies the policy to requests
// sent through base (nil means http.DefaultTransport).
func (p RetryPolicy) Transport(base http.RoundTripper) *Transport {
	return &Transport{Policy: p, Base: base}
}

// Transport is an http.RoundTripper that applies a [RetryPolicy]. Request
// bodies are replayed with Request.GetBody. It is safe for concurrent use
// when its policy and base transport are.
type Transport struct {
	Policy RetryPolicy
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
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
		resp, err := base.RoundTrip(r)
		w, retry := t.decide(req, resp, err, attempt)
		if !retry || attempt >= t.Policy.Retries() {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
		}
		t.Policy.logger().Warn("waiting before retrying a GitHub request", "request", req.Method+" "+req.URL.Path,
			"reason", w.reason, "wait", w.d.Round(time.Second).String(), "attempt", attempt+1)
		if serr := t.Policy.Wait(ctx, w.d); serr != nil {
			return nil, serr
		}
	}
}

type wait struct {
	d      time.Duration
	reason string
}

// decide says whether to retry a round trip, and after how long.
func (t *Transport) decide(req *http.Request, resp *http.Response, err error, attempt int) (wait, bool) {
	p := t.Policy
	if err != nil {
		if req.Context().Err() != nil || !replayable(req.Method) {
			return wait{}, false
		}
		return wait{p.backoff(p.baseDelay(), attempt), "network error"}, true
	}
	if w, limited := p.rateLimitWait(resp, attempt); limited {
		if w.d > p.WaitCap() {
			return wait{}, false // lifts too late: the caller reports when
		}
		w.d = p.Jittered(w.d)
		return w, true
	}
	if resp.StatusCode >= 500 && replayable(req.Method) {
		return wait{p.backoff(p.baseDelay(), attempt), fmt.Sprintf("server error %d", resp.StatusCode)}, true
	}
	return wait{}, false
}

// backoff is the jittered exponential wait before retry number attempt
// (0-based), capped at MaxWait.
func (p RetryPolicy) backoff(base time.Duration, attempt int) time.Duration {
	return p.Jittered(min(base<<min(attempt, 16), p.WaitCap()))
}

// rateLimitWait recognises a rate-limited response and returns how long to
// wait, without jitter, before the limit lifts.
func (p RetryPolicy) rateLimitWait(resp *http.Response, attempt int) (wait, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return wait{}, false
	}
	h := resp.Header
	if d, ok := retryAfter(h, p.Time()); ok {
		return wait{d, "secondary rate limit (Retry-After)"}, true
	}
	grow := min(time.Minute<<min(attempt, 6), p.WaitCap())
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := rateReset(h); ok {
			return wait{max(0, reset.Sub(p.Time())), "primary rate limit"}, true
		}
		return wait{grow, "primary rate limit"}, true
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimitBody(resp) {
		return wait{grow, "secondary rate limit"}, true
	}
	return wait{}, false
}

// Reset returns when the rate limit a response's headers describe lifts:
// after Retry-After (seconds or an HTTP date) from now, else at
// X-RateLimit-Reset. ok is false when neither header says.
func Reset(h http.Header, now time.Time) (reset time.Time, ok bool) {
	if d, ok := retryAfter(h, now); ok {
		return now.Add(d), true
	}
	return rateReset(h)
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

// secondaryLimitBody reports whether a body names the secondary rate limit
// (or, in GitHub's older wording, abuse detection); the body is restored
// for the caller.
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
// or network error: not POST, which creates things. (GitHub's PATCH
// endpoints set fields, so repeating one is harmless.)
func replayable(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// RateLimitError is a GitHub rate limit that outlasted the [RetryPolicy].
// It holds no token or secret: only GitHub's message.
type RateLimitError struct {
	// Op names the operation and its object; empty when the caller wraps
	// the error with it instead.
	Op string
	// Reset is when the limit lifts; zero when GitHub did not say.
	Reset time.Time
	// Secondary tells a secondary (abuse) limit from the primary one or
	// one of unknown kind.
	Secondary bool
	// Msg is GitHub's message.
	Msg string
}

// Error implements error.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	b.WriteString("GitHub ")
	if e.Secondary {
		b.WriteString("secondary ")
	}
	b.WriteString("rate limit exceeded")
	if !e.Reset.IsZero() {
		b.WriteString(" until " + e.Reset.UTC().Format(time.RFC3339))
	}
	b.WriteString(", gave up waiting")
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	return b.String()
}
