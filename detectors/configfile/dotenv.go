package configfile

import (
	"context"
	"strings"
)

const prefixDotenv = "dotenv"

// matchDotenv: .env and its variants (.env.local, .env.production,
// .env.example), *.env files (prod.env), direnv's .envrc and .flaskenv.
func matchDotenv(p string) bool {
	b := baseName(p)
	for _, enc := range []string{".gpg", ".pgp", ".enc", ".age", ".asc"} {
		if hasSuffixFold(b, enc) {
			return false // encrypted copies (.env.gpg): nothing readable
		}
	}
	return equalsAny(b, ".env", ".envrc", ".flaskenv") || hasPrefixFold(b, ".env.") || (hasSuffixFold(b, ".env") && len(b) > 4)
}

// scanDotenv reports literal credentials under credential-like names
// (*_TOKEN, *_SECRET, *_PASSWORD, *_KEY...), values of a telling shape
// under any name, passwords in database and broker URLs, and AWS key pairs.
func scanDotenv(ctx context.Context, f *file) error {
	es, err := dotenvEntries(ctx, f.src)
	r := rulesFor(prefixDotenv)
	f.scanEntries(es, &r)
	return err
}

// dotenvEntries parses KEY=value lines as the dotenv libraries and docker
// compose read them: an optional "export ", single-quoted (literal),
// double-quoted (escapes, may span lines) and backquoted values, and
// unquoted values ended by a " #" comment.
func dotenvEntries(ctx context.Context, src string) ([]entry, error) {
	var out []entry
	ls := lines(src)
	// unclosed[q] is the earliest offset from which no closing quote q
	// follows: later values opened with q there are not searched again, so
	// that a file of unterminated quotes is read in linear time.
	unclosed := map[byte]int{}
	for i := 0; i < len(ls); i++ {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		l := ls[i]
		t := strings.TrimLeft(l.text, " \t")
		if t == "" || t[0] == '#' {
			continue
		}
		lead := len(l.text) - len(t)
		if rest, ok := strings.CutPrefix(t, "export "); ok {
			rest = strings.TrimLeft(rest, " \t")
			lead += len(t) - len(rest)
			t = rest
		}
		k := strings.IndexByte(t, '=')
		if k <= 0 || !isEnvName(strings.TrimRight(t[:k], " \t")) {
			continue
		}
		key := strings.TrimRight(t[:k], " \t")
		v := strings.TrimLeft(t[k+1:], " \t")
		off := l.off + lead + (len(t) - len(v))
		e := entry{key: key, off: off, raw: true}
		if v != "" && (v[0] == '"' || v[0] == '\'' || v[0] == '`') {
			var consumed int
			var closed bool
			if u, ok := unclosed[v[0]]; ok && off >= u {
				e.value, e.off, e.end, e.raw = unterminated(src, off+1)
			} else {
				e.value, e.off, e.end, e.raw, consumed, closed = dotenvQuoted(src, off)
				if !closed {
					unclosed[v[0]] = off
				}
			}
			i += consumed
		} else {
			e.value = strings.TrimRight(stripInlineComment(v), " \t")
		}
		out = append(out, e)
	}
	return out, nil
}

// isEnvName reports whether s is a variable name (letters, digits, '_',
// and the '.' and '-' some tools allow).
func isEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// dotenvQuoted reads a quoted value starting at src[off] (the quote). It
// returns the value, the offsets of its text, whether the text is the value
// byte for byte, how many further lines it spans, and whether the quote was
// closed. An unterminated quote ends at the end of its line.
func dotenvQuoted(src string, off int) (value string, start, end int, raw bool, lines int, closed bool) {
	q := src[off]
	start = off + 1
	var b strings.Builder
	raw = true
	for j := start; j < len(src); j++ {
		c := src[j]
		switch {
		case c == q:
			return b.String(), start, j, raw, lines, true
		case c == '\\' && q == '"' && j+1 < len(src):
			raw = false
			j++
			switch src[j] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(src[j])
			}
			continue
		case c == '\n':
			lines++
		}
		b.WriteByte(c)
	}
	value, start, end, raw = unterminated(src, start)
	return value, start, end, raw, 0, false
}

// unterminated returns the rest of the line from start: the value of an
// unterminated quote.
func unterminated(src string, start int) (value string, s, end int, raw bool) {
	nl := strings.IndexByte(src[start:], '\n')
	if nl < 0 {
		nl = len(src) - start
	}
	v := strings.TrimRight(src[start:start+nl], "\r \t")
	return v, start, start + len(v), true
}
