package ci

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// The labelled corpus lives in testdata/corpus/ci/*.txtar at the module
// root. Each archive is one repository: files in txtar form ("-- path --"
// lines start a file) and a "-- LABELS --" section, one label a line:
//
//	PATH:LINE SECRET PROVIDER LIFETIME   a finding that must be reported
//	PATH:LINE -                          a trap: nothing may be reported there
//
// SECRET is the finding's secret as the definition names it
// (secrets.AWS_KEY, $AWS_KEY, credentials('aws-prod')), or "oidc" for
// session-scoped wiring. " #" starts a comment. Archives keep the files
// out of real CI-definition paths of this repository, so that scanning the
// repository does not report its own corpus.
const corpusDir = "../../testdata/corpus/ci"

type archive struct {
	name   string
	files  []archiveFile
	labels []label
}

type archiveFile struct {
	path string
	data []byte
}

type label struct {
	path     string
	line     int
	secret   string // "-" for a trap
	provider string
	lifetime string
}

func loadArchive(t testing.TB, file string) archive {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := archive{name: filepath.Base(file)}
	var cur *archiveFile
	var labels []byte
	inLabels := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		trim := strings.TrimRight(string(line), "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			name := strings.TrimSpace(trim[3 : len(trim)-3])
			inLabels = name == "LABELS"
			if !inLabels {
				a.files = append(a.files, archiveFile{path: name})
				cur = &a.files[len(a.files)-1]
			}
			continue
		}
		switch {
		case inLabels:
			labels = append(labels, line...)
		case cur != nil:
			cur.data = append(cur.data, line...)
		}
	}
	a.labels = parseLabels(t, a.name, labels)
	return a
}

func parseLabels(t testing.TB, name string, data []byte) []label {
	t.Helper()
	var out []label
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(" "+sc.Text(), " #")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		p, ln, ok := strings.Cut(f[0], ":")
		line, err := strconv.Atoi(ln)
		if !ok || err != nil {
			t.Fatalf("%s: LABELS line %d: want PATH:LINE, got %q", name, n, f[0])
		}
		l := label{path: p, line: line}
		switch {
		case len(f) == 2 && f[1] == "-":
			l.secret = "-"
		case len(f) == 4:
			l.secret, l.provider, l.lifetime = f[1], f[2], f[3]
		default:
			t.Fatalf("%s: LABELS line %d: want PATH:LINE SECRET PROVIDER LIFETIME or PATH:LINE -", name, n)
		}
		out = append(out, l)
	}
	return out
}

func corpusArchives(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus archives in %s: %v", corpusDir, err)
	}
	sort.Strings(files)
	return files
}

func testKB(t testing.TB) *rules.KB {
	t.Helper()
	kb, err := rules.DefaultKB()
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// runArchive runs every detector that matches each file of a.
func runArchive(t testing.TB, ds []detectors.FileDetector, a archive) (fs []detectors.Finding, errs []error) {
	t.Helper()
	for _, f := range a.files {
		for _, d := range ds {
			if !d.Match(f.path) {
				continue
			}
			got, err := d.Detect(t.Context(), f.path, f.data)
			fs = append(fs, got...)
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return fs, errs
}

func labelSecret(f detectors.Finding) string {
	if f.Session {
		return "oidc"
	}
	return f.Secret.Reveal()
}

// tally counts matches for one group (a CI system or a rule).
type tally struct {
	tp, fp, fn, lifeOK, provOK, traps int
}

func (c tally) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c tally) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// TestCorpus measures precision, recall and lifetime-class accuracy of the
// detectors on the labelled corpus, per CI system and per rule, and fails
// below 0.95.
func TestCorpus(t *testing.T) {
	kb := testKB(t)
	ds := Detectors(kb)
	systemOf := func(p string) string {
		for _, d := range ds {
			if d.Match(p) {
				return d.Name()
			}
		}
		return "none"
	}
	bySystem := map[string]*tally{}
	byRule := map[string]*tally{}
	total := &tally{}
	get := func(m map[string]*tally, k string) *tally {
		if m[k] == nil {
			m[k] = &tally{}
		}
		return m[k]
	}
	files, labelsN := 0, 0
	for _, file := range corpusArchives(t) {
		a := loadArchive(t, file)
		files += len(a.files)
		got, errs := runArchive(t, ds, a)
		for _, err := range errs {
			if !strings.Contains(a.name, "invalid") {
				t.Errorf("%s: unexpected error: %v", a.name, err)
			}
		}
		type lk struct {
			path   string
			line   int
			secret string
		}
		want := map[lk][]label{}
		traps := map[string]bool{}
		for _, l := range a.labels {
			if l.secret == "-" {
				traps[fmt.Sprintf("%s:%d", l.path, l.line)] = true
				get(bySystem, systemOf(l.path)).traps++
				total.traps++
				continue
			}
			labelsN++
			k := lk{l.path, l.line, l.secret}
			want[k] = append(want[k], l)
		}
		for _, f := range got {
			k := lk{f.Path, f.Line, labelSecret(f)}
			sys, rule := get(bySystem, f.CI.System), get(byRule, f.RuleID)
			ls := want[k]
			if len(ls) == 0 {
				for _, c := range []*tally{sys, rule, total} {
					c.fp++
				}
				trap := ""
				if traps[fmt.Sprintf("%s:%d", f.Path, f.Line)] {
					trap = " (a labelled trap)"
				}
				t.Errorf("%s: unexpected finding%s: %s:%d %s %s %s %s (%s)", a.name, trap, f.Path, f.Line, labelSecret(f), f.Provider, f.Lifetime, f.RuleID, f.Type)
				continue
			}
			l := ls[0]
			want[k] = ls[1:]
			for _, c := range []*tally{sys, rule, total} {
				c.tp++
				if string(f.Lifetime) == l.lifetime && f.Session == (l.lifetime == "session") {
					c.lifeOK++
				}
				if f.Provider == l.provider {
					c.provOK++
				}
			}
			if string(f.Lifetime) != l.lifetime || f.Provider != l.provider {
				t.Logf("%s: %s:%d %s: got %s %s (%s), want %s %s", a.name, f.Path, f.Line, l.secret, f.Provider, f.Lifetime, f.Type, l.provider, l.lifetime)
			}
		}
		keys := make([]lk, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			for range want[k] {
				get(bySystem, systemOf(k.path)).fn++
				total.fn++
				t.Errorf("%s: missed %s:%d %s", a.name, k.path, k.line, k.secret)
			}
		}
	}
	report := func(title string, m map[string]*tally) {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Logf("%-32s %5s %4s %4s %6s %9s %6s %6s %6s", title, "TP", "FP", "FN", "traps", "precision", "recall", "life", "prov")
		for _, n := range names {
			c := m[n]
			t.Logf("%-32s %5d %4d %4d %6d %9.3f %6.3f %6.3f %6.3f", n, c.tp, c.fp, c.fn, c.traps, c.precision(), c.recall(), ratio(c.lifeOK, c.tp), ratio(c.provOK, c.tp))
		}
	}
	report("system", bySystem)
	report("rule", byRule)
	t.Logf("corpus: %d files, %d labelled occurrences, %d traps; precision %.3f recall %.3f lifetime %.3f provider %.3f",
		files, labelsN, total.traps, total.precision(), total.recall(), ratio(total.lifeOK, total.tp), ratio(total.provOK, total.tp))
	for n, c := range bySystem {
		if c.precision() < 0.95 || c.recall() < 0.95 || ratio(c.lifeOK, c.tp) < 0.95 {
			t.Errorf("%s: precision %.3f, recall %.3f, lifetime %.3f: want all >= 0.95", n, c.precision(), c.recall(), ratio(c.lifeOK, c.tp))
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
