package lineset

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestSet(t *testing.T) {
	t.Parallel()
	var s Set
	r := rand.New(rand.NewPCG(1, 2))
	want := map[uint64]bool{}
	for range 200000 {
		k := r.Uint64() % 150000
		added := s.Add(k)
		if added == want[k] {
			t.Fatalf("Add(%d) = %v, want %v", k, added, !want[k])
		}
		want[k] = true
	}
	if s.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", s.Len(), len(want))
	}
	for k := range uint64(160000) {
		if s.Has(k) != want[k] {
			t.Fatalf("Has(%d) = %v, want %v", k, s.Has(k), want[k])
		}
	}
}

func BenchmarkSet(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 22} {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = r.Uint64()
			}
			b.ReportAllocs()
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				var s Set
				for _, k := range keys {
					s.Add(k)
				}
			}
		})
	}
}
