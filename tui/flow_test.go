package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
)

const flowWait = 10 * time.Second

// flow is a program under test and everything it has written so far.
type flow struct {
	*teatest.TestModel
	seen bytes.Buffer
}

func startFlow(t *testing.T, m *model, w, h int) *flow {
	t.Helper()
	f := &flow{TestModel: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))}
	t.Cleanup(func() { _ = f.Quit() })
	return f
}

// waitFor waits until the program's output holds every one of texts (in
// output written since the last wait).
func waitFor(t *testing.T, f *flow, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, io.TeeReader(f.Output(), &f.seen), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(flowWait), teatest.WithCheckInterval(5*time.Millisecond))
}

// gatedScan reports progress, then waits for release before returning r.
func gatedScan(r *scanner.Report, release <-chan struct{}) ScanFunc {
	return func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
		progress(scanner.Progress{Phase: scanner.PhaseHistory, Commits: 2, CommitsTotal: 4, Blobs: 7, Bytes: 2048, Elapsed: time.Second})
		select {
		case <-release:
			return r, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ignoreInto adapts remediate.AppendIgnore, as cmd does.
type ignoreInto string

func (d ignoreInto) Ignore(ctx context.Context, c scanner.Credential) (string, error) {
	if _, err := remediate.AppendIgnore(ctx, string(d), remediate.IgnoreEntry{Fingerprint: c.Fingerprint, Comment: c.Type}); err != nil {
		return "", err
	}
	return "ignored " + c.Fingerprint + " in " + scanner.IgnoreFile, nil
}

// TestFlow_scanFilterDetailIgnore drives the program as a user: the
// progress view, the list, a filter, the detail pane, and ignoring the
// credential, written to .sessionizeignore for real.
func TestFlow_scanFilterDetailIgnore(t *testing.T) {
	s := newSecrets()
	dir := t.TempDir()
	release := make(chan struct{})
	cfg := Config{Scan: gatedScan(fixtureReport(s), release), Target: "demo", Root: dir, Ignorer: ignoreInto(dir)}
	m := newModel(cfg, newStyles(lipgloss.DefaultRenderer()), newRunner(t.Context()))
	tm := startFlow(t, m, 80, 24)

	waitFor(t, tm, "Scanning history", "2/4")
	close(release)
	waitFor(t, tm, "6 credentials", "aws-access-key", "stripe-secret-key")

	tm.Type("/bill")
	waitFor(t, tm, "1/6")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "Occurrences (1)", "app/billing.py:3:19")

	tm.Type("i")
	waitFor(t, tm, "Ignore stripe-secret-key "+fpStripe)
	tm.Type("y")
	waitFor(t, tm, "ignored "+fpStripe, "0/5")

	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait)).(*model)
	if fm.state != stateList || fm.filter.Value() != "bill" || len(fm.visible) != 0 {
		t.Errorf("final: state %d, filter %q, %d visible; want the list, filter \"bill\", none", fm.state, fm.filter.Value(), len(fm.visible))
	}
	for _, c := range fm.report.Credentials {
		if c.Fingerprint == fpStripe {
			t.Error("the ignored credential is still in the report")
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, scanner.IgnoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), fpStripe+"  # stripe-secret-key\n") {
		t.Errorf("%s = %q, want an entry for %s", scanner.IgnoreFile, data, fpStripe)
	}
	assertStreamClean(t, tm, s)
}

// TestFlow_failingAction: an action that fails shows its error in the
// status line and the program carries on.
func TestFlow_failingAction(t *testing.T) {
	s := newSecrets()
	fx := &fakeFixer{diff: fixtureDiff(s), applyErr: errors.New("write .github/workflows/deploy.yml: permission denied")}
	cfg := Config{Scan: reportScan(fixtureReport(s)), Target: "demo", Fixer: fx, Ignorer: &fakeIgnorer{err: errors.New("read .sessionizeignore: is a directory")}}
	m := newModel(cfg, newStyles(lipgloss.DefaultRenderer()), newRunner(t.Context()))
	tm := startFlow(t, m, 80, 24)

	waitFor(t, tm, "6 credentials")
	tm.Type("jj")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "Fix preview (gha-aws-oidc)", "id-token: write")
	tm.Type("f")
	waitFor(t, tm, "Apply fix gha-aws-oidc")
	tm.Type("y")
	waitFor(t, tm, "apply fix failed: write .github/workflows/deploy.yml: permission denied")

	// Still running: leave the pane, try another failing action, then a
	// screen change.
	tm.Send(tea.KeyMsg{Type: tea.KeyEscape})
	tm.Type("iy")
	waitFor(t, tm, "ignore failed: read .sessionizeignore: is a directory")
	tm.Type("?")
	waitFor(t, tm, "close help")
	tm.Type("?")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait)).(*model)
	if fm.state != stateList || !fm.statusErr || len(fm.report.Credentials) != 6 {
		t.Errorf("final: state %d, status %q (error %v), %d credentials", fm.state, fm.status, fm.statusErr, len(fm.report.Credentials))
	}
	if diff := cmp.Diff([]string{fpCI}, fx.applied); diff != "" {
		t.Errorf("fixes applied mismatch (-want +got):\n%s", diff)
	}
	assertStreamClean(t, tm, s)
}

// TestFlow_resize: the program follows the terminal's size.
func TestFlow_resize(t *testing.T) {
	s := newSecrets()
	m := newModel(Config{Scan: reportScan(fixtureReport(s)), Target: "demo"}, newStyles(lipgloss.DefaultRenderer()), newRunner(t.Context()))
	tm := startFlow(t, m, 80, 24)
	waitFor(t, tm, "6 credentials")
	tm.Send(tea.WindowSizeMsg{Width: 30, Height: 8})
	waitFor(t, tm, "Terminal too small (30x8)")
	tm.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
	waitFor(t, tm, "FINGERPRINT", ".github/workflows/release.yml:20")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait)).(*model)
	if fm.width != 160 || fm.height != 48 {
		t.Errorf("final size %dx%d, want 160x48", fm.width, fm.height)
	}
}

// assertStreamClean checks that nothing the program wrote holds a raw
// secret: no value was revealed in these flows.
func assertStreamClean(t *testing.T, tm *flow, s secrets) {
	t.Helper()
	rest, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(flowWait)))
	if err != nil {
		t.Fatal(err)
	}
	out := append(tm.seen.Bytes(), rest...)
	for _, raw := range s.all() {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("program output holds a raw secret of %d characters", len(raw))
		}
	}
}
