package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner"
)

// detailChrome is the number of lines around the detail pane's body:
// title, status and help.
const detailChrome = 3

func (m *model) detailRows() int { return max(1, m.height-detailChrome) }

// openDetail shows the selected credential, with its value hidden, and asks
// for its fix preview when a fixer applies.
func (m *model) openDetail() tea.Cmd {
	c := m.current()
	if c == nil {
		return nil
	}
	m.state = stateDetail
	m.occCursor, m.detailTop, m.revealed = 0, 0, false
	return m.loadPreview(c)
}

// closeDetail goes back to the list; the value is hidden again.
func (m *model) closeDetail() {
	m.state = stateList
	m.revealed = false
	m.occCursor, m.detailTop = 0, 0
	m.scrollList()
}

// loadPreview asks the fixer for c's diff, once per credential.
func (m *model) loadPreview(c *scanner.Credential) tea.Cmd {
	fx := m.cfg.Fixer
	if fx == nil || c.Fixer == "" {
		return nil
	}
	if _, ok := m.previews[c.Fingerprint]; ok {
		return nil
	}
	m.previews[c.Fingerprint] = preview{loading: true}
	cc := clone(c)
	return m.run(func(ctx context.Context) tea.Msg {
		diff, err := fx.Preview(ctx, cc)
		return previewMsg{fp: cc.Fingerprint, diff: diff, err: err}
	})
}

func (m *model) previewDone(msg previewMsg) {
	p := preview{diff: m.scrub(msg.diff)}
	if msg.err != nil {
		p = preview{err: m.scrub(oneLine(msg.err.Error()))}
	}
	m.previews[msg.fp] = p
}

func (m *model) detailKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	c := m.current()
	if c == nil {
		m.closeDetail()
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		m.closeDetail()
	case key.Matches(msg, k.Up):
		m.occCursor = max(0, m.occCursor-1)
		m.scrollDetail()
	case key.Matches(msg, k.Down):
		m.occCursor = max(0, min(m.occCursor+1, len(c.Occurrences)-1))
		m.scrollDetail()
	case key.Matches(msg, k.PageUp):
		m.detailTop = max(0, m.detailTop-m.detailRows())
	case key.Matches(msg, k.PageDown):
		lines, _ := m.detailLines(c)
		m.detailTop = max(0, min(m.detailTop+m.detailRows(), len(lines)-m.detailRows()))
	case key.Matches(msg, k.Top):
		m.occCursor, m.detailTop = 0, 0
	case key.Matches(msg, k.Bottom):
		m.occCursor = max(0, len(c.Occurrences)-1)
		lines, _ := m.detailLines(c)
		m.detailTop = max(0, len(lines)-m.detailRows())
	case key.Matches(msg, k.Reveal):
		m.toggleReveal(c)
	default:
		return m.actionKey(msg)
	}
	return nil
}

func (m *model) toggleReveal(c *scanner.Credential) {
	switch {
	case c.Reference != "":
		m.setStatus("a CI reference names a stored secret; its value is not in the repository", false)
		return
	case c.Secret.IsZero():
		m.setStatus("the value is not available (report read without secrets)", false)
		return
	}
	m.revealed = !m.revealed
}

// scrollDetail keeps the selected occurrence on the screen.
func (m *model) scrollDetail() {
	c := m.current()
	if m.state != stateDetail || c == nil {
		return
	}
	lines, occ := m.detailLines(c)
	rows := m.detailRows()
	if m.occCursor < len(occ) {
		at := occ[m.occCursor]
		if at < m.detailTop {
			m.detailTop = at
		}
		if at >= m.detailTop+rows {
			m.detailTop = at - rows + 1
		}
	}
	m.detailTop = max(0, min(m.detailTop, len(lines)-rows))
}

// detailView renders the part of the detail pane that fits.
func (m *model) detailView() (title string, body []string) {
	c := m.current()
	if c == nil {
		return m.titleLine(""), nil
	}
	title = m.titleLine(fmt.Sprintf("credential %d of %d", m.cursor+1, len(m.visible)))
	lines, _ := m.detailLines(c)
	top := max(0, min(m.detailTop, len(lines)-m.detailRows()))
	end := min(len(lines), top+m.detailRows())
	return title, lines[top:end]
}

// labelWidth aligns the detail pane's field values.
const labelWidth = 14

// detailLines renders the whole detail pane, and the line of each
// occurrence (for scrolling).
func (m *model) detailLines(c *scanner.Credential) (lines []string, occ []int) {
	st := m.st
	field := func(name, value string) {
		lines = append(lines, st.label.Render(padRight(name, labelWidth))+value)
	}
	head := st.sev(c.Severity, strings.ToUpper(string(c.Severity))) + fmt.Sprintf(" %d  ", c.Score) +
		st.title.Render(clean(c.Type)) + "  " + clean(c.Provider)
	lines = append(lines, head, "")
	field("Fingerprint", c.Fingerprint+st.label.Render("   rule ")+clean(c.Rule))
	if c.Reference != "" {
		field("Reference", clean(c.Reference)+st.subtle.Render("  (the value is not in the repository)"))
	} else {
		field("Secret", m.secretText(c))
	}
	life := lifetimeText(c)
	if c.Privilege != "" {
		life += st.label.Render("   privilege ") + clean(c.Privilege)
	}
	field("Lifetime", life)
	field("Expected", orDash(clean(c.Expected)))
	if c.Verified != "" && c.Verified != "unknown" {
		field("Verified", clean(c.Verified))
	}
	if s, ok := m.applied[c.Fingerprint]; ok {
		field("Fix applied", st.status.Render(s))
	}
	if u, ok := m.prs[c.Fingerprint]; ok {
		field("Pull request", st.status.Render(u))
	}
	for _, n := range c.Notes {
		field("Note", clean(n))
	}

	lines = append(lines, "", st.section.Render(fmt.Sprintf("Why score %d", c.Score)))
	lines = append(lines, reasonLines(c)...)

	lines = append(lines, "", st.section.Render(fmt.Sprintf("Occurrences (%d)", len(c.Occurrences))))
	for i, o := range c.Occurrences {
		occ = append(occ, len(lines))
		text := occurrenceText(o)
		if m.state == stateDetail && i == m.occCursor {
			lines = append(lines, "> "+st.selected.Render(text))
		} else {
			lines = append(lines, "  "+text)
		}
		if o.Finding.CI != nil {
			lines = append(lines, "    "+st.subtle.Render(ciText(o.Finding.CI)))
		}
	}

	lines = append(lines, "")
	lines = append(lines, m.previewLines(c)...)
	return lines, occ
}

// secretText is the value as the detail pane shows it: redacted unless the
// user revealed it.
func (m *model) secretText(c *scanner.Credential) string {
	switch {
	case c.Secret.IsZero():
		return m.st.secret.Render(clean(c.RedactedSecret())) + m.st.subtle.Render("  (value not available)")
	case m.revealed:
		return m.st.revealed.Render(clean(c.Secret.Reveal())) + m.st.subtle.Render("  (r hides)")
	}
	return m.st.secret.Render(clean(c.Secret.Redacted())) + m.st.subtle.Render("  (r reveals)")
}

func lifetimeText(c *scanner.Credential) string {
	s := orText(string(c.Lifetime), "unknown")
	if !c.ExpiresAt.IsZero() {
		s += ", expires " + c.ExpiresAt.UTC().Format("2006-01-02 15:04Z")
	}
	if !c.IssuedAt.IsZero() {
		s += ", issued " + c.IssuedAt.UTC().Format("2006-01-02 15:04Z")
	}
	return s
}

// reasonLines lists the score's components, or its reasons when it has no
// components.
func reasonLines(c *scanner.Credential) []string {
	var out []string
	for _, sc := range c.Components {
		out = append(out, fmt.Sprintf("  %+4d  %s", sc.Points, clean(orText(sc.Reason, sc.Name))))
	}
	if len(out) > 0 {
		return out
	}
	for _, r := range c.Reasons {
		out = append(out, "  - "+clean(r))
	}
	if len(out) == 0 {
		out = append(out, "  (no reasons recorded)")
	}
	return out
}

func occurrenceText(o scanner.Occurrence) string {
	s := fmt.Sprintf("%s:%d:%d  %s", clean(o.Path), o.Line, o.Column, o.Where)
	if !o.InHead {
		s += " (removed since)"
	}
	if o.Commit != "" {
		s += "  " + shortCommit(o.Commit)
		if !o.Date.IsZero() {
			s += " " + o.Date.UTC().Format("2006-01-02")
		}
		if o.Author != "" {
			s += " " + clean(o.Author)
		}
	}
	return s
}

func ciText(ci *detectors.CIRef) string {
	var parts []string
	if ci.Job != "" {
		parts = append(parts, "job "+clean(ci.Job))
	}
	if ci.Action != "" {
		parts = append(parts, "step "+clean(ci.Action))
	}
	if ci.Key != "" {
		parts = append(parts, "into "+clean(ci.Key))
	}
	if ci.Store != "" || ci.Name != "" {
		parts = append(parts, "from "+clean(strings.Trim(ci.Store+"."+ci.Name, ".")))
	}
	return strings.Join(parts, ", ")
}

func shortCommit(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// previewLines is the fix section: the coloured diff when a fixer applies.
func (m *model) previewLines(c *scanner.Credential) []string {
	st := m.st
	if c.Fixer == "" {
		return []string{st.section.Render("Fix"), "  " + st.subtle.Render("No fixer applies to this credential.")}
	}
	out := []string{st.section.Render("Fix preview (" + clean(c.Fixer) + ")")}
	if m.cfg.Fixer == nil {
		return append(out, "  "+st.subtle.Render("Fixes are not available here: run `sessionize fix` to see the diff."))
	}
	p, ok := m.previews[c.Fingerprint]
	switch {
	case !ok || p.loading:
		return append(out, "  "+st.subtle.Render("computing the diff..."))
	case p.err != "":
		return append(out, "  "+st.err.Render("no preview: "+p.err))
	case strings.TrimSpace(p.diff) == "":
		return append(out, "  "+st.subtle.Render("nothing to change"))
	}
	for _, l := range strings.Split(strings.TrimRight(p.diff, "\n"), "\n") {
		out = append(out, m.diffLine(clean(strings.TrimSuffix(l, "\r"))))
	}
	return out
}

func (m *model) diffLine(l string) string {
	st := m.st
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "):
		return st.diffFile.Render(l)
	case strings.HasPrefix(l, "@@"):
		return st.diffHunk.Render(l)
	case strings.HasPrefix(l, "+"):
		return st.diffAdd.Render(l)
	case strings.HasPrefix(l, "-"):
		return st.diffDel.Render(l)
	}
	return l
}

func orDash(s string) string { return orText(s, "-") }

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
