package detectors

import (
	re2 "github.com/wasilibs/go-re2"
	"github.com/zricethezav/gitleaks/v8/regexp"
)

// regex is what the matcher needs of a compiled rule: Go's regexp and
// go-re2 both have it.
type regex interface {
	FindAllStringIndex(s string, n int) [][]int
	FindStringSubmatch(s string) []string
}

// regex returns the expression the matcher runs for r. With RE2 it is
// compiled on first use, so that rules which never see a keyword cost
// nothing; an expression RE2 rejects falls back to Go's regexp (both accept
// RE2 syntax, so this does not happen with gitleaks' rules).
func (r *mrule) regex() regex {
	if !r.useRE2 {
		return r.rule.Regex
	}
	r.fastOnce.Do(func() {
		if re, err := re2.Compile(r.expr); err == nil {
			r.fast = re
			return
		}
		r.fast = regexp.MustCompile(r.expr) // checked when the rules loaded
	})
	return r.fast
}
