package configfile_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/configfile"
	"github.com/sessionize/sessionize/rules"
)

// corpusDir is the labelled corpus of configuration files; labels.txt in it
// describes its format.
const corpusDir = "../../testdata/corpus/config"

// Thresholds every detector must meet on the corpus.
const (
	minPrecision = 0.95
	minRecall    = 0.95
	minLifetime  = 0.95
)

// label is one line of labels.txt.
type label struct {
	path      string
	line, col int
	rule      string
	lifetime  string
	negative  bool
	wantError bool
	src       int // line in labels.txt
}

type posKey struct {
	path      string
	line, col int
	rule      string
}

func readLabels(t *testing.T) []label {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "labels.txt"))
	if err != nil {
		t.Fatalf("open labels: %v", err)
	}
	defer f.Close()
	var out []label
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		l, err := parseLabel(text)
		if err != nil {
			t.Fatalf("labels.txt:%d: %v", n, err)
		}
		l.src = n
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read labels: %v", err)
	}
	return out
}

func parseLabel(text string) (label, error) {
	fields := strings.Fields(text)
	switch {
	case len(fields) == 2 && fields[1] == "error":
		return label{path: fields[0], wantError: true}, nil
	case len(fields) == 2 && fields[1] == "-":
		path, line, ok := strings.Cut(fields[0], ":")
		n, err := strconv.Atoi(line)
		if !ok || err != nil {
			return label{}, fmt.Errorf("bad negative label %q", text)
		}
		return label{path: path, line: n, negative: true}, nil
	case len(fields) == 3:
		parts := strings.Split(fields[0], ":")
		if len(parts) != 3 {
			return label{}, fmt.Errorf("bad position in %q", text)
		}
		line, err1 := strconv.Atoi(parts[1])
		col, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			return label{}, fmt.Errorf("bad position in %q", text)
		}
		if _, err := rules.ParseLifetime(fields[2]); err != nil {
			return label{}, err
		}
		return label{path: parts[0], line: line, col: col, rule: fields[1], lifetime: fields[2]}, nil
	}
	return label{}, fmt.Errorf("cannot parse label %q", text)
}

// corpusFinding is a finding with the detector that made it.
type corpusFinding struct {
	detector string
	f        detectors.Finding
}

// scanCorpus runs every matching detector on every corpus file.
func scanCorpus(t *testing.T, ds []detectors.FileDetector) (map[string][]corpusFinding, map[string]error) {
	t.Helper()
	found := map[string][]corpusFinding{}
	errs := map[string]error{}
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(corpusDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "labels.txt" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, det := range ds {
			if !det.Match(rel) {
				continue
			}
			fs, err := det.Detect(t.Context(), rel, data)
			if err != nil {
				errs[rel] = err
			}
			for _, f := range fs {
				found[rel] = append(found[rel], corpusFinding{det.Name(), f})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk corpus: %v", err)
	}
	return found, errs
}

// score is a detector's tally on the corpus.
type score struct{ tp, fp, fn, lifeOK, lifeAll int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// TestCorpus measures each detector's precision and recall on the labelled
// corpus, and the lifetime class of the credentials it finds.
func TestCorpus(t *testing.T) {
	t.Parallel()
	kb, err := rules.DefaultKB()
	if err != nil {
		t.Fatalf("DefaultKB() error: %v", err)
	}
	labels := readLabels(t)
	ruleDetector := map[string]string{}
	for _, r := range configfile.Rules() {
		ruleDetector[r.ID] = strings.TrimPrefix(r.Source, "configfile/")
	}
	found, errs := scanCorpus(t, configfile.Detectors(kb))

	positives := map[posKey]label{}
	negatives := map[string]map[int]bool{}
	wantErr := map[string]bool{}
	for _, l := range labels {
		if _, err := os.Stat(filepath.Join(corpusDir, filepath.FromSlash(l.path))); err != nil {
			t.Errorf("labels.txt:%d: %s: no such corpus file", l.src, l.path)
		}
		switch {
		case l.wantError:
			wantErr[l.path] = true
		case l.negative:
			if negatives[l.path] == nil {
				negatives[l.path] = map[int]bool{}
			}
			negatives[l.path][l.line] = true
		default:
			if _, ok := ruleDetector[l.rule]; !ok {
				t.Errorf("labels.txt:%d: unknown rule %q", l.src, l.rule)
			}
			positives[posKey{l.path, l.line, l.col, l.rule}] = l
		}
	}

	scores := map[string]*score{}
	tally := func(det string) *score {
		if scores[det] == nil {
			scores[det] = &score{}
		}
		return scores[det]
	}
	matched := map[posKey]bool{}
	var life score
	for path, fs := range found {
		for _, cf := range fs {
			f := cf.f
			k := posKey{path, f.Line, f.Column, f.RuleID}
			l, ok := positives[k]
			if !ok || matched[k] {
				tally(cf.detector).fp++
				what := "unlabelled finding"
				if negatives[path][f.Line] {
					what = "finding on a negative line"
				}
				t.Errorf("%s: %s:%d:%d %s %s (%s, %s)", what, path, f.Line, f.Column, f.RuleID, f.Secret, f.Type, f.Lifetime)
				continue
			}
			matched[k] = true
			tally(cf.detector).tp++
			life.lifeAll++
			if string(f.Lifetime) == l.lifetime {
				life.lifeOK++
			} else {
				t.Logf("lifetime mismatch: %s:%d:%d %s: got %s, want %s", path, f.Line, f.Column, f.RuleID, f.Lifetime, l.lifetime)
			}
		}
	}
	for k, l := range positives {
		if !matched[k] {
			tally(ruleDetector[l.rule]).fn++
			t.Errorf("missed: labels.txt:%d: %s:%d:%d %s", l.src, l.path, l.line, l.col, l.rule)
		}
	}
	for path, err := range errs {
		if !wantErr[path] {
			t.Errorf("unexpected error: %v", err)
		}
	}
	for path := range wantErr {
		if errs[path] == nil {
			t.Errorf("%s: no error, want one (labelled malformed)", path)
		}
	}

	names := make([]string, 0, len(scores))
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	var total score
	for _, n := range names {
		s := scores[n]
		total.tp, total.fp, total.fn = total.tp+s.tp, total.fp+s.fp, total.fn+s.fn
		t.Logf("%-18s tp=%3d fp=%2d fn=%2d precision=%.3f recall=%.3f", n, s.tp, s.fp, s.fn, s.precision(), s.recall())
		if s.precision() < minPrecision || s.recall() < minRecall {
			t.Errorf("detector %s: precision %.3f, recall %.3f; want at least %.2f and %.2f", n, s.precision(), s.recall(), minPrecision, minRecall)
		}
	}
	t.Logf("%-18s tp=%3d fp=%2d fn=%2d precision=%.3f recall=%.3f", "all", total.tp, total.fp, total.fn, total.precision(), total.recall())
	lifeShare := float64(life.lifeOK) / float64(max(life.lifeAll, 1))
	t.Logf("lifetime class right for %d of %d credentials (%.3f)", life.lifeOK, life.lifeAll, lifeShare)
	if lifeShare < minLifetime {
		t.Errorf("lifetime class right for %.3f of the credentials, want at least %.2f", lifeShare, minLifetime)
	}
	for _, d := range configfile.Detectors(kb) {
		if scores[d.Name()] == nil || scores[d.Name()].tp == 0 {
			t.Errorf("detector %s: no labelled credential in the corpus", d.Name())
		}
	}
}
