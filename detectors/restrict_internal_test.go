package detectors

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors/internal/ac"
)

// keywordText builds text from pieces of the keywords (whole, cut, in mixed
// case) among filler, so that most keywords are near misses or hits.
func keywordText(r *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for b.Len() < n {
		w := words[r.IntN(len(words))]
		if r.IntN(3) == 0 {
			w = w[:r.IntN(len(w)+1)]
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			if r.IntN(2) == 0 && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
		}
		b.WriteString([]string{" ", "_", "\n", "=", "x", ""}[r.IntN(6)])
	}
	return b.String()
}

// TestKeywordIndex_Mark: the index finds the keywords the engine's
// automaton finds, in any ASCII case.
func TestKeywordIndex_Mark(t *testing.T) {
	t.Parallel()
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx := d.rs.keywordIndex()
	words := append([]string{"x", "é"}, idx.words...) // one-byte and non-ASCII keywords too
	idx = newKeywordIndex([]*ruleSpec{{Keywords: words}})
	auto := ac.BuildFold(idx.words)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		text := keywordText(r, idx.words, 50+r.IntN(2000))
		if i%7 == 0 {
			text = strings.ReplaceAll(text, "x", "")
		}
		want := make([]bool, len(idx.words))
		auto.WalkString(text, func(_, k int) bool { want[k] = true; return true })
		got := make([]bool, len(idx.words))
		idx.mark(text, false, got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("mark(text %d) mismatch with the automaton (-want +got):\n%s", i, diff)
		}
	}
}

// BenchmarkRestrict: choosing the rules for a content of each size, the
// keyword index built each time as in a pre-commit process.
func BenchmarkRestrict(b *testing.B) {
	d, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	words := d.rs.keywordIndex().words
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20} {
		r := rand.New(rand.NewPCG(3, 4))
		var content strings.Builder
		for content.Len() < size {
			content.WriteString("\tvalue := compute(" + strconv.Itoa(r.IntN(1000)) + ") // a line of ordinary code\n")
			if r.IntN(20) == 0 {
				content.WriteString(keywordText(r, words, 40) + "\n")
			}
		}
		data := []byte(content.String())
		b.Run("size="+strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				d.rs.kwOnce = sync.Once{}
				d.Restrict(data)
			}
		})
	}
}
