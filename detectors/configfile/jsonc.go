package configfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON parser that keeps the position of every value, which
// encoding/json does not give. It accepts JSONC as VS Code and Cursor write
// their settings (// and /* */ comments, trailing commas) and otherwise
// follows RFC 8259. Nesting is limited to maxJSONDepth, so work and stack
// are bounded by the input's size.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jnode is a parsed JSON value.
type jnode struct {
	kind jkind
	// off and end delimit the value's text; for strings, inside the quotes.
	off, end int
	str      string // a string's decoded value; a number's or bool's text
	raw      bool   // a string without escapes: str is its text
	members  []jmember
	elems    []*jnode
}

// jmember is one member of an object.
type jmember struct {
	key    string
	keyOff int
	val    *jnode
}

// get returns the value of the first member named key, nil if none.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != jObject {
		return nil
	}
	for _, m := range n.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// text returns a string value, "" for other kinds.
func (n *jnode) text() string {
	if n == nil || n.kind != jString {
		return ""
	}
	return n.str
}

// entry makes an entry of a string member.
func (n *jnode) entry(key, ctx string) entry {
	return entry{key: key, ctx: ctx, value: n.str, off: n.off, end: n.end, raw: n.raw}
}

const maxJSONDepth = 256

// jsonError is a syntax error at a byte offset.
type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

type jsonParser struct {
	src   string
	i     int
	depth int
}

// parseJSON parses src. On a syntax error it returns the values parsed
// before it (objects and arrays hold the members completed so far) with a
// *jsonError.
func parseJSON(src string) (*jnode, error) {
	p := &jsonParser{src: src}
	if strings.HasPrefix(src, "\ufeff") {
		p.i = 3
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	if p.i >= len(p.src) {
		return nil, &jsonError{p.i, "empty document, expected a JSON value"}
	}
	n, err := p.value()
	if err != nil {
		return n, err
	}
	if err := p.skip(); err != nil {
		return n, err
	}
	if p.i < len(p.src) {
		return n, p.errorf("unexpected %s after the JSON value", p.describe())
	}
	return n, nil
}

func (p *jsonParser) errorf(format string, args ...any) *jsonError {
	return &jsonError{p.i, fmt.Sprintf(format, args...)}
}

// describe names the character at the current position without quoting
// the input (which may be part of a secret).
func (p *jsonParser) describe() string {
	if p.i >= len(p.src) {
		return "end of file"
	}
	c := p.src[p.i]
	if c >= 0x21 && c < 0x7f && !isAlnum(c) {
		return fmt.Sprintf("character %q", c)
	}
	return "text"
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skip skips white space and comments.
func (p *jsonParser) skip() error {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '/' && p.i+1 < len(p.src) && p.src[p.i+1] == '/':
			nl := strings.IndexByte(p.src[p.i:], '\n')
			if nl < 0 {
				p.i = len(p.src)
			} else {
				p.i += nl + 1
			}
		case c == '/' && p.i+1 < len(p.src) && p.src[p.i+1] == '*':
			end := strings.Index(p.src[p.i+2:], "*/")
			if end < 0 {
				return p.errorf("unterminated /* comment")
			}
			p.i += end + 4
		default:
			return nil
		}
	}
	return nil
}

func (p *jsonParser) value() (*jnode, error) {
	if p.i >= len(p.src) {
		return nil, p.errorf("unexpected end of file, expected a value")
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.src) && strings.IndexByte("+-.eE0123456789", p.src[p.i]) >= 0 {
			p.i++
		}
		return &jnode{kind: jNumber, off: start, end: p.i, str: p.src[start:p.i]}, nil
	}
	for _, lit := range []struct {
		text string
		kind jkind
	}{{"true", jBool}, {"false", jBool}, {"null", jNull}} {
		if strings.HasPrefix(p.src[p.i:], lit.text) {
			start := p.i
			p.i += len(lit.text)
			return &jnode{kind: lit.kind, off: start, end: p.i, str: lit.text}, nil
		}
	}
	return nil, p.errorf("unexpected %s, expected a value", p.describe())
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	return nil
}

func (p *jsonParser) object() (*jnode, error) {
	n := &jnode{kind: jObject, off: p.i}
	if err := p.enter(); err != nil {
		return n, err
	}
	defer func() { p.depth-- }()
	p.i++ // {
	for {
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.i >= len(p.src) {
			return n, p.errorf("unexpected end of file in an object (missing '}')")
		}
		if p.src[p.i] == '}' {
			p.i++
			n.end = p.i
			return n, nil
		}
		if p.src[p.i] != '"' {
			return n, p.errorf("unexpected %s, expected a member name in double quotes", p.describe())
		}
		key, err := p.string()
		if err != nil {
			return n, err
		}
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return n, p.errorf("unexpected %s, expected ':' after a member name", p.describe())
		}
		p.i++
		if err := p.skip(); err != nil {
			return n, err
		}
		v, err := p.value()
		if v != nil {
			n.members = append(n.members, jmember{key: key.str, keyOff: key.off, val: v})
		}
		if err != nil {
			return n, err
		}
		if err := p.separator('}'); err != nil {
			return n, err
		}
	}
}

// separator consumes the ',' between members or elements; before the
// closing bracket it may be missing (last member) or present (JSONC
// trailing comma).
func (p *jsonParser) separator(closing byte) error {
	if err := p.skip(); err != nil {
		return err
	}
	if p.i >= len(p.src) {
		return p.errorf("unexpected end of file (missing '%c')", closing)
	}
	switch p.src[p.i] {
	case ',':
		p.i++
		return nil
	case closing:
		return nil
	}
	return p.errorf("unexpected %s, expected ',' or '%c'", p.describe(), closing)
}

func (p *jsonParser) array() (*jnode, error) {
	n := &jnode{kind: jArray, off: p.i}
	if err := p.enter(); err != nil {
		return n, err
	}
	defer func() { p.depth-- }()
	p.i++ // [
	for {
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.i >= len(p.src) {
			return n, p.errorf("unexpected end of file in an array (missing ']')")
		}
		if p.src[p.i] == ']' {
			p.i++
			n.end = p.i
			return n, nil
		}
		v, err := p.value()
		if v != nil {
			n.elems = append(n.elems, v)
		}
		if err != nil {
			return n, err
		}
		if err := p.separator(']'); err != nil {
			return n, err
		}
	}
}

// string parses a string starting at the opening quote.
func (p *jsonParser) string() (*jnode, error) {
	start := p.i + 1
	i := start
	var b *strings.Builder
	for i < len(p.src) {
		c := p.src[i]
		switch c {
		case '"':
			n := &jnode{kind: jString, off: start, end: i, raw: b == nil}
			if b == nil {
				n.str = p.src[start:i]
			} else {
				n.str = b.String()
			}
			p.i = i + 1
			return n, nil
		case '\n', '\r':
			p.i = i
			return nil, p.errorf("line break inside a string (unterminated string?)")
		case '\\':
			if b == nil {
				b = &strings.Builder{}
				b.WriteString(p.src[start:i])
			}
			n, err := p.escape(b, i)
			if err != nil {
				return nil, err
			}
			i = n
			continue
		}
		if b != nil {
			b.WriteByte(c)
		}
		i++
	}
	p.i = len(p.src)
	return nil, p.errorf("unexpected end of file in a string")
}

// escape decodes the escape sequence at src[i] ('\\') into b and returns
// the index after it.
func (p *jsonParser) escape(b *strings.Builder, i int) (int, error) {
	if i+1 >= len(p.src) {
		p.i = i
		return 0, p.errorf("unexpected end of file in an escape sequence")
	}
	switch c := p.src[i+1]; c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, n, ok := p.unicodeEscape(i)
		if !ok {
			p.i = i
			return 0, p.errorf("invalid \\u escape")
		}
		b.WriteRune(r)
		return n, nil
	default:
		p.i = i
		return 0, p.errorf("invalid escape sequence")
	}
	return i + 2, nil
}

// unicodeEscape decodes \uXXXX at i, with a following low surrogate if the
// first is a high one.
func (p *jsonParser) unicodeEscape(i int) (rune, int, bool) {
	r, ok := hex4(p.src, i+2)
	if !ok {
		return 0, 0, false
	}
	n := i + 6
	if utf16.IsSurrogate(r) {
		if n+6 <= len(p.src) && p.src[n] == '\\' && p.src[n+1] == 'u' {
			if r2, ok := hex4(p.src, n+2); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, n + 6, true
				}
			}
		}
		return utf8.RuneError, n, true
	}
	return r, n, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// jsonFile parses f as JSON and turns a syntax error into a *ParseError at
// its position. The (possibly partial) tree is returned either way.
func (f *file) jsonFile(what string) (*jnode, error) {
	n, err := parseJSON(f.src)
	if err == nil {
		return n, nil
	}
	var je *jsonError
	if !errors.As(err, &je) {
		return n, err
	}
	line, col := f.pos(je.off)
	return n, &ParseError{Path: f.path, Line: line, Column: col, Msg: "invalid " + what + ": " + je.msg}
}
