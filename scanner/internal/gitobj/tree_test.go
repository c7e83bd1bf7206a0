package gitobj

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

func TestParseTree(t *testing.T) {
	t.Parallel()
	h1 := plumbing.NewHash(strings.Repeat("12", 20))
	h2 := plumbing.NewHash(strings.Repeat("ab", 20))
	entry := func(mode, name string, h plumbing.Hash) string { return mode + " " + name + "\x00" + string(h[:]) }
	tests := []struct {
		name    string
		data    string
		want    []object.TreeEntry
		wantErr bool
	}{
		{"empty", "", nil, false},
		{"file and directory", entry("100644", "a.txt", h1) + entry("40000", "dir", h2), []object.TreeEntry{
			{Name: "a.txt", Mode: filemode.Regular, Hash: h1},
			{Name: "dir", Mode: filemode.Dir, Hash: h2},
		}, false},
		{"name with spaces", entry("100755", "run me.sh", h1), []object.TreeEntry{{Name: "run me.sh", Mode: filemode.Executable, Hash: h1}}, false},
		{"truncated hash", entry("100644", "a", h1)[:20], nil, true},
		{"no space", "100644a\x00" + string(h1[:]), nil, true},
		{"bad mode", entry("12x", "a", h1), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseTree(h2, []byte(tt.data))
			if tt.wantErr {
				if err == nil {
					t.Errorf("parseTree(%q) succeeded, want an error", tt.data)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseTree(%q) error: %v", tt.data, err)
			}
			if diff := cmp.Diff(tt.want, got.Entries); diff != "" {
				t.Errorf("parseTree(%q) mismatch (-want +got):\n%s", tt.data, diff)
			}
		})
	}
}

// FuzzParseTree: no panic, and every entry's name comes from the input.
func FuzzParseTree(f *testing.F) {
	h := plumbing.NewHash(strings.Repeat("12", 20))
	f.Add([]byte("100644 a.txt\x00" + string(h[:])))
	f.Add([]byte("40000 dir\x00" + string(h[:]) + "100644 b\x00" + string(h[:])))
	f.Add([]byte("100644 \x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := parseTree(h, data)
		if err != nil {
			return
		}
		for _, e := range tree.Entries {
			if !strings.Contains(string(data), e.Name+"\x00") {
				t.Errorf("entry name %q is not in the input", e.Name)
			}
		}
	})
}
