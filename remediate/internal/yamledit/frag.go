package yamledit

import (
	"regexp"
	"strings"
)

// Frag is a piece of YAML to insert, rendered with the file's indentation
// and line endings. Build it with [Map], [Seq], [Raw], [Str] and [Lit].
type Frag struct {
	kind    fragKind
	pairs   []FragPair
	items   []*Frag
	text    string
	comment string
}

type fragKind int

const (
	fragScalar fragKind = iota
	fragMap
	fragSeq
	fragLiteral
)

// FragPair is one key of a mapping fragment.
type FragPair struct {
	Key string
	Val *Frag
	// Comment is a trailing comment on the key's line, without "#".
	Comment string
}

// Map builds a mapping fragment.
func Map(pairs ...FragPair) *Frag { return &Frag{kind: fragMap, pairs: pairs} }

// Seq builds a sequence fragment.
func Seq(items ...*Frag) *Frag { return &Frag{kind: fragSeq, items: items} }

// Raw is a scalar written exactly as text (already valid YAML: plain or
// quoted).
func Raw(text string) *Frag { return &Frag{kind: fragScalar, text: text} }

// Str is a string scalar, quoted when plain style would change its meaning.
func Str(s string) *Frag { return Raw(Quote(s)) }

// Lit is a literal block scalar ("|"); s should end with a newline.
func Lit(s string) *Frag { return &Frag{kind: fragLiteral, text: s} }

// P builds a pair.
func P(key string, val *Frag) FragPair { return FragPair{Key: key, Val: val} }

// PC builds a pair with a trailing comment.
func PC(key string, val *Frag, comment string) FragPair {
	return FragPair{Key: key, Val: val, Comment: comment}
}

// Pairs returns the pairs of a mapping fragment.
func (f *Frag) Pairs() []FragPair { return f.pairs }

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9_./$(){}\[\]*+=~^%-][A-Za-z0-9_./@$(){}\[\]*+=~^%:,' -]*$`)

var plainResolves = regexp.MustCompile(`(?i)^(~|null|true|false|yes|no|on|off|y|n|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-f_]+|0o[0-7_]+|[-+]?\.(inf|nan)|[0-9:.-]+)$`)

// Quote returns s as a YAML scalar: plain when that reads back as the same
// string, else single-quoted (double-quoted when s has control characters).
func Quote(s string) string {
	if s != "" && plainSafe.MatchString(s) && !plainResolves.MatchString(s) &&
		!strings.Contains(s, ": ") && !strings.HasSuffix(s, ":") && !strings.HasSuffix(s, " ") &&
		!strings.HasPrefix(s, "- ") && s != "-" && !strings.Contains(s, " #") &&
		!strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "*") &&
		!strings.HasPrefix(s, "%") {
		return s
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return doubleQuote(s)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			const hex = "0123456789abcdef"
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// renderer writes fragments with the file's indentation.
type renderer struct {
	unit, seqOff int
	b            strings.Builder
}

func (r *renderer) line(ind int, s string) {
	r.b.WriteString(strings.Repeat(" ", ind))
	r.b.WriteString(s)
	r.b.WriteByte('\n')
}

func withComment(s, c string) string {
	if c == "" {
		return s
	}
	return s + "  # " + c
}

// pair writes "key: value" at indentation ind; first, when set, is written
// in place of the indentation on the first line (a sequence dash).
func (r *renderer) pair(ind int, first string, p FragPair) {
	lead := func(s string) {
		if first != "" {
			r.b.WriteString(first)
			r.b.WriteString(s)
			r.b.WriteByte('\n')
			first = ""
			return
		}
		r.line(ind, s)
	}
	v := p.Val
	switch {
	case v.kind == fragScalar:
		lead(withComment(p.Key+": "+v.text, firstNonEmpty(p.Comment, v.comment)))
	case v.kind == fragLiteral:
		lead(withComment(p.Key+": |", p.Comment))
		for _, l := range strings.Split(strings.TrimSuffix(v.text, "\n"), "\n") {
			if l == "" {
				r.b.WriteByte('\n')
				continue
			}
			r.line(ind+r.unit, l)
		}
	case v.kind == fragMap && len(v.pairs) == 0:
		lead(withComment(p.Key+": {}", p.Comment))
	case v.kind == fragSeq && len(v.items) == 0:
		lead(withComment(p.Key+": []", p.Comment))
	case v.kind == fragMap:
		lead(withComment(p.Key+":", p.Comment))
		for _, c := range v.pairs {
			r.pair(ind+r.unit, "", c)
		}
	case v.kind == fragSeq:
		lead(withComment(p.Key+":", p.Comment))
		for _, it := range v.items {
			r.item(ind+r.seqOff, it)
		}
	}
}

// item writes a sequence item whose dash is indented by ind.
func (r *renderer) item(ind int, it *Frag) {
	dash := strings.Repeat(" ", ind) + "- "
	switch it.kind {
	case fragScalar:
		r.b.WriteString(dash)
		r.b.WriteString(withComment(it.text, it.comment))
		r.b.WriteByte('\n')
	case fragLiteral:
		r.b.WriteString(dash + "|\n")
		for _, l := range strings.Split(strings.TrimSuffix(it.text, "\n"), "\n") {
			if l == "" {
				r.b.WriteByte('\n')
				continue
			}
			r.line(ind+2, l)
		}
	case fragMap:
		if len(it.pairs) == 0 {
			r.b.WriteString(dash + "{}\n")
			return
		}
		for i, p := range it.pairs {
			first := ""
			if i == 0 {
				first = dash
			}
			r.pair(ind+2, first, p)
		}
	case fragSeq:
		// Nested sequences are written in flow-free block form one level
		// deeper; sessionize never inserts them.
		r.b.WriteString(dash + "\n")
		for _, c := range it.items {
			r.item(ind+2, c)
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// renderPairs renders mapping pairs at indentation ind.
func (d *Doc) renderPairs(ind int, pairs ...FragPair) string {
	r := &renderer{unit: d.unit, seqOff: d.seqOff}
	for _, p := range pairs {
		r.pair(ind, "", p)
	}
	return r.b.String()
}

// renderItems renders sequence items with their dash at indentation ind.
func (d *Doc) renderItems(ind int, items ...*Frag) string {
	r := &renderer{unit: d.unit, seqOff: d.seqOff}
	for _, it := range items {
		r.item(ind, it)
	}
	return r.b.String()
}

// nl converts rendered text to the file's line endings.
func (d *Doc) nl(s string) string {
	if d.NL == "\n" {
		return s
	}
	return strings.ReplaceAll(s, "\n", d.NL)
}
