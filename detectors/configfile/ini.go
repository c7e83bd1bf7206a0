package configfile

import (
	"context"
	"strings"
)

// line is one line of a file: its text without the terminator and the
// offset of its first byte.
type line struct {
	text string
	off  int
	num  int // 1-based
}

// lines splits src into lines, accepting \n and \r\n terminators. A UTF-8
// byte order mark at the start is skipped (its bytes still count in
// offsets).
func lines(src string) []line {
	var out []line
	off := 0
	if strings.HasPrefix(src, "\ufeff") {
		off = 3
	}
	for n := 1; off <= len(src); n++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			if off < len(src) {
				out = append(out, line{text: strings.TrimSuffix(src[off:], "\r"), off: off, num: n})
			}
			break
		}
		out = append(out, line{text: strings.TrimSuffix(src[off:off+i], "\r"), off: off, num: n})
		off += i + 1
	}
	return out
}

// kvLine is a key = value line of an INI-like file.
type kvLine struct {
	section  string // the [section] it is in, as written
	key      string
	value    string // the value text, trimmed
	off      int    // offset of the value text
	num      int    // line number
	indented bool   // the line starts with white space (a continuation or nested key)
}

// iniOptions says how an INI dialect is written.
type iniOptions struct {
	// seps are the key/value separators (npm: "="; configparser: "=:").
	seps string
	// inlineComments strips " #" and " ;" comments from values (botocore);
	// npmComments strips any unescaped ';' or '#' (npm's ini module).
	inlineComments bool
	npmComments    bool
}

// iniLines parses an INI-like file into its key = value lines. Comment and
// blank lines are skipped; lines without a separator are skipped too (they
// are continuation values or noise). It checks ctx every 4096 lines.
func iniLines(ctx context.Context, src string, o iniOptions) ([]kvLine, error) {
	var out []kvLine
	section := ""
	for i, l := range lines(src) {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		t := strings.TrimLeft(l.text, " \t")
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		indented := len(t) < len(l.text)
		if t[0] == '[' && !indented {
			if j := strings.IndexByte(t, ']'); j > 0 {
				section = strings.TrimSpace(t[1:j])
			}
			continue
		}
		k := strings.IndexAny(t, o.seps)
		if k <= 0 {
			continue
		}
		key := strings.TrimSpace(t[:k])
		lead := len(l.text) - len(t)
		vstart := k + 1
		for vstart < len(t) && (t[vstart] == ' ' || t[vstart] == '\t') {
			vstart++
		}
		v := t[vstart:]
		switch {
		case o.npmComments:
			v = stripNPMComment(v)
		case o.inlineComments:
			v = stripInlineComment(v)
		}
		v = strings.TrimRight(v, " \t")
		out = append(out, kvLine{section: section, key: key, value: v, off: l.off + lead + vstart, num: l.num, indented: indented})
	}
	return out, nil
}

// stripInlineComment cuts a " #" or " ;" comment from an unquoted value.
func stripInlineComment(v string) string {
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		return v
	}
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return v[:i]
		}
	}
	return v
}

// stripNPMComment cuts a comment the way npm's ini module does: an
// unescaped ';' or '#' ends an unquoted value.
func stripNPMComment(v string) string {
	if len(v) > 1 && (v[0] == '"' || v[0] == '\'') {
		return v
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case ';', '#':
			return v[:i]
		}
	}
	return v
}

// unquote removes one pair of matching quotes around v and returns the
// offset of the content within v.
func unquote(v string) (string, int) {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1], 1
	}
	return v, 0
}

// entryOf makes an entry of an INI line, unquoting its value.
func entryOf(l kvLine, ctx string) entry {
	v, q := unquote(l.value)
	return entry{key: l.key, ctx: ctx, value: v, off: l.off + q, raw: true}
}
