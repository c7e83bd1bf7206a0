package github

import "github.com/sessionize/sessionize/internal/ghretry"

// RetryPolicy says how API calls wait out rate limits and retry server
// errors; it is the policy the org audit uses too. The zero value means
// the defaults: 5 retries, backoff from one second for server and network
// errors (never for POST), primary limits waited out until
// X-RateLimit-Reset, secondary ones for Retry-After or with backoff from
// one minute, every wait jittered by up to a quarter and capped at 15
// minutes. Now, Sleep and Jitter are injectable so that tests never sleep.
// A limit that outlasts the policy becomes a [RateLimitError].
type RetryPolicy = ghretry.RetryPolicy

// RateLimitError is returned when a rate limit outlasts the [RetryPolicy]:
// Op names the call, Reset is when the limit lifts (zero when GitHub did not
// say), Secondary tells a secondary limit, Msg is GitHub's message.
type RateLimitError = ghretry.RateLimitError
