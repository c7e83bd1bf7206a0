package ghretry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/internal/ghretry"
)

// retryServer answers with the given responses in turn, then 200 with the
// request's body.
func retryServer(t *testing.T, responses ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		i := int(n.Add(1)) - 1
		if i < len(responses) {
			responses[i](w)
			return
		}
		fmt.Fprintf(w, "ok %s", body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		if code == http.StatusForbidden {
			fmt.Fprint(w, `{"message":"Forbidden"}`)
		}
	}
}

func body(code int, text string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		fmt.Fprint(w, text)
	}
}

func times(n int, f func(w http.ResponseWriter)) []func(w http.ResponseWriter) {
	out := make([]func(w http.ResponseWriter), n)
	for i := range out {
		out[i] = f
	}
	return out
}

func TestTransport(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	unix := func(d time.Duration) string { return fmt.Sprint(now.Add(d).Unix()) }
	tests := []struct {
		name      string
		policy    ghretry.RetryPolicy
		method    string
		responses []func(w http.ResponseWriter)
		wantCode  int
		wantCalls int32
		wantWaits []time.Duration
	}{
		{
			name: "5xx backoff", method: "GET", responses: []func(http.ResponseWriter){status(500), status(502), status(503)},
			wantCode: 200, wantCalls: 4, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name: "5xx gives up after the default retries", method: "GET", responses: times(10, status(500)),
			wantCode: 500, wantCalls: 6, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second},
		},
		{
			name: "5xx capped", policy: ghretry.RetryPolicy{MaxRetries: 2}, method: "GET", responses: times(4, status(500)),
			wantCode: 500, wantCalls: 3, wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name: "no retries", policy: ghretry.RetryPolicy{MaxRetries: -1}, method: "GET", responses: []func(http.ResponseWriter){status(503)},
			wantCode: 503, wantCalls: 1,
		},
		{
			name: "backoff capped by MaxWait", policy: ghretry.RetryPolicy{BaseDelay: 40 * time.Second, MaxWait: time.Minute}, method: "GET",
			responses: times(2, status(500)), wantCode: 200, wantCalls: 3, wantWaits: []time.Duration{40 * time.Second, time.Minute},
		},
		{name: "post not retried on 5xx", method: "POST", responses: []func(http.ResponseWriter){status(500)}, wantCode: 500, wantCalls: 1},
		{
			name: "patch retried on 5xx", method: "PATCH", responses: []func(http.ResponseWriter){status(502)},
			wantCode: 200, wantCalls: 2, wantWaits: []time.Duration{time.Second},
		},
		{
			name: "post retried on rate limit", method: "POST", responses: []func(http.ResponseWriter){status(429, "Retry-After", "2")},
			wantCode: 200, wantCalls: 2, wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name: "primary limit waits for reset", method: "GET",
			responses: []func(http.ResponseWriter){status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", unix(42*time.Second))},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{42 * time.Second},
		},
		{
			name: "primary limit without reset backs off from a minute", method: "GET",
			responses: times(2, status(429, "X-RateLimit-Remaining", "0")),
			wantCode:  200, wantCalls: 3, wantWaits: []time.Duration{time.Minute, 2 * time.Minute},
		},
		{
			name: "retry-after date", method: "GET",
			responses: []func(http.ResponseWriter){status(429, "Retry-After", now.Add(9*time.Second).Format(http.TimeFormat))},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{9 * time.Second},
		},
		{
			name: "secondary limit from body", method: "GET",
			responses: []func(http.ResponseWriter){body(403, `{"message":"You have exceeded a secondary rate limit."}`)},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{time.Minute},
		},
		{
			name: "abuse detection from body", method: "GET",
			responses: []func(http.ResponseWriter){body(403, `{"message":"You have triggered an abuse detection mechanism."}`)},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{time.Minute},
		},
		{
			name: "secondary limit without a hint backs off, capped, then gives up", method: "GET",
			responses: times(10, body(429, `{"message":"You have exceeded a secondary rate limit."}`)),
			wantCode:  429, wantCalls: 6,
			wantWaits: []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute},
		},
		{
			name: "reset too late", policy: ghretry.RetryPolicy{MaxWait: time.Minute}, method: "GET",
			responses: []func(http.ResponseWriter){status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", unix(time.Hour))},
			wantCode:  403, wantCalls: 1,
		},
		{
			name: "retry-after too late", policy: ghretry.RetryPolicy{MaxWait: time.Minute}, method: "GET",
			responses: []func(http.ResponseWriter){status(403, "Retry-After", "3600")},
			wantCode:  403, wantCalls: 1,
		},
		{name: "plain 403 not retried", method: "GET", responses: []func(http.ResponseWriter){status(403)}, wantCode: 403, wantCalls: 1},
		{name: "401 not retried", method: "GET", responses: []func(http.ResponseWriter){status(401)}, wantCode: 401, wantCalls: 1},
		{name: "404 not retried", method: "GET", responses: []func(http.ResponseWriter){status(404)}, wantCode: 404, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := retryServer(t, tc.responses...)
			var waits []time.Duration
			p := tc.policy
			p.Now = func() time.Time { return now }
			p.Jitter = func(time.Duration) time.Duration { return 0 }
			p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			client := &http.Client{Transport: p.Transport(nil)}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, srv.URL, strings.NewReader("body"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || calls.Load() != tc.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tc.wantCode, tc.wantCalls)
			}
			if resp.StatusCode == 200 && string(got) != "ok body" {
				t.Errorf("replayed body = %q, want %q", got, "ok body")
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransport_SecondaryBodyKept: the body read to recognise a secondary
// limit reaches the caller intact when the limit is not waited out.
func TestTransport_SecondaryBodyKept(t *testing.T) {
	t.Parallel()
	const msg = `{"message":"You have exceeded a secondary rate limit."}`
	srv, _ := retryServer(t, times(3, body(403, msg))...)
	p := ghretry.RetryPolicy{MaxRetries: 1, Sleep: func(context.Context, time.Duration) error { return nil }}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: p.Transport(nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || string(got) != msg {
		t.Errorf("final response %d %q, want 403 %q", resp.StatusCode, got, msg)
	}
}

func TestTransport_Jitter(t *testing.T) {
	t.Parallel()
	srv, _ := retryServer(t, status(503))
	var waits []time.Duration
	p := ghretry.RetryPolicy{
		BaseDelay: 4 * time.Second,
		Sleep:     func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: p.Transport(nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(waits) != 1 || waits[0] < 4*time.Second || waits[0] > 5*time.Second+time.Millisecond {
		t.Errorf("waits = %v, want one in [4s, 5s]", waits)
	}
}

func TestTransport_Cancel(t *testing.T) {
	t.Parallel()
	srv, _ := retryServer(t, status(503), status(503))
	ctx, cancel := context.WithCancel(t.Context())
	p := ghretry.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: p.Transport(nil)}).Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

// failingTransport fails every round trip with a network error.
type failingTransport struct{ calls atomic.Int32 }

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, errors.New("connection reset")
}

func TestTransport_NetworkErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method    string
		wantCalls int32
	}{{http.MethodGet, 3}, {http.MethodPost, 1}} {
		base := &failingTransport{}
		p := ghretry.RetryPolicy{MaxRetries: 2, Sleep: func(context.Context, time.Duration) error { return nil }}
		req, err := http.NewRequestWithContext(t.Context(), tc.method, "http://127.0.0.1/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := p.Transport(base).RoundTrip(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: no error", tc.method)
		}
		if n := base.calls.Load(); n != tc.wantCalls {
			t.Errorf("%s: %d attempts, want %d", tc.method, n, tc.wantCalls)
		}
	}
}

func TestTransport_LogsWaits(t *testing.T) {
	t.Parallel()
	srv, _ := retryServer(t, status(502))
	var logs bytes.Buffer
	p := ghretry.RetryPolicy{
		Sleep:  func(context.Context, time.Duration) error { return nil },
		Jitter: func(time.Duration) time.Duration { return 0 },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/repos/acme/site", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: p.Transport(nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, s := range []string{"waiting before retrying a GitHub request", `request="GET /repos/acme/site"`, `reason="server error 502"`, "wait=1s"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs.String())
		}
	}
}

func TestRetryPolicy_Defaults(t *testing.T) {
	t.Parallel()
	var p ghretry.RetryPolicy
	if p.Retries() != ghretry.DefaultMaxRetries || p.WaitCap() != ghretry.DefaultMaxWait {
		t.Errorf("zero policy: %d retries, cap %v", p.Retries(), p.WaitCap())
	}
	if got := (ghretry.RetryPolicy{MaxRetries: -3}).Retries(); got != 0 {
		t.Errorf("negative MaxRetries: %d retries, want 0", got)
	}
	for range 100 {
		if d := p.Jittered(time.Minute); d < time.Minute || d > 75*time.Second+time.Millisecond {
			t.Fatalf("Jittered(1m) = %v, want [1m, 1m15s]", d)
		}
	}
	capped := ghretry.RetryPolicy{MaxWait: time.Minute, Jitter: func(d time.Duration) time.Duration { return d - 1 }}
	if d := capped.Jittered(50 * time.Second); d != time.Minute {
		t.Errorf("Jittered beyond the cap = %v, want 1m", d)
	}
	if d := capped.Jittered(2 * time.Minute); d != 2*time.Minute {
		t.Errorf("Jittered(above the cap) = %v, want it unchanged", d)
	}
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := (ghretry.RetryPolicy{Now: func() time.Time { return fixed }}).Time(); !got.Equal(fixed) {
		t.Errorf("Time() = %v, want the injected clock", got)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Time
		ok     bool
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "90"}, now.Add(90 * time.Second), true},
		{"retry-after date", map[string]string{"Retry-After": now.Add(time.Minute).Format(http.TimeFormat)}, now.Add(time.Minute), true},
		{"retry-after wins", map[string]string{"Retry-After": "5", "X-RateLimit-Reset": fmt.Sprint(now.Add(time.Hour).Unix())}, now.Add(5 * time.Second), true},
		{"reset", map[string]string{"X-RateLimit-Reset": fmt.Sprint(now.Add(time.Hour).Unix())}, now.Add(time.Hour), true},
		{"garbage", map[string]string{"Retry-After": "soon", "X-RateLimit-Reset": "later"}, time.Time{}, false},
		{"none", nil, time.Time{}, false},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		got, ok := ghretry.Reset(h, now)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: Reset() = %v, %v, want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRateLimitError(t *testing.T) {
	t.Parallel()
	reset := time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		err  ghretry.RateLimitError
		want string
	}{
		{
			ghretry.RateLimitError{Op: `get repository "acme/site"`, Reset: reset, Msg: "API rate limit exceeded"},
			`get repository "acme/site": GitHub rate limit exceeded until 2025-03-01T13:00:00Z, gave up waiting: API rate limit exceeded`,
		},
		{ghretry.RateLimitError{Secondary: true}, "GitHub secondary rate limit exceeded, gave up waiting"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
