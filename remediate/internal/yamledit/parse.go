package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// RefusedError says why an edit was not made. The file is left as it was.
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// refuse builds a *RefusedError.
func refuse(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// IsRefused reports whether err is a refusal, and returns its reason.
func IsRefused(err error) (string, bool) {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason, true
	}
	return "", false
}

// Doc is a parsed YAML document with the positions needed to splice it.
// A Doc is not safe for concurrent use.
type Doc struct {
	// Src is the document's bytes; never modified.
	Src []byte
	// Root is the top-level node (a mapping for every file sessionize
	// edits), nil for an empty document.
	Root *yaml.Node
	// NL is the line ending the file uses: "\n" or "\r\n".
	NL string

	lines  []int // byte offset of the start of each line; lines[0] = 0
	parent map[*yaml.Node]*yaml.Node
	unit   int // indentation step for nested mappings
	seqOff int // offset of a block sequence's dash from its parent key
}

// Parse parses src, a single YAML document. Files that do not parse, hold
// several documents, or mix CRLF and LF line endings are refused.
func Parse(src []byte) (*Doc, error) {
	nl, err := lineEnding(src)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var top yaml.Node
	if err := dec.Decode(&top); err != nil {
		if errors.Is(err, io.EOF) {
			return &Doc{Src: src, NL: nl, lines: lineStarts(src), parent: map[*yaml.Node]*yaml.Node{}, unit: 2, seqOff: 2}, nil
		}
		return nil, refuse("the file does not parse as YAML: %s", cleanYAMLError(err))
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, refuse("the file does not parse as YAML: %s", cleanYAMLError(err))
		}
		return nil, refuse("the file holds several YAML documents")
	}
	d := &Doc{Src: src, NL: nl, lines: lineStarts(src), parent: map[*yaml.Node]*yaml.Node{}}
	if len(top.Content) > 0 {
		d.Root = top.Content[0]
	}
	d.indexParents(d.Root, nil)
	d.unit, d.seqOff = d.inferIndent()
	return d, nil
}

func cleanYAMLError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// lineEnding finds the file's line ending; a mix of CRLF and LF, or bare CR,
// is refused.
func lineEnding(src []byte) (string, error) {
	crlf := bytes.Count(src, []byte("\r\n"))
	lf := bytes.Count(src, []byte("\n")) - crlf
	cr := bytes.Count(src, []byte("\r")) - crlf
	switch {
	case cr > 0:
		return "", refuse("the file has bare carriage returns (CR line endings)")
	case crlf > 0 && lf > 0:
		return "", refuse("the file mixes CRLF and LF line endings")
	case crlf > 0:
		return "\r\n", nil
	}
	return "\n", nil
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func (d *Doc) indexParents(n, p *yaml.Node) {
	if n == nil {
		return
	}
	if p != nil {
		d.parent[n] = p
	}
	for _, c := range n.Content {
		d.indexParents(c, n)
	}
}

// Parent returns n's parent node, nil for the root.
func (d *Doc) Parent(n *yaml.Node) *yaml.Node { return d.parent[n] }

// NumLines returns the number of lines.
func (d *Doc) NumLines() int { return len(d.lines) }

// lineStart returns the byte offset of line l (1-based).
func (d *Doc) lineStart(l int) int {
	if l < 1 {
		return 0
	}
	if l > len(d.lines) {
		return len(d.Src)
	}
	return d.lines[l-1]
}

// lineEnd returns the offset just after line l's line ending (the start of
// the next line, or the end of the file).
func (d *Doc) lineEnd(l int) int {
	if l >= len(d.lines) {
		return len(d.Src)
	}
	return d.lines[l]
}

// Line returns line l (1-based) without its line ending.
func (d *Doc) Line(l int) string {
	if l < 1 || l > len(d.lines) {
		return ""
	}
	s := string(d.Src[d.lineStart(l):d.lineEnd(l)])
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// indent returns the number of leading spaces of line l.
func (d *Doc) indent(l int) int {
	s := d.Line(l)
	return len(s) - len(strings.TrimLeft(s, " "))
}

func (d *Doc) blank(l int) bool { return strings.TrimSpace(d.Line(l)) == "" }

func (d *Doc) comment(l int) bool {
	return strings.HasPrefix(strings.TrimLeft(d.Line(l), " \t"), "#")
}

// Offset returns the byte offset at which node n starts.
func (d *Doc) Offset(n *yaml.Node) int { return d.pos(n.Line, n.Column) }

// pos converts a 1-based line and character column into a byte offset.
func (d *Doc) pos(line, col int) int {
	start := d.lineStart(line)
	end := d.lineEnd(line)
	off := start
	for i := 1; i < col && off < end; i++ {
		_, size := utf8.DecodeRune(d.Src[off:end])
		off += size
	}
	return off
}

// byteCol returns the 0-based byte column of node n on its line.
func (d *Doc) byteCol(n *yaml.Node) int { return d.Offset(n) - d.lineStart(n.Line) }

// firstOnLine reports whether only spaces precede n on its line.
func (d *Doc) firstOnLine(n *yaml.Node) bool {
	return strings.TrimLeft(string(d.Src[d.lineStart(n.Line):d.Offset(n)]), " ") == ""
}

// inferIndent guesses the file's indentation step and sequence style from
// the first nested block mapping and block sequence it finds.
func (d *Doc) inferIndent() (unit, seqOff int) {
	unit, seqOff = -1, -1
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || (unit >= 0 && seqOff >= 0) {
			return
		}
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Line <= k.Line {
					continue
				}
				delta := d.byteCol(v) - d.byteCol(k)
				switch {
				case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && unit < 0 && delta > 0 && delta <= 8:
					unit = delta
				case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && seqOff < 0 && delta >= 0 && delta <= 8:
					seqOff = delta
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.Root)
	if unit < 0 {
		unit = 2
	}
	if seqOff < 0 {
		seqOff = unit
	}
	return unit, seqOff
}

// Unit returns the indentation step inferred from the file.
func (d *Doc) Unit() int { return d.unit }

// Get returns the value of key in mapping m, or nil.
func Get(m *yaml.Node, key string) *yaml.Node {
	_, v := Pair(m, key)
	return v
}

// Pair returns the key and value nodes of key in mapping m, or nils.
func Pair(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// PairIndex returns the index of key among m's pairs, or -1.
func PairIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return i / 2
		}
	}
	return -1
}

// Keys returns the keys of mapping m in order.
func Keys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]string, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// Resolve follows an alias to its target.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// IsFlow reports whether n is a flow-style collection ({...} or [...]).
func IsFlow(n *yaml.Node) bool {
	return n != nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0
}

// LastLine returns the line of the last node in n's subtree (start lines;
// a multi-line scalar may extend further).
func LastLine(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	last := n.Line
	for _, c := range n.Content {
		last = max(last, LastLine(c))
	}
	return last
}

// lastNode returns the node of n's subtree that starts last.
func lastNode(n *yaml.Node) *yaml.Node {
	best := n
	for _, c := range n.Content {
		if l := lastNode(c); l.Line > best.Line || (l.Line == best.Line && l.Column >= best.Column) {
			best = l
		}
	}
	return best
}
