package remediate

import (
	"errors"
	"fmt"
	"strings"
)

// tok is a lexical token of a source file, enough to find string literals
// and check that brackets balance: the parse check for languages sessionize
// has no parser for (Python, JavaScript/TypeScript, Java, HCL).
type tok struct {
	kind       byte // 's' string, 'i' identifier, 'p' punctuation, 'n' newline, 'h' heredoc, 'c' comment
	start, end int
	text       string
}

type lexLang int

const (
	langPython lexLang = iota
	langJS
	langJava
	langHCL
)

// lex tokenizes src; an unterminated string or comment, or unbalanced
// brackets, is an error.
func lex(src string, lang lexLang) ([]tok, error) {
	l := &lexer{s: src, lang: lang}
	if err := l.run(0, 0); err != nil {
		return nil, err
	}
	depth := 0
	var stack []byte
	for _, t := range l.toks {
		if t.kind != 'p' {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, t.text[0])
			depth++
		case ")", "]", "}":
			want := map[string]byte{")": '(', "]": '[', "}": '{'}[t.text]
			if len(stack) == 0 || stack[len(stack)-1] != want {
				return nil, fmt.Errorf("unbalanced %q at byte %d", t.text, t.start)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return nil, errors.New("unclosed bracket at the end of the file")
	}
	return l.toks, nil
}

type lexer struct {
	s    string
	lang lexLang
	toks []tok
	prev string // last significant token, for the JS regex heuristic
}

func (l *lexer) emit(kind byte, start, end int) {
	t := tok{kind: kind, start: start, end: end, text: l.s[start:end]}
	l.toks = append(l.toks, t)
	if kind != 'n' && kind != 'c' {
		l.prev = t.text
	}
}

// run lexes from i; when stopAtBrace > 0 it returns at the brace that
// closes a template interpolation, returning its index through l.toks.
func (l *lexer) run(i, stop int) error {
	_, err := l.scan(i, stop > 0)
	return err
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// scan lexes from i to the end, or (inTemplate) to the "}" closing an
// interpolation; it returns the index after what it consumed.
func (l *lexer) scan(i int, inTemplate bool) (int, error) {
	s := l.s
	braces := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			l.emit('n', i, i+1)
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '#' && (l.lang == langPython || l.lang == langHCL):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			l.emit('c', i, i+j)
			i += j
		case c == '/' && i+1 < len(s) && s[i+1] == '/' && l.lang != langPython:
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			l.emit('c', i, i+j)
			i += j
		case c == '/' && i+1 < len(s) && s[i+1] == '*' && l.lang != langPython:
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return 0, errors.New("unterminated comment")
			}
			l.emit('c', i, i+j+4)
			i += j + 4
		case c == '/' && l.lang == langJS && l.regexAllowed():
			j, err := l.regex(i)
			if err != nil {
				return 0, err
			}
			l.emit('s', i, j)
			i = j
		case c == '<' && l.lang == langHCL && strings.HasPrefix(s[i:], "<<") && i+2 < len(s) && (s[i+2] == '-' || isIdent(s[i+2])):
			j, err := l.heredoc(i)
			if err != nil {
				return 0, err
			}
			l.emit('h', i, j)
			i = j
		case c == '"' || c == '\'' || c == '`':
			j, err := l.str(i)
			if err != nil {
				return 0, err
			}
			l.emit('s', i, j)
			i = j
		case isIdent(c):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			// Python string prefixes: r"", b'', f"""...""".
			if l.lang == langPython && j < len(s) && (s[j] == '"' || s[j] == '\'') && len(s[i:j]) <= 2 && strings.Trim(strings.ToLower(s[i:j]), "rbuf") == "" {
				k, err := l.str(j)
				if err != nil {
					return 0, err
				}
				l.emit('s', i, k)
				i = k
				continue
			}
			l.emit('i', i, j)
			i = j
		default:
			if inTemplate {
				if c == '{' {
					braces++
				}
				if c == '}' {
					if braces == 0 {
						return i + 1, nil
					}
					braces--
				}
			}
			l.emit('p', i, i+1)
			i++
		}
	}
	if inTemplate {
		return 0, errors.New("unterminated template interpolation")
	}
	return i, nil
}

func (l *lexer) regexAllowed() bool {
	switch l.prev {
	case "", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "return", "typeof", "case", "+", "-", "*", "%", "<", ">", "~", "^":
		return true
	}
	return false
}

func (l *lexer) regex(i int) (int, error) {
	s := l.s
	class := false
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			class = true
		case ']':
			class = false
		case '\n':
			return 0, errors.New("unterminated regular expression")
		case '/':
			if !class {
				j++
				for j < len(s) && isIdent(s[j]) {
					j++
				}
				return j, nil
			}
		}
	}
	return 0, errors.New("unterminated regular expression")
}

// str lexes a string starting at quote i: single, double, backtick
// (JavaScript templates with ${...}), Python and Java triple quotes, HCL
// strings with ${...} and %{...} templates.
func (l *lexer) str(i int) (int, error) {
	s := l.s
	q := s[i]
	triple := (l.lang == langPython || (l.lang == langJava && q == '"')) && strings.HasPrefix(s[i:], strings.Repeat(string(q), 3))
	if triple {
		end := strings.Index(s[i+3:], strings.Repeat(string(q), 3))
		for end >= 0 && i+3+end > 0 && s[i+3+end-1] == '\\' {
			next := strings.Index(s[i+3+end+1:], strings.Repeat(string(q), 3))
			if next < 0 {
				end = -1
				break
			}
			end += next + 1
		}
		if end < 0 {
			return 0, errors.New("unterminated triple-quoted string")
		}
		return i + 3 + end + 3, nil
	}
	tmpl := q == '`' && l.lang == langJS || q == '"' && l.lang == langHCL
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\':
			j++
		case c == q:
			return j + 1, nil
		case c == '\n' && q != '`':
			return 0, errors.New("unterminated string")
		case tmpl && (c == '$' || c == '%') && j+1 < len(s) && s[j+1] == '{':
			sub := &lexer{s: s, lang: l.lang}
			k, err := sub.scan(j+2, true)
			if err != nil {
				return 0, err
			}
			j = k - 1
		}
	}
	return 0, errors.New("unterminated string")
}

// heredoc lexes an HCL heredoc <<EOF ... EOF (or <<-EOF).
func (l *lexer) heredoc(i int) (int, error) {
	s := l.s
	j := i + 2
	if s[j] == '-' {
		j++
	}
	k := j
	for k < len(s) && isIdent(s[k]) {
		k++
	}
	marker := s[j:k]
	nl := strings.IndexByte(s[k:], '\n')
	if marker == "" || nl < 0 {
		return 0, errors.New("unterminated heredoc")
	}
	pos := k + nl + 1
	for pos < len(s) {
		e := strings.IndexByte(s[pos:], '\n')
		line := s[pos:]
		if e >= 0 {
			line = s[pos : pos+e]
		}
		if strings.TrimSpace(strings.TrimSuffix(line, "\r")) == marker {
			return pos + len(strings.TrimRight(line, "\r")), nil
		}
		if e < 0 {
			break
		}
		pos += e + 1
	}
	return 0, errors.New("unterminated heredoc")
}
