package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner/audit"
)

// TestRetryPolicy_Transport: the audit's policy is the shared one
// (internal/ghretry, where the transport is tested in full); its clock,
// sleep and jitter reach the transport.
func TestRetryPolicy_Transport(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(now.Add(42*time.Second).Unix()))
			w.WriteHeader(http.StatusForbidden)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(srv.Close)
	var waits []time.Duration
	p := audit.RetryPolicy{
		Now:    func() time.Time { return now },
		Jitter: func(d time.Duration) time.Duration { return d - 1 },
		Sleep:  func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		// The cap keeps the jitter in bounds.
		MaxWait: 50 * time.Second,
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
	if resp.StatusCode != http.StatusOK || n.Load() != 3 {
		t.Errorf("status %d after %d requests, want 200 after 3", resp.StatusCode, n.Load())
	}
	want := []time.Duration{50 * time.Second, 2*time.Second + 2*time.Second/4 + time.Millisecond - 1}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
}
