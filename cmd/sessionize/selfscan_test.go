package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestSelfScan runs the tool over this repository's working tree, as CI
// does (STYLE §9, §12): outside testdata/, which the repository's
// .sessionize.toml allowlists, there must be no finding at any severity.
func TestSelfScan(t *testing.T) {
	if testing.Short() {
		t.Skip("scans the whole repository")
	}
	root := moduleRoot(t)
	var out, errw bytes.Buffer
	code := run([]string{"scan", root, "--no-history", "--format", "json", "--fail-on", "low"},
		strings.NewReader(""), &out, &errw, func(string) string { return "" })
	if code == exitOK {
		return
	}
	if code != exitFindings {
		t.Fatalf("sessionize scan %s: exit code %d, want %d; stderr:\n%s", root, code, exitOK, errw.String())
	}
	var rep struct {
		Credentials []struct {
			Rule        string `json:"rule"`
			Redacted    string `json:"redacted"`
			Occurrences []struct {
				Path   string `json:"path"`
				Line   int    `json:"line"`
				Column int    `json:"column"`
			} `json:"occurrences"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("decode the JSON report: %v", err)
	}
	var found []string
	for _, c := range rep.Credentials {
		for _, o := range c.Occurrences {
			// Reports carry only the redacted form, never the value.
			found = append(found, fmt.Sprintf("%s:%d:%d %s %s", o.Path, o.Line, o.Column, c.Rule, c.Redacted))
		}
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("finding in the repository: %s", f)
	}
	t.Errorf("build fake secrets at run time from pieces (\"ghp_\" + ...), or, for a value only the generic rule takes for a secret, restructure it (STYLE §9)")
}

// moduleRoot returns the directory holding go.mod, walking up from the test's
// working directory (the package directory).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
