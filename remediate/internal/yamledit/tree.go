package yamledit

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// gnode is the meaning of a YAML node, without its presentation: what the
// spliced result must still say. src links it to the parsed node it came
// from, so that edits can find it whatever indexes moved.
type gnode struct {
	src   *yaml.Node
	kind  yaml.Kind
	keys  []string
	vals  []*gnode
	items []*gnode
	val   any
	alias string
}

// build converts a parsed node; index maps source nodes to their gnodes.
func build(n *yaml.Node, index map[*yaml.Node]*gnode) *gnode {
	if n == nil {
		return &gnode{kind: yaml.ScalarNode}
	}
	g := &gnode{src: n, kind: n.Kind}
	if index != nil {
		index[n] = g
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			g.keys = append(g.keys, keyString(n.Content[i]))
			g.vals = append(g.vals, build(n.Content[i+1], index))
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			g.items = append(g.items, build(c, index))
		}
	case yaml.AliasNode:
		g.alias = n.Value
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			v = n.Tag + ":" + n.Value
		}
		g.val = v
	}
	return g
}

func keyString(k *yaml.Node) string {
	if k.Kind == yaml.ScalarNode {
		var v any
		if err := k.Decode(&v); err == nil {
			if s, ok := v.(string); ok {
				return s
			}
			return fmt.Sprintf("%T:%v", v, v)
		}
		return k.Value
	}
	return fmt.Sprintf("<%v@%d:%d>", k.Kind, k.Line, k.Column)
}

// equal compares meanings: mappings regardless of key order.
func equal(a, b *gnode) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case yaml.MappingNode:
		if len(a.keys) != len(b.keys) {
			return false
		}
		idx := map[string]int{}
		for i, k := range b.keys {
			idx[k] = i
		}
		for i, k := range a.keys {
			j, ok := idx[k]
			if !ok || !equal(a.vals[i], b.vals[j]) {
				return false
			}
		}
		return true
	case yaml.SequenceNode:
		if len(a.items) != len(b.items) {
			return false
		}
		for i := range a.items {
			if !equal(a.items[i], b.items[i]) {
				return false
			}
		}
		return true
	case yaml.AliasNode:
		return a.alias == b.alias
	}
	return reflect.DeepEqual(a.val, b.val)
}

// firstDifference names the first path at which a and b differ, for
// refusal messages.
func firstDifference(a, b *gnode, path string) string {
	if a.kind != b.kind {
		return orRoot(path)
	}
	switch a.kind {
	case yaml.MappingNode:
		keys := map[string]bool{}
		for _, k := range a.keys {
			keys[k] = true
		}
		for _, k := range b.keys {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			av, bv := a.get(k), b.get(k)
			if av == nil || bv == nil {
				return path + "." + k
			}
			if !equal(av, bv) {
				return firstDifference(av, bv, path+"."+k)
			}
		}
	case yaml.SequenceNode:
		for i := range min(len(a.items), len(b.items)) {
			if !equal(a.items[i], b.items[i]) {
				return firstDifference(a.items[i], b.items[i], fmt.Sprintf("%s[%d]", path, i))
			}
		}
		if len(a.items) != len(b.items) {
			return orRoot(path)
		}
	}
	return orRoot(path)
}

func orRoot(p string) string {
	if p == "" {
		return "the top level"
	}
	return strings.TrimPrefix(p, ".")
}

func (g *gnode) get(k string) *gnode {
	for i, key := range g.keys {
		if key == k {
			return g.vals[i]
		}
	}
	return nil
}

func (g *gnode) set(k string, v *gnode) {
	for i, key := range g.keys {
		if key == k {
			g.vals[i] = v
			return
		}
	}
	g.keys = append(g.keys, k)
	g.vals = append(g.vals, v)
}

func (g *gnode) del(k string) {
	for i, key := range g.keys {
		if key == k {
			g.keys = append(g.keys[:i:i], g.keys[i+1:]...)
			g.vals = append(g.vals[:i:i], g.vals[i+1:]...)
			return
		}
	}
}

func (g *gnode) itemIndex(src *yaml.Node) int {
	for i, it := range g.items {
		if it.src == src {
			return i
		}
	}
	return -1
}
