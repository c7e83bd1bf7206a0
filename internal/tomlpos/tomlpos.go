// Package tomlpos maps the keys of a TOML document to their line and column,
// so that rule and configuration errors can be reported compiler-style
// ("rules/cloud.toml:12:3: unknown key ...") after the document has been
// decoded into structs, which forgets positions.
package tomlpos

import (
	"bytes"
	"sort"
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
	// Line starts, so that a position costs a binary search: the parser's
	// Shape counts newlines from the start of the document at every call,
	// quadratic in the document (70 ms of CPU for the built-in rules and
	// knowledge base, at every start of sessionize).
	starts := []int{0}
	for off := 0; ; {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	var p unstable.Parser
	p.Reset(data)
	counts := map[string]int{} // array-of-tables path -> elements seen
	var table []string
	for p.NextExpression() {
		expr := p.Expression()
		switch expr.Kind {
		case unstable.Table:
			table = ix.resolve(keyParts(expr.Key()), counts)
			ix.pos[strings.Join(table, ".")] = shape(starts, expr)
		case unstable.ArrayTable:
			parts := ix.resolve(keyParts(expr.Key()), counts)
			base := strings.Join(parts, ".")
			n := counts[base]
			counts[base] = n + 1
			table = append(parts, strconv.Itoa(n))
			ix.pos[strings.Join(table, ".")] = shape(starts, expr)
		case unstable.KeyValue:
			key := append(append([]string{}, table...), keyParts(expr.Key())...)
			ix.pos[strings.Join(key, ".")] = shape(starts, expr)
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

func shape(starts []int, n *unstable.Node) Pos {
	r := n.Raw
	if r.Length == 0 {
		if it := n.Key(); it.Next() {
			r = it.Node().Raw
		}
	}
	off := int(r.Offset)
	line := sort.Search(len(starts), func(i int) bool { return starts[i] > off })
	return Pos{Line: line, Column: off - starts[line-1] + 1}
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
