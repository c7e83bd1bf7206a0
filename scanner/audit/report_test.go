package audit_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

var (
	t0 = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	t1 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
)

func cred(fp, rule, typ, provider string, life rules.Lifetime, redacted string, score int, occ ...scanner.Occurrence) scanner.Credential {
	return scanner.Credential{
		Fingerprint: fp, Rule: rule, Type: typ, Provider: provider, Lifetime: life, Redacted: redacted,
		Score: score, Severity: scanner.SeverityOf(score), Expected: "AWS role assumed through GitHub OIDC, 1 h",
		Reasons: []string{"lifetime " + string(life)}, Verified: "unknown", Occurrences: occ,
	}
}

func occ(path string, line int, where scanner.Where) scanner.Occurrence {
	o := scanner.Occurrence{Path: path, Line: line, Column: 1, EndLine: line, Where: where, InHead: where != scanner.WhereHistory}
	if where != scanner.WhereCIReference {
		o.Commit, o.Author, o.Date = "0123456789abcdef0123456789abcdef01234567", "Alice", t0
	}
	return o
}

func repoReport(name string, creds ...scanner.Credential) *scanner.Report {
	r := &scanner.Report{Version: 1, Tool: scanner.Tool{Name: "sessionize", Version: "test"}, Target: scanner.Target{Path: name, CommitsScanned: 3, BlobsScanned: 4, BytesScanned: 100}, Credentials: creds}
	r.Finalize()
	return r
}

// sampleReport is a small org report exercising every section: shared
// literal keys, a CI reference, session inventory, new and fixed
// credentials, a failure, and markup in names that writers must escape.
func sampleReport() *audit.Report {
	shared := "1111111111111111"
	r := &audit.Report{
		Org: "acme", Tool: scanner.Tool{Name: "sessionize", Version: "test"}, RulesVersion: "0123abcd",
		GeneratedAt: t1,
		Repositories: []audit.Repository{
			{FullName: "acme/web", Visibility: "public", DefaultBranch: "main", Report: repoReport("acme/web",
				cred(shared, "aws-access-token", "aws-access-key", "aws", rules.Standing, "AKIA************ABCD", 85, occ("deploy/aws.ini", 2, scanner.WhereWorktree)),
				cred("2222222222222222", "github-pat", "github-classic-pat", "github", rules.Standing, "ghp_****************************wxyz", 70, occ(".env", 1, scanner.WhereHistory)),
				cred("3333333333333333", "gha-oidc", "aws-oidc-role", "aws", rules.Session, "oidc:github-actions:aws:deploy", 0, occ(".github/workflows/deploy.yml", 12, scanner.WhereCIReference)),
			), Tracking: []state.Tracked{
				{Fingerprint: shared, Status: state.StatusOpen, Rule: "aws-access-token", Type: "aws-access-key", Provider: "aws", Redacted: "AKIA************ABCD", FirstSeen: t0, LastSeen: t1},
				{Fingerprint: "2222222222222222", Status: state.StatusNew, Rule: "github-pat", Type: "github-classic-pat", Provider: "github", Redacted: "ghp_****************************wxyz", FirstSeen: t1, LastSeen: t1},
				{Fingerprint: "3333333333333333", Status: state.StatusOpen, Rule: "gha-oidc", Type: "aws-oidc-role", Provider: "aws", Redacted: "oidc:github-actions:aws:deploy", FirstSeen: t0, LastSeen: t1},
				{Fingerprint: "4444444444444444", Status: state.StatusFixed, Rule: "slack-bot-token", Type: "slack-bot-token", Provider: "slack", Redacted: "xoxb****1234", FirstSeen: t0, LastSeen: t0, FixedAt: &t1},
			}},
			{FullName: "acme/api|<b>", Visibility: "private", DefaultBranch: "main", Report: repoReport("acme/api|<b>",
				cred(shared, "aws-access-token", "aws-access-key", "aws", rules.Standing, "AKIA************ABCD", 80, occ("config.ini", 3, scanner.WhereHistory)),
				cred("5555555555555555", "gha-aws-keys@github.com/acme/api", "aws-access-key", "aws", rules.Standing, "secrets.AWS_SECRET_ACCESS_KEY", 65, occ(".github/workflows/ci.yml", 20, scanner.WhereCIReference)),
			), Tracking: []state.Tracked{
				{Fingerprint: shared, Status: state.StatusNew, Rule: "aws-access-token", Type: "aws-access-key", Provider: "aws", Redacted: "AKIA************ABCD", FirstSeen: t1, LastSeen: t1},
				{Fingerprint: "5555555555555555", Status: state.StatusNew, Rule: "gha-aws-keys", Type: "aws-access-key", Provider: "aws", Redacted: "secrets.AWS_SECRET_ACCESS_KEY", FirstSeen: t1, LastSeen: t1},
			}},
			{FullName: "acme/docs", Visibility: "public", DefaultBranch: "main", Report: repoReport("acme/docs")},
			{FullName: "acme/broken", Visibility: "private", DefaultBranch: "main", Error: "clone http://git.example/acme/broken.git: repository not found"},
		},
	}
	r.Finalize()
	return r
}

func TestReport_Finalize(t *testing.T) {
	r := sampleReport()
	s := r.Summary
	got := map[string]any{
		"order": sortedNames(r), "repos": s.Repositories, "audited": s.Audited, "failed": s.Failed,
		"credentials": s.Credentials, "occurrences": s.Occurrences, "new": s.New, "fixed": s.Fixed,
		"critical": s.BySeverity[scanner.SeverityCritical], "standing": s.ByLifetime[rules.Standing],
		"aws": s.ByProvider["aws"], "readiness": s.SessionReadiness, "cross": len(s.CrossRepository),
	}
	want := map[string]any{
		"order": []string{"acme/api|<b>", "acme/broken", "acme/docs", "acme/web"}, "repos": 4, "audited": 3, "failed": 1,
		"credentials": 4, "occurrences": 5, "new": 3, "fixed": 1,
		"critical": 1, "standing": 3, "aws": 3, "readiness": 0.25, "cross": 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Finalize summary mismatch (-want +got):\n%s", diff)
	}
	x := s.CrossRepository[0]
	if x.Score != 85 || !cmp.Equal(x.Repositories, []string{"acme/api|<b>", "acme/web"}) || x.Occurrences != 2 {
		t.Errorf("cross reference = %+v", x)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := audit.WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())

	// Round trip: reading and writing again gives the same bytes.
	back, err := audit.ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := audit.WriteJSON(&again, back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(buf.String(), again.String()); diff != "" {
		t.Errorf("JSON round trip mismatch (-first +second):\n%s", diff)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := audit.WriteMarkdown(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
}

func TestWriteHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := audit.WriteHTML(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
	page := buf.String()
	// Self-contained: nothing to fetch, no script, markup escaped.
	for _, bad := range []string{"<script", "<link", " src=", "http://", "https://", "ZgotmplZ", "<b>"} {
		if bad == "http://" || bad == "https://" {
			// Only the SVG namespace and the failure message may name URLs.
			page2 := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
			page2 = strings.ReplaceAll(page2, "http://git.example/acme/broken.git", "")
			if strings.Contains(page2, bad) {
				t.Errorf("HTML report references %q", bad)
			}
			continue
		}
		if strings.Contains(page, bad) {
			t.Errorf("HTML report contains %q", bad)
		}
	}
}

// TestWriteHTML_Chromium loads the HTML report of the sample audit in
// headless Chromium: it must render without console messages (script errors, CSP
// violations) and show its four charts. The screenshot is kept in the
// test's artifact directory: go test -run TestWriteHTML_Chromium -artifacts
// -outputdir DIR ./scanner/audit keeps it under DIR.
func TestWriteHTML_Chromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (.ci/run installs Debian's chromium): the HTML report is not checked in a browser")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "audit.html")
	var buf bytes.Buffer
	if err := audit.WriteHTML(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "audit-report.png")
	run := func(args ...string) (stdout, stderr string) {
		t.Helper()
		base := []string{
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + filepath.Join(dir, "profile"),
			"--enable-logging=stderr", "--v=0",
		}
		cmd := exec.CommandContext(t.Context(), chromium, append(append(base, args...), "file://"+page)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
		return out.String(), errb.String()
	}
	dom, logs := run("--dump-dom")
	console := regexp.MustCompile(`(?m)^.*:CONSOLE(:|\().*$`)
	if msgs := console.FindAllString(logs, -1); len(msgs) > 0 {
		t.Errorf("console messages while loading the report:\n%s", strings.Join(msgs, "\n"))
	}
	for _, id := range []string{"chart-readiness", "chart-lifetime-provider", "chart-sprawl", "chart-top-risks"} {
		m := regexp.MustCompile(`(?s)<svg id="` + id + `".*?</svg>`).FindString(dom)
		if m == "" {
			t.Errorf("chart %s not in the DOM", id)
			continue
		}
		if n := strings.Count(m, "<rect"); n == 0 {
			t.Errorf("chart %s has no bars", id)
		}
	}
	if !strings.Contains(dom, "acme/api|&lt;b&gt;") {
		t.Errorf("repository names are not escaped in the DOM")
	}
	_, logs = run("--screenshot="+shot, "--window-size=1200,2000", "--hide-scrollbars")
	if msgs := console.FindAllString(logs, -1); len(msgs) > 0 {
		t.Errorf("console messages while taking the screenshot:\n%s", strings.Join(msgs, "\n"))
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot at %s: %v", shot, err)
	} else {
		t.Logf("screenshot: %s", shot)
	}
}
