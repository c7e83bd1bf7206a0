package detectors

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/report"
)

// decoded runs gitleaks' decoding passes (base64, hex, percent and unicode
// segments decoded in place, up to the configured depth, each pass matching
// the rules against the decoded text and keeping matches that overlap a
// segment decoded in that pass) on the lines of f where a segment may decode
// to printable text, padded by the largest span of a rule; rules that see
// whole fragments get the whole fragment.
func (m *matcher) decoded(ctx context.Context, f detect.Fragment, nl []int) []report.Finding {
	raw := f.Raw
	var lines []int
	for l := 0; l <= len(nl); l++ {
		start, end := lineStart(nl, l), lineEnd(nl, l, len(raw))
		if mayDecode(raw[start:end]) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	out := m.decodePasses(ctx, f, func(r *mrule) bool { return r.pad < 0 })
	for _, w := range windows(lines, m.maxPad, false, len(nl)+1) {
		start, end := lineStart(nl, w[0]), lineEnd(nl, w[1], len(raw))
		sub := f
		sub.Raw = raw[start:end]
		sub.Bytes = nil
		sub.StartLine = f.StartLine + w[0]
		out = append(out, m.decodePasses(ctx, sub, func(r *mrule) bool { return r.pad >= 0 })...)
	}
	return out
}

// decodePasses is the decoding part of gitleaks' DetectContext loop, for the
// rules use accepts.
func (m *matcher) decodePasses(ctx context.Context, f detect.Fragment, use func(*mrule) bool) []report.Finding {
	if !m.anyRule(use) {
		return nil
	}
	var out []report.Finding
	nl := newlines(f.Raw)
	decoder := codec.NewDecoder()
	current := f.Raw
	var segs []*codec.EncodedSegment
	for depth := 1; depth <= m.depth; depth++ {
		if ctx.Err() != nil {
			return out
		}
		current, segs = decoder.Decode(current, segs)
		if len(segs) == 0 {
			break
		}
		present := make([]bool, len(m.rules))
		m.trie.WalkString(current, func(_, pattern int) bool {
			for _, ri := range m.byKW[pattern] {
				present[ri] = true
			}
			return true
		})
		for i, mr := range m.rules {
			r := &mr.rule
			if !use(mr) || mr.expr == "" || (len(r.Keywords) > 0 && !present[i]) || m.pathOrCommitAllowed(f, r.Allowlists) {
				continue
			}
			if r.Path != nil && !(r.Path.MatchString(f.FilePath) || (f.WindowsFilePath != "" && r.Path.MatchString(f.WindowsFilePath))) {
				continue
			}
			for _, mi := range mr.regex().FindAllStringIndex(current, -1) {
				if fd, ok := m.finding(f, nl, mr, current, segs, mi[0], mi[1]); ok {
					out = append(out, fd)
				}
			}
		}
	}
	return out
}

// mayDecode reports whether gitleaks' decoder can find, in s, a segment that
// decodes to something: it never answers false where the decoder would
// decode (a superset of gitleaks' encodings regex and decode functions), and
// answers false for most lines of code and prose.
func mayDecode(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) && printable(unhex(s[i+1])<<4|unhex(s[i+2])) {
				return true
			}
		case 'U', 'u':
			// U+XXXX and \uXXXX / \\uXXXX escapes.
			if i+1 < len(s) && (s[i+1] == '+' || (i > 0 && s[i-1] == '\\')) {
				j := i + 1
				if s[i+1] == '+' {
					j = i + 2
				}
				if j+4 <= len(s) && isHex(s[j]) && isHex(s[j+1]) && isHex(s[j+2]) && isHex(s[j+3]) {
					return true
				}
			}
		}
	}
	// Runs of the base64 alphabet ([\w/+-]) of 16 or more, and runs of hex
	// of 32 or more, the only other things the decoder considers.
	for i := 0; i < len(s); {
		if !isB64Class(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isB64Class(s[j]) {
			j++
		}
		if j-i >= 16 && runMayDecode(s, i, j) {
			return true
		}
		i = j
	}
	return false
}

// runMayDecode checks a maximal run s[i:j] of base64-alphabet characters:
// the decoder may take it (with up to two '=' after it) as base64, or take a
// leading hex run of 32 or more as hex and the rest as base64.
func runMayDecode(s string, i, j int) bool {
	end := j
	for k := 0; k < 2 && end < len(s) && s[end] == '='; k++ {
		end++
	}
	// Every start the decoder's leftmost-first scan can reach inside the
	// run: the run's start, and the end of any hex run of 32 or more (which
	// it would take as hex first), and after "U+XXXX" sequences.
	starts := []int{i}
	for k := i; k < j; {
		if !isHex(s[k]) {
			k++
			continue
		}
		h := k
		for h < j && isHex(s[h]) {
			h++
		}
		if h-k >= 32 {
			if decodesHex(s[k:h]) {
				return true
			}
			starts = append(starts, h)
		}
		k = h
	}
	for k := i; k+6 <= j; k++ {
		if s[k] == 'U' && s[k+1] == '+' {
			starts = append(starts, k+6)
		}
	}
	for _, st := range starts {
		for _, e := range []int{j, end} {
			if e-st >= 16 && decodesBase64(s[st:e]) {
				return true
			}
		}
		// A hex run inside the run splits it only from the run's start; a
		// later hex run of 32+ is taken as base64 with its surroundings. Any
		// shorter suffix is never a match start.
	}
	return false
}

func isB64Class(c byte) bool {
	return c == '_' || c == '/' || c == '+' || c == '-' ||
		('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// printable is gitleaks' printableASCII: tab through '~'.
func printable(b byte) bool { return '\x08' < b && b < '\x7f' }

func printableAll(b []byte) bool {
	for _, c := range b {
		if !printable(c) {
			return false
		}
	}
	return true
}

// decodesHex mirrors gitleaks' decodeHex succeeding: even length, a digit
// among the characters, every byte printable.
func decodesHex(s string) bool {
	if len(s)%2 != 0 || !strings.ContainsAny(s, "0123456789") {
		return false
	}
	for i := 0; i < len(s); i += 2 {
		if !printable(unhex(s[i])<<4 | unhex(s[i+1])) {
			return false
		}
	}
	return true
}

// decodesBase64 mirrors gitleaks' decodeBase64 succeeding.
func decodesBase64(s string) bool {
	if !strings.ContainsAny(s, "0123456789+/-_") {
		return false
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && printableAll(b) {
		return true
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && printableAll(b) {
		return true
	}
	return false
}

func (m *matcher) anyRule(use func(*mrule) bool) bool {
	for _, r := range m.rules {
		if use(r) {
			return true
		}
	}
	return false
}
