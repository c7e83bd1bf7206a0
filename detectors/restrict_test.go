package detectors_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
)

// restrictDetector is built once per test binary: parsing the rules takes
// tens of milliseconds.
var restrictDetector = sync.OnceValues(func() (*detectors.Detector, error) {
	return detectors.New(detectors.Options{})
})

func restrictDet(t *testing.T) *detectors.Detector {
	t.Helper()
	d, err := restrictDetector()
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	return d
}

// fakePAT is a GitHub-token-shaped value built at test time.
func fakePAT() string { return "ghp" + "_" + strings.Repeat("x7Q2", 9) }

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func unicodeEscapes(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// codePointLines writes s as "U+XXXX" code points, one per line: gitleaks'
// decoder takes the lines as one segment.
func codePointLines(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "U+%04X\n", r)
	}
	return b.String()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDetector_Restrict(t *testing.T) {
	t.Parallel()
	pat := fakePAT()
	tests := []struct {
		name    string
		depth   int // Options.MaxDecodeDepth
		content string
		want    bool // whether github-pat (keyword "ghp_") is kept
	}{
		{"plain", 0, "token = " + pat + "\n", true},
		{"upper case keyword", 0, "TOKEN = GHP_SOMETHING\n", true},
		{"absent", 0, "package main\n\nfunc main() {}\n", false},
		{"base64", 0, "data: " + b64("token = "+pat) + "\n", true},
		{"hex", 0, "v = " + hex.EncodeToString([]byte(pat)) + "\n", true},
		{"percent", 0, "url = https://example.com/?t=" + percentAll(pat) + "\n", true},
		{"unicode escapes", 0, `s = "` + unicodeEscapes(pat) + `"` + "\n", true},
		{"code points over lines", 0, "a\n" + codePointLines(pat) + "b\n", true},
		{"base64 twice", 0, "data: " + b64(b64("token = "+pat)) + "\n", true},
		{"base64 twice, depth 1", 1, "data: " + b64(b64("token = "+pat)) + "\n", false},
		{"base64, decoding off", -1, "data: " + b64("token = "+pat) + "\n", false},
		{"base64 among lines", 0, "x := 1\n" + strings.Repeat("plain line\n", 5) + "k: " + b64(pat) + "\nend\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := restrictDet(t)
			if tt.depth != 0 {
				var err error
				if d, err = detectors.New(detectors.Options{MaxDecodeDepth: tt.depth}); err != nil {
					t.Fatal(err)
				}
			}
			got := slices.Contains(detectors.KeptRules(d.Restrict([]byte(tt.content))), "github-pat")
			if got != tt.want {
				t.Errorf("Restrict(%s) keeps github-pat = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

// TestDetector_Restrict_NoKeywords: rules without keywords are always kept;
// nothing else is kept for content without keywords.
func TestDetector_Restrict_NoKeywords(t *testing.T) {
	t.Parallel()
	d := restrictDet(t)
	var want []string
	for _, r := range d.Rules() {
		if len(r.Keywords) == 0 {
			want = append(want, r.ID)
		}
	}
	got := detectors.KeptRules(d.Restrict([]byte("\n")))
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Restrict(no keywords) mismatch (-want +got):\n%s", diff)
	}
}

// TestDetector_Restrict_Compose: restricting a restricted (or multi-line)
// detector keeps the rules both keep.
func TestDetector_Restrict_Compose(t *testing.T) {
	t.Parallel()
	d := restrictDet(t)
	id, secret := fakeAWS()
	a := []byte("aws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\ntoken = " + fakePAT() + "\n")
	b := []byte("GITHUB_TOKEN=" + fakePAT() + "\nslack webhook\n-----BEGIN RSA " + "PRIVATE KEY-----\n")
	intersect := func(x, y []string) []string {
		var out []string
		for _, s := range x {
			if slices.Contains(y, s) {
				out = append(out, s)
			}
		}
		return out
	}
	ka, kb := detectors.KeptRules(d.Restrict(a)), detectors.KeptRules(d.Restrict(b))
	want := intersect(ka, kb)
	if len(want) == len(ka) || len(want) == len(kb) {
		t.Fatalf("test contents should keep different rules: %d and %d, %d in common", len(ka), len(kb), len(want))
	}
	if diff := cmp.Diff(want, detectors.KeptRules(d.Restrict(a).Restrict(b))); diff != "" {
		t.Errorf("Restrict(a).Restrict(b) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, detectors.KeptRules(d.Restrict(b).Restrict(a))); diff != "" {
		t.Errorf("Restrict(b).Restrict(a) mismatch (-want +got):\n%s", diff)
	}
	all, _ := d.MultiLine()
	ml, ok := d.Restrict(b).MultiLine()
	if !ok {
		t.Fatal("MultiLine() of a private key's keywords found no rule")
	}
	if diff := cmp.Diff(intersect(detectors.KeptRules(all), kb), detectors.KeptRules(all.Restrict(b))); diff != "" {
		t.Errorf("MultiLine().Restrict(b) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(detectors.KeptRules(ml), detectors.KeptRules(all.Restrict(b))); diff != "" {
		t.Errorf("Restrict(b).MultiLine() and MultiLine().Restrict(b) differ (-first +second):\n%s", diff)
	}
}

// TestDetector_Restrict_DecidedOnce: the rules are chosen when Restrict is
// called; the content is not read again.
func TestDetector_Restrict_DecidedOnce(t *testing.T) {
	t.Parallel()
	d := restrictDet(t)
	content := []byte("token = " + fakePAT() + "\n")
	r := d.Restrict(content)
	want := detectors.KeptRules(r)
	for i := range content {
		content[i] = 'z'
	}
	if diff := cmp.Diff(want, detectors.KeptRules(r)); diff != "" {
		t.Errorf("KeptRules() changed with the content after Restrict (-before +after):\n%s", diff)
	}
	if !slices.Contains(want, "github-pat") {
		t.Errorf("Restrict() did not keep github-pat: %v", want)
	}
}

// TestDetector_Restrict_SharedAllowlists: a detector, its restrictions and
// their multi-line variants compile the global allowlists once.
func TestDetector_Restrict_SharedAllowlists(t *testing.T) {
	t.Parallel()
	d, err := detectors.New(detectors.Options{}) // its own: compiled here
	if err != nil {
		t.Fatal(err)
	}
	r := d.Restrict([]byte("-----BEGIN RSA " + "PRIVATE KEY-----\ntoken = " + fakePAT() + "\n"))
	ml, ok := r.MultiLine()
	if !ok {
		t.Fatal("MultiLine() found no rule")
	}
	for _, pair := range []struct {
		name string
		a, b *detectors.Detector
	}{{"restricted and multi-line", r, ml}, {"detector and restricted", d, r}} {
		same, err := detectors.SameGlobalAllowlists(pair.a, pair.b)
		if err != nil {
			t.Fatal(err)
		}
		if !same {
			t.Errorf("%s: global allowlists compiled twice", pair.name)
		}
	}
}

// TestDetector_Restrict_Concurrent: one detector restricted and its
// restrictions used from several goroutines at once (run with -race).
func TestDetector_Restrict_Concurrent(t *testing.T) {
	t.Parallel()
	d, err := detectors.New(detectors.Options{}) // its own: nothing built yet
	if err != nil {
		t.Fatal(err)
	}
	id, _ := fakeAWS()
	contents := []string{"aws_access_key_id = " + id + "\n", "token = " + fakePAT() + "\n", "data: " + b64("token = "+fakePAT()) + "\n"}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			c := contents[i%len(contents)]
			r := d.Restrict([]byte(c))
			if _, err := r.Detect(t.Context(), detectors.Fragment{Path: "a.txt", Content: c}); err != nil {
				t.Errorf("Detect() error: %v", err)
			}
			if ml, ok := r.MultiLine(); ok {
				if err := ml.Compile(); err != nil {
					t.Errorf("Compile() error: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

// TestDifferential_Restrict: a detector restricted to a content finds in it
// exactly what the unrestricted detector finds, over generated secrets of
// every rule, plain and encoded.
func TestDifferential_Restrict(t *testing.T) {
	t.Parallel()
	d := restrictDet(t)
	files := differentialCorpus(t, d)
	encoded := map[string]string{}
	for path, content := range files {
		lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
		var b strings.Builder
		for i, l := range lines {
			switch i % 4 {
			case 1:
				l = "hex: " + hex.EncodeToString([]byte(l))
			case 2:
				l = "twice: " + b64(b64(l))
			case 3:
				l = "url: ?q=" + percentAll(l)
			}
			b.WriteString(l + "\n")
		}
		encoded[strings.Replace(path, "corpus/", "encoded/", 1)] = b.String()
	}
	for path, content := range encoded {
		files[path] = content
	}
	want := findingKeys(t, d, files)
	got := map[key]bool{}
	for path, content := range files {
		for k := range findingKeys(t, d.Restrict([]byte(content)), map[string]string{path: content}) {
			got[k] = true
		}
	}
	compareFindings(t, want, got)
}
