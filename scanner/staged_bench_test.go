package scanner

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	gitdiff "github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// BenchmarkScanStaged: a 10-file change in a packed repository of 2,000
// files in 100 directories; what a pre-commit hook costs once the rules are
// parsed (restricting and compiling them is part of each scan).
func BenchmarkScanStaged(b *testing.B) {
	for _, files := range []int{2000} {
		b.Run("files="+strconv.Itoa(files)+"/changed=10", func(b *testing.B) {
			r := newStagedRepo(b)
			rnd := rand.New(rand.NewPCG(1, 2))
			all := map[string]string{}
			for i := range files {
				var c strings.Builder
				for l := range 40 {
					fmt.Fprintf(&c, "// line %d of file %d: %x\n", l, i, rnd.Uint64())
				}
				all[fmt.Sprintf("src/d%03d/f%03d.go", i%100, i)] = c.String()
			}
			r.write(all)
			r.commit("all")
			if err := r.repo.RepackObjects(&git.RepackConfig{}); err != nil {
				b.Fatal(err)
			}
			changed := map[string]string{}
			size := 0
			for i := range 10 {
				p := fmt.Sprintf("src/d%03d/f%03d.go", i*7, i*7)
				changed[p] = all[p] + "\nfunc added() string { return \"value\" }\n"
				size += len(changed[p])
			}
			r.write(changed)
			opts := Options{Root: r.dir, Detector: stagedDet(b)}
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				rep, err := ScanStaged(b.Context(), opts)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Target.BlobsScanned != 10 {
					b.Fatalf("scanned %d blobs, want 10", rep.Target.BlobsScanned)
				}
			}
		})
	}
}

// BenchmarkLineDiff compares the multiset of lines ScanStaged uses to find
// added lines with a real line diff (go-git's, diffmatchpatch in line mode)
// on a 2,000-line file with a few added lines and with a tenth of its lines
// rewritten.
func BenchmarkLineDiff(b *testing.B) {
	rnd := rand.New(rand.NewPCG(3, 4))
	var old []string
	for i := range 2000 {
		old = append(old, fmt.Sprintf("line %d: %x %x", i, rnd.Uint64(), rnd.Uint64()))
	}
	added := append(append(append([]string(nil), old[:1000]...), "a", "b", "c"), old[1000:]...)
	edited := append([]string(nil), old...)
	for i := 0; i < len(edited); i += 10 {
		edited[i] = fmt.Sprintf("edited %d %x", i, rnd.Uint64())
	}
	oldText := strings.Join(old, "\n") + "\n"
	for _, tc := range []struct {
		name string
		new  string
	}{{"added=3", strings.Join(added, "\n") + "\n"}, {"edited=10pct", strings.Join(edited, "\n") + "\n"}} {
		b.Run(tc.name+"/method=multiset", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.new)))
			for b.Loop() {
				budget := lineCounts(splitLines([]byte(oldText)).hashes)
				l := splitLines([]byte(tc.new))
				n := 0
				for _, h := range l.hashes {
					if budget[h] > 0 {
						budget[h]--
						continue
					}
					n++
				}
				if n == 0 {
					b.Fatal("no added line")
				}
			}
		})
		b.Run(tc.name+"/method=lcs", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.new)))
			for b.Loop() {
				n := 0
				for _, d := range gitdiff.Do(oldText, tc.new) {
					if d.Type == diffmatchpatch.DiffInsert {
						n += strings.Count(d.Text, "\n")
					}
				}
				if n == 0 {
					b.Fatal("no added line")
				}
			}
		})
	}
}
