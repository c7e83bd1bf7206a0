package detectors_test

import (
	"bufio"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

const corpusDir = "../testdata/corpus/content"

// corpusLabel is one labelled secret of the corpus.
type corpusLabel struct {
	path     string
	line     int
	lifetime rules.Lifetime
	fragment string // expanded: a substring of the secret
}

// corpusFile is one scanned file, markers expanded.
type corpusFile struct {
	path    string
	content string
}

// loadCorpus reads every corpus file (not those starting with "_") and the
// labels, locating each label's line by its fragment.
func loadCorpus(t *testing.T) ([]corpusFile, []corpusLabel) {
	t.Helper()
	var files []corpusFile
	raw := map[string]string{}
	err := filepath.WalkDir(corpusDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(corpusDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		raw[rel] = string(data)
		files = append(files, corpusFile{path: rel, content: expandFakes(string(data))})
		return nil
	})
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	f, err := os.Open(filepath.Join(corpusDir, "_labels.tsv"))
	if err != nil {
		t.Fatalf("read labels: %v", err)
	}
	defer f.Close()
	var labels []corpusLabel
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.Split(text, "\t")
		if len(parts) != 3 {
			t.Fatalf("_labels.tsv:%d: want path, lifetime and fragment separated by tabs", n)
		}
		lt, err := rules.ParseLifetime(parts[1])
		if err != nil {
			t.Fatalf("_labels.tsv:%d: %v", n, err)
		}
		content, ok := raw[parts[0]]
		if !ok {
			t.Fatalf("_labels.tsv:%d: no corpus file %s", n, parts[0])
		}
		line := 0
		for i, l := range strings.Split(content, "\n") {
			if strings.Contains(l, parts[2]) {
				if line != 0 {
					t.Fatalf("_labels.tsv:%d: fragment is on lines %d and %d of %s", n, line, i+1, parts[0])
				}
				line = i + 1
			}
		}
		if line == 0 {
			t.Fatalf("_labels.tsv:%d: fragment not found in %s", n, parts[0])
		}
		labels = append(labels, corpusLabel{path: parts[0], line: line, lifetime: lt, fragment: expandFakes(parts[2])})
	}
	return files, labels
}

// matches reports whether finding f is the labelled secret: same file and
// line, and the secret holds the fragment, or the fragment the secret (a
// rule may report a password inside the quoted value a label names), or the
// secret is in the base64 decoding of the fragment (gitleaks decodes
// base64 and runs the rules again on the result).
func (l corpusLabel) matches(f detectors.Finding) bool {
	if f.Path != l.path || f.Line != l.line {
		return false
	}
	s := f.Secret.Reveal()
	frag := strings.Trim(l.fragment, `"`)
	if strings.Contains(s, frag) || (len(s) >= 6 && strings.Contains(frag, s)) {
		return true
	}
	dec, err := base64.StdEncoding.DecodeString(frag)
	return err == nil && len(s) >= 6 && strings.Contains(string(dec), s)
}

// TestCorpus_PrecisionRecall scans the labelled corpus with gitleaks'
// default rules and the project's packs together, as sessionize does, and
// measures precision and recall of content secrets and the accuracy of
// their lifetime class. Run with -v for the numbers.
func TestCorpus_PrecisionRecall(t *testing.T) {
	t.Parallel()
	files, labels := loadCorpus(t)
	d := fullDetector(t)
	var findings []detectors.Finding
	for _, f := range files {
		got, err := d.Detect(t.Context(), detectors.Fragment{Path: f.path, Content: f.content, StartLine: 1})
		if err != nil {
			t.Fatalf("Detect(%s) error: %v", f.path, err)
		}
		findings = append(findings, got...)
	}

	found := make([]bool, len(labels))
	lifetimeOK := make([]bool, len(labels))
	var truePos, falsePos int
	var fps []string
	for _, f := range findings {
		hit := false
		for i, l := range labels {
			if !l.matches(f) {
				continue
			}
			hit = true
			if !found[i] || f.Lifetime == l.lifetime {
				lifetimeOK[i] = f.Lifetime == l.lifetime
			}
			found[i] = true
		}
		if hit {
			truePos++
			continue
		}
		falsePos++
		fps = append(fps, f.Path+":"+strconv.Itoa(f.Line)+" "+f.RuleID+" "+f.Secret.Redacted())
	}
	var missed, wrongLifetime []string
	recalled, lifetimeRight := 0, 0
	for i, l := range labels {
		if !found[i] {
			missed = append(missed, l.path+":"+strconv.Itoa(l.line)+" "+detectors.Redact(l.fragment))
			continue
		}
		recalled++
		if lifetimeOK[i] {
			lifetimeRight++
		} else {
			wrongLifetime = append(wrongLifetime, l.path+":"+strconv.Itoa(l.line)+" want "+string(l.lifetime))
		}
	}
	precision := ratio(truePos, truePos+falsePos)
	recall := ratio(recalled, len(labels))
	lifetimeAcc := ratio(lifetimeRight, recalled)
	t.Logf("corpus: %d files, %d labelled secrets, %d findings", len(files), len(labels), len(findings))
	t.Logf("precision %.3f (%d/%d)  recall %.3f (%d/%d)  lifetime accuracy %.3f (%d/%d)",
		precision, truePos, truePos+falsePos, recall, recalled, len(labels), lifetimeAcc, lifetimeRight, recalled)
	sort.Strings(fps)
	for _, s := range fps {
		t.Logf("false positive: %s", s)
	}
	for _, s := range missed {
		t.Logf("missed: %s", s)
	}
	for _, s := range wrongLifetime {
		t.Logf("wrong lifetime: %s", s)
	}
	for _, c := range []struct {
		name string
		got  float64
	}{{"precision", precision}, {"recall", recall}, {"lifetime accuracy", lifetimeAcc}} {
		if c.got < 0.95 {
			t.Errorf("%s = %.3f, want >= 0.95 (details above with -v)", c.name, c.got)
		}
	}
}

// TestCorpus_GitleaksFindingsKept checks that the project's packs take
// nothing away from gitleaks' defaults: every secret gitleaks' rules alone
// report on the corpus is still reported, on the same line, by the full
// rule set (gitleaks itself drops a generic-api-key match when a more
// specific rule's secret on the line contains it; that secret still holds
// the value).
func TestCorpus_GitleaksFindingsKept(t *testing.T) {
	t.Parallel()
	files, _ := loadCorpus(t)
	plain, err := detectors.New(detectors.Options{NoPacks: true})
	if err != nil {
		t.Fatalf("New(NoPacks) error: %v", err)
	}
	full := fullDetector(t)
	for _, f := range files {
		frag := detectors.Fragment{Path: f.path, Content: f.content, StartLine: 1}
		want, err := plain.Detect(t.Context(), frag)
		if err != nil {
			t.Fatalf("Detect(%s) error: %v", f.path, err)
		}
		got, err := full.Detect(t.Context(), frag)
		if err != nil {
			t.Fatalf("Detect(%s) error: %v", f.path, err)
		}
		for _, w := range want {
			kept := false
			for _, g := range got {
				if g.Line == w.Line && strings.Contains(g.Secret.Reveal(), w.Secret.Reveal()) {
					kept = true
					break
				}
			}
			if !kept {
				t.Errorf("%s:%d: gitleaks' %s finding %s is lost with the packs", f.path, w.Line, w.RuleID, w.Secret.Redacted())
			}
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
