package audit

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// TestRetryPolicy_Call: a rate limit go-github detects before sending (its
// remaining count reached zero) is waited out until the reset, within the
// policy's retries and cap.
func TestRetryPolicy_Call(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://api.github.com/orgs/acme/repos", nil)
	if err != nil {
		t.Fatal(err)
	}
	limited := func(d time.Duration) error {
		return &github.RateLimitError{
			Rate:     github.Rate{Reset: github.Timestamp{Time: now.Add(d)}},
			Response: &http.Response{StatusCode: http.StatusForbidden, Request: req}, Message: "API rate limit exceeded",
		}
	}
	other := errors.New("boom")
	tests := []struct {
		name      string
		policy    RetryPolicy
		errs      []error
		wantErr   error
		wantLimit bool
		wantCalls int
		wantWaits []time.Duration
	}{
		{name: "waits for the reset", errs: []error{limited(30 * time.Second), nil}, wantCalls: 2, wantWaits: []time.Duration{30 * time.Second}},
		{name: "other errors are returned", errs: []error{other}, wantErr: other, wantCalls: 1},
		{name: "reset beyond the cap", policy: RetryPolicy{MaxWait: time.Minute}, errs: []error{limited(time.Hour)}, wantLimit: true, wantCalls: 1},
		{
			name: "retries used up", policy: RetryPolicy{MaxRetries: 1}, errs: []error{limited(time.Second), limited(time.Second), nil},
			wantLimit: true, wantCalls: 2, wantWaits: []time.Duration{time.Second},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var waits []time.Duration
			p := tc.policy
			p.Now = func() time.Time { return now }
			p.Jitter = func(time.Duration) time.Duration { return 0 }
			p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			calls := 0
			err := p.call(t.Context(), func() error {
				calls++
				return tc.errs[calls-1]
			})
			var rl *github.RateLimitError
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("call() error = %v, want %v", err, tc.wantErr)
				}
			case tc.wantLimit:
				if !errors.As(err, &rl) {
					t.Errorf("call() error = %v, want the rate limit", err)
				}
			case err != nil:
				t.Errorf("call() error = %v", err)
			}
			if calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
