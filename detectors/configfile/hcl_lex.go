package configfile

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// A careful HCL reader for what the Terraform detector needs: block
// structure (types, labels, nesting), attribute names, and whether each
// value is a literal string or an expression (var.x, file("..."),
// "${...}"). It is not a full HCL parser: expressions are skipped by
// bracket matching. github.com/hashicorp/hcl/v2 would parse everything, but
// it brings go-cty and four other modules into go.mod for a question this
// reader answers: "which attributes hold literal strings".

type hclTokKind uint8

const (
	hIdent hclTokKind = iota
	hString
	hHeredoc
	hNumber
	hPunct
	hNewline
)

type hclTok struct {
	kind hclTokKind
	text string // identifier, punctuation, or a string's decoded value
	off  int    // offset of the token (a string's content)
	end  int
	// lit marks a string or heredoc without interpolation or directives;
	// raw one whose text is its value byte for byte.
	lit, raw bool
}

// hclError is a syntax error at an offset.
type hclError struct {
	off int
	msg string
}

func (e *hclError) Error() string { return e.msg }

// hclLex splits src into tokens. On an error it returns the tokens before
// it.
func hclLex(ctx context.Context, src string) ([]hclTok, error) {
	lx := &hclLexer{src: src}
	if strings.HasPrefix(src, "\ufeff") {
		lx.i = 3
	}
	for lx.i < len(src) {
		if len(lx.toks)%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return lx.toks, err
			}
		}
		if err := lx.next(); err != nil {
			return lx.toks, err
		}
	}
	return lx.toks, nil
}

type hclLexer struct {
	src  string
	i    int
	toks []hclTok
}

func (lx *hclLexer) emit(t hclTok) { lx.toks = append(lx.toks, t) }

func (lx *hclLexer) next() error {
	src, i := lx.src, lx.i
	c := src[i]
	switch {
	case c == '\n':
		lx.emit(hclTok{kind: hNewline, off: i, end: i + 1})
		lx.i++
	case c == ' ' || c == '\t' || c == '\r':
		lx.i++
	case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
		nl := strings.IndexByte(src[i:], '\n')
		if nl < 0 {
			lx.i = len(src)
		} else {
			lx.i = i + nl
		}
	case c == '/' && i+1 < len(src) && src[i+1] == '*':
		end := strings.Index(src[i+2:], "*/")
		if end < 0 {
			return &hclError{i, "unterminated /* comment"}
		}
		// A multi-line comment still ends a line.
		if strings.Contains(src[i:i+2+end], "\n") {
			lx.emit(hclTok{kind: hNewline, off: i, end: i})
		}
		lx.i = i + end + 4
	case c == '"':
		t, n, err := lexHCLString(src, i)
		if err != nil {
			return err
		}
		lx.emit(t)
		lx.i = n
	case c == '<' && strings.HasPrefix(src[i:], "<<") && i+2 < len(src) && (isIdentStart(src[i+2]) || src[i+2] == '-'):
		t, n, err := lexHeredoc(src, i)
		if err != nil {
			return err
		}
		lx.emit(t)
		lx.i = n
	case isIdentStart(c):
		j := i + 1
		for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-') {
			j++
		}
		lx.emit(hclTok{kind: hIdent, text: src[i:j], off: i, end: j})
		lx.i = j
	case c >= '0' && c <= '9':
		j := i + 1
		for j < len(src) && (isAlnum(src[j]) || src[j] == '.') {
			j++
		}
		lx.emit(hclTok{kind: hNumber, text: src[i:j], off: i, end: j})
		lx.i = j
	default:
		if c >= 0x80 {
			return &hclError{i, "unexpected non-ASCII character outside a string"}
		}
		n := 1
		if i+1 < len(src) {
			switch src[i : i+2] {
			case "==", "!=", "<=", ">=", "&&", "||", "=>", "::":
				n = 2
			}
		}
		lx.emit(hclTok{kind: hPunct, text: src[i : i+n], off: i, end: i + n})
		lx.i = i + n
	}
	return nil
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// lexHCLString reads a quoted template starting at src[i] == '"'.
// Interpolations (${...}) and directives (%{...}) may nest strings and
// braces; "$${" and "%%{" are literal.
func lexHCLString(src string, i int) (hclTok, int, error) {
	start := i + 1
	var b strings.Builder
	lit := true
	escaped := false
	for j := start; j < len(src); {
		c := src[j]
		switch {
		case c == '"':
			t := hclTok{kind: hString, off: start, end: j, lit: lit, raw: !escaped}
			t.text = b.String()
			return t, j + 1, nil
		case c == '\n':
			return hclTok{}, 0, &hclError{i, "unterminated string"}
		case c == '\\':
			if j+1 >= len(src) {
				return hclTok{}, 0, &hclError{i, "unterminated string"}
			}
			escaped = true
			n, err := hclEscape(&b, src, j)
			if err != nil {
				return hclTok{}, 0, err
			}
			j = n
		case (c == '$' || c == '%') && strings.HasPrefix(src[j+1:], "{"):
			if j > start && src[j-1] == c {
				// "$${" is a literal "${": the first '$' was written already.
				b.WriteByte('{')
				escaped = true
				j += 2
				continue
			}
			end, err := skipInterpolation(src, j+2)
			if err != nil {
				return hclTok{}, 0, err
			}
			lit = false
			b.WriteString(src[j:end])
			j = end
		default:
			b.WriteByte(c)
			j++
		}
	}
	return hclTok{}, 0, &hclError{i, "unterminated string"}
}

// hclEscape decodes the escape at src[j] == '\\'.
func hclEscape(b *strings.Builder, src string, j int) (int, error) {
	switch c := src[j+1]; c {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case '"', '\\':
		b.WriteByte(c)
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if j+2+n > len(src) {
			return 0, &hclError{j, "invalid unicode escape"}
		}
		r, err := strconv.ParseUint(src[j+2:j+2+n], 16, 32)
		if err != nil {
			return 0, &hclError{j, "invalid unicode escape"}
		}
		b.WriteRune(rune(r)) //nolint:gosec // G115: r has 32 bits; WriteRune writes U+FFFD for what is no rune
		return j + 2 + n, nil
	default:
		return 0, &hclError{j, "invalid escape sequence"}
	}
	return j + 2, nil
}

// skipInterpolation returns the index after the '}' closing an
// interpolation whose content starts at j.
func skipInterpolation(src string, j int) (int, error) {
	depth := 1
	for j < len(src) {
		switch src[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		case '"':
			_, n, err := lexHCLString(src, j)
			if err != nil {
				return 0, err
			}
			j = n
			continue
		}
		j++
	}
	return 0, &hclError{j, "unterminated ${ interpolation"}
}

// lexHeredoc reads <<EOT / <<-EOT ... EOT starting at src[i].
func lexHeredoc(src string, i int) (hclTok, int, error) {
	j := i + 2
	if src[j] == '-' {
		j++
	}
	k := j
	for k < len(src) && (isIdentStart(src[k]) || src[k] >= '0' && src[k] <= '9' || src[k] == '-') {
		k++
	}
	marker := src[j:k]
	nl := strings.IndexByte(src[k:], '\n')
	if marker == "" || nl < 0 || strings.TrimSpace(src[k:k+nl]) != "" {
		return hclTok{}, 0, &hclError{i, "invalid heredoc marker"}
	}
	start := k + nl + 1
	for p := start; p <= len(src); {
		e := strings.IndexByte(src[p:], '\n')
		lineEnd := len(src)
		if e >= 0 {
			lineEnd = p + e
		}
		if strings.TrimSpace(src[p:lineEnd]) == marker {
			body := src[start:p]
			lit := !strings.Contains(strings.ReplaceAll(body, "$${", ""), "${") && !strings.Contains(strings.ReplaceAll(body, "%%{", ""), "%{")
			return hclTok{kind: hHeredoc, text: body, off: start, end: p, lit: lit, raw: true}, lineEnd, nil
		}
		if e < 0 {
			break
		}
		p = lineEnd + 1
	}
	return hclTok{}, 0, &hclError{i, fmt.Sprintf("heredoc without its closing %s line", marker)}
}
