package configfile

import (
	"context"
	"fmt"
	"strconv"
)

// hclBlock is a block's type and labels: provider "aws", backend "s3".
type hclBlock struct {
	typ    string
	labels []string
}

func (b hclBlock) label(i int) string {
	if i < len(b.labels) {
		return b.labels[i]
	}
	return ""
}

// hclAttr is an attribute, or a member of an object expression, with its
// context.
type hclAttr struct {
	blocks []hclBlock // enclosing blocks, outermost first
	keys   []string   // enclosing attribute and object keys: creds = { secret = "..." } → [creds]
	name   string
	// tok is the value when it is a single string or heredoc; ok is false
	// for any other expression.
	tok hclTok
	ok  bool
	// block identifies the innermost block instance, to group attributes.
	block int
}

type hclParser struct {
	toks   []hclTok
	i      int
	attrs  []hclAttr
	nblock int
	depth  int
}

const maxHCLDepth = 200

// parseHCL returns the attributes of an HCL file (Terraform configuration,
// .tfvars, .terraformrc). On an error it returns those read before it.
func parseHCL(ctx context.Context, src string) ([]hclAttr, error) {
	toks, lexErr := hclLex(ctx, src)
	p := &hclParser{toks: toks}
	err := p.body(nil, false)
	if lexErr != nil {
		return p.attrs, lexErr
	}
	return p.attrs, err
}

func (p *hclParser) peek() *hclTok {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *hclParser) errAt(msg string) error {
	off := 0
	if t := p.peek(); t != nil {
		off = t.off
	} else if len(p.toks) > 0 {
		off = p.toks[len(p.toks)-1].end
	}
	return &hclError{off, msg}
}

// body reads attributes and blocks up to '}' (closing) or the end.
func (p *hclParser) body(blocks []hclBlock, closing bool) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxHCLDepth {
		return p.errAt("blocks nested too deeply")
	}
	id := p.nblock
	p.nblock++
	for {
		t := p.peek()
		switch {
		case t == nil && closing:
			return p.errAt("unexpected end of file (missing '}')")
		case t == nil:
			return nil
		case t.kind == hNewline || t.kind == hPunct && t.text == ",":
			p.i++
			continue
		case t.kind == hPunct && t.text == "}" && closing:
			p.i++
			return nil
		case t.kind != hIdent && t.kind != hString:
			return p.errAt(fmt.Sprintf("unexpected %s, expected an attribute or a block", describeTok(t)))
		}
		name := *t
		p.i++
		if n := p.peek(); n != nil && n.kind == hPunct && (n.text == "=" || n.text == ":") {
			p.i++
			if err := p.expr(blocks, nil, name.text, id); err != nil {
				return err
			}
			continue
		}
		b := hclBlock{typ: name.text}
		for {
			n := p.peek()
			if n == nil {
				return p.errAt("unexpected end of file in a block header")
			}
			if n.kind == hString || n.kind == hIdent {
				b.labels = append(b.labels, n.text)
				p.i++
				continue
			}
			if n.kind == hPunct && n.text == "{" {
				p.i++
				break
			}
			return p.errAt(fmt.Sprintf("unexpected %s in a block header", describeTok(n)))
		}
		if err := p.body(append(blocks[:len(blocks):len(blocks)], b), true); err != nil {
			return err
		}
	}
}

// describeTok names a token for an error message. Identifiers and strings
// are not quoted: a stray word may be a secret.
func describeTok(t *hclTok) string {
	switch t.kind {
	case hString, hHeredoc:
		return "string"
	case hNumber:
		return "number"
	case hNewline:
		return "end of line"
	case hIdent:
		return "word"
	}
	return strconv.Quote(t.text)
}

// expr reads an attribute's value up to the end of its line (or the ','
// or closing bracket of an enclosing object), recording it, and the members
// of object and tuple values.
func (p *hclParser) expr(blocks []hclBlock, keys []string, name string, block int) error {
	t := p.peek()
	if t == nil {
		return p.errAt("unexpected end of file, expected a value")
	}
	attr := hclAttr{blocks: blocks, keys: keys, name: name, block: block}
	switch {
	case t.kind == hPunct && t.text == "{":
		p.i++
		if err := p.object(blocks, append(keys[:len(keys):len(keys)], name), block); err != nil {
			return err
		}
	case t.kind == hPunct && t.text == "[":
		p.i++
		if err := p.tuple(blocks, keys, name, block); err != nil {
			return err
		}
	case (t.kind == hString || t.kind == hHeredoc) && p.endsValue(p.i+1):
		attr.tok, attr.ok = *t, true
		p.i++
		p.attrs = append(p.attrs, attr)
		return nil
	}
	// Anything else (or what follows an object or tuple) is an expression:
	// skip to its end, matching brackets.
	depth := 0
	for t := p.peek(); t != nil; t = p.peek() {
		if depth == 0 && p.endsValue(p.i) {
			break
		}
		if t.kind == hPunct {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		p.i++
	}
	return nil
}

// endsValue reports whether the token at i ends a value: a new line, a
// ',' or a closing bracket, or the end of the file.
func (p *hclParser) endsValue(i int) bool {
	if i >= len(p.toks) {
		return true
	}
	t := p.toks[i]
	return t.kind == hNewline || t.kind == hPunct && (t.text == "," || t.text == "}" || t.text == ")" || t.text == "]")
}

// object reads the members of an object expression after its '{'.
func (p *hclParser) object(blocks []hclBlock, keys []string, block int) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxHCLDepth {
		return p.errAt("values nested too deeply")
	}
	for {
		t := p.peek()
		switch {
		case t == nil:
			return p.errAt("unexpected end of file in an object (missing '}')")
		case t.kind == hNewline || t.kind == hPunct && t.text == ",":
			p.i++
			continue
		case t.kind == hPunct && t.text == "}":
			p.i++
			return nil
		}
		key := ""
		if t.kind == hIdent || t.kind == hString || t.kind == hNumber {
			key = t.text
			p.i++
		}
		n := p.peek()
		if key == "" || n == nil || n.kind != hPunct || (n.text != "=" && n.text != ":") {
			// A computed key ((var.x) = ...) or a for expression: skip the
			// whole object.
			return p.skipTo("}")
		}
		p.i++
		if err := p.expr(blocks, keys, key, block); err != nil {
			return err
		}
	}
}

// tuple reads the elements of a tuple after its '['; string elements are
// recorded under the tuple's name.
func (p *hclParser) tuple(blocks []hclBlock, keys []string, name string, block int) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxHCLDepth {
		return p.errAt("values nested too deeply")
	}
	for {
		t := p.peek()
		switch {
		case t == nil:
			return p.errAt("unexpected end of file in a list (missing ']')")
		case t.kind == hNewline || t.kind == hPunct && t.text == ",":
			p.i++
			continue
		case t.kind == hPunct && t.text == "]":
			p.i++
			return nil
		case t.kind == hIdent && t.text == "for":
			return p.skipTo("]")
		}
		if err := p.expr(blocks, keys, name, block); err != nil {
			return err
		}
		if t := p.peek(); t != nil && t.kind == hPunct && (t.text == ")" || t.text == "}") {
			return p.errAt(fmt.Sprintf("unexpected %q in a list", t.text))
		}
	}
}

// skipTo skips past the closing bracket that matches an already opened one.
func (p *hclParser) skipTo(closing string) error {
	depth := 1
	for t := p.peek(); t != nil; t = p.peek() {
		p.i++
		if t.kind != hPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return p.errAt(fmt.Sprintf("unexpected end of file (missing '%s')", closing))
}
