package audit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner/audit"
)

// retryServer answers with the given responses in turn, then 200.
func retryServer(t *testing.T, responses ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
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

func TestRetryTransport(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		policy    audit.RetryPolicy
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
			name: "5xx capped", policy: audit.RetryPolicy{MaxRetries: 2}, method: "GET",
			responses: []func(http.ResponseWriter){status(500), status(500), status(500), status(500)},
			wantCode:  500, wantCalls: 3, wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{name: "post not retried on 5xx", method: "POST", responses: []func(http.ResponseWriter){status(500)}, wantCode: 500, wantCalls: 1},
		{
			name: "post retried on rate limit", method: "POST", responses: []func(http.ResponseWriter){status(429, "Retry-After", "2")},
			wantCode: 200, wantCalls: 2, wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name: "primary limit waits for reset", method: "GET",
			responses: []func(http.ResponseWriter){status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(now.Add(42*time.Second).Unix()))},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{42 * time.Second},
		},
		{
			name: "retry-after date", method: "GET",
			responses: []func(http.ResponseWriter){status(429, "Retry-After", now.Add(9*time.Second).Format(http.TimeFormat))},
			wantCode:  200, wantCalls: 2, wantWaits: []time.Duration{9 * time.Second},
		},
		{
			name: "secondary limit from body", method: "GET",
			responses: []func(http.ResponseWriter){func(w http.ResponseWriter) {
				w.WriteHeader(403)
				fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit."}`)
			}},
			wantCode: 200, wantCalls: 2, wantWaits: []time.Duration{time.Minute},
		},
		{
			name: "reset too late", policy: audit.RetryPolicy{MaxWait: time.Minute}, method: "GET",
			responses: []func(http.ResponseWriter){status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(now.Add(time.Hour).Unix()))},
			wantCode:  403, wantCalls: 1,
		},
		{name: "plain 403 not retried", method: "GET", responses: []func(http.ResponseWriter){status(403)}, wantCode: 403, wantCalls: 1},
		{name: "401 not retried", method: "GET", responses: []func(http.ResponseWriter){status(401)}, wantCode: 401, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := retryServer(t, tc.responses...)
			var waits []time.Duration
			p := tc.policy
			p.Now = func() time.Time { return now }
			p.Jitter = func(time.Duration) time.Duration { return 0 }
			p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			client := &http.Client{Transport: p.Transport(nil)}
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, srv.URL, strings.NewReader("body"))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || calls.Load() != tc.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tc.wantCode, tc.wantCalls)
			}
			if resp.StatusCode == 200 && string(body) != "ok body" {
				t.Errorf("replayed body = %q, want %q", body, "ok body")
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryTransport_Jitter(t *testing.T) {
	srv, _ := retryServer(t, status(503))
	var waits []time.Duration
	p := audit.RetryPolicy{
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

func TestRetryTransport_Cancel(t *testing.T) {
	srv, _ := retryServer(t, status(503), status(503))
	ctx, cancel := context.WithCancel(t.Context())
	p := audit.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := (&http.Client{Transport: p.Transport(nil)}).Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}
