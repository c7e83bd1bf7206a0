package detectors

import (
	"strings"
	"testing"

	"github.com/sessionize/sessionize/rules"
)

// TestRulePacks_SingleLine checks that none of the project's rules can match
// across lines: the history engine matches only new lines against such
// rules, and a multi-line rule would make it match whole blobs instead.
func TestRulePacks_SingleLine(t *testing.T) {
	t.Parallel()
	rs, err := builtinRuleSet(rules.Packs(), true)
	if err != nil {
		t.Fatalf("builtinRuleSet() error: %v", err)
	}
	n := 0
	for _, r := range rs.rules {
		if !strings.HasPrefix(r.pos, "rules/gitleaks/") {
			continue
		}
		n++
		if spansLines(r.Regex) {
			t.Errorf("%s: rule %q can match across lines", r.pos, r.ID)
		}
	}
	if n == 0 {
		t.Fatal("no project rules found")
	}
}
