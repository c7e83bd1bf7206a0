package report_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/report"
)

func write(t *testing.T, format string, r *scanner.Report, opts report.Options) string {
	t.Helper()
	w, err := report.Lookup(format)
	if err != nil {
		t.Fatalf("Lookup(%q) error: %v", format, err)
	}
	var b bytes.Buffer
	if err := w(&b, r, opts); err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	return b.String()
}

func TestFormats(t *testing.T) {
	t.Parallel()
	want := []string{"csv", "html", "json", "markdown", "sarif", "table"}
	if diff := cmp.Diff(want, report.Formats()); diff != "" {
		t.Errorf("Formats() mismatch (-want +got):\n%s", diff)
	}
	if _, err := report.Lookup("xml"); err == nil || !strings.Contains(err.Error(), "csv, html, json, markdown, sarif, table") {
		t.Errorf("Lookup(xml) error = %v, want the valid names", err)
	}
}

// TestWriters compares every format, on the fixed fixture, with its golden
// file (go test ./scanner/report -update rewrites them).
func TestWriters(t *testing.T) {
	t.Parallel()
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			golden.RequireEqual(t, write(t, format, fixture(), report.Options{}))
		})
	}
}

func TestWriters_Empty(t *testing.T) {
	t.Parallel()
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			golden.RequireEqual(t, write(t, format, emptyReport(), report.Options{}))
		})
	}
}

// TestWriters_Secrets checks every format: no raw secret without
// ShowSecrets, every raw secret with it.
func TestWriters_Secrets(t *testing.T) {
	t.Parallel()
	s := fixtureSecrets()
	// Values whose characters no format escapes; the generic secret, full of
	// markup, is checked through each format's unescaping below.
	plain := []string{s.akia, s.ghs, s.asia}
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			hidden := write(t, format, fixture(), report.Options{})
			shown := write(t, format, fixture(), report.Options{ShowSecrets: true})
			for _, raw := range append(plain, s.generic) {
				for _, form := range forms(raw) {
					if strings.Contains(hidden, form) {
						t.Errorf("%s without ShowSecrets contains a raw secret (redacted %s)", format, redact(raw))
					}
				}
			}
			for _, raw := range plain {
				if !strings.Contains(shown, raw) {
					t.Errorf("%s with ShowSecrets lacks the secret %s", format, redact(raw))
				}
			}
			if !slices.ContainsFunc(forms(s.generic), func(f string) bool { return strings.Contains(shown, f) }) {
				t.Errorf("%s with ShowSecrets lacks the secret %s in any escaped form", format, redact(s.generic))
			}
		})
	}
}

// forms lists how a raw value may appear once a format escaped it.
func forms(raw string) []string {
	return []string{
		raw,
		html.EscapeString(raw),
		strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(raw),
		strings.ReplaceAll(raw, "|", `\|`),
		strings.NewReplacer("<", "&lt;", ">", "&gt;", "`", "&#96;", "+", "&#43;").Replace(raw),
	}
}

func redact(raw string) string { return raw[:4] + "…" }

// TestWriteSARIF_Schema validates the SARIF log against the required
// properties and closed objects of the SARIF 2.1.0 schema, and against what
// GitHub code scanning requires on top of it.
func TestWriteSARIF_Schema(t *testing.T) {
	t.Parallel()
	for _, r := range []*scanner.Report{fixture(), emptyReport()} {
		out := write(t, "sarif", r, report.Options{ShowSecrets: true})
		for _, problem := range validateSARIF([]byte(out)) {
			t.Errorf("SARIF for %s: %s", r.Target.Path, problem)
		}
	}
}

func TestWriteSARIF_Results(t *testing.T) {
	t.Parallel()
	log := decodeSARIF(t, write(t, "sarif", fixture(), report.Options{}))
	type res struct{ Rule, Level, Kind, URI, SecSev, FP string }
	var got []res
	run := log["runs"].([]any)[0].(map[string]any)
	for _, x := range run["results"].([]any) {
		m := x.(map[string]any)
		loc := m["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		got = append(got, res{
			Rule: m["ruleId"].(string), Level: m["level"].(string), Kind: m["kind"].(string),
			URI:    loc["artifactLocation"].(map[string]any)["uri"].(string),
			SecSev: m["properties"].(map[string]any)["security-severity"].(string),
			FP:     m["partialFingerprints"].(map[string]any)["credentialFingerprint/v1"].(string),
		})
	}
	want := []res{
		{"aws-access-token", "error", "fail", "deploy/aws.go", "10.0", "3f9a1c0d7e2b4a55"},
		{"aws-access-token", "error", "fail", "old/setup.py", "10.0", "3f9a1c0d7e2b4a55"},
		{"gha-aws-keys", "error", "fail", ".github/workflows/deploy.yml", "6.5", "77c0e1d2a3b4c5d6"},
		{"generic-api-key", "warning", "fail", "docs/a%7Cb%20%3Cx%3E.md", "4.5", "b1d2e3f405162738"},
		{"github-app-token", "note", "fail", "scripts/release.py", "3.5", "c0ffee0123456789"},
		{"aws-access-token", "note", "fail", "deploy/session.go", "2.0", "d00d5e55104b1e0f"},
		{"gha-oidc", "none", "pass", ".github/workflows/deploy.yml", "0.0", "e5e5e5e5a1a1a1a1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WriteSARIF() results mismatch (-want +got):\n%s", diff)
	}
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	for _, x := range rules {
		m := x.(map[string]any)
		help := m["help"].(map[string]any)["text"].(string)
		if m["id"] == "gha-aws-keys" && !strings.Contains(help, "AWS OIDC role, 1 h") {
			t.Errorf("rule gha-aws-keys help = %q, want it to name the expectation", help)
		}
		if m["id"] == "aws-access-token" && m["properties"].(map[string]any)["security-severity"] != "10.0" {
			t.Errorf("rule aws-access-token security-severity = %v, want the highest score over ten", m["properties"])
		}
	}
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	out := write(t, "csv", fixture(), report.Options{ShowSecrets: true})
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if got, want := len(rows), 1+7; got != want {
		t.Fatalf("CSV has %d rows, want a header and one row per occurrence (%d)", got, want)
	}
	header := rows[0]
	col := func(name string) int { return slices.Index(header, name) }
	if col("secret") != col("redacted")+1 {
		t.Errorf("CSV header %q: want secret after redacted with ShowSecrets", header)
	}
	for _, row := range rows[1:] {
		if len(row) != len(header) {
			t.Errorf("CSV row has %d cells, header %d", len(row), len(header))
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV cell %q would run as a formula", cell)
			}
		}
	}
	evil := rows[4] // the generic secret: third credential, one occurrence
	if got := evil[col("author")]; !strings.HasPrefix(got, `'=HYPERLINK(`) {
		t.Errorf("CSV author = %q, want the formula defused with a quote", got)
	}
	if got := evil[col("path")]; got != "docs/a|b <x>.md" {
		t.Errorf("CSV path = %q, want it intact", got)
	}
}

func TestWriteMarkdown_Escaping(t *testing.T) {
	t.Parallel()
	out := write(t, "markdown", fixture(), report.Options{})
	// Outside code spans (which render their content as text), no raw HTML
	// from the repository.
	text := regexp.MustCompile("(`+)[^`].*?(`+)").ReplaceAllString(out, "")
	if strings.Contains(text, "<script>") || strings.Contains(text, "<x>") {
		t.Error("markdown carries raw HTML from the repository")
	}
	// Every table row keeps its column count: no pipe from a value splits a
	// cell.
	var cols int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1))
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("markdown row has %d cells, its table %d: %s", n, cols, line)
		}
	}
}

func TestWriteHTML_SelfContained(t *testing.T) {
	t.Parallel()
	out := write(t, "html", fixture(), report.Options{})
	for _, bad := range []string{"<script", "<link", "@import", "url(", "src=", "ZgotmplZ", "<x>"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(bad)) {
			t.Errorf("HTML report contains %q", bad)
		}
	}
	if !strings.Contains(out, "default-src 'none'") {
		t.Error("HTML report has no Content-Security-Policy")
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("HTML report does not show the escaped author")
	}
}

// TestJSON_RoundTrip writes, reads back and writes again.
func TestJSON_RoundTrip(t *testing.T) {
	t.Parallel()
	for _, show := range []bool{false, true} {
		first := write(t, "json", fixture(), report.Options{ShowSecrets: show})
		r, err := report.ReadJSON(strings.NewReader(first))
		if err != nil {
			t.Fatalf("ReadJSON() error: %v", err)
		}
		second := write(t, "json", r, report.Options{ShowSecrets: show})
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("JSON round trip (show secrets %v) mismatch (-first +second):\n%s", show, diff)
		}
	}
}

func FuzzJSONRoundTrip(f *testing.F) {
	var b bytes.Buffer
	_ = report.WriteJSON(&b, fixture(), report.Options{})
	f.Add(b.Bytes(), false)
	b.Reset()
	_ = report.WriteJSON(&b, emptyReport(), report.Options{})
	f.Add(b.Bytes(), true)
	f.Add([]byte(`{"version":1,"credentials":[{"fingerprint":"x","secret":"s3cr3t-value","occurrences":[{"path":"a","date":"2020-01-01T00:00:00+01:00"}]}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, show bool) {
		r, err := report.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		opts := report.Options{ShowSecrets: show}
		var first, second bytes.Buffer
		if err := report.WriteJSON(&first, r, opts); err != nil {
			t.Fatalf("WriteJSON() error: %v", err)
		}
		r2, err := report.ReadJSON(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("ReadJSON(WriteJSON()) error: %v", err)
		}
		if err := report.WriteJSON(&second, r2, opts); err != nil {
			t.Fatalf("WriteJSON() error: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("JSON round trip mismatch (-first +second):\n%s", cmp.Diff(first.String(), second.String()))
		}
		// Every other format accepts whatever JSON holds.
		for _, format := range report.Formats() {
			w, _ := report.Lookup(format)
			if err := w(&bytes.Buffer{}, r2, opts); err != nil {
				t.Errorf("%s writer error on a read-back report: %v", format, err)
			}
		}
	})
}
