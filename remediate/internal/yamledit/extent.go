package yamledit

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// span is a byte range [start, end) of the source.
type span struct{ start, end int }

// contentEnd returns the last line that belongs to an entry whose key (or
// dash) is indented by ind spaces and whose subtree is n: the line of its
// last node, extended over continuation lines indented deeper than ind
// (block scalar content, multi-line scalars). Trailing comment lines and
// blank lines stay outside, except inside a block scalar.
func (d *Doc) contentEnd(ind int, n *yaml.Node) int {
	last := LastLine(n)
	ln := lastNode(n)
	inBlock := ln.Kind == yaml.ScalarNode && ln.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	for l := last + 1; l <= d.NumLines(); l++ {
		if d.blank(l) {
			continue
		}
		deeper := d.indent(l) > ind
		if d.comment(l) && !(inBlock && deeper) {
			continue
		}
		if !deeper || d.docMarker(l) {
			break
		}
		last = l
	}
	return last
}

func (d *Doc) docMarker(l int) bool {
	s := d.Line(l)
	return strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")
}

// headComments returns the first line of the comment block directly above
// line l whose lines are indented like ind (no blank line between), or l.
func (d *Doc) headComments(l, ind int) int {
	first := l
	for c := l - 1; c >= 1; c-- {
		if !d.comment(c) || d.indent(c) != ind {
			break
		}
		first = c
	}
	return first
}

// pairSpan returns the byte range of pair i of block mapping m: from the
// key (its line, when the key starts the line) to the end of the line that
// ends its value. withHead extends it over the comment lines right above.
func (d *Doc) pairSpan(m *yaml.Node, i int, withHead bool) span {
	k, v := m.Content[2*i], m.Content[2*i+1]
	ind := d.byteCol(k)
	var s span
	if d.firstOnLine(k) {
		first := k.Line
		if withHead {
			first = d.headComments(k.Line, ind)
		}
		s.start = d.lineStart(first)
	} else {
		s.start = d.Offset(k)
	}
	tree := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}
	tree.Line, tree.Column = k.Line, k.Column
	s.end = d.lineEnd(d.contentEnd(ind, tree))
	return s
}

// dashOffset finds the "-" that introduces sequence item n.
func (d *Doc) dashOffset(n *yaml.Node) (int, bool) {
	off := d.Offset(n)
	for i := off - 1; i >= 0; i-- {
		switch d.Src[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '-':
			return i, true
		}
		return 0, false
	}
	return 0, false
}

// itemSpan returns the byte range of item n of a block sequence, from its
// dash to the end of the line that ends it, and the dash's indentation.
func (d *Doc) itemSpan(n *yaml.Node, withHead bool) (span, int, bool) {
	dash, ok := d.dashOffset(n)
	if !ok {
		return span{}, 0, false
	}
	line := d.lineOf(dash)
	ind := dash - d.lineStart(line)
	var s span
	if strings.TrimLeft(string(d.Src[d.lineStart(line):dash]), " ") == "" {
		first := line
		if withHead {
			first = d.headComments(line, ind)
		}
		s.start = d.lineStart(first)
	} else {
		s.start = dash
	}
	s.end = d.lineEnd(d.contentEnd(ind, n))
	return s, ind, true
}

// lineOf returns the 1-based line holding byte offset off.
func (d *Doc) lineOf(off int) int {
	lo, hi := 0, len(d.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// scalarSpan returns the byte range of a single-line scalar's source text
// (with its quotes), and false for block and multi-line scalars.
func (d *Doc) scalarSpan(n *yaml.Node) (span, bool) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return span{}, false
	}
	start := d.Offset(n)
	lineEnd := d.lineEnd(n.Line)
	text := string(d.Src[start:lineEnd])
	text = strings.TrimRight(text, "\r\n")
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return span{start, start + i + 1}, true
			}
		}
		return span{}, false
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := 1; i < len(text); i++ {
			if text[i] == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				return span{start, start + i + 1}, true
			}
		}
		return span{}, false
	}
	// Plain: up to a comment, a flow indicator in flow context, or the end
	// of the line; it must also not continue on the next lines.
	end := len(text)
	if i := strings.Index(text, " #"); i >= 0 {
		end = i
	}
	if i := strings.Index(text, "\t#"); i >= 0 && i < end {
		end = i
	}
	if p := d.parent[n]; p != nil && IsFlow(p) {
		if i := strings.IndexAny(text, ",]}"); i >= 0 && i < end {
			end = i
		}
	}
	raw := strings.TrimRight(text[:end], " \t")
	if raw != n.Value || raw == "" {
		return span{}, false
	}
	return span{start, start + len(raw)}, true
}
