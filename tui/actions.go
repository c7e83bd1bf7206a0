package tui

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// action is something the user asks for that changes the world; each is
// confirmed first.
type action int

const (
	actIgnore action = iota + 1
	actFix
	actPR
	actEdit
)

func (a action) String() string {
	switch a {
	case actIgnore:
		return "ignore"
	case actFix:
		return "apply fix"
	case actPR:
		return "open pull request"
	case actEdit:
		return "open editor"
	}
	return "action"
}

// pending is an action waiting for the user's confirmation.
type pending struct {
	act    action
	fp     string
	occ    int
	prompt string
}

// actionKey turns an action key into a confirmation question, or says in
// the status line why the action is unavailable.
func (m *model) actionKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	var act action
	switch {
	case key.Matches(msg, k.Ignore):
		act = actIgnore
	case key.Matches(msg, k.Fix):
		act = actFix
	case key.Matches(msg, k.PR):
		act = actPR
	case key.Matches(msg, k.Edit):
		act = actEdit
	default:
		return nil
	}
	c := m.current()
	if c == nil {
		m.setStatus("no credential selected", true)
		return nil
	}
	if m.busy != "" {
		m.setStatus("wait: "+m.busy+" is still running", true)
		return nil
	}
	// The detail pane's selected occurrence; from the list, the first one
	// still in the working tree.
	occ := 0
	if m.state == stateDetail {
		occ = m.occCursor
	} else if i := slices.IndexFunc(c.Occurrences, func(o scanner.Occurrence) bool { return o.InHead }); i >= 0 {
		occ = i
	}
	prompt, why := m.question(act, c, occ)
	if why != "" {
		m.setStatus(why, true)
		return nil
	}
	m.confirm = &pending{act: act, fp: c.Fingerprint, occ: occ, prompt: prompt}
	m.status = ""
	return nil
}

// question is the confirmation prompt for act on c, or why act is not
// possible.
func (m *model) question(act action, c *scanner.Credential, occ int) (prompt, why string) {
	name := clean(c.Type) + " " + c.Fingerprint
	switch act {
	case actIgnore:
		if m.cfg.Ignorer == nil {
			return "", "ignoring is not available here"
		}
		return fmt.Sprintf("Ignore %s from now on (adds it to %s)?", name, scanner.IgnoreFile), ""
	case actFix, actPR:
		if c.Fixer == "" {
			return "", "no fixer applies to " + name
		}
		if act == actFix {
			if m.cfg.Fixer == nil {
				return "", "applying fixes is not available here"
			}
			return fmt.Sprintf("Apply fix %s to %s? Files are rewritten.", clean(c.Fixer), name), ""
		}
		if m.cfg.PROpener == nil {
			return "", "opening pull requests is not available here"
		}
		return fmt.Sprintf("Open a pull request with fix %s for %s?", clean(c.Fixer), name), ""
	case actEdit:
		if m.cfg.Editor == "" {
			return "", "no editor: set $VISUAL or $EDITOR"
		}
		if occ >= len(c.Occurrences) {
			return "", "no occurrence to open"
		}
		o := c.Occurrences[occ]
		if !o.InHead {
			return "", clean(o.Path) + " no longer holds it (only in history): nothing to open"
		}
		return fmt.Sprintf("Open %s:%d in %s?", clean(o.Path), o.Line, clean(m.cfg.Editor)), ""
	}
	return "", "unknown action"
}

// answer handles the key pressed at a confirmation: y runs the action,
// anything else cancels it.
func (m *model) answer(msg tea.KeyMsg) tea.Cmd {
	p := m.confirm
	m.confirm = nil
	if !key.Matches(msg, m.keys.Yes) {
		m.setStatus(p.act.String()+": cancelled", false)
		return nil
	}
	i := slices.IndexFunc(m.report.Credentials, func(c scanner.Credential) bool { return c.Fingerprint == p.fp })
	if i < 0 {
		return nil
	}
	c := clone(&m.report.Credentials[i])
	if p.act == actEdit {
		return m.openEditor(c, p.occ)
	}
	m.busy = p.act.String()
	m.setStatus(p.act.String()+": working...", false)
	cfg, act := m.cfg, p.act
	return m.run(func(ctx context.Context) tea.Msg {
		res, err := perform(ctx, cfg, act, c)
		return actionDoneMsg{act: act, fp: c.Fingerprint, result: res, err: err}
	})
}

// perform runs an action; it is called from a command, off the UI.
func perform(ctx context.Context, cfg Config, act action, c scanner.Credential) (string, error) {
	switch act {
	case actIgnore:
		return cfg.Ignorer.Ignore(ctx, c)
	case actFix:
		return cfg.Fixer.Apply(ctx, c)
	case actPR:
		return cfg.PROpener.OpenPR(ctx, c)
	}
	return "", fmt.Errorf("unknown action %d", act)
}

// actionDone shows an action's outcome; a failure is shown, never fatal.
// After a fix, the preview is asked for again: the files have changed.
func (m *model) actionDone(msg actionDoneMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.setStatus(msg.act.String()+" failed: "+msg.err.Error(), true)
		return nil
	}
	switch msg.act {
	case actIgnore:
		m.setStatus(orText(msg.result, "ignored "+msg.fp), false)
		m.removeCredential(msg.fp)
	case actFix:
		m.applied[msg.fp] = m.scrub(oneLine(orText(msg.result, "done")))
		m.setStatus("fix applied: "+orText(msg.result, msg.fp), false)
		delete(m.previews, msg.fp)
		if c := m.current(); m.state == stateDetail && c != nil && c.Fingerprint == msg.fp {
			return m.loadPreview(c)
		}
	case actPR:
		m.prs[msg.fp] = m.scrub(oneLine(msg.result))
		m.setStatus("pull request: "+msg.result, false)
	}
	return nil
}

// removeCredential drops an ignored credential from the report and the
// list; the detail pane showing it closes.
func (m *model) removeCredential(fp string) {
	i := slices.IndexFunc(m.report.Credentials, func(c scanner.Credential) bool { return c.Fingerprint == fp })
	if i < 0 {
		return
	}
	if cur := m.current(); m.state == stateDetail && cur != nil && cur.Fingerprint == fp {
		m.closeDetail()
	}
	c := m.report.Credentials[i]
	m.report.Credentials = slices.Delete(m.report.Credentials, i, i+1)
	s := &m.report.Summary
	s.Credentials = len(m.report.Credentials)
	s.Occurrences -= len(c.Occurrences)
	if s.BySeverity != nil && s.BySeverity[c.Severity] > 0 {
		s.BySeverity[c.Severity]--
	}
	s.SessionReadiness = readiness(m.report.Credentials)
	m.refresh()
}

// readiness is the share of session-scoped credentials (1 when none).
func readiness(creds []scanner.Credential) float64 {
	if len(creds) == 0 {
		return 1
	}
	n := 0
	for _, c := range creds {
		if c.Session || c.Lifetime == rules.Session {
			n++
		}
	}
	return float64(n) / float64(len(creds))
}

// openEditor suspends the UI and runs the editor on the occurrence's file.
func (m *model) openEditor(c scanner.Credential, occ int) tea.Cmd {
	o := c.Occurrences[occ]
	path := filepath.Join(m.cfg.Root, filepath.FromSlash(o.Path))
	build := m.cfg.EditorCommand
	if build == nil {
		build = editorCommand
	}
	editor, line := m.cfg.Editor, max(1, o.Line)
	ec := &editorExec{build: func() *exec.Cmd { return build(editor, path, line) }}
	m.setStatus("editing "+o.Path+"...", false)
	return tea.Exec(ec, func(err error) tea.Msg { return editorDoneMsg{path: o.Path, err: err} })
}

func (m *model) editorDone(msg editorDoneMsg) {
	if msg.err != nil {
		m.setStatus("editor: "+msg.err.Error(), true)
		return
	}
	m.setStatus("back from editing "+msg.path, false)
}

// clone copies a credential for use off the UI goroutine: the occurrences
// are copied so that nothing the model does later can race with it.
func clone(c *scanner.Credential) scanner.Credential {
	cc := *c
	cc.Occurrences = slices.Clone(c.Occurrences)
	return cc
}
