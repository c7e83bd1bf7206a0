package ac

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type hit struct{ Start, Pattern int }

func naive(text string, patterns []string) []hit {
	var out []hit
	for i := 0; i < len(text); i++ {
		for p, pat := range patterns {
			if pat != "" && strings.HasPrefix(text[i:], pat) {
				out = append(out, hit{i, p})
			}
		}
	}
	return out
}

func walk(a *Automaton, text string) []hit {
	var out []hit
	a.Walk([]byte(text), func(start, p int) bool {
		out = append(out, hit{start, p})
		return true
	})
	return out
}

func sorted(h []hit) []hit {
	sort.Slice(h, func(i, j int) bool {
		if h[i].Start != h[j].Start {
			return h[i].Start < h[j].Start
		}
		return h[i].Pattern < h[j].Pattern
	})
	return h
}

func TestWalk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		patterns []string
		text     string
	}{
		{"overlapping", []string{"he", "she", "his", "hers"}, "ushers and hishe"},
		{"nested", []string{"a", "aa", "aaa"}, "aaaa"},
		{"keywords", []string{"key", "api", "token", "ey", "akia"}, "api_key = AKIA; token:eyJ"},
		{"empty pattern", []string{"", "x"}, "xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Build(tt.patterns)
			if diff := cmp.Diff(sorted(naive(tt.text, tt.patterns)), sorted(walk(a, tt.text))); diff != "" {
				t.Errorf("Walk(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestWalk_Random(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var pats []string
		for range 1 + r.IntN(8) {
			var b strings.Builder
			for range 1 + r.IntN(4) {
				b.WriteByte("abc"[r.IntN(3)])
			}
			pats = append(pats, b.String())
		}
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteByte("abcd"[r.IntN(4)])
		}
		a := Build(pats)
		if diff := cmp.Diff(sorted(naive(b.String(), pats)), sorted(walk(a, b.String()))); diff != "" {
			t.Fatalf("Walk(%q) with %q mismatch (-want +got):\n%s", b.String(), pats, diff)
		}
	}
}

func FuzzWalk(f *testing.F) {
	f.Add("he,she,his,hers", "ushers")
	f.Fuzz(func(t *testing.T, pats, text string) {
		ps := strings.Split(pats, ",")
		if len(ps) > 50 {
			return
		}
		a := Build(ps)
		if diff := cmp.Diff(sorted(naive(text, ps)), sorted(walk(a, text))); diff != "" {
			t.Fatalf("mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestBuildFold(t *testing.T) {
	t.Parallel()
	a := BuildFold([]string{"akia", "api_key"})
	var got []hit
	a.WalkString("x AKIA y Api_Key", func(start, p int) bool {
		got = append(got, hit{start, p})
		return true
	})
	want := []hit{{2, 0}, {9, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WalkString mismatch (-want +got):\n%s", diff)
	}
	if !a.Any("..aKiA..") || a.Any("nothing") {
		t.Error("Any() wrong")
	}
}
