package tui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// TestMain forces the ASCII colour profile so that views and goldens carry
// no escape codes.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	// Returning hands m.Run's exit code to the test binary (Go 1.15+).
	m.Run()
}

// Compile-time checks that the fakes satisfy the seams.
var (
	_ Ignorer  = (*fakeIgnorer)(nil)
	_ Fixer    = (*fakeFixer)(nil)
	_ PROpener = (*fakePROpener)(nil)
)

// filler returns n characters of alphabet chosen by a fixed-seed generator:
// token-shaped test values are built at test time, never committed.
func filler(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x5e55))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	upperB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// secrets are the raw values of the fixture report.
type secrets struct {
	awsKey, awsSecret, stripe, pat string
}

func newSecrets() secrets {
	return secrets{
		awsKey:    "AKIA" + filler(1, upperB32, 16),
		awsSecret: filler(2, alnum+"/+", 40),
		stripe:    "sk_live_" + filler(3, alnum, 24),
		pat:       "ghp_" + filler(4, alnum, 36),
	}
}

func (s secrets) all() []string { return []string{s.awsKey, s.awsSecret, s.stripe, s.pat} }

var (
	day1 = time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	day2 = time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
)

// fixtureReport is a scored report: an AWS key pair in a config file and
// a script, a Stripe key, a workflow wiring stored AWS keys (with a fixer),
// a PAT left in history and an OIDC role assumption.
func fixtureReport(s secrets) *scanner.Report {
	commit1, commit2 := strings.Repeat("a1", 20), strings.Repeat("b2", 20)
	occ := func(path string, line, col int, where scanner.Where, commit string, date time.Time, inHead bool) scanner.Occurrence {
		o := scanner.Occurrence{Path: path, Line: line, Column: col, EndLine: line, Where: where, InHead: inHead}
		if commit != "" {
			o.Commit, o.Author, o.Date = commit, "Alice <alice@example.com>", date
		}
		return o
	}
	ciOcc := occ(".github/workflows/deploy.yml", 14, 30, scanner.WhereCIReference, commit2, day2, true)
	ciOcc.Finding.CI = &detectors.CIRef{System: "github-actions", Store: "secrets", Name: "AWS_SECRET_ACCESS_KEY", Job: "deploy", Key: "aws-secret-access-key", Action: "aws-actions/configure-aws-credentials"}
	creds := []scanner.Credential{
		{
			Fingerprint: "3f0c1a2b4d5e6f70", Rule: "aws-access-token", Type: "aws-access-key", Provider: "aws",
			Lifetime: rules.Standing, Privilege: "critical", Secret: detectors.NewSecret(s.awsKey),
			Score: 95, Severity: scanner.SeverityCritical, Expected: "AWS role assumed through GitHub OIDC, 1 h",
			Components: []scanner.ScoreComponent{
				{Name: "lifetime", Points: 60, Reason: "standing key where a 1 h session is expected"},
				{Name: "exposure", Points: 25, Reason: "literal in the working tree"},
				{Name: "sprawl", Points: 10, Reason: "3 places"},
			},
			Occurrences: []scanner.Occurrence{
				occ("config/aws.ini", 2, 21, scanner.WhereWorktree, commit1, day1, true),
				occ("scripts/deploy.sh", 7, 12, scanner.WhereWorktree, commit2, day2, true),
				occ("old/creds.txt", 1, 1, scanner.WhereHistory, commit1, day1, false),
			},
		},
		{
			Fingerprint: "9a8b7c6d5e4f3a2b", Rule: "generic-api-key", Type: "aws-secret-key", Provider: "aws",
			Lifetime: rules.Standing, Privilege: "critical", Secret: detectors.NewSecret(s.awsSecret),
			Score: 85, Severity: scanner.SeverityCritical, Expected: "AWS role assumed through GitHub OIDC, 1 h",
			Reasons:     []string{"standing secret key in source"},
			Occurrences: []scanner.Occurrence{occ("config/aws.ini", 3, 25, scanner.WhereWorktree, commit1, day1, true)},
		},
		{
			Fingerprint: "5b5c5d5e5f505152", Rule: "gha-aws-keys", Type: "aws-access-key", Provider: "aws",
			Lifetime: rules.Standing, Reference: "secrets.AWS_SECRET_ACCESS_KEY",
			Secret: detectors.NewSecret("secrets.AWS_SECRET_ACCESS_KEY"),
			Score:  70, Severity: scanner.SeverityHigh, Expected: "AWS OIDC role, 1 h", Fixer: "gha-aws-oidc",
			Reasons:     []string{"stored standing AWS key wired into a workflow"},
			Occurrences: []scanner.Occurrence{ciOcc},
		},
		{
			Fingerprint: "c0ffee0000000001", Rule: "stripe-access-token", Type: "stripe-secret-key", Provider: "stripe",
			Lifetime: rules.Standing, Privilege: "high", Secret: detectors.NewSecret(s.stripe),
			Score: 65, Severity: scanner.SeverityHigh, Expected: "restricted key from a secret manager",
			Reasons:     []string{"standing key in source"},
			Occurrences: []scanner.Occurrence{occ("app/billing.py", 3, 19, scanner.WhereWorktree, commit2, day2, true)},
		},
		{
			Fingerprint: "0dd0dd0dd0dd0dd0", Rule: "github-pat", Type: "github-classic-pat", Provider: "github",
			Lifetime: rules.Standing, Secret: detectors.NewSecret(s.pat),
			Score: 45, Severity: scanner.SeverityMedium, Expected: "GitHub App installation token",
			Reasons:     []string{"only in history, still valid until revoked"},
			Occurrences: []scanner.Occurrence{occ("notes/todo.md", 12, 8, scanner.WhereHistory, commit1, day1, false)},
		},
		{
			Fingerprint: "e1e1e1e1e1e1e1e1", Rule: "gha-aws-oidc", Type: "aws-oidc-role", Provider: "aws",
			Lifetime: rules.Session, Session: true, Reference: "oidc:github-actions:aws:release",
			Secret: detectors.NewSecret("oidc:github-actions:aws:release"),
			Score:  5, Severity: scanner.SeverityInfo, Expected: "AWS OIDC role, 1 h",
			Reasons:     []string{"session-scoped already"},
			Occurrences: []scanner.Occurrence{occ(".github/workflows/release.yml", 20, 11, scanner.WhereCIReference, commit2, day2, true)},
		},
	}
	r := &scanner.Report{
		Version:     scanner.ReportVersion,
		Target:      scanner.Target{Path: "demo", CommitsScanned: 2, BlobsScanned: 9, BytesScanned: 4096},
		Credentials: creds,
	}
	r.Finalize()
	return r
}

// fixtureDiff is what the fake fixer previews; it holds a raw value on
// purpose, to prove the UI redacts it.
func fixtureDiff(s secrets) string {
	return `--- a/.github/workflows/deploy.yml
+++ b/.github/workflows/deploy.yml
@@ -10,6 +10,8 @@ jobs:
   deploy:
+    permissions:
+      id-token: write
     steps:
       - uses: aws-actions/configure-aws-credentials@v4
         with:
-          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
-          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
+          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
# leaked here: ` + s.awsKey + `
`
}

// fakeIgnorer records what it is asked to ignore.
type fakeIgnorer struct {
	mu  sync.Mutex
	fps []string
	err error
	fn  func(context.Context, scanner.Credential) (string, error)
}

func (f *fakeIgnorer) Ignore(ctx context.Context, c scanner.Credential) (string, error) {
	f.mu.Lock()
	f.fps = append(f.fps, c.Fingerprint)
	f.mu.Unlock()
	if f.fn != nil {
		return f.fn(ctx, c)
	}
	if f.err != nil {
		return "", f.err
	}
	return "ignored " + c.Fingerprint, nil
}

func (f *fakeIgnorer) ignored() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fps...)
}

// fakeFixer previews diff and fails or succeeds at applying it.
type fakeFixer struct {
	diff     string
	applyErr error
	mu       sync.Mutex
	applied  []string
}

func (f *fakeFixer) Preview(_ context.Context, c scanner.Credential) (string, error) {
	return f.diff, nil
}

func (f *fakeFixer) Apply(_ context.Context, c scanner.Credential) (string, error) {
	f.mu.Lock()
	f.applied = append(f.applied, c.Fingerprint)
	f.mu.Unlock()
	if f.applyErr != nil {
		return "", f.applyErr
	}
	return "rewrote .github/workflows/deploy.yml", nil
}

type fakePROpener struct{ url string }

func (f *fakePROpener) OpenPR(context.Context, scanner.Credential) (string, error) {
	if f.url == "" {
		return "", errors.New("open pull request: 403 resource not accessible")
	}
	return f.url, nil
}

// reportScan returns a scan that sends a few progress events and then the
// report.
func reportScan(r *scanner.Report) ScanFunc {
	return func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
		progress(scanner.Progress{Phase: scanner.PhaseHistory, Commits: 1, CommitsTotal: 2, Elapsed: time.Second})
		progress(scanner.Progress{Phase: scanner.PhaseWorktree, Files: 3, FilesTotal: 3, Elapsed: 2 * time.Second})
		return r, ctx.Err()
	}
}

// newTestModel builds a model with the fixture report already scanned, at
// the given size.
func newTestModel(t *testing.T, cfg Config, w, h int) *model {
	t.Helper()
	if cfg.Scan == nil {
		cfg.Scan = reportScan(fixtureReport(newSecrets()))
	}
	if cfg.Target == "" {
		cfg.Target = "demo"
	}
	m := newModel(cfg, newStyles(lipgloss.DefaultRenderer()), newRunner(t.Context()))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// scanned feeds the model the end of the scan.
func scanned(m *model, r *scanner.Report) *model {
	m.Update(scanDoneMsg{report: r})
	return m
}

// keyMsg builds the key message a terminal sends for a key name.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace, "ctrl+w": tea.KeyCtrlW,
		"ctrl+u": tea.KeyCtrlU, "left": tea.KeyLeft, "right": tea.KeyRight, " ": tea.KeySpace,
	}
	if t, ok := named[k]; ok {
		if t == tea.KeySpace {
			return tea.KeyMsg{Type: t, Runes: []rune{' '}}
		}
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys one after another and returns the last command.
func press(m *model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

// typeText sends each rune of s as a key.
func typeText(m *model, s string) {
	for _, r := range s {
		m.Update(keyMsg(string(r)))
	}
}

// visibleTypes lists the types and fingerprints shown, in order.
func visibleFingerprints(m *model) []string {
	var out []string
	for _, i := range m.visible {
		out = append(out, m.report.Credentials[i].Fingerprint)
	}
	return out
}

// runCmd runs a command and returns its message, running batches' commands
// too (their messages are returned in order, nil ones dropped).
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

func describe(msgs []tea.Msg) string {
	var parts []string
	for _, m := range msgs {
		parts = append(parts, fmt.Sprintf("%T", m))
	}
	return strings.Join(parts, ",")
}
