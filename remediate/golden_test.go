package remediate

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "github.com/charmbracelet/x/exp/golden" // registers -update
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/ci"
	"github.com/sessionize/sessionize/detectors/configfile"
	"github.com/sessionize/sessionize/scanner"
)

// goldenRoot holds one directory per fixer, one directory per case:
//
//	<case>/before/...   the repository before (required)
//	<case>/after/...    the files the fix changes, as they must read after
//	<case>/fix.toml     optional .sessionize.toml [fix] section for the case
//	<case>/result.golden  the rendered result: details, permissions,
//	                      setup, caveats, revocations, refusals
//
// A case without after/ must be refused and leave every file as it was.
const goldenRoot = "../testdata/fix"

func update() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

type goldenCase struct {
	fixer, name, dir string
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	var out []goldenCase
	fixers, err := os.ReadDir(goldenRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fixers {
		if !fd.IsDir() {
			continue
		}
		cases, err := os.ReadDir(filepath.Join(goldenRoot, fd.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, cd := range cases {
			if cd.IsDir() {
				out = append(out, goldenCase{fd.Name(), cd.Name(), filepath.Join(goldenRoot, fd.Name(), cd.Name())})
			}
		}
	}
	return out
}

// readTree reads every file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if _, err := os.Stat(dir); err != nil {
		return out
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for p, data := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func caseOptions(t *testing.T, c goldenCase) Options {
	t.Helper()
	o := Options{Repo: "my-org/my-repo", Only: []string{c.fixer}}
	data, err := os.ReadFile(filepath.Join(c.dir, "fix.toml"))
	if err != nil {
		return o
	}
	cfg, err := ParseConfig("fix.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	o.IDs = cfg.Identifiers
	if cfg.Repo != "" {
		o.Repo = cfg.Repo
	}
	o.OwnerID, o.RepoID, o.DefaultBranch = cfg.OwnerID, cfg.RepoID, cfg.DefaultBranch
	if len(cfg.Only) > 0 {
		o.Only = cfg.Only
	}
	return o
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.fixer+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			runGoldenCase(t, c)
		})
	}
}

func runGoldenCase(t *testing.T, c goldenCase) {
	before := readTree(t, filepath.Join(c.dir, "before"))
	if len(before) == 0 {
		t.Fatal("no before/ files")
	}
	root := t.TempDir()
	writeTree(t, root, before)
	opts := caseOptions(t, c)
	res, err := Plan(t.Context(), root, contentReport(t, before), opts)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	gotResult := renderResult(res)
	goldenFile := filepath.Join(c.dir, "result.golden")
	afterDir := filepath.Join(c.dir, "after")
	if update() {
		if err := os.WriteFile(goldenFile, []byte(gotResult), 0o644); err != nil {
			t.Fatal(err)
		}
		if len(res.Changes) > 0 {
			files := map[string][]byte{}
			for _, ch := range res.Changes {
				files[ch.Path] = ch.After
			}
			_ = os.RemoveAll(afterDir)
			writeTree(t, afterDir, files)
		} else {
			_ = os.RemoveAll(afterDir)
		}
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("read golden: %v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), gotResult); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
	wantAfter := readTree(t, afterDir)
	gotAfter := map[string][]byte{}
	for _, ch := range res.Changes {
		gotAfter[ch.Path] = ch.After
		if !bytes.Equal(ch.Before, before[ch.Path]) {
			t.Errorf("%s: Change.Before is not the file's content", ch.Path)
		}
	}
	if diff := cmp.Diff(stringsOf(wantAfter), stringsOf(gotAfter)); diff != "" {
		t.Errorf("rewritten files mismatch (-want +got):\n%s", diff)
	}
	if len(wantAfter) == 0 && len(res.Refusals) == 0 {
		t.Errorf("a case without after/ must be refused")
	}
	// Apply writes exactly the changes; refused files stay byte-identical.
	if err := Apply(root, res.Changes); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	onDisk := readTree(t, root)
	for p, data := range before {
		want := data
		if a, ok := gotAfter[p]; ok {
			want = a
		}
		if !bytes.Equal(onDisk[p], want) {
			t.Errorf("%s: file on disk after Apply differs from the plan", p)
		}
	}
	if len(res.Changes) == 0 {
		return
	}
	checkFixed(t, root, c, opts, res)
}

// checkFixed re-plans the rewritten tree (a fixer must find nothing left
// to rewrite) and re-scans it with the content rules and the structured
// detectors: no long-lived credential of the fixed provider may remain in
// the changed files.
func checkFixed(t *testing.T, root string, c goldenCase, opts Options, res *Result) {
	t.Helper()
	again, err := Plan(t.Context(), root, contentReport(t, readTree(t, root)), opts)
	if err != nil {
		t.Fatalf("Plan after apply: %v", err)
	}
	for _, ch := range again.Changes {
		t.Errorf("%s: a second run changes the file again:\n%s", ch.Path, ch.UnifiedDiff())
	}
	det := detector(t)
	refused := map[string]bool{}
	for _, r := range res.Refusals {
		refused[r.Path] = true
	}
	for _, ch := range res.Changes {
		if refused[ch.Path] {
			// A partly refused file keeps what was refused.
			continue
		}
		fs, err := det.Detect(t.Context(), detectors.Fragment{Path: ch.Path, Content: string(ch.After)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Lifetime != "session" && !allowedLeftover(c.fixer, f) {
				t.Errorf("%s:%d: re-scan finds %s (%s) after the fix", ch.Path, f.Line, f.RuleID, f.Secret.Redacted())
			}
		}
		for _, d := range append(ci.Detectors(det.KB()), configfile.Detectors(det.KB())...) {
			if !d.Match(ch.Path) {
				continue
			}
			fs, _ := d.Detect(t.Context(), ch.Path, ch.After)
			for _, f := range fs {
				if !f.Session && f.Fixer == c.fixer {
					t.Errorf("%s:%d: %s still reports %s after the fix", ch.Path, f.Line, d.Name(), f.RuleID)
				}
			}
		}
	}
}

// allowedLeftover lists findings a fix keeps on purpose: a GitHub App's
// client ID is no secret, and source-env cases keep unrelated literals.
func allowedLeftover(fixer string, f detectors.Finding) bool {
	return strings.Contains(f.RuleID, "generic") && fixer == "gha-github-token"
}

var (
	detOnce sync.Once
	det     *detectors.Detector
	detErr  error
)

func detector(t *testing.T) *detectors.Detector {
	t.Helper()
	detOnce.Do(func() {
		det, detErr = detectors.New(detectors.Options{})
		if detErr == nil {
			detErr = det.Compile()
		}
	})
	if detErr != nil {
		t.Fatal(detErr)
	}
	return det
}

func stringsOf(m map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// renderResult prints a result as the golden files hold it.
func renderResult(r *Result) string {
	var b strings.Builder
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "# change %s (%s)\n%s\n", c.Path, strings.Join(c.Fixers, ", "), c.Summary)
		for _, d := range c.Details {
			fmt.Fprintf(&b, "- %s\n", d)
		}
		for _, p := range c.Permissions {
			fmt.Fprintf(&b, "permissions %s: %s -> %s\n", p.Job, p.Before, p.After)
		}
		for _, cv := range c.Caveats {
			fmt.Fprintf(&b, "caveat: %s\n", cv)
		}
		if len(c.Fingerprints) > 0 {
			fmt.Fprintf(&b, "fingerprints: %d\n", len(c.Fingerprints))
		}
		for _, rv := range c.Revoke {
			fmt.Fprintf(&b, "revoke %s (%s): %s\n", rv.Credential, rv.Type, strings.Join(rv.Commands, " && "))
		}
		b.WriteString("\n")
	}
	for _, s := range r.Setup() {
		fmt.Fprintf(&b, "# setup %s: %s\n", s.Provider, s.Title)
		for _, sub := range s.Subjects {
			fmt.Fprintf(&b, "sub %s\n", sub)
		}
		for _, v := range s.Variables {
			fmt.Fprintf(&b, "variable %s: %s\n", v.Name, v.Description)
		}
		for _, st := range s.Steps {
			fmt.Fprintf(&b, "step: %s\n", st)
		}
		if s.Terraform != "" {
			fmt.Fprintf(&b, "## terraform\n%s", s.Terraform)
		}
		if s.CLI != "" {
			fmt.Fprintf(&b, "## cli\n%s", s.CLI)
		}
		b.WriteString("\n")
	}
	refusals := append([]Refusal(nil), r.Refusals...)
	sort.SliceStable(refusals, func(i, j int) bool { return refusals[i].Path < refusals[j].Path })
	for _, rf := range refusals {
		fmt.Fprintf(&b, "refused %s:%d (%s): %s\n", rf.Path, rf.Line, rf.Fixer, rf.Reason)
	}
	return b.String()
}

// TestGoldenCount keeps the acceptance floor: at least 40 distinct
// workflow shapes across the GitHub Actions fixers.
func TestGoldenCount(t *testing.T) {
	n := 0
	for _, c := range goldenCases(t) {
		if strings.HasPrefix(c.fixer, "gha-") {
			n++
		}
	}
	if n < 40 {
		t.Errorf("%d GitHub Actions golden cases, want at least 40", n)
	}
}

// contentReport scans files with the content rules into a report, as
// `sessionize fix` does before planning.
func contentReport(t *testing.T, files map[string][]byte) *scanner.Report {
	t.Helper()
	det := detector(t)
	var occs []scanner.Occurrence
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fs, err := det.Detect(t.Context(), detectors.Fragment{Path: p, Content: string(files[p])})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			occs = append(occs, scanner.Occurrence{Path: p, Line: f.Line, Column: f.Column, EndLine: f.EndLine, Where: scanner.WhereWorktree, InHead: true, Finding: f})
		}
	}
	r := &scanner.Report{Credentials: scanner.Group(occs, "github.com/my-org/my-repo")}
	r.Finalize()
	return r
}
