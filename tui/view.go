package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/sessionize/sessionize/scanner"
)

// The UI is designed for 80x24; below minWidth x minHeight it only says so.
const (
	minWidth  = 40
	minHeight = 10
)

// View implements tea.Model. It renders exactly the terminal's height, no
// line wider than its width.
func (m *model) View() string {
	if m.width < minWidth || m.height < minHeight {
		return m.frame(m.tooSmall())
	}
	var title string
	var body []string
	switch m.state {
	case stateScanning:
		title, body = m.titleLine("scanning..."), m.progressView()
	case stateScanFailed:
		title, body = m.titleLine("scan failed"), m.failedView()
	case stateList:
		title, body = m.listView()
	case stateDetail:
		title, body = m.detailView()
	}
	if m.showHelp {
		body = m.helpView()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, title)
	bodyRows := m.height - 3
	for i := range bodyRows {
		if i < len(body) {
			lines = append(lines, body[i])
		} else {
			lines = append(lines, "")
		}
	}
	lines = append(lines, m.statusLine(), m.helpLine())
	return m.frame(lines)
}

// frame cuts every line to the width.
func (m *model) frame(lines []string) string {
	for i, l := range lines {
		if ansi.StringWidth(l) > m.width {
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	return strings.Join(lines, "\n")
}

func (m *model) tooSmall() []string {
	lines := []string{
		"sessionize",
		fmt.Sprintf("Terminal too small (%dx%d):", m.width, m.height),
		"80x24 or more needed.",
		"q quits.",
	}
	lines = lines[:min(len(lines), max(1, m.height))]
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return lines
}

// titleLine is the first line of every screen.
func (m *model) titleLine(info string) string {
	t := m.st.title.Render("sessionize") + " " + clean(orText(m.cfg.Target, "."))
	if info != "" {
		t += m.st.subtle.Render(" · " + info)
	}
	return t
}

// statusLine shows the question being asked, else the last outcome.
func (m *model) statusLine() string {
	switch {
	case m.confirm != nil:
		return m.st.prompt.Render(m.confirm.prompt + " [y/N]")
	case m.status == "":
		return ""
	case m.statusErr:
		return m.st.err.Render(m.status)
	}
	return m.st.status.Render(m.status)
}

// helpLine is the short help of the current screen.
func (m *model) helpLine() string {
	return m.help.ShortHelpView(m.shortHelp())
}

func (m *model) shortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.confirm != nil:
		return []key.Binding{k.Yes, k.No}
	case m.filtering:
		return []key.Binding{k.Accept, k.Clear}
	case m.showHelp:
		return []key.Binding{k.CloseHelp, k.Quit}
	}
	switch m.state {
	case stateList:
		return []key.Binding{k.Open, k.Filter, k.Severity, k.Sort, k.Ignore, k.Help, k.Quit, k.Edit}
	case stateDetail:
		return []key.Binding{k.Back, k.Reveal, k.Ignore, k.Fix, k.PR, k.Help, k.Quit, k.Edit}
	case stateScanFailed:
		return []key.Binding{k.Quit}
	}
	return []key.Binding{k.Help, k.Quit}
}

// helpView is the help screen: every binding, by group.
func (m *model) helpView() []string {
	groups := m.keys.fullHelp()
	h := m.help
	h.Width = 0 // never elide a column: the frame cuts what does not fit
	var out []string
	out = append(out, m.st.section.Render("Keys"), "")
	out = append(out, strings.Split(h.FullHelpView(groups[:2]), "\n")...)
	out = append(out, "")
	out = append(out, strings.Split(h.FullHelpView(groups[2:]), "\n")...)
	out = append(out, "",
		"The filter keeps credentials whose type, provider or a path",
		"contains every word typed. 1-5 show or hide critical, high,",
		"medium, low and info. Actions ask for confirmation first.")
	return out
}

// progressView shows the running scan's counters.
func (m *model) progressView() []string {
	p := m.progress
	st := m.st
	out := []string{"", "  " + st.section.Render(phaseText(p.Phase)), ""}
	row := func(label, value string) {
		out = append(out, "  "+st.label.Render(padRight(label, 10))+value)
	}
	barW := max(10, min(40, m.width-40))
	if p.Commits > 0 || p.CommitsTotal > 0 {
		row("commits", m.counter(p.Commits, p.CommitsTotal, barW))
	}
	if p.Files > 0 || p.FilesTotal > 0 {
		row("files", m.counter(p.Files, p.FilesTotal, barW))
	}
	row("blobs", fmt.Sprint(p.Blobs))
	read := humanBytes(float64(p.Bytes))
	if secs := p.Elapsed.Seconds(); secs > 0 {
		read += fmt.Sprintf(" at %s/s", humanBytes(float64(p.Bytes)/secs))
	}
	row("read", read)
	row("findings", fmt.Sprint(p.Findings))
	row("elapsed", p.Elapsed.Round(100*time.Millisecond).String())
	return out
}

// counter is "n/total" with a bar when the total is known.
func (m *model) counter(n, total int64, width int) string {
	if total <= 0 {
		return fmt.Sprint(n)
	}
	filled := int(float64(width) * float64(min(n, total)) / float64(total))
	bar := m.st.barFull.Render(strings.Repeat("#", filled)) + m.st.barEmpty.Render(strings.Repeat(".", width-filled))
	return fmt.Sprintf("[%s] %d/%d %3.0f%%", bar, n, total, 100*float64(min(n, total))/float64(total))
}

func phaseText(p scanner.Phase) string {
	switch p {
	case scanner.PhaseListing:
		return "Listing files"
	case scanner.PhaseHistory:
		return "Scanning history"
	case scanner.PhaseWorktree:
		return "Scanning the working tree"
	case scanner.PhaseStaged:
		return "Scanning staged changes"
	case scanner.PhaseDone:
		return "Scoring"
	}
	return "Starting the scan"
}

// failedView says why the scan failed.
func (m *model) failedView() []string {
	out := []string{"", "  " + m.st.err.Render("The scan failed:"), ""}
	msg := clean(oneLine(fmt.Sprint(m.scanErr)))
	for _, l := range strings.Split(ansi.Wrap(msg, max(10, m.width-4), " "), "\n") {
		out = append(out, "  "+l)
	}
	return append(out, "", "  Press q to quit.")
}

// Text helpers.

// clean makes text from outside (paths, authors, diffs, errors) safe to put
// on the screen: control characters, which could drive the terminal, become
// '?', tabs become spaces.
func clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == '\t' || unicode.IsControl(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString("    ")
		case unicode.IsControl(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// padRight cuts s to w cells (with an ellipsis) or pads it with spaces.
func padRight(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// truncLeft keeps the end of s (a path's file name) within w cells.
func truncLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n <= w {
		return s
	}
	return ansi.TruncateLeft(s, n-w+1, "…")
}

func humanBytes(n float64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f B", n)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
