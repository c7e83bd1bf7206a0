package detectors_test

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lucasjones/reggen"

	"github.com/sessionize/sessionize/detectors"
)

// key identifies a finding for the differential comparison: SPEC's (rule,
// secret, file, line).
type key struct {
	Rule, Secret, File string
	Line               int
}

// differentialCorpus builds, deterministically at test time, files of fake
// secrets for every gitleaks rule: strings generated from each rule's own
// regular expression, placed in the contexts real files show (assignments,
// quotes, JSON, YAML, comments), some of them base64-encoded so that the
// decoding passes run, among lines of ordinary code.
func differentialCorpus(t *testing.T, d *detectors.Detector) map[string]string {
	t.Helper()
	files := map[string]string{}
	noise := []string{
		"package main", "", "import \"fmt\"", "func main() {", "\tfmt.Printf(\"%3d %s\\n\", n, name)",
		"\t// key rotation happens nightly", "}", "# config", "name: build", "token: ${{ secrets.TOKEN }}",
	}
	contexts := []func(string) string{
		func(s string) string { return s },
		func(s string) string { return "value = \"" + s + "\"" },
		func(s string) string { return "  \"credential\": \"" + s + "\"," },
		func(s string) string { return "export SECRET=" + s },
		func(s string) string { return "// " + s },
		func(s string) string { return "data: " + base64.StdEncoding.EncodeToString([]byte(s)) },
	}
	for _, r := range d.Rules() {
		if r.Regex == "" {
			continue
		}
		var b strings.Builder
		for seed := int64(1); seed <= 6; seed++ {
			g, err := reggen.NewGenerator(r.Regex)
			if err != nil {
				t.Fatalf("generator for %s: %v", r.ID, err)
			}
			g.SetSeed(seed)
			sample := g.Generate(12)
			b.WriteString(noise[int(seed)%len(noise)] + "\n")
			b.WriteString(contexts[int(seed)%len(contexts)](sample) + "\n")
			b.WriteString(noise[int(seed+3)%len(noise)] + "\n")
		}
		files["corpus/"+r.ID+".txt"] = b.String()
	}
	return files
}

func findingKeys(t *testing.T, d *detectors.Detector, files map[string]string) map[key]bool {
	t.Helper()
	out := map[key]bool{}
	for path, content := range files {
		fs, err := d.Detect(t.Context(), detectors.Fragment{Path: path, Content: content, StartLine: 1})
		if err != nil {
			t.Fatalf("Detect(%s): %v", path, err)
		}
		for _, f := range fs {
			out[key{Rule: f.RuleID, Secret: detectors.Redact(f.Secret.Reveal()) + "#" + f.Secret.Fingerprint("x")[:12], File: path, Line: f.Line}] = true
		}
	}
	return out
}

// TestDifferential_GitleaksRules checks that on the same bytes the matcher
// finds exactly what gitleaks' own engine finds, over generated secrets of
// every rule, and that the corpus exercises at least 60 rules.
func TestDifferential_GitleaksRules(t *testing.T) {
	t.Parallel()
	d, err := detectors.New(detectors.Options{NoPacks: true})
	if err != nil {
		t.Fatal(err)
	}
	files := differentialCorpus(t, d)
	// Real text too: this module's own source and data files, where the
	// engines must agree on what is not a secret as much as on what is.
	for path, content := range moduleFiles(t) {
		files[path] = content
	}
	want := findingKeys(t, detectors.Reference(d), files)
	for _, engine := range []struct {
		name string
		d    *detectors.Detector
	}{{"go regexp", d}, {"re2", detectors.WithRE2(d)}} {
		t.Run(engine.name, func(t *testing.T) {
			compareFindings(t, want, findingKeys(t, engine.d, files))
		})
	}
}

func compareFindings(t *testing.T, want, got map[key]bool) {
	t.Helper()
	rulesHit := map[string]bool{}
	for k := range want {
		rulesHit[k.Rule] = true
	}
	if len(rulesHit) < 60 {
		t.Errorf("corpus exercises %d gitleaks rules, want at least 60", len(rulesHit))
	}
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, fmt.Sprintf("%s %s:%d %s", k.Rule, k.File, k.Line, k.Secret))
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, fmt.Sprintf("%s %s:%d %s", k.Rule, k.File, k.Line, k.Secret))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("findings of gitleaks' engine the matcher misses (%d of %d):\n%s", len(missing), len(want), diff)
	}
	if diff := cmp.Diff([]string(nil), extra); diff != "" {
		t.Errorf("findings of the matcher gitleaks' engine does not have:\n%s", diff)
	}
	t.Logf("%d findings over %d rules agree", len(want), len(rulesHit))
}

// moduleFiles returns the text files of this module (the parent directory),
// at most 2 MiB in all.
func moduleFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	total := 0
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || total > 2<<20 {
			return filepath.SkipDir
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".md", ".toml", ".yml", ".yaml", ".txt", ".json", ".txtar":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out["module/"+filepath.ToSlash(rel)] = string(data)
		total += len(data)
		return nil
	})
	return out
}
