package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sessionize/sessionize/scanner"
)

// sortKey is the order of the list.
type sortKey int

const (
	sortScore sortKey = iota
	sortSprawl
	sortPath
	sortType
	numSortKeys
)

func (s sortKey) String() string {
	return [...]string{"score", "sprawl", "path", "type"}[s]
}

// listChrome is the number of lines around the list's rows: title,
// controls, column header, status and help.
const listChrome = 5

// listRows is how many rows fit on the screen.
func (m *model) listRows() int { return max(1, m.height-listChrome) }

// refresh recomputes the visible credentials after a change of report,
// filter, severity toggles or order, keeping the selected credential
// selected when it is still shown.
func (m *model) refresh() {
	keep := ""
	if c := m.current(); c != nil {
		keep = c.Fingerprint
	}
	m.visible = m.visible[:0]
	terms := strings.Fields(strings.ToLower(m.filter.Value()))
	for i := range m.report.Credentials {
		c := &m.report.Credentials[i]
		if m.hidden[c.Severity] || !matches(c, terms) {
			continue
		}
		m.visible = append(m.visible, i)
	}
	sortCredentials(m.report.Credentials, m.visible, m.sortBy)
	m.cursor = max(0, min(m.cursor, len(m.visible)-1))
	for i, ci := range m.visible {
		if m.report.Credentials[ci].Fingerprint == keep {
			m.cursor = i
			break
		}
	}
	m.scrollList()
}

// matches reports whether every term occurs in the credential's type,
// provider or one of its paths (terms are lower case).
func matches(c *scanner.Credential, terms []string) bool {
	if len(terms) == 0 {
		return true
	}
	hay := []string{strings.ToLower(c.Type), strings.ToLower(c.Provider)}
	for _, o := range c.Occurrences {
		hay = append(hay, strings.ToLower(o.Path))
	}
	for _, t := range terms {
		if !slices.ContainsFunc(hay, func(h string) bool { return strings.Contains(h, t) }) {
			return false
		}
	}
	return true
}

// sortCredentials orders idx (indexes into creds, which are in report
// order: score, then fingerprint) by key; ties keep report order.
func sortCredentials(creds []scanner.Credential, idx []int, by sortKey) {
	slices.SortStableFunc(idx, func(a, b int) int {
		ca, cb := &creds[a], &creds[b]
		var d int
		switch by {
		case sortSprawl:
			d = cb.Sprawl() - ca.Sprawl()
		case sortPath:
			pa, la := firstPlace(ca)
			pb, lb := firstPlace(cb)
			d = strings.Compare(pa, pb)
			if d == 0 {
				d = la - lb
			}
		case sortType:
			d = strings.Compare(ca.Type, cb.Type)
		}
		if d != 0 {
			return d
		}
		return a - b
	})
}

// firstPlace is the credential's first occurrence's path and line.
func firstPlace(c *scanner.Credential) (string, int) {
	if len(c.Occurrences) == 0 {
		return "", 0
	}
	return c.Occurrences[0].Path, c.Occurrences[0].Line
}

// current is the selected credential, nil when none is shown.
func (m *model) current() *scanner.Credential {
	if m.report == nil || m.cursor < 0 || m.cursor >= len(m.visible) {
		return nil
	}
	return &m.report.Credentials[m.visible[m.cursor]]
}

// scrollList keeps the cursor's row on the screen.
func (m *model) scrollList() {
	rows := m.listRows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	m.top = max(0, min(m.top, len(m.visible)-rows))
}

func (m *model) moveCursor(delta int) {
	m.cursor = max(0, min(m.cursor+delta, len(m.visible)-1))
	m.scrollList()
}

func (m *model) listKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		m.moveCursor(-m.listRows())
	case key.Matches(msg, k.PageDown):
		m.moveCursor(m.listRows())
	case key.Matches(msg, k.Top):
		m.moveCursor(-len(m.visible))
	case key.Matches(msg, k.Bottom):
		m.moveCursor(len(m.visible))
	case key.Matches(msg, k.Open):
		return m.openDetail()
	case key.Matches(msg, k.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.refresh()
		}
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.filter.pos = len(m.filter.value)
	case key.Matches(msg, k.Severity):
		m.toggleSeverity(msg.String())
	case key.Matches(msg, k.Sort):
		m.sortBy = (m.sortBy + 1) % numSortKeys
		m.refresh()
	case key.Matches(msg, k.Reveal):
		m.setStatus("open a credential (enter) to reveal its value", false)
	default:
		return m.actionKey(msg)
	}
	return nil
}

func (m *model) toggleSeverity(k string) {
	i := slices.Index(severityKeys, k)
	if i < 0 || i >= len(scanner.Severities) {
		return
	}
	sev := scanner.Severities[i]
	m.hidden[sev] = !m.hidden[sev]
	m.refresh()
}

// filterKey edits the filter; the list follows each keystroke.
func (m *model) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Accept):
		m.filtering = false
	case key.Matches(msg, m.keys.Clear):
		m.filtering = false
		m.filter.SetValue("")
		m.refresh()
	case m.filter.update(m.keys, msg):
		m.refresh()
	}
	return nil
}

// listView renders the title, the controls line, the column header and the
// rows.
func (m *model) listView() (title string, body []string) {
	r := m.report
	title = m.titleLine(summaryText(r))
	body = append(body, m.controlsLine())
	cols := m.columns()
	body = append(body, m.st.header.Render(cols.header()))
	if len(m.visible) == 0 {
		msg := "No credentials found."
		if len(r.Credentials) > 0 {
			msg = fmt.Sprintf("No credential matches (%d hidden by the filter or severity toggles).", len(r.Credentials))
		}
		return title, append(body, "", "  "+msg)
	}
	end := min(len(m.visible), m.top+m.listRows())
	for i := m.top; i < end; i++ {
		body = append(body, m.row(cols, &r.Credentials[m.visible[i]], i == m.cursor))
	}
	return title, body
}

// summaryText sums up a report for the title line.
func summaryText(r *scanner.Report) string {
	var parts []string
	for _, sev := range scanner.Severities {
		if n := r.Summary.BySeverity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, shortSeverity(sev)))
		}
	}
	s := plural(len(r.Credentials), "credential")
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s + fmt.Sprintf(" · readiness %.0f%%", 100*r.Summary.SessionReadiness)
}

// controlsLine shows the filter, the severity toggles, the order and how
// many credentials are shown.
func (m *model) controlsLine() string {
	st := m.st
	var filter string
	switch {
	case m.filtering:
		filter = m.filter.view(st, "type, provider or path")
	case m.filter.Value() != "":
		filter = st.prompt.Render("/") + clean(m.filter.Value())
	default:
		filter = st.subtle.Render("/ filter")
	}
	sevs := make([]string, len(scanner.Severities))
	for i, sev := range scanner.Severities {
		name := shortSeverity(sev)
		if m.hidden[sev] {
			sevs[i] = st.subtle.Render("(" + name + ")")
			continue
		}
		sevs[i] = st.sev(sev, name)
	}
	shown := fmt.Sprintf("%d/%d", len(m.visible), len(m.report.Credentials))
	return strings.Join([]string{
		filter,
		st.label.Render("sev 1-5:") + " " + strings.Join(sevs, " "),
		st.label.Render("sort:") + " " + m.sortBy.String(),
		shown,
	}, "   ")
}

// shortSeverity is a severity's name for the controls line.
func shortSeverity(s scanner.Severity) string {
	switch s {
	case scanner.SeverityCritical:
		return "crit"
	case scanner.SeverityMedium:
		return "med"
	}
	return string(s)
}

// columns is the list's layout at the current width: optional columns are
// dropped, most dispensable first, to keep room for the path.
type columns struct {
	typ, prov, path                int
	showProv, showLife, showSprawl bool
	showFingerprint                bool
}

const (
	sevWidth    = 8
	scoreWidth  = 5
	lifeWidth   = 8
	sprawlWidth = 6
	fpWidth     = 16
	minPath     = 16
)

func (m *model) columns() columns {
	c := columns{typ: len("TYPE"), prov: len("PROVIDER"), showProv: true, showLife: true, showSprawl: true}
	for _, i := range m.visible {
		cr := &m.report.Credentials[i]
		c.typ = max(c.typ, len(cr.Type))
		c.prov = max(c.prov, len(cr.Provider))
	}
	c.typ, c.prov = min(c.typ, 24), min(c.prov, 12)
	c.showFingerprint = m.width >= 120
	if m.width-c.fixed() < minPath {
		c.showProv = false
	}
	if m.width-c.fixed() < minPath {
		c.showLife = false
	}
	if m.width-c.fixed() < minPath {
		c.showSprawl = false
	}
	if room := m.width - c.fixed(); room < minPath {
		c.typ = max(4, c.typ-(minPath-room))
	}
	c.path = max(4, m.width-c.fixed())
	return c
}

// fixed is the width of every column but the path, with separators.
func (c columns) fixed() int {
	n := 2 + sevWidth + 1 + scoreWidth + 1 + c.typ + 1
	if c.showProv {
		n += c.prov + 1
	}
	if c.showLife {
		n += lifeWidth + 1
	}
	if c.showSprawl {
		n += sprawlWidth + 1
	}
	if c.showFingerprint {
		n += fpWidth + 1
	}
	return n
}

func (c columns) cells(sev, score, typ, prov, life, sprawl, fp, path string) string {
	var b strings.Builder
	b.WriteString(padRight(sev, sevWidth) + " ")
	b.WriteString(padLeft(score, scoreWidth) + " ")
	b.WriteString(padRight(typ, c.typ) + " ")
	if c.showProv {
		b.WriteString(padRight(prov, c.prov) + " ")
	}
	if c.showLife {
		b.WriteString(padRight(life, lifeWidth) + " ")
	}
	if c.showSprawl {
		b.WriteString(padLeft(sprawl, sprawlWidth) + " ")
	}
	if c.showFingerprint {
		b.WriteString(padRight(fp, fpWidth) + " ")
	}
	b.WriteString(truncLeft(path, c.path))
	return b.String()
}

func (c columns) header() string {
	return "  " + c.cells("SEVERITY", "SCORE", "TYPE", "PROVIDER", "LIFETIME", "SPRAWL", "FINGERPRINT", "FIRST PATH")
}

// row renders one credential: the severity in its colour, the rest in the
// selection style when selected.
func (m *model) row(c columns, cr *scanner.Credential, selected bool) string {
	path, line := firstPlace(cr)
	place := clean(path)
	if line > 0 {
		place += fmt.Sprintf(":%d", line)
	}
	sevText := strings.ToUpper(string(cr.Severity))
	if sevText == "" {
		sevText = "-"
	}
	text := c.cells(sevText, fmt.Sprint(cr.Score), clean(cr.Type), clean(cr.Provider), string(cr.Lifetime),
		fmt.Sprint(cr.Sprawl()), cr.Fingerprint, place)
	// The severity cell keeps its colour; the rest is styled as a whole.
	sevCell, rest := text[:sevWidth], text[sevWidth:]
	marker := "  "
	if selected {
		marker = "> "
		rest = m.st.selected.Render(rest)
	}
	return marker + m.st.sev(cr.Severity, sevCell) + rest
}
