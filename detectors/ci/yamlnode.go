package ci

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// SyntaxError reports a CI definition that cannot be read. Line is 1-based,
// 0 when unknown.
type SyntaxError struct {
	Path string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// yamlLine finds the line in go-yaml's messages ("yaml: line 12: did not
// find expected key"); go-yaml has no typed syntax error to ask instead.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML decodes every document of content. A document that does not
// parse ends the stream: the documents before it are returned with a
// *SyntaxError naming path and, when go-yaml says it, the line.
func parseYAML(path string, content []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			// go-yaml has panicked on malformed input in the past; a bad
			// file must never take the scan down.
			err = &SyntaxError{Path: path, Msg: fmt.Sprintf("yaml parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, toSyntaxError(path, err)
		}
		if len(n.Content) > 0 {
			docs = append(docs, n.Content[0])
		}
	}
}

func toSyntaxError(path string, err error) *SyntaxError {
	msg := err.Error()
	se := &SyntaxError{Path: path}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		se.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	se.Msg = msg
	return se
}

// errBudget stops a walk whose aliases expand beyond what the file's size
// can justify (a "billion laughs" document).
var errBudget = errors.New("alias expansion exceeds the work budget")

// tree wraps a parsed document with the helpers every CI walker needs:
// alias and merge-key resolution under a work budget, and positions in the
// original bytes.
type tree struct {
	path   string
	src    []byte
	lines  [][]byte
	budget int
	err    error
	occ    map[occKey]occState
	spans  map[*yaml.Node]int
	// refRoot, when set, resolves GitLab's !reference [path...] tags in
	// flatItems against this document.
	refRoot *yaml.Node
}

// occKey and occState let posOf count earlier occurrences of a reference
// incrementally: references of one value come in increasing offsets.
type occKey struct {
	n    *yaml.Node
	text string
}

type occState struct {
	off, count int
	// where the previous occurrence was found, to resume the search
	found, line, next int
}

func newTree(path string, src []byte) *tree {
	lines := bytes.Split(src, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return &tree{path: path, src: src, lines: lines, budget: 64*len(src) + 100000, occ: map[occKey]occState{}, spans: map[*yaml.Node]int{}}
}

// spend counts work; once the budget is gone every helper returns nothing.
func (t *tree) spend() bool {
	if t.budget <= 0 {
		if t.err == nil {
			t.err = &SyntaxError{Path: t.path, Msg: errBudget.Error()}
		}
		return false
	}
	t.budget--
	return true
}

// resolve follows aliases.
func (t *tree) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pair is one key and value of a mapping, merge keys expanded.
type pair struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// pairs lists a mapping's entries; entries merged in with "<<" come after
// the mapping's own and never override them.
func (t *tree) pairs(n *yaml.Node) []pair {
	return t.pairsDepth(n, 0)
}

func (t *tree) pairsDepth(n *yaml.Node, depth int) []pair {
	n = t.resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 16 {
		return nil
	}
	var own, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !t.spend() {
			return own
		}
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			src := t.resolve(v)
			if src == nil {
				continue
			}
			if src.Kind == yaml.SequenceNode {
				for _, s := range src.Content {
					merged = append(merged, t.pairsDepth(s, depth+1)...)
				}
			} else {
				merged = append(merged, t.pairsDepth(src, depth+1)...)
			}
			continue
		}
		kk := t.resolve(k)
		if kk == nil || kk.Kind != yaml.ScalarNode {
			continue
		}
		own = append(own, pair{Key: kk.Value, KeyN: k, Value: v})
		seen[kk.Value] = true
	}
	for _, p := range merged {
		if !seen[p.Key] {
			own = append(own, p)
			seen[p.Key] = true
		}
	}
	return own
}

// get returns the value of key in mapping n, nil when absent.
func (t *tree) get(n *yaml.Node, key string) *yaml.Node {
	for _, p := range t.pairs(n) {
		if p.Key == key {
			return t.resolve(p.Value)
		}
	}
	return nil
}

// getPair returns the entry of key in mapping n.
func (t *tree) getPair(n *yaml.Node, key string) (pair, bool) {
	for _, p := range t.pairs(n) {
		if p.Key == key {
			return p, true
		}
	}
	return pair{}, false
}

// items lists a sequence's elements with aliases resolved; a scalar or a
// mapping is a one-element list (CI systems accept both).
func (t *tree) items(n *yaml.Node) []*yaml.Node {
	n = t.resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return []*yaml.Node{n}
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if !t.spend() {
			break
		}
		if c = t.resolve(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// flatItems is items with nested sequences flattened (GitLab scripts built
// from anchors and !reference tags nest lists).
func (t *tree) flatItems(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		for _, c := range t.items(n) {
			if c.Kind == yaml.SequenceNode && c.Tag == "!reference" {
				if depth < 16 {
					if target := t.reference(c); target != nil {
						walk(target, depth+1)
					}
				}
				continue
			}
			if c.Kind == yaml.SequenceNode && depth < 16 {
				walk(c, depth+1)
				continue
			}
			out = append(out, c)
		}
	}
	walk(n, 0)
	return out
}

// reference resolves a !reference [key, key...] sequence against refRoot:
// nil when there is no root or the path leads nowhere (another file).
func (t *tree) reference(n *yaml.Node) *yaml.Node {
	if t.refRoot == nil {
		return nil
	}
	cur := t.refRoot
	for _, k := range n.Content {
		if k.Kind != yaml.ScalarNode || !t.spend() {
			return nil
		}
		if cur = t.get(cur, k.Value); cur == nil {
			return nil
		}
	}
	if cur == t.refRoot {
		return nil
	}
	return cur
}

// str returns a scalar's value, "" for other nodes.
func (t *tree) str(n *yaml.Node) string {
	n = t.resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// isMap reports whether n is a mapping.
func (t *tree) isMap(n *yaml.Node) bool {
	n = t.resolve(n)
	return n != nil && n.Kind == yaml.MappingNode
}

// isTrue reports whether n is a YAML true (or the string "true").
func (t *tree) isTrue(n *yaml.Node) bool {
	s := strings.ToLower(t.str(n))
	return s == "true" || s == "yes" || s == "on"
}

// pos locates the i-th (0-based) occurrence of needle in scalar n's value
// in the original bytes: 1-based line and byte column of its start. Block
// scalars and multi-line flow scalars are searched line by line from where
// the scalar starts; when the text cannot be found (escapes changed it),
// the scalar's own position is returned.
func (t *tree) pos(n *yaml.Node, needle string, i int) (line, col int) {
	line, col = n.Line, t.byteCol(n.Line, n.Column)
	if needle == "" || line < 1 || line > len(t.lines) {
		return line, col
	}
	startLine, startByte := line, col-1
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		startLine, startByte = line+1, 0
	}
	return t.search(n, needle, i, startLine, startByte)
}

// search finds the i-th occurrence of needle from startLine, startByte
// (0-based byte) on, within the lines scalar n can span.
func (t *tree) search(n *yaml.Node, needle string, i, startLine, startByte int) (line, col int) {
	nb := []byte(needle)
	maxLines, ok := t.spans[n]
	if !ok {
		maxLines = strings.Count(n.Value, "\n") + 2
		t.spans[n] = maxLines
	}
	for l := startLine; l >= 1 && l <= len(t.lines) && l < n.Line+maxLines+64; l++ {
		text := t.lines[l-1]
		from := 0
		if l == startLine {
			from = min(max(startByte, 0), len(text))
		}
		for {
			j := bytes.Index(text[from:], nb)
			if j < 0 {
				break
			}
			if i == 0 {
				return l, from + j + 1
			}
			i--
			from += j + len(nb)
		}
	}
	return n.Line, t.byteCol(n.Line, n.Column)
}

// posOf locates reference r of value v, held by scalar n (see pos).
func (t *tree) posOf(n *yaml.Node, v string, r ref) (line, col int) {
	k := occKey{n, r.text}
	st := t.occ[k]
	if st.off > r.off {
		st = occState{}
	}
	st.count += strings.Count(v[st.off:r.off], r.text)
	st.off = r.off
	if st.line > 0 && st.count >= st.found {
		line, col = t.search(n, r.text, st.count-st.found, st.line, st.next)
	} else {
		line, col = t.pos(n, r.text, st.count)
	}
	st.found, st.line, st.next = st.count+1, line, col-1+len(r.text)
	t.occ[k] = st
	return line, col
}

// byteCol converts go-yaml's column (in characters) to a byte column.
func (t *tree) byteCol(line, col int) int {
	if line < 1 || line > len(t.lines) || col < 1 {
		return max(col, 1)
	}
	text := t.lines[line-1]
	b := 0
	for c := 1; c < col && b < len(text); c++ {
		_, size := utf8.DecodeRune(text[b:])
		b += size
	}
	return b + 1
}
