package detectors

import (
	"regexp/syntax"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
)

// MultiLine returns a Detector restricted to the rules whose regular
// expression can match across lines (private keys, Kubernetes Secret
// manifests, curl commands continued over lines, ...), and whether there is
// any. Scanners that match only the lines new to a history give these rules
// the whole content for context.
func (d *Detector) MultiLine() (*Detector, bool) {
	found := false
	for _, r := range d.rs.rules {
		// The keyword test is cheap; analysing the regex is not (some 200
		// rules: 5 ms at every start).
		if (d.keep == nil || d.keep(r)) && r.multiLine() {
			found = true
			break
		}
	}
	parent := d.keep
	keep := func(r *ruleSpec) bool {
		return (parent == nil || parent(r)) && r.multiLine()
	}
	return d.derive(keep), found
}

// MayMatch reports whether content contains a keyword (in any ASCII case)
// of one of d's rules, or d has a rule without keywords: whether
// [Detector.Detect] can find anything in it at all.
func (d *Detector) MayMatch(content string) bool {
	m, err := d.engine()
	if err != nil {
		return true
	}
	for _, r := range m.rules {
		if len(r.rule.Keywords) == 0 {
			return true
		}
	}
	return m.trie.Any(content)
}

// multiLine reports, once per rule, whether its regex can span lines.
func (r *ruleSpec) multiLine() bool {
	r.mlOnce.Do(func() { r.ml = spansLines(r.Regex) })
	return r.ml
}

// spansLines reports whether a regular expression can match a newline in the
// middle of a match: a repetition (more than three times) of a class holding
// '\n', any-char with (?s), or a literal newline.
func spansLines(expr string) bool {
	if expr == "" {
		return false
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return false
	}
	return matchesNewline(re.Simplify(), false)
}

func matchesNewline(re *syntax.Regexp, repeated bool) bool {
	switch re.Op {
	case syntax.OpAnyChar:
		return repeated
	case syntax.OpCharClass:
		if !repeated {
			return false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return true
			}
		}
		return false
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				return true
			}
		}
		return false
	case syntax.OpStar, syntax.OpPlus:
		return matchesNewline(re.Sub[0], true)
	case syntax.OpRepeat:
		return matchesNewline(re.Sub[0], repeated || re.Max == -1 || re.Max > 3)
	}
	for _, s := range re.Sub {
		if matchesNewline(s, repeated) {
			return true
		}
	}
	return false
}

// PathAllowed reports whether the global allowlists exclude path whatever
// its content, so that a scanner need not read it at all.
func (d *Detector) PathAllowed(path string) bool {
	m, err := d.engine()
	if err != nil {
		return false
	}
	for _, a := range m.cfg.Allowlists {
		if len(a.Paths) == 0 {
			continue
		}
		if a.MatchCondition == config.AllowlistMatchOr || (len(a.Commits) == 0 && len(a.Regexes) == 0 && len(a.StopWords) == 0) {
			if m.pathAllowed(a, path) {
				return true
			}
		}
	}
	return false
}

// maxNewlines returns how many newlines a match of expr can contain, -1 when
// unbounded (or more than 64, which is as good as unbounded here).
func maxNewlines(expr string) int {
	if expr == "" {
		return 0
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return -1
	}
	n := newlinesIn(re)
	if n > 64 {
		return -1
	}
	return n
}

func newlinesIn(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if r == '\n' {
				n++
			}
		}
		return n
	case syntax.OpAnyChar:
		return 1
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return 1
			}
		}
		return 0
	case syntax.OpCapture, syntax.OpQuest:
		return newlinesIn(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if newlinesIn(re.Sub[0]) != 0 {
			return -1
		}
		return 0
	case syntax.OpRepeat:
		n := newlinesIn(re.Sub[0])
		switch {
		case n == 0:
			return 0
		case n < 0 || re.Max < 0:
			return -1
		}
		return min(n*re.Max, 65)
	case syntax.OpConcat:
		total := 0
		for _, s := range re.Sub {
			n := newlinesIn(s)
			if n < 0 {
				return -1
			}
			total = min(total+n, 65)
		}
		return total
	case syntax.OpAlternate:
		most := 0
		for _, s := range re.Sub {
			n := newlinesIn(s)
			if n < 0 {
				return -1
			}
			most = max(most, n)
		}
		return most
	}
	return 0
}

// pad returns, once per rule, how many lines around a keyword hit its regex
// must see: the newlines a match can span; -1 when the rule must see whole
// fragments (unbounded span, or a match that need not contain a keyword).
func (r *ruleSpec) pad() int {
	r.padOnce.Do(func() {
		r.padN = maxNewlines(r.Regex)
		if !keywordInMatch(r.Regex, r.Keywords) {
			r.padN = -1
		}
	})
	return r.padN
}

// keywordInMatch reports whether every match of expr contains one of the
// (lowercase) keywords, compared case-insensitively: then the rule needs to
// see only the lines around its keywords. It answers false when it cannot
// prove it (the rule then sees whole fragments, as in gitleaks).
func keywordInMatch(expr string, keywords []string) bool {
	if expr == "" || len(keywords) == 0 {
		return false
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return false
	}
	return mustContain(re.Simplify(), keywords)
}

// maxExpansion bounds the finite string sets the analysis enumerates.
const maxExpansion = 256

// mustContain reports whether every string re matches contains a keyword.
func mustContain(re *syntax.Regexp, kws []string) bool {
	return mustContainSeq([]string{""}, []*syntax.Regexp{re}, kws)
}

// mustContainSeq reports whether every string made of one of prefix followed
// by a match of each of seq in turn contains a keyword. Finite parts are
// expanded into the prefix, so that a keyword split across subexpressions
// ("[Aa]" then "pi", or a factored-out common prefix) is seen; alternations
// are distributed over their branches.
func mustContainSeq(prefix []string, seq []*syntax.Regexp, kws []string) bool {
	run := prefix
	for i, re := range seq {
		rest := seq[i+1:]
		if set, ok := finite(re); ok {
			if next := product(run, set); next != nil {
				run = next
				continue
			}
			if allContain(run, kws) {
				return true
			}
			run = []string{""}
			continue
		}
		switch re.Op {
		case syntax.OpCapture:
			return mustContainSeq(run, append([]*syntax.Regexp{re.Sub[0]}, rest...), kws)
		case syntax.OpConcat:
			return mustContainSeq(run, append(append([]*syntax.Regexp{}, re.Sub...), rest...), kws)
		case syntax.OpAlternate:
			if allContain(run, kws) {
				return true
			}
			for _, b := range re.Sub {
				if !mustContainSeq(run, append([]*syntax.Regexp{b}, rest...), kws) {
					return false
				}
			}
			return true
		case syntax.OpPlus:
			// One match of the operand, then anything.
			return allContain(run, kws) || mustContainSeq(run, []*syntax.Regexp{re.Sub[0]}, kws) ||
				mustContainSeq([]string{""}, rest, kws)
		case syntax.OpRepeat:
			if re.Min >= 1 {
				return allContain(run, kws) || mustContainSeq(run, []*syntax.Regexp{re.Sub[0]}, kws) ||
					mustContainSeq([]string{""}, rest, kws)
			}
		}
		if allContain(run, kws) {
			return true
		}
		run = []string{""}
	}
	return allContain(run, kws)
}

// finite returns the lowercased strings re can match when they are few.
func finite(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 16 {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				s := strings.ToLower(string(r))
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
		return out, len(out) <= 16
	case syntax.OpCapture:
		return finite(re.Sub[0])
	case syntax.OpQuest:
		s, ok := finite(re.Sub[0])
		if !ok {
			return nil, false
		}
		return append([]string{""}, s...), true
	case syntax.OpRepeat:
		if re.Max < 0 || re.Max > 4 {
			return nil, false
		}
		sub, ok := finite(re.Sub[0])
		if !ok {
			return nil, false
		}
		var out []string
		cur := []string{""}
		for n := 0; n <= re.Max; n++ {
			if n >= re.Min {
				out = append(out, cur...)
			}
			if cur = product(cur, sub); cur == nil || len(out) > maxExpansion {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			set, ok := finite(s)
			if !ok {
				return nil, false
			}
			if out = product(out, set); out == nil {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			set, ok := finite(s)
			if !ok {
				return nil, false
			}
			out = append(out, set...)
			if len(out) > maxExpansion {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// product concatenates every string of a with every string of b; nil when
// the result would exceed maxExpansion.
func product(a, b []string) []string {
	if len(a)*len(b) > maxExpansion {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

func allContain(set []string, kws []string) bool {
	for _, s := range set {
		found := false
		for _, k := range kws {
			if strings.Contains(s, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
