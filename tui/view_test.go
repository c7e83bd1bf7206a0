package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sessionize/sessionize/scanner"
)

// scenario puts a model in one of the screens.
type scenario struct {
	name  string
	cfg   func(s secrets) Config
	setup func(t *testing.T, m *model, s secrets)
}

func fullConfig(s secrets) Config {
	return Config{
		Ignorer:  &fakeIgnorer{},
		Fixer:    &fakeFixer{diff: fixtureDiff(s), applyErr: errors.New("write deploy.yml: permission denied (" + s.awsKey + ")")},
		PROpener: &fakePROpener{},
		Editor:   "vim",
	}
}

// runAction confirms an action and delivers its outcome.
func runAction(t *testing.T, m *model, keys ...string) {
	t.Helper()
	for _, msg := range runCmd(press(m, keys...)) {
		m.Update(msg)
	}
}

// openDetailAt opens the detail of the credential with fingerprint fp and
// delivers its preview.
func openDetailAt(t *testing.T, m *model, fp string) {
	t.Helper()
	for i := range m.visible {
		if m.report.Credentials[m.visible[i]].Fingerprint == fp {
			m.cursor = i
		}
	}
	for _, msg := range runCmd(press(m, "enter")) {
		m.Update(msg)
	}
}

var scenarios = []scenario{
	{name: "scanning", setup: func(t *testing.T, m *model, s secrets) {
		m.Update(scanProgressMsg{p: scanner.Progress{
			Phase: scanner.PhaseHistory, Commits: 12, CommitsTotal: 48, Blobs: 320,
			Bytes: 3 << 19, Findings: 3, Elapsed: 2500 * time.Millisecond,
		}})
	}},
	{name: "scanning_worktree", setup: func(t *testing.T, m *model, s secrets) {
		m.Update(scanProgressMsg{p: scanner.Progress{
			Phase: scanner.PhaseWorktree, Commits: 48, Files: 30, FilesTotal: 40, Blobs: 400,
			Bytes: 5 << 20, Findings: 6, Elapsed: 4 * time.Second,
		}})
	}},
	{name: "scan_failed", setup: func(t *testing.T, m *model, s secrets) {
		m.Update(scanDoneMsg{err: fmt.Errorf("open repository %q: %w", "/work/demo", errors.New("repository does not exist"))})
	}},
	{name: "list", setup: func(t *testing.T, m *model, s secrets) { scanned(m, fixtureReport(s)) }},
	{name: "list_empty", setup: func(t *testing.T, m *model, s secrets) {
		r := &scanner.Report{}
		r.Finalize()
		scanned(m, r)
	}},
	{name: "list_filtering", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		press(m, "/")
		typeText(m, "aws")
	}},
	{name: "list_filtered", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		press(m, "/")
		typeText(m, "config")
		press(m, "enter", "5", "s", "s")
	}},
	{name: "list_nomatch", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		press(m, "1", "2", "3", "4", "5")
	}},
	{name: "help", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		press(m, "?")
	}},
	{name: "detail", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpAWSID)
		press(m, "j")
	}},
	{name: "detail_preview", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpCI)
	}},
	{name: "detail_history", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpPAT)
	}},
	{name: "confirm_ignore", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		press(m, "j", "j", "j", "i")
	}},
	{name: "fix_failed", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpCI)
		runAction(t, m, "f", "y")
	}},
	{name: "ignored", setup: func(t *testing.T, m *model, s secrets) {
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpStripe)
		runAction(t, m, "i", "y")
	}},
}

// sizes are the goldens' terminal sizes: the minimum the UI is designed
// for, a wide one, and two it degrades to.
var sizes = []struct{ w, h int }{{80, 24}, {160, 48}, {60, 16}, {30, 8}}

func TestView(t *testing.T) {
	for _, sc := range scenarios {
		for _, sz := range sizes {
			if !goldenSize(sc.name, sz.w) {
				continue
			}
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				s := newSecrets()
				cfg := fullConfig(s)
				if sc.cfg != nil {
					cfg = sc.cfg(s)
				}
				m := newTestModel(t, cfg, sz.w, sz.h)
				sc.setup(t, m, s)
				v := m.View()
				checkShape(t, v, sz.w, sz.h)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// checkShape checks that a view fills the terminal exactly.
func checkShape(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
}

// TestView_noColor checks that the ASCII profile yields no escape codes.
func TestView_noColor(t *testing.T) {
	s := newSecrets()
	m := scanned(newTestModel(t, fullConfig(s), 80, 24), fixtureReport(s))
	openDetailAt(t, m, fpCI)
	if v := m.View(); strings.Contains(v, "\x1b") {
		t.Errorf("view with the ASCII profile holds escape codes:\n%q", v)
	}
}

// goldenSize says which scenarios get goldens below 80x24: the list and the
// detail degrade at 60 columns; below 40 every screen is the same notice.
func goldenSize(name string, w int) bool {
	switch {
	case w >= 80:
		return true
	case w >= minWidth:
		return name == "list" || name == "detail" || name == "detail_preview"
	}
	return name == "list"
}
