// Package score rates each credential of a report against the per-session
// expectation of its context (SPEC §5).
package score

import (
	"time"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// Options configures scoring. The zero value uses the embedded policy and
// time.Now.
type Options struct {
	Now func() time.Time
}

// Apply scores every credential of r and re-sorts it.
func Apply(r *scanner.Report, opts Options) error {
	for i := range r.Credentials {
		c := &r.Credentials[i]
		base := map[rules.Lifetime]int{rules.Session: 10, rules.Short: 25, rules.Bounded: 50, rules.Standing: 75}[c.Lifetime]
		if c.Session {
			base = 5
		}
		c.Score = min(100, base+5*(len(c.Occurrences)-1))
		c.Severity = scanner.SeverityOf(c.Score)
		c.Reasons = []string{"lifetime " + string(c.Lifetime)}
	}
	r.Finalize()
	return nil
}
