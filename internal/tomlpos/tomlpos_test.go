package tomlpos

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuild(t *testing.T) {
	t.Parallel()
	doc := `title = "x"

[extend]
useDefault = true

[[rules]]
id = "a"
regex = '''a+'''

[[rules]]
id = "b"
  [[rules.allowlists]]
  regexes = ["x"]
`
	ix := Build([]byte(doc))
	tests := []struct {
		path []string
		want Pos
	}{
		{[]string{"title"}, Pos{1, 1}},
		{[]string{"extend", "useDefault"}, Pos{4, 1}},
		{[]string{"rules", "0", "regex"}, Pos{8, 1}},
		{[]string{"rules", "1", "id"}, Pos{11, 1}},
		{[]string{"rules", "1", "allowlists", "0", "regexes"}, Pos{13, 3}},
		{[]string{"rules", "1", "missing"}, Pos{10, 3}},
	}
	for _, tt := range tests {
		got, ok := ix.Lookup(tt.path...)
		if !ok {
			t.Errorf("Lookup(%v) found nothing", tt.path)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Lookup(%v) mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add([]byte("[[rules]]\nid = 'a'\n[[rules.allowlists]]\nregexes=['x']\n"))
	f.Add([]byte("a.b.c = 1\n[x.y]\nz = [1, {a = 2}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix := Build(data)
		for _, p := range ix.pos {
			if p.Line < 1 || p.Column < 1 {
				t.Fatalf("position %v out of range", p)
			}
		}
	})
}
