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
		if r.multiLine() && (d.keep == nil || d.keep(r)) {
			found = true
			break
		}
	}
	parent := d.keep
	keep := func(r *ruleSpec) bool {
		return r.multiLine() && (parent == nil || parent(r))
	}
	return d.derive(keep), found
}

// MayMatch reports whether content contains a keyword of one of d's rules,
// or d has a rule without keywords: whether [Detector.Detect] can find
// anything in it at all. lower must be lowercase.
func (d *Detector) MayMatch(lower string) bool {
	for _, r := range d.rs.rules {
		if d.keep != nil && !d.keep(r) {
			continue
		}
		if len(r.Keywords) == 0 {
			return true
		}
		for _, k := range r.Keywords {
			if strings.Contains(lower, k) {
				return true
			}
		}
	}
	return false
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
	gl, err := d.engine()
	if err != nil {
		return false
	}
	for _, a := range gl.Config.Allowlists {
		if len(a.Paths) == 0 {
			continue
		}
		if a.MatchCondition == config.AllowlistMatchOr || (len(a.Commits) == 0 && len(a.Regexes) == 0 && len(a.StopWords) == 0) {
			if d.m.pathAllowed(a, path) {
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
// must see: the newlines a match can span (-1 when unbounded).
func (r *ruleSpec) pad() int {
	r.padOnce.Do(func() { r.padN = maxNewlines(r.Regex) })
	return r.padN
}
