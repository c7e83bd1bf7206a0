package scanner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddSessionizeIgnore(t *testing.T) {
	t.Parallel()
	ig := &Ignores{}
	data := "# comment\n\n0123456789abcdef  legacy key in config.ini\n" + strings.Repeat("a", 64) + "\n"
	if err := ig.AddSessionizeIgnore(".sessionizeignore", []byte(data)); err != nil {
		t.Fatalf("AddSessionizeIgnore() error: %v", err)
	}
	if !ig.Ignored("0123456789abcdef", Occurrence{}) || !ig.Ignored("aaaaaaaaaaaaaaaa", Occurrence{}) {
		t.Error("listed fingerprints are not ignored")
	}
	if ig.Ignored("fedcba9876543210", Occurrence{}) {
		t.Error("an unlisted fingerprint is ignored")
	}
	err := ig.AddSessionizeIgnore(".sessionizeignore", []byte("ok\nnot-hex-at-all\n"))
	if err == nil || !strings.Contains(err.Error(), ".sessionizeignore:1:") || !strings.Contains(err.Error(), ".sessionizeignore:2:") {
		t.Errorf("AddSessionizeIgnore(bad) error = %v, want both lines named", err)
	}
}

func TestAddGitleaksIgnore(t *testing.T) {
	t.Parallel()
	ig := &Ignores{}
	ig.AddGitleaksIgnore([]byte("config\\prod.env:aws-access-token:3\nabc123:a.txt:github-pat:1\nnot an entry\n"))
	o := Occurrence{Path: "config/prod.env", Line: 3}
	o.Finding.RuleID = "aws-access-token"
	if !ig.Ignored("x", o) {
		t.Error("file:rule:line entry (Windows separators) not honoured")
	}
	o = Occurrence{Path: "a.txt", Line: 1, Commit: "abc123"}
	o.Finding.RuleID = "github-pat"
	if !ig.Ignored("x", o) {
		t.Error("commit:file:rule:line entry not honoured")
	}
	o.Commit = "other"
	if ig.Ignored("x", o) {
		t.Error("commit entry ignores another commit")
	}
}

func TestParseBaseline(t *testing.T) {
	t.Parallel()
	doc := `{"version":1,"credentials":[{"fingerprint":"0123456789abcdef","occurrences":[{"path":"a.txt"}]}]}`
	b, err := ParseBaseline("base.json", []byte(doc))
	if err != nil {
		t.Fatalf("ParseBaseline() error: %v", err)
	}
	r := &Report{Credentials: []Credential{
		{Fingerprint: "0123456789abcdef", Occurrences: []Occurrence{{Path: "a.txt"}, {Path: "b.txt"}}},
		{Fingerprint: "1111111111111111", Occurrences: []Occurrence{{Path: "a.txt"}}},
	}}
	b.Apply(r)
	var got []string
	for _, c := range r.Credentials {
		for _, o := range c.Occurrences {
			got = append(got, c.Fingerprint+" "+o.Path)
		}
	}
	want := []string{"0123456789abcdef b.txt", "1111111111111111 a.txt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Baseline.Apply mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "{", `{"version":2}`} {
		if _, err := ParseBaseline("base.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "base.json") {
			t.Errorf("ParseBaseline(%q) error = %v, want one naming the file", bad, err)
		}
	}
}

func FuzzIgnoreFiles(f *testing.F) {
	f.Add([]byte("0123456789abcdef note\n# c\n"))
	f.Add([]byte("a.txt:rule:1\nc:a.txt:rule:2\n"))
	f.Add([]byte(`{"version":1,"credentials":[{"fingerprint":"x","occurrences":[{"path":"p"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig := &Ignores{}
		_ = ig.AddSessionizeIgnore("f", data)
		ig.AddGitleaksIgnore(data)
		_ = ig.Ignored("0123456789abcdef", Occurrence{Path: "a.txt", Line: 1})
		if b, err := ParseBaseline("f", data); err == nil {
			b.Apply(&Report{Credentials: []Credential{{Fingerprint: "x", Occurrences: []Occurrence{{Path: "p"}}}}})
		}
	})
}
