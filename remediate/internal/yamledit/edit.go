package yamledit

import (
	"bytes"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Editor collects edits to a [Doc] and applies them all at once with
// [Editor.Bytes]. The first refused edit makes every later call a no-op and
// Bytes return the refusal. An Editor is not safe for concurrent use.
type Editor struct {
	d       *Doc
	splices []splice
	want    *gnode
	index   map[*yaml.Node]*gnode
	err     error
}

type splice struct {
	start, end int
	text       string
	seq        int
}

// Edit starts a set of edits of d.
func (d *Doc) Edit() *Editor {
	e := &Editor{d: d, index: map[*yaml.Node]*gnode{}}
	e.want = build(d.Root, e.index)
	return e
}

// Doc returns the document being edited.
func (e *Editor) Doc() *Doc { return e.d }

// Err returns the first refusal or error, if any.
func (e *Editor) Err() error { return e.err }

// Changed reports whether any edit was recorded.
func (e *Editor) Changed() bool { return len(e.splices) > 0 }

func (e *Editor) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *Editor) add(start, end int, text string) {
	e.splices = append(e.splices, splice{start: start, end: end, text: text, seq: len(e.splices)})
}

// guard refuses edits at n when n, or an ancestor, carries an anchor or is
// an alias, when an ancestor mapping has a merge key, or (deep) when n's
// subtree defines an anchor.
func (e *Editor) guard(n *yaml.Node, deep bool) bool {
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && e.index[n] == nil {
		e.fail(refuse("line %d: the edit would go inside a complex mapping key", n.Line))
		return false
	}
	for p := n; p != nil; p = e.d.parent[p] {
		switch {
		case p.Kind == yaml.AliasNode:
			e.fail(refuse("line %d: the edit would go through the alias *%s", p.Line, p.Value))
			return false
		case p.Anchor != "":
			e.fail(refuse("line %d: the edit touches the anchor &%s (aliases elsewhere would change too)", p.Line, p.Anchor))
			return false
		case p.Kind == yaml.MappingNode && Get(p, "<<") != nil:
			e.fail(refuse("line %d: the edit touches a mapping with a merge key (<<)", p.Line))
			return false
		}
	}
	if deep && hasAnchor(n) {
		e.fail(refuse("line %d: the edit would remove an anchor that aliases may use", n.Line))
		return false
	}
	return true
}

func hasAnchor(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAnchor(c) {
			return true
		}
	}
	return false
}

func (e *Editor) blockMapping(m *yaml.Node) bool {
	if m == nil || m.Kind != yaml.MappingNode {
		e.fail(refuse("internal: not a mapping"))
		return false
	}
	if IsFlow(m) {
		e.fail(refuse("line %d: flow-style mapping where the edit needs a block mapping", m.Line))
		return false
	}
	return e.guard(m, false)
}

// DeletePair removes key (and the comment lines right above it) from block
// mapping m. A missing key is not an error.
func (e *Editor) DeletePair(m *yaml.Node, key string) {
	if e.err != nil {
		return
	}
	i := PairIndex(m, key)
	if i < 0 {
		return
	}
	if !e.blockMapping(m) || !e.guard(m.Content[2*i+1], true) {
		return
	}
	k := m.Content[2*i]
	if e.d.firstOnLine(k) {
		s := e.d.pairSpan(m, i, true)
		e.add(s.start, s.end, "")
	} else {
		if 2*i+2 >= len(m.Content) {
			e.fail(refuse("line %d: deleting %q would leave an empty entry", k.Line, key))
			return
		}
		next := m.Content[2*i+2]
		e.add(e.d.Offset(k), e.d.Offset(next), "")
	}
	e.index[m].del(keyString(k))
}

// SetPair sets p in block mapping m: an existing key's entry is replaced
// (keeping its line comment unless p has one), a new key is inserted before
// the first of before present in m, else appended.
func (e *Editor) SetPair(m *yaml.Node, p FragPair, before ...string) {
	if e.err != nil || !e.blockMapping(m) {
		return
	}
	val, ok := e.fragValue(p)
	if !ok {
		return
	}
	if i := PairIndex(m, p.Key); i >= 0 {
		k, v := m.Content[2*i], m.Content[2*i+1]
		if !e.guard(v, true) {
			return
		}
		if p.Comment == "" {
			p.Comment = lineComment(k, v)
		}
		s := e.d.pairSpan(m, i, false)
		text := e.d.renderPairs(e.d.byteCol(k), p)
		if s.start != e.d.lineStart(k.Line) {
			text = strings.TrimLeft(text, " ")
		}
		e.add(s.start, s.end, e.terminate(s.end, e.d.nl(text)))
		e.index[m].set(keyString(k), val)
		return
	}
	e.insertPair(m, p, before)
	if e.err == nil {
		e.index[m].set(p.Key, val)
	}
}

func lineComment(k, v *yaml.Node) string {
	c := k.LineComment
	if c == "" && v.Kind == yaml.ScalarNode {
		c = v.LineComment
	}
	c = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "#"))
	return c
}

func (e *Editor) insertPair(m *yaml.Node, p FragPair, before []string) {
	if len(m.Content) == 0 {
		e.fail(refuse("line %d: cannot add %q to an empty mapping", m.Line, p.Key))
		return
	}
	ind := e.d.byteCol(m.Content[0])
	for _, b := range before {
		i := PairIndex(m, b)
		if i < 0 {
			continue
		}
		k := m.Content[2*i]
		if !e.d.firstOnLine(k) {
			continue
		}
		at := e.d.lineStart(e.d.headComments(k.Line, ind))
		e.add(at, at, e.d.nl(e.d.renderPairs(ind, p)))
		return
	}
	s := e.d.pairSpan(m, len(m.Content)/2-1, false)
	e.add(s.end, s.end, e.terminate(s.end, e.d.nl(e.d.renderPairs(ind, p))))
}

// terminate adapts text inserted at off: at the end of a file that lacks a
// final line ending, the text starts with one and ends without.
func (e *Editor) terminate(off int, text string) string {
	src := e.d.Src
	if off == len(src) && len(src) > 0 && src[len(src)-1] != '\n' {
		return e.d.NL + strings.TrimSuffix(text, e.d.NL)
	}
	return text
}

// InsertItems inserts items into block sequence seq before item before, or
// at its end when before is nil.
func (e *Editor) InsertItems(seq, before *yaml.Node, items ...*Frag) {
	if e.err != nil {
		return
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
		e.fail(refuse("internal: not a non-empty sequence"))
		return
	}
	if IsFlow(seq) {
		e.fail(refuse("line %d: flow-style sequence where the edit needs a block sequence", seq.Line))
		return
	}
	if !e.guard(seq, false) {
		return
	}
	vals := make([]*gnode, 0, len(items))
	for _, it := range items {
		g, ok := e.fragItem(it)
		if !ok {
			return
		}
		vals = append(vals, g)
	}
	_, ind, ok := e.d.itemSpan(seq.Content[0], false)
	if !ok {
		e.fail(refuse("line %d: cannot find the sequence's dash", seq.Line))
		return
	}
	text := e.d.nl(e.d.renderItems(ind, items...))
	gs := e.index[seq]
	at, idx := -1, len(gs.items)
	if before != nil {
		s, _, ok := e.d.itemSpan(before, true)
		if !ok || s.start != e.d.lineStart(e.d.lineOf(s.start)) {
			e.fail(refuse("line %d: the sequence item does not start its line", before.Line))
			return
		}
		at, idx = s.start, gs.itemIndex(before)
		if idx < 0 {
			e.fail(refuse("internal: insertion before an item that is being deleted"))
			return
		}
	} else {
		s, _, _ := e.d.itemSpan(seq.Content[len(seq.Content)-1], false)
		at = s.end
		text = e.terminate(at, text)
	}
	e.add(at, at, text)
	gs.items = append(gs.items[:idx:idx], append(vals, gs.items[idx:]...)...)
}

// DeleteItem removes item from block sequence seq, with the comment lines
// right above it.
func (e *Editor) DeleteItem(seq, item *yaml.Node) {
	if e.err != nil {
		return
	}
	if IsFlow(seq) {
		e.fail(refuse("line %d: flow-style sequence where the edit needs a block sequence", seq.Line))
		return
	}
	if !e.guard(seq, false) || !e.guard(item, true) {
		return
	}
	s, _, ok := e.d.itemSpan(item, true)
	if !ok || s.start != e.d.lineStart(e.d.lineOf(s.start)) {
		e.fail(refuse("line %d: the sequence item does not start its line", item.Line))
		return
	}
	e.add(s.start, s.end, "")
	gs := e.index[seq]
	if i := gs.itemIndex(item); i >= 0 {
		gs.items = append(gs.items[:i:i], gs.items[i+1:]...)
	}
}

// ReplaceItem replaces item of block sequence seq with another item.
func (e *Editor) ReplaceItem(seq, item *yaml.Node, with *Frag) {
	if e.err != nil {
		return
	}
	if IsFlow(seq) {
		e.fail(refuse("line %d: flow-style sequence where the edit needs a block sequence", seq.Line))
		return
	}
	if !e.guard(seq, false) || !e.guard(item, true) {
		return
	}
	g, ok := e.fragItem(with)
	if !ok {
		return
	}
	s, ind, ok := e.d.itemSpan(item, false)
	if !ok || s.start != e.d.lineStart(e.d.lineOf(s.start)) {
		e.fail(refuse("line %d: the sequence item does not start its line", item.Line))
		return
	}
	e.add(s.start, s.end, e.terminate(s.end, e.d.nl(e.d.renderItems(ind, with))))
	gs := e.index[seq]
	if i := gs.itemIndex(item); i >= 0 {
		gs.items[i] = g
	}
}

// SetScalar replaces the text of a single-line scalar (text is YAML: plain
// or quoted), keeping whatever follows it on the line.
func (e *Editor) SetScalar(n *yaml.Node, text string) {
	if e.err != nil || !e.guard(n, false) {
		return
	}
	s, ok := e.d.scalarSpan(n)
	if !ok {
		e.fail(refuse("line %d: the value to change is not a single-line scalar", n.Line))
		return
	}
	g, ok := e.fragScalar(text)
	if !ok {
		return
	}
	e.add(s.start, s.end, text)
	if old := e.index[n]; old != nil {
		g.src = n
		*old = *g
	}
}

// fragValue parses a rendered pair to find the value it means.
func (e *Editor) fragValue(p FragPair) (*gnode, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(e.d.renderPairs(0, p)), &n); err != nil || len(n.Content) == 0 ||
		n.Content[0].Kind != yaml.MappingNode || len(n.Content[0].Content) != 2 {
		e.fail(refuse("internal: fragment for %q does not parse", p.Key))
		return nil, false
	}
	return build(n.Content[0].Content[1], nil), true
}

func (e *Editor) fragItem(f *Frag) (*gnode, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(e.d.renderItems(0, f)), &n); err != nil || len(n.Content) == 0 ||
		n.Content[0].Kind != yaml.SequenceNode || len(n.Content[0].Content) != 1 {
		e.fail(refuse("internal: sequence item fragment does not parse"))
		return nil, false
	}
	return build(n.Content[0].Content[0], nil), true
}

func (e *Editor) fragScalar(text string) (*gnode, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+text+"\n"), &n); err != nil || len(n.Content) == 0 ||
		len(n.Content[0].Content) != 2 || n.Content[0].Content[1].Kind != yaml.ScalarNode {
		e.fail(refuse("internal: scalar %s does not parse", text))
		return nil, false
	}
	return build(n.Content[0].Content[1], nil), true
}

// Bytes applies the edits and returns the new content. The result is
// re-parsed and must mean exactly what the edits intended; otherwise, or
// when an edit was refused, it returns a *RefusedError. With no edits it
// returns the source unchanged.
func (e *Editor) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	if len(e.splices) == 0 {
		return e.d.Src, nil
	}
	sp := append([]splice(nil), e.splices...)
	sort.SliceStable(sp, func(i, j int) bool {
		a, b := sp[i], sp[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if (a.start == a.end) != (b.start == b.end) {
			return a.start == a.end
		}
		return a.seq < b.seq
	})
	var out bytes.Buffer
	pos := 0
	for _, s := range sp {
		if s.start < pos {
			return nil, refuse("internal: overlapping edits")
		}
		out.Write(e.d.Src[pos:s.start])
		out.WriteString(s.text)
		pos = s.end
	}
	out.Write(e.d.Src[pos:])
	res := out.Bytes()
	nd, err := Parse(res)
	if err != nil {
		r, _ := IsRefused(err)
		return nil, refuse("the rewrite would not parse (%s)", r)
	}
	got := build(nd.Root, nil)
	if !equal(e.want, got) {
		return nil, refuse("the rewrite would change %s beyond the intended edit", firstDifference(e.want, got, ""))
	}
	return res, nil
}
