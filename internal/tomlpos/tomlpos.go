// Package tomlpos maps the keys of a TOML document to their line and column,
// so that rule and configuration errors can be reported compiler-style
// ("rules/cloud.toml:12:3: unknown key ...") after the document has been
// decoded into structs, which forgets positions.
package tomlpos

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// Pos is a 1-based line and column.
type Pos struct {
	Line, Column int
}

// Index holds the position of every key of a document, addressed by dotted
// paths in which array-of-tables elements carry their index:
// "rules.3.regex" is the regex key of the fourth [[rules]] table and
// "rules.3" is that table's header.
type Index struct {
	pos map[string]Pos
}

// Build indexes data. A document that does not parse yields the positions
// found before the error; the decoder reports the error itself.
func Build(data []byte) *Index {
	ix := &Index{pos: map[string]Pos{}}
	var p unstable.Parser
	p.Reset(data)
	counts := map[string]int{} // array-of-tables path -> elements seen
	var table []string
	for p.NextExpression() {
		expr := p.Expression()
		switch expr.Kind {
		case unstable.Table:
			table = ix.resolve(keyParts(expr.Key()), counts)
			ix.pos[strings.Join(table, ".")] = shape(&p, expr)
		case unstable.ArrayTable:
			parts := ix.resolve(keyParts(expr.Key()), counts)
			base := strings.Join(parts, ".")
			n := counts[base]
			counts[base] = n + 1
			table = append(parts, strconv.Itoa(n))
			ix.pos[strings.Join(table, ".")] = shape(&p, expr)
		case unstable.KeyValue:
			key := append(append([]string{}, table...), keyParts(expr.Key())...)
			ix.pos[strings.Join(key, ".")] = shape(&p, expr)
		}
	}
	return ix
}

// resolve rewrites a table header's parts so that a prefix naming an array of
// tables points at its latest element ([[rules.allowlists]] belongs to the
// last [[rules]]).
func (ix *Index) resolve(parts []string, counts map[string]int) []string {
	var out []string
	for i, part := range parts {
		out = append(out, part)
		if i == len(parts)-1 {
			break
		}
		if n, ok := counts[strings.Join(out, ".")]; ok && n > 0 {
			out = append(out, strconv.Itoa(n-1))
		}
	}
	return out
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func shape(p *unstable.Parser, n *unstable.Node) Pos {
	r := n.Raw
	if r.Length == 0 {
		if it := n.Key(); it.Next() {
			r = it.Node().Raw
		}
	}
	s := p.Shape(r)
	return Pos{Line: s.Start.Line, Column: s.Start.Column}
}

// Lookup returns the position of path, or of its closest indexed ancestor,
// and whether anything was found.
func (ix *Index) Lookup(path ...string) (Pos, bool) {
	for len(path) > 0 {
		if p, ok := ix.pos[strings.Join(path, ".")]; ok {
			return p, true
		}
		path = path[:len(path)-1]
	}
	return Pos{}, false
}
