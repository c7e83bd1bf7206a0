//go:build scratch

package detectors_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

func TestScratch(t *testing.T) {
	d, err := detectors.New(detectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]bool{}
	for _, r := range d.Rules() {
		if strings.HasPrefix(r.Source, "rules/") {
			mine[r.ID] = true
		}
	}
	onlyMine := os.Getenv("SCRATCH_MINE") != ""
	root := os.Getenv("SCRATCH_DIR")
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		if fi, _ := e.Info(); fi.Size() > 512<<10 {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.ContainsRune(string(b[:min(len(b), 512)]), 0) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		fs, err := d.Detect(t.Context(), detectors.Fragment{Path: filepath.ToSlash(rel), Content: string(b)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if onlyMine && !mine[f.RuleID] {
				continue
			}
			fmt.Printf("%s:%d:%d %s %s [%s] %s\n", f.Path, f.Line, f.Column, f.RuleID, f.Secret.Reveal(), f.Lifetime, strings.Join(f.Notes, "; "))
		}
		return nil
	})
}
