//go:build scratch

package detectors_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/detectors"
)

func TestScratchRealistic(t *testing.T) {
	root := os.Getenv("SCRATCH_ROOT")
	var frags []detectors.Fragment
	total := 0
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		if fi, _ := e.Info(); fi.Size() > 1<<20 {
			return nil
		}
		ext := filepath.Ext(p)
		if !strings.Contains(".go .py .js .ts .md .yaml .yml .json .sh .txt .toml .java", ext) || ext == "" {
			return nil
		}
		b, _ := os.ReadFile(p)
		total += len(b)
		frags = append(frags, detectors.Fragment{Path: p, Content: string(b), StartLine: 1})
		if total > 40<<20 {
			return filepath.SkipAll
		}
		return nil
	})
	for _, o := range []struct {
		n    string
		opts detectors.Options
	}{{"none", detectors.Options{NoPacks: true}}, {"all", detectors.Options{}}, {"none", detectors.Options{NoPacks: true}}, {"all", detectors.Options{}}} {
		d, _ := detectors.New(o.opts)
		d.Compile()
		st := time.Now()
		n := 0
		for _, f := range frags {
			fs, _ := d.Detect(t.Context(), f)
			n += len(fs)
		}
		el := time.Since(st)
		fmt.Printf("%s: %d files %d MB %v %.1f MB/s findings=%d\n", o.n, len(frags), total>>20, el, float64(total)/1e6/el.Seconds(), n)
	}
}
