package tui

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner"
)

// Fingerprints of the fixture credentials (main_test.go). fpAWSID and
// fpAWSSigning are the two halves of one AWS key pair: the access key ID and
// the secret (signing) key; their names avoid the words the generic-api-key
// rule keys on, so that our own scan does not take the fingerprints for
// secrets (STYLE §9).
const (
	fpAWSID      = "3f0c1a2b4d5e6f70"
	fpAWSSigning = "9a8b7c6d5e4f3a2b"
	fpCI         = "5b5c5d5e5f505152"
	fpStripe     = "c0ffee0000000001"
	fpPAT        = "0dd0dd0dd0dd0dd0"
	fpOIDC       = "e1e1e1e1e1e1e1e1"
)

var byScore = []string{fpAWSID, fpAWSSigning, fpCI, fpStripe, fpPAT, fpOIDC}

func TestUpdate_list(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		keys        []string
		wantVisible []string
		wantCursor  int
		wantState   state
		wantFilter  string
		filtering   bool
	}{
		{name: "sorted by score", wantVisible: byScore, wantState: stateList},
		{name: "down and up", keys: []string{"j", "j", "down", "k"}, wantVisible: byScore, wantCursor: 2, wantState: stateList},
		{name: "cursor stops at the ends", keys: []string{"k", "G", "j"}, wantVisible: byScore, wantCursor: 5, wantState: stateList},
		{name: "home", keys: []string{"G", "g"}, wantVisible: byScore, wantState: stateList},
		{
			name: "filter by path", keys: []string{"/", "b", "i", "l", "l"},
			wantVisible: []string{fpStripe}, wantState: stateList, wantFilter: "bill", filtering: true,
		},
		{
			name: "filter by provider and path, accepted", keys: []string{"/", "g", "i", "t", "h", "u", "b", "enter"},
			wantVisible: []string{fpCI, fpPAT, fpOIDC}, wantState: stateList, wantFilter: "github",
		},
		{
			name: "filter words all match", keys: []string{"/", "a", "w", "s", " ", "w", "o", "r", "k", "f", "l", "o", "w", "s"},
			wantVisible: []string{fpCI, fpOIDC}, wantState: stateList, wantFilter: "aws workflows", filtering: true,
		},
		{
			name: "filter by type is case-insensitive", keys: []string{"/", "S", "E", "C", "R", "E", "T", "-", "K", "E", "Y", "enter"},
			wantVisible: []string{fpAWSSigning, fpStripe}, wantState: stateList, wantFilter: "SECRET-KEY",
		},
		{
			name: "filter editing", keys: []string{"/", "x", "y", "z", "backspace", "ctrl+w", "s", "t", "r", "i", "p", "e"},
			wantVisible: []string{fpStripe}, wantState: stateList, wantFilter: "stripe", filtering: true,
		},
		{
			name: "q types into the filter", keys: []string{"/", "q"},
			wantVisible: []string{}, wantState: stateList, wantFilter: "q", filtering: true,
		},
		{
			name: "esc clears the filter", keys: []string{"/", "s", "t", "r", "esc"},
			wantVisible: byScore, wantCursor: 3, wantState: stateList,
		},
		{
			name: "esc in the list clears an accepted filter", keys: []string{"/", "g", "i", "t", "enter", "esc"},
			wantVisible: byScore, wantCursor: 2, wantState: stateList,
		},
		{
			name: "the cursor follows its credential", keys: []string{"j", "j", "j", "/", "s", "t", "enter"},
			wantVisible: []string{fpStripe}, wantState: stateList, wantFilter: "st",
		},
		{
			name: "hide critical and info", keys: []string{"1", "5"},
			wantVisible: []string{fpCI, fpStripe, fpPAT}, wantState: stateList,
		},
		{
			name: "toggle twice shows again", keys: []string{"2", "2"},
			wantVisible: byScore, wantState: stateList,
		},
		{
			name: "sort by sprawl", keys: []string{"s"},
			wantVisible: byScore, wantState: stateList,
		},
		{
			name: "sort by path", keys: []string{"s", "s"},
			wantVisible: []string{fpCI, fpOIDC, fpStripe, fpAWSID, fpAWSSigning, fpPAT}, wantCursor: 3, wantState: stateList,
		},
		{
			name: "sort by type", keys: []string{"s", "s", "s"},
			wantVisible: []string{fpAWSID, fpCI, fpOIDC, fpAWSSigning, fpPAT, fpStripe}, wantState: stateList,
		},
		{
			name: "sort cycles back to score", keys: []string{"s", "s", "s", "s"},
			wantVisible: byScore, wantState: stateList,
		},
		{name: "enter opens the detail", keys: []string{"j", "enter"}, wantVisible: byScore, wantCursor: 1, wantState: stateDetail},
		{name: "esc leaves the detail", keys: []string{"j", "enter", "esc"}, wantVisible: byScore, wantCursor: 1, wantState: stateList},
		{name: "help does not change the list", keys: []string{"?", "j", "?"}, wantVisible: byScore, wantState: stateList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
			press(m, tt.keys...)
			got := visibleFingerprints(m)
			if got == nil {
				got = []string{}
			}
			if diff := cmp.Diff(tt.wantVisible, got); diff != "" {
				t.Errorf("keys %q: visible mismatch (-want +got):\n%s", tt.keys, diff)
			}
			if m.cursor != tt.wantCursor {
				t.Errorf("keys %q: cursor = %d, want %d", tt.keys, m.cursor, tt.wantCursor)
			}
			if m.state != tt.wantState {
				t.Errorf("keys %q: state = %d, want %d", tt.keys, m.state, tt.wantState)
			}
			if got := m.filter.Value(); got != tt.wantFilter {
				t.Errorf("keys %q: filter = %q, want %q", tt.keys, got, tt.wantFilter)
			}
			if m.filtering != tt.filtering {
				t.Errorf("keys %q: filtering = %v, want %v", tt.keys, m.filtering, tt.filtering)
			}
		})
	}
}

func TestUpdate_scan(t *testing.T) {
	t.Parallel()
	t.Run("progress re-arms the listener", func(t *testing.T) {
		t.Parallel()
		m := newTestModel(t, Config{}, 80, 24)
		p := scanner.Progress{Phase: scanner.PhaseHistory, Commits: 3, CommitsTotal: 9}
		_, cmd := m.Update(scanProgressMsg{p: p})
		if m.progress != p || m.state != stateScanning {
			t.Errorf("after progress: progress = %+v, state %d; want %+v, scanning", m.progress, m.state, p)
		}
		if cmd == nil {
			t.Error("progress returned no command: the listener is not re-armed")
		}
	})
	t.Run("init runs the scan and forwards progress", func(t *testing.T) {
		t.Parallel()
		r := fixtureReport(newSecrets())
		release := make(chan struct{})
		scan := func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
			progress(scanner.Progress{Phase: scanner.PhaseHistory, Commits: 1})
			<-release
			return r, nil
		}
		m := newTestModel(t, Config{Scan: scan}, 80, 24)
		b, ok := m.Init()().(tea.BatchMsg)
		if !ok || len(b) != 2 {
			t.Fatalf("Init() = %T, want a batch of the scan and its listener", b)
		}
		done := make(chan tea.Msg)
		go func() { done <- b[0]() }()
		if msg, ok := b[1]().(scanProgressMsg); !ok || msg.p.Commits != 1 {
			t.Fatalf("listener message = %#v, want the progress event", msg)
		}
		close(release)
		msg := <-done
		if got, ok := msg.(scanDoneMsg); !ok || got.report != r {
			t.Fatalf("scan message = %T, want scanDoneMsg with the report", msg)
		}
		// The channel is closed: the listener stops.
		if msg := m.waitProgress()(); msg != nil {
			t.Errorf("listener after the scan = %T, want nil", msg)
		}
	})
	t.Run("failure", func(t *testing.T) {
		t.Parallel()
		m := newTestModel(t, Config{}, 80, 24)
		m.Update(scanDoneMsg{err: errors.New(`open repository "x": not a git repository`)})
		if m.state != stateScanFailed {
			t.Fatalf("state = %d, want stateScanFailed", m.state)
		}
		if cmd := press(m, "enter"); cmd != nil || m.state != stateScanFailed {
			t.Errorf("enter after a failure changed state to %d", m.state)
		}
		if msgs := runCmd(press(m, "q")); describe(msgs) != "tea.QuitMsg" {
			t.Errorf("q after a failure = %s, want tea.QuitMsg", describe(msgs))
		}
	})
	t.Run("nil report is empty", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), nil)
		if m.state != stateList || len(m.visible) != 0 {
			t.Errorf("state %d, %d visible; want an empty list", m.state, len(m.visible))
		}
		press(m, "enter", "i", "j")
		if m.state != stateList {
			t.Errorf("keys on an empty list changed state to %d", m.state)
		}
	})
}

func TestUpdate_quit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys []string
	}{
		{"q while scanning", []string{"q"}},
		{"ctrl+c while scanning", []string{"ctrl+c"}},
		{"q in the list", []string{"", "q"}},
		{"q in the detail", []string{"", "enter", "q"}},
		{"q in help", []string{"", "?", "q"}},
		{"ctrl+c while filtering", []string{"", "/", "ctrl+c"}},
		{"ctrl+c at a confirmation", []string{"", "i", "ctrl+c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newTestModel(t, Config{Ignorer: &fakeIgnorer{}}, 80, 24)
			keys := tt.keys
			if keys[0] == "" {
				scanned(m, fixtureReport(newSecrets()))
				keys = keys[1:]
			}
			if msgs := runCmd(press(m, keys...)); describe(msgs) != "tea.QuitMsg" {
				t.Errorf("keys %q returned %s, want tea.QuitMsg", keys, describe(msgs))
			}
		})
	}
}

func TestUpdate_detail(t *testing.T) {
	t.Parallel()
	t.Run("reveal, hidden again on leaving", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
		press(m, "enter", "r")
		if !m.revealed {
			t.Fatal("r in the detail did not reveal")
		}
		press(m, "r")
		if m.revealed {
			t.Fatal("second r did not hide")
		}
		press(m, "r", "esc")
		if m.revealed {
			t.Error("leaving the detail kept the value revealed")
		}
		press(m, "enter")
		if m.revealed {
			t.Error("re-entering the detail revealed the value")
		}
	})
	t.Run("reveal in the list does nothing", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
		press(m, "r")
		if m.revealed || m.state != stateList {
			t.Errorf("r in the list: revealed %v, state %d", m.revealed, m.state)
		}
	})
	t.Run("a CI reference has nothing to reveal", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
		press(m, "j", "j", "enter", "r")
		if m.revealed || !strings.Contains(m.status, "stored secret") {
			t.Errorf("r on a CI reference: revealed %v, status %q", m.revealed, m.status)
		}
	})
	t.Run("occurrence cursor", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
		press(m, "enter", "j", "j", "j", "j")
		if m.occCursor != 2 {
			t.Errorf("occurrence cursor = %d, want 2 (the last)", m.occCursor)
		}
		press(m, "k")
		if m.occCursor != 1 {
			t.Errorf("occurrence cursor after k = %d, want 1", m.occCursor)
		}
	})
	t.Run("scrolls to keep the occurrence visible", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 12), fixtureReport(newSecrets()))
		press(m, "enter", "j", "j")
		_, occ := m.detailLines(m.current())
		if at := occ[m.occCursor]; at < m.detailTop || at >= m.detailTop+m.detailRows() {
			t.Errorf("occurrence line %d outside the rows shown [%d, %d)", at, m.detailTop, m.detailTop+m.detailRows())
		}
		press(m, "g")
		if m.detailTop != 0 {
			t.Errorf("g: top = %d, want 0", m.detailTop)
		}
		press(m, "pgdown")
		if m.detailTop == 0 {
			t.Error("pgdown did not scroll")
		}
		press(m, "pgup")
		if m.detailTop != 0 {
			t.Errorf("pgup: top = %d, want 0", m.detailTop)
		}
	})
	t.Run("preview requested once when a fixer applies", func(t *testing.T) {
		t.Parallel()
		s := newSecrets()
		fx := &fakeFixer{diff: fixtureDiff(s)}
		m := scanned(newTestModel(t, Config{Fixer: fx}, 80, 24), fixtureReport(s))
		if cmd := press(m, "enter"); cmd != nil {
			t.Errorf("detail of a credential without fixer asked for a preview")
		}
		press(m, "esc", "j", "j")
		msgs := runCmd(press(m, "enter"))
		if describe(msgs) != "tui.previewMsg" {
			t.Fatalf("opening the CI credential returned %s, want a previewMsg", describe(msgs))
		}
		if !m.previews[fpCI].loading {
			t.Error("preview not marked loading")
		}
		m.Update(msgs[0])
		p := m.previews[fpCI]
		if p.loading || !strings.Contains(p.diff, "role-to-assume") {
			t.Errorf("preview after previewMsg = %+v", p)
		}
		if strings.Contains(p.diff, s.awsKey) {
			t.Error("preview kept a raw secret")
		}
		if cmd := press(m, "esc", "enter"); cmd != nil {
			t.Error("preview requested again")
		}
	})
	t.Run("preview failure", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{Fixer: &fakeFixer{}}, 80, 24), fixtureReport(newSecrets()))
		press(m, "j", "j", "enter")
		m.Update(previewMsg{fp: fpCI, err: errors.New("parse deploy.yml:\nbad")})
		if p := m.previews[fpCI]; p.err != "parse deploy.yml: bad" {
			t.Errorf("preview error = %q", p.err)
		}
	})
}

func TestUpdate_actions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        func() Config
		keys       []string
		wantStatus string
		wantErr    bool
		wantPrompt string
		wantCmd    bool
	}{
		{
			name: "ignore unavailable", cfg: func() Config { return Config{} },
			keys: []string{"i"}, wantStatus: "ignoring is not available here", wantErr: true,
		},
		{
			name: "ignore asks first", cfg: func() Config { return Config{Ignorer: &fakeIgnorer{}} },
			keys: []string{"i"}, wantPrompt: "Ignore aws-access-key " + fpAWSID + " from now on (adds it to .sessionizeignore)?",
		},
		{
			name: "any other key cancels", cfg: func() Config { return Config{Ignorer: &fakeIgnorer{}} },
			keys: []string{"i", "x"}, wantStatus: "ignore: cancelled",
		},
		{
			name: "y runs the action", cfg: func() Config { return Config{Ignorer: &fakeIgnorer{}} },
			keys: []string{"i", "y"}, wantStatus: "ignore: working...", wantCmd: true,
		},
		{
			name: "fix without a fixer for the credential", cfg: func() Config { return Config{Fixer: &fakeFixer{}} },
			keys: []string{"f"}, wantStatus: "no fixer applies to aws-access-key " + fpAWSID, wantErr: true,
		},
		{
			name: "fix unavailable", cfg: func() Config { return Config{} },
			keys: []string{"j", "j", "f"}, wantStatus: "applying fixes is not available here", wantErr: true,
		},
		{
			name: "fix asks first", cfg: func() Config { return Config{Fixer: &fakeFixer{}} },
			keys: []string{"j", "j", "enter", "f"}, wantPrompt: "Apply fix gha-aws-oidc to aws-access-key " + fpCI + "? Files are rewritten.",
		},
		{
			name: "PR unavailable", cfg: func() Config { return Config{Fixer: &fakeFixer{}} },
			keys: []string{"j", "j", "p"}, wantStatus: "opening pull requests is not available here", wantErr: true,
		},
		{
			name: "PR asks first", cfg: func() Config { return Config{PROpener: &fakePROpener{}} },
			keys: []string{"j", "j", "p"}, wantPrompt: "Open a pull request with fix gha-aws-oidc for aws-access-key " + fpCI + "?",
		},
		{
			name: "edit without editor", cfg: func() Config { return Config{} },
			keys: []string{"e"}, wantStatus: "no editor: set $VISUAL or $EDITOR", wantErr: true,
		},
		{
			name: "edit asks first", cfg: func() Config { return Config{Editor: "vim"} },
			keys: []string{"e"}, wantPrompt: "Open config/aws.ini:2 in vim?",
		},
		{
			name: "edit the selected occurrence", cfg: func() Config { return Config{Editor: "vim"} },
			keys: []string{"enter", "j", "j", "e"}, wantPrompt: "Open scripts/deploy.sh:7 in vim?",
		},
		{
			name: "edit an occurrence only in history", cfg: func() Config { return Config{Editor: "vim"} },
			keys: []string{"enter", "j", "e"}, wantStatus: "old/creds.txt no longer holds it (only in history): nothing to open", wantErr: true,
		},
		{
			name: "edit from the list opens the first place in the working tree", cfg: func() Config { return Config{Editor: "vim"} },
			keys: []string{"G", "k", "e"}, wantStatus: "notes/todo.md no longer holds it (only in history): nothing to open", wantErr: true,
		},
		{
			name: "edit confirmed suspends the UI", cfg: func() Config { return Config{Editor: "vim"} },
			keys: []string{"e", "y"}, wantStatus: "editing config/aws.ini...", wantCmd: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := scanned(newTestModel(t, tt.cfg(), 80, 24), fixtureReport(newSecrets()))
			cmd := press(m, tt.keys...)
			if m.status != tt.wantStatus || m.statusErr != tt.wantErr {
				t.Errorf("keys %q: status = %q (error %v), want %q (error %v)", tt.keys, m.status, m.statusErr, tt.wantStatus, tt.wantErr)
			}
			prompt := ""
			if m.confirm != nil {
				prompt = m.confirm.prompt
			}
			if prompt != tt.wantPrompt {
				t.Errorf("keys %q: prompt = %q, want %q", tt.keys, prompt, tt.wantPrompt)
			}
			if (cmd != nil) != tt.wantCmd {
				t.Errorf("keys %q: command returned = %v, want %v", tt.keys, cmd != nil, tt.wantCmd)
			}
		})
	}
}

func TestUpdate_actionResults(t *testing.T) {
	t.Parallel()
	t.Run("ignore removes the credential", func(t *testing.T) {
		t.Parallel()
		ig := &fakeIgnorer{}
		m := scanned(newTestModel(t, Config{Ignorer: ig}, 80, 24), fixtureReport(newSecrets()))
		press(m, "j", "enter")
		msgs := runCmd(press(m, "i", "y"))
		if describe(msgs) != "tui.actionDoneMsg" {
			t.Fatalf("ignore returned %s, want actionDoneMsg", describe(msgs))
		}
		if m.busy == "" {
			t.Error("model not busy while the action runs")
		}
		if cmd := press(m, "i"); cmd != nil || !strings.Contains(m.status, "still running") {
			t.Errorf("second action while busy: status %q", m.status)
		}
		m.Update(msgs[0])
		if diff := cmp.Diff([]string{fpAWSSigning}, ig.ignored()); diff != "" {
			t.Errorf("ignored mismatch (-want +got):\n%s", diff)
		}
		want := []string{fpAWSID, fpCI, fpStripe, fpPAT, fpOIDC}
		if diff := cmp.Diff(want, visibleFingerprints(m)); diff != "" {
			t.Errorf("visible after ignore mismatch (-want +got):\n%s", diff)
		}
		if m.state != stateList || m.status != "ignored "+fpAWSSigning || m.statusErr {
			t.Errorf("after ignore: state %d, status %q (error %v)", m.state, m.status, m.statusErr)
		}
		if s := m.report.Summary; s.Credentials != 5 || s.BySeverity[scanner.SeverityCritical] != 1 || s.Occurrences != 7 {
			t.Errorf("summary after ignore = %+v", s)
		}
	})
	t.Run("failures show and the UI carries on", func(t *testing.T) {
		t.Parallel()
		s := newSecrets()
		fx := &fakeFixer{applyErr: errors.New("write deploy.yml: permission denied; value " + s.awsKey)}
		m := scanned(newTestModel(t, Config{Fixer: fx, PROpener: &fakePROpener{}}, 80, 24), fixtureReport(s))
		press(m, "j", "j", "enter")
		msgs := runCmd(press(m, "f", "y"))
		m.Update(msgs[0])
		if !m.statusErr || !strings.HasPrefix(m.status, "apply fix failed: write deploy.yml: permission denied") {
			t.Errorf("status = %q (error %v), want the failure", m.status, m.statusErr)
		}
		if strings.Contains(m.status, s.awsKey) {
			t.Error("status shows a raw secret from an error")
		}
		if m.state != stateDetail || m.busy != "" {
			t.Errorf("after failure: state %d, busy %q", m.state, m.busy)
		}
		msgs = runCmd(press(m, "p", "y"))
		m.Update(msgs[0])
		if !strings.HasPrefix(m.status, "open pull request failed: open pull request: 403") {
			t.Errorf("status = %q", m.status)
		}
	})
	t.Run("fix and PR results are kept", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{Fixer: &fakeFixer{}, PROpener: &fakePROpener{url: "https://github.com/o/r/pull/7"}}, 80, 24), fixtureReport(newSecrets()))
		press(m, "j", "j", "enter")
		m.Update(runCmd(press(m, "f", "y"))[0])
		if p, ok := m.previews[fpCI]; !ok || !p.loading {
			t.Errorf("preview after the fix = %+v, want it asked for again", p)
		}
		m.Update(runCmd(press(m, "p", "y"))[0])
		if got := m.applied[fpCI]; got != "rewrote .github/workflows/deploy.yml" {
			t.Errorf("applied = %q", got)
		}
		if got := m.prs[fpCI]; got != "https://github.com/o/r/pull/7" {
			t.Errorf("PR = %q", got)
		}
		if m.status != "pull request: https://github.com/o/r/pull/7" {
			t.Errorf("status = %q", m.status)
		}
	})
	t.Run("editor outcome", func(t *testing.T) {
		t.Parallel()
		m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
		m.Update(editorDoneMsg{path: "a.txt", err: errors.New("exit status 1")})
		if !m.statusErr || m.status != "editor: exit status 1" {
			t.Errorf("status = %q (error %v)", m.status, m.statusErr)
		}
		m.Update(editorDoneMsg{path: "a.txt"})
		if m.statusErr || m.status != "back from editing a.txt" {
			t.Errorf("status = %q (error %v)", m.status, m.statusErr)
		}
	})
}

func TestUpdate_resize(t *testing.T) {
	t.Parallel()
	m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
	press(m, "G")
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 7})
	if m.cursor < m.top || m.cursor >= m.top+m.listRows() {
		t.Errorf("after shrinking: cursor %d outside rows [%d, %d)", m.cursor, m.top, m.top+m.listRows())
	}
	if m.width != 50 || m.height != 7 || m.help.Width != 50 {
		t.Errorf("size = %dx%d, help width %d", m.width, m.height, m.help.Width)
	}
}

func TestEditorCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		editor string
		want   []string
	}{
		{"vim", []string{"vim", "+12", "/r/a b.go"}},
		{"nvim -u NONE", []string{"nvim", "-u", "NONE", "+12", "/r/a b.go"}},
		{"/usr/bin/nano", []string{"/usr/bin/nano", "+12", "/r/a b.go"}},
		{"code --wait", []string{"code", "--wait", "--goto", "/r/a b.go:12"}},
		{"subl", []string{"subl", "/r/a b.go:12"}},
		{"hx", []string{"hx", "/r/a b.go:12"}},
	}
	for _, tt := range tests {
		t.Run(tt.editor, func(t *testing.T) {
			t.Parallel()
			c := editorCommand(tt.editor, "/r/a b.go", 12)
			if diff := cmp.Diff(tt.want, c.Args); diff != "" {
				t.Errorf("editorCommand(%q) args mismatch (-want +got):\n%s", tt.editor, diff)
			}
		})
	}
	if c := editorCommand("  ", "/a", 1); c != nil {
		t.Errorf("editorCommand of a blank editor = %v, want nil", c.Args)
	}
}

func TestEditorExec(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	var out strings.Builder
	e := &editorExec{build: func() *exec.Cmd { return exec.CommandContext(t.Context(), "sh", "-c", `echo "$0:$1"`, "file", "7") }}
	e.SetStdin(strings.NewReader(""))
	e.SetStdout(&out)
	e.SetStderr(&out)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "file:7\n" {
		t.Errorf("editor output = %q", out.String())
	}
	e = &editorExec{build: func() *exec.Cmd { return exec.CommandContext(t.Context(), "sh", "-c", "exit 3") }}
	if err := e.Run(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("failing editor: err = %v", err)
	}
	e = &editorExec{build: func() *exec.Cmd { return nil }}
	if err := e.Run(); !errors.Is(err, errNoEditor) {
		t.Errorf("no command: err = %v", err)
	}
}

func TestOfferProgress(t *testing.T) {
	t.Parallel()
	ch := make(chan scanner.Progress, 1)
	for i := range 5 {
		offerProgress(ch, scanner.Progress{Files: int64(i)})
	}
	select {
	case p := <-ch:
		if p.Files != 4 {
			t.Errorf("kept progress %d, want the latest (4)", p.Files)
		}
	case <-time.After(time.Second):
		t.Fatal("no progress kept")
	}
}

func TestFilterInput(t *testing.T) {
	t.Parallel()
	k := newKeyMap()
	var f filterInput
	for _, msg := range []tea.KeyMsg{keyMsg("a"), keyMsg("b"), keyMsg("c"), keyMsg("left"), keyMsg("left"), keyMsg("x"), {Type: tea.KeyRunes, Runes: []rune("\x1b[31m")}} {
		f.update(k, msg)
	}
	if got := f.Value(); got != "ax[31mbc" {
		t.Errorf("filter = %q, want control characters dropped", got)
	}
	f.update(k, keyMsg("ctrl+u"))
	if got := f.Value(); got != "bc" {
		t.Errorf("after ctrl+u = %q, want %q", got, "bc")
	}
	if f.update(k, keyMsg("enter")) {
		t.Error("enter is not an editing key")
	}
}

func TestRun_noScan(t *testing.T) {
	t.Parallel()
	if err := Run(t.Context(), Config{}); !errors.Is(err, ErrNoScan) {
		t.Errorf("Run without scan: %v, want ErrNoScan", err)
	}
}

func TestUpdate_keysInOneMessage(t *testing.T) {
	t.Parallel()
	m := scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/stripe")})
	if !m.filtering || m.filter.Value() != "stripe" {
		t.Errorf("keys in one message: filtering %v, filter %q; want the filter \"stripe\"", m.filtering, m.filter.Value())
	}
	m = scanned(newTestModel(t, Config{}, 80, 24), fixtureReport(newSecrets()))
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj")})
	if m.cursor != 2 {
		t.Errorf("\"jj\" in one message moved the cursor to %d, want 2", m.cursor)
	}
}
