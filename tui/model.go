package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sessionize/sessionize/scanner"
)

// state is the screen the model shows.
type state int

const (
	// stateScanning shows the scan's progress.
	stateScanning state = iota
	// stateScanFailed shows why the scan failed; only quitting is left.
	stateScanFailed
	// stateList lists the report's credentials.
	stateList
	// stateDetail shows one credential.
	stateDetail
)

// Messages. Each is produced by a command, never by Update itself.
type (
	// scanProgressMsg carries one progress snapshot of the running scan.
	scanProgressMsg struct{ p scanner.Progress }
	// scanDoneMsg ends the scan.
	scanDoneMsg struct {
		report *scanner.Report
		err    error
	}
	// previewMsg carries a fixer's diff for the credential fp.
	previewMsg struct {
		fp   string
		diff string
		err  error
	}
	// actionDoneMsg reports a confirmed action's outcome.
	actionDoneMsg struct {
		act    action
		fp     string
		result string
		err    error
	}
	// editorDoneMsg reports that the editor has exited.
	editorDoneMsg struct {
		path string
		err  error
	}
)

// preview is a fixer's diff for one credential, as far as it is known.
type preview struct {
	loading bool
	diff    string
	err     string
}

// model is the root model. It is used through a pointer: Update changes it
// in place and returns it.
type model struct {
	cfg  Config
	keys keyMap
	st   styles
	run  runner
	help help.Model

	width, height int
	state         state
	showHelp      bool

	// scan
	progressCh chan scanner.Progress
	progress   scanner.Progress
	scanErr    error
	report     *scanner.Report

	// list: visible indexes report.Credentials in display order; cursor
	// indexes visible; top is the first row shown.
	visible   []int
	cursor    int
	top       int
	sortBy    sortKey
	hidden    map[scanner.Severity]bool
	filter    filterInput
	filtering bool

	// detail
	occCursor int
	detailTop int
	revealed  bool
	previews  map[string]preview
	applied   map[string]string
	prs       map[string]string

	// actions and the status line
	confirm   *pending
	busy      string
	status    string
	statusErr bool
}

func newModel(cfg Config, st styles, run runner) *model {
	h := help.New()
	h.Styles = st.help
	h.Width = 80
	return &model{
		cfg:        cfg,
		keys:       newKeyMap(),
		st:         st,
		run:        run,
		help:       h,
		width:      80,
		height:     24,
		progressCh: make(chan scanner.Progress, 1),
		hidden:     map[scanner.Severity]bool{},
		previews:   map[string]preview{},
		applied:    map[string]string{},
		prs:        map[string]string{},
	}
}

// Init implements tea.Model: it starts the scan and listens for its
// progress.
func (m *model) Init() tea.Cmd {
	return tea.Batch(m.startScan(), m.waitProgress())
}

// Update implements tea.Model.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.scrollList()
		m.scrollDetail()
		return m, nil
	case scanProgressMsg:
		m.progress = msg.p
		return m, m.waitProgress()
	case scanDoneMsg:
		m.scanDone(msg)
		return m, nil
	case previewMsg:
		m.previewDone(msg)
		return m, nil
	case actionDoneMsg:
		return m, m.actionDone(msg)
	case editorDoneMsg:
		m.editorDone(msg)
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

// startScan runs the scan; its progress goes through progressCh, which it
// closes when the scan returns.
func (m *model) startScan() tea.Cmd {
	ch, scan := m.progressCh, m.cfg.Scan
	return m.run(func(ctx context.Context) tea.Msg {
		defer close(ch)
		r, err := scan(ctx, func(p scanner.Progress) { offerProgress(ch, p) })
		return scanDoneMsg{report: r, err: err}
	})
}

// offerProgress puts p in ch without blocking, replacing a snapshot not yet
// read: the UI needs only the latest.
func offerProgress(ch chan scanner.Progress, p scanner.Progress) {
	for {
		select {
		case ch <- p:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// waitProgress reads one progress snapshot; Update re-arms it after each.
func (m *model) waitProgress() tea.Cmd {
	ch := m.progressCh
	return m.run(func(ctx context.Context) tea.Msg {
		select {
		case p, ok := <-ch:
			if !ok {
				return nil
			}
			return scanProgressMsg{p: p}
		case <-ctx.Done():
			return nil
		}
	})
}

func (m *model) scanDone(msg scanDoneMsg) {
	if msg.err != nil {
		m.state, m.scanErr = stateScanFailed, msg.err
		return
	}
	m.report = msg.report
	if m.report == nil {
		m.report = &scanner.Report{}
	}
	m.state = stateList
	m.refresh()
}

// handleKey dispatches a key: a pending confirmation takes it first, then
// the filter being edited, the help screen, global keys and the screen's
// own.
func (m *model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if msg.Type == tea.KeyCtrlC {
		return tea.Quit
	}
	// Keys typed faster than the terminal is read arrive as one message:
	// outside the filter, each is a command of its own.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.filtering && m.confirm == nil {
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Sequence(cmds...)
	}
	switch {
	case m.confirm != nil:
		return m.answer(msg)
	case m.filtering:
		return m.filterKey(msg)
	case m.showHelp:
		switch {
		case key.Matches(msg, m.keys.Quit):
			return tea.Quit
		case key.Matches(msg, m.keys.CloseHelp):
			m.showHelp = false
		}
		return nil
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	}
	switch m.state {
	case stateList:
		return m.listKey(msg)
	case stateDetail:
		return m.detailKey(msg)
	}
	return nil
}

// setStatus shows an outcome in the status line; text from outside (action
// results, errors) has every known secret value redacted first.
func (m *model) setStatus(text string, isErr bool) {
	m.status, m.statusErr = m.scrub(oneLine(text)), isErr
}

// minScrubLen is the shortest value scrub looks for: shorter ones would
// garble ordinary words, and no rule matches them.
const minScrubLen = 4

// scrub replaces the raw value of every credential of the report in s by
// its redacted form, so that text coming back from actions (diffs, errors)
// never shows a secret.
func (m *model) scrub(s string) string {
	if m.report == nil {
		return s
	}
	for i := range m.report.Credentials {
		c := &m.report.Credentials[i]
		sec := c.Secret
		if c.Reference != "" || sec.Len() < minScrubLen {
			continue
		}
		s = strings.ReplaceAll(s, sec.Reveal(), sec.Redacted())
	}
	return s
}
