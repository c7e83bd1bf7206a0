package yamledit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func mustParse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

func path(d *Doc, keys ...string) *yaml.Node {
	n := d.Root
	for _, k := range keys {
		n = Get(n, k)
	}
	return n
}

func TestEditor(t *testing.T) {
	tests := []struct {
		name string
		src  string
		edit func(e *Editor)
		want string
	}{
		{
			name: "delete pair keeps comments and blank lines",
			src:  "# head\non: push   # trigger\n\njobs:\n  a:\n    # the key\n    key: 1\n    keep: [ a ,b ]   # flow\n",
			edit: func(e *Editor) { e.DeletePair(path(e.Doc(), "jobs", "a"), "key") },
			want: "# head\non: push   # trigger\n\njobs:\n  a:\n    keep: [ a ,b ]   # flow\n",
		},
		{
			name: "delete first pair of a sequence item",
			src:  "steps:\n  - with: 1\n    uses: x\n  - run: y\n",
			edit: func(e *Editor) { e.DeletePair(path(e.Doc(), "steps").Content[0], "with") },
			want: "steps:\n  - uses: x\n  - run: y\n",
		},
		{
			name: "delete pair with block scalar",
			src:  "a:\n  run: |\n    echo 1\n\n    # shell comment\n  b: 2\n",
			edit: func(e *Editor) { e.DeletePair(path(e.Doc(), "a"), "run") },
			want: "a:\n  b: 2\n",
		},
		{
			name: "set new pair before a key",
			src:  "job:\n  runs-on: x\n  steps:\n    - run: y\n",
			edit: func(e *Editor) {
				e.SetPair(path(e.Doc(), "job"), P("permissions", Map(P("contents", Raw("read")), PC("id-token", Raw("write"), "OIDC"))), "steps")
			},
			want: "job:\n  runs-on: x\n  permissions:\n    contents: read\n    id-token: write  # OIDC\n  steps:\n    - run: y\n",
		},
		{
			name: "replace scalar with mapping keeps the line comment",
			src:  "permissions: read-all # broad\njobs: {}\n",
			edit: func(e *Editor) {
				e.SetPair(e.Doc().Root, P("permissions", Map(P("contents", Raw("read")))))
			},
			want: "permissions:  # broad\n  contents: read\njobs: {}\n",
		},
		{
			name: "append pair at end of file without newline",
			src:  "a:\n  b: 1",
			edit: func(e *Editor) { e.SetPair(path(e.Doc(), "a"), P("c", Raw("2"))) },
			want: "a:\n  b: 1\n  c: 2",
		},
		{
			name: "insert item compact sequence indent 4 CRLF",
			src:  "steps:\r\n- name: a\r\n  with:\r\n      x: 1\r\n- run: b\r\n",
			edit: func(e *Editor) {
				s := path(e.Doc(), "steps")
				e.InsertItems(s, s.Content[1], Map(P("uses", Raw("o/r@v1")), P("with", Map(P("k", Str("v"))))))
			},
			want: "steps:\r\n- name: a\r\n  with:\r\n      x: 1\r\n- uses: o/r@v1\r\n  with:\r\n      k: v\r\n- run: b\r\n",
		},
		{
			name: "set scalar keeps trailing comment",
			src:  "uses: \"a/b@v1\"   # pinned\n",
			edit: func(e *Editor) { e.SetScalar(path(e.Doc(), "uses"), "a/b@v2") },
			want: "uses: a/b@v2   # pinned\n",
		},
		{
			name: "replace item",
			src:  "s:\n  - a: 1\n    b: 2\n  - c\n",
			edit: func(e *Editor) { s := path(e.Doc(), "s"); e.ReplaceItem(s, s.Content[0], Map(P("z", Raw("3")))) },
			want: "s:\n  - z: 3\n  - c\n",
		},
		{
			name: "delete item",
			src:  "s:\n  # note\n  - a: 1\n  - c\n",
			edit: func(e *Editor) { s := path(e.Doc(), "s"); e.DeleteItem(s, s.Content[0]) },
			want: "s:\n  - c\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.src)
			e := d.Edit()
			tc.edit(e)
			got, err := e.Bytes()
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("edit mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEditor_Refusals(t *testing.T) {
	tests := []struct {
		name string
		src  string
		edit func(e *Editor)
		want string
	}{
		{
			name: "anchor",
			src:  "a: &x\n  b: 1\nc: *x\n",
			edit: func(e *Editor) { e.SetPair(path(e.Doc(), "a"), P("d", Raw("2"))) },
			want: "anchor &x",
		},
		{
			name: "merge key",
			src:  "base: &b {x: 1}\njob:\n  <<: *b\n  y: 2\n",
			edit: func(e *Editor) { e.SetPair(path(e.Doc(), "job"), P("z", Raw("3"))) },
			want: "merge key",
		},
		{
			name: "flow mapping",
			src:  "with: {a: 1}\n",
			edit: func(e *Editor) { e.SetPair(path(e.Doc(), "with"), P("b", Raw("2"))) },
			want: "flow-style mapping",
		},
		{
			name: "flow mapping closing on its own line",
			src:  "a:\n  with: {\n  x: 1\n}\n  b: 1\n",
			edit: func(e *Editor) { e.DeletePair(path(e.Doc(), "a"), "with") },
			want: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.src))
			if err != nil {
				if _, ok := IsRefused(err); ok {
					return
				}
				t.Fatal(err)
			}
			e := d.Edit()
			tc.edit(e)
			_, err = e.Bytes()
			r, ok := IsRefused(err)
			if !ok || !strings.Contains(r, tc.want) {
				t.Errorf("Bytes() error = %v, want a refusal containing %q", err, tc.want)
			}
		})
	}
}

func TestParse_Refusals(t *testing.T) {
	for name, src := range map[string]string{
		"mixed":     "a: 1\r\nb: 2\n",
		"bare cr":   "a: 1\rb: 2\r",
		"invalid":   "a: [\n",
		"multi doc": "a: 1\n---\nb: 2\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(src)); err == nil {
				t.Fatal("Parse succeeded, want a refusal")
			} else if _, ok := IsRefused(err); !ok {
				t.Fatalf("Parse error %v is not a refusal", err)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{
		"plain", "${{ vars.AWS_ROLE_ARN }}", "arn:aws:iam::123456789012:role/x", "true", "1.5", "a: b", "it's",
		"- x", "#c", "a #b", "", "@x", "x\ny", "12:30", "projects/1/locations/global", "*", "&a", "!t", "%x", "~",
	} {
		var got string
		if err := yaml.Unmarshal([]byte("k: "+Quote(s)+"\n"), &map[string]*string{"k": &got}); err != nil {
			t.Errorf("Quote(%q) = %s does not parse: %v", s, Quote(s), err)
			continue
		}
		var m map[string]any
		_ = yaml.Unmarshal([]byte("k: "+Quote(s)+"\n"), &m)
		if v, ok := m["k"].(string); !ok || v != s {
			t.Errorf("Quote(%q) = %s reads back as %#v", s, Quote(s), m["k"])
		}
	}
}

// FuzzSplice checks the splicer on arbitrary input: no panic, and the
// output either is refused or re-parses (Bytes re-parses and compares it).
func FuzzSplice(f *testing.F) {
	for _, s := range []string{
		"a: 1\n", "jobs:\n  x:\n    steps:\n      - run: a\n", "a:\n- b: 1\n  c: 2\n", "a: &x {b: 1}\nc: *x\n",
		"on: [push]\r\njobs:\r\n  a:\r\n    runs-on: x\r\n", "k: |\n  text\n# c\nz: 1", "- a\n- b\n",
		"a:\n  b: 'x\n    y'\n  c: 1\n", "? complex\n: value\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		d, err := Parse(src)
		if err != nil {
			if _, ok := IsRefused(err); !ok {
				t.Fatalf("Parse error is not a refusal: %v", err)
			}
			return
		}
		for op := range 5 {
			e := d.Edit()
			fuzzOp(e, d.Root, op)
			out, err := e.Bytes()
			if err != nil {
				if _, ok := IsRefused(err); !ok {
					t.Fatalf("op %d: error is not a refusal: %v", op, err)
				}
				continue
			}
			if _, err := Parse(out); err != nil {
				t.Fatalf("op %d: output does not re-parse: %v\n%s", op, err, out)
			}
		}
	})
}

// fuzzOp applies one kind of edit to the first node it fits.
func fuzzOp(e *Editor, n *yaml.Node, op int) bool {
	if n == nil {
		return false
	}
	switch {
	case n.Kind == yaml.MappingNode && len(n.Content) >= 2:
		switch op {
		case 0:
			e.DeletePair(n, n.Content[0].Value)
			return true
		case 1:
			e.SetPair(n, P("added-key", Map(P("a", Str("x y")), P("b", Seq(Raw("1"), Map(P("c", Raw("d"))))))))
			return true
		case 2:
			e.SetPair(n, P(n.Content[len(n.Content)-2].Value, Lit("line 1\nline 2\n")))
			return true
		}
	case n.Kind == yaml.SequenceNode && len(n.Content) > 0:
		switch op {
		case 3:
			e.InsertItems(n, n.Content[0], Map(P("k", Raw("v"))), Str("s"))
			return true
		case 4:
			e.DeleteItem(n, n.Content[len(n.Content)-1])
			return true
		}
	case n.Kind == yaml.ScalarNode && op == 2:
		e.SetScalar(n, "'new'")
		return true
	}
	for _, c := range n.Content {
		if fuzzOp(e, c, op) {
			return true
		}
	}
	return false
}
