package configfile

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yamlDocs parses every document of a YAML stream. On an error it returns
// the documents parsed before it, with a *ParseError.
func (f *file) yamlDocs(ctx context.Context, what string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(f.src))
	var docs []*yaml.Node
	for {
		if err := ctx.Err(); err != nil {
			return docs, err
		}
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			return docs, &ParseError{Path: f.path, Msg: "invalid " + what + ": " + msg}
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			docs = append(docs, n.Content[0])
		}
	}
}

// yamlMapGet returns the value of key in mapping n, nil if absent.
func yamlMapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// yamlScalar returns the value of a scalar node, "" for other kinds.
func yamlScalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// yamlEntry makes an entry of a scalar node: its decoded value and the
// offset of its text. yaml counts columns in characters; the offset is in
// bytes. Quoted scalars start after their quote; block scalars (| and >)
// on the line after their indicator.
func (f *file) yamlEntry(key, ctx string, n *yaml.Node) entry {
	off := f.offset(n.Line, 1)
	for c := 1; c < n.Column && off < len(f.src) && f.src[off] != '\n'; c++ {
		_, w := utf8.DecodeRuneInString(f.src[off:])
		off += w
	}
	e := entry{key: key, ctx: ctx, value: n.Value, off: off}
	switch {
	case n.Kind != yaml.ScalarNode:
		e.expr = true
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		e.off++
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		if nl := strings.IndexByte(f.src[off:], '\n'); nl >= 0 {
			e.off = off + nl + 1
			for e.off < len(f.src) && (f.src[e.off] == ' ' || f.src[e.off] == '\t') {
				e.off++
			}
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "" && n.Tag != "!!str" && n.Tag != "!!null" && n.Tag != "!!binary" &&
		n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		// Numbers and booleans are not secrets; custom tags (!Ref, !Sub,
		// !vault) are expressions.
		e.expr = true
	}
	e.raw = e.off+len(n.Value) <= len(f.src) && f.src[e.off:e.off+len(n.Value)] == n.Value
	return e
}

const maxYAMLDepth = 100

// flattenYAML appends the scalar values under n to es, each keyed by its
// last key with the dotted path above it as context
// (spring.datasource.password → ctx spring.datasource, key password).
// Sequence items take their parent's key.
func (f *file) flattenYAML(n *yaml.Node, ctx string, es *[]entry, depth int) {
	if n == nil || depth > maxYAMLDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				continue
			}
			if v.Kind == yaml.ScalarNode {
				*es = append(*es, f.yamlEntry(k.Value, ctx, v))
				continue
			}
			sub := k.Value
			if ctx != "" {
				sub = ctx + "." + k.Value
			}
			f.flattenYAML(v, sub, es, depth+1)
		}
	case yaml.SequenceNode:
		key := ctx
		parent := ""
		if i := strings.LastIndexByte(ctx, '.'); i >= 0 {
			parent, key = ctx[:i], ctx[i+1:]
		}
		for _, item := range n.Content {
			if item.Kind == yaml.ScalarNode {
				*es = append(*es, f.yamlEntry(key, parent, item))
				continue
			}
			f.flattenYAML(item, ctx, es, depth+1)
		}
	}
}
