package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sessionize/sessionize/scanner"
)

// progressBar draws scan progress on one stderr line of a terminal.
type progressBar struct {
	w      io.Writer
	color  bool
	drawn  bool
	width  int
	lastAt time.Time
}

func newProgressBar(w io.Writer, color bool) *progressBar {
	return &progressBar{w: w, color: color, width: 24}
}

func (p *progressBar) update(ev scanner.Progress) {
	var line string
	rate := ""
	if secs := ev.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(" %s/s", humanBytes(float64(ev.Bytes)/secs))
	}
	switch ev.Phase {
	case scanner.PhaseHistory:
		line = fmt.Sprintf("history %s %d/%d commits, %d blobs, %s%s", p.bar(ev.Commits, ev.CommitsTotal), ev.Commits, ev.CommitsTotal, ev.Blobs, humanBytes(float64(ev.Bytes)), rate)
	case scanner.PhaseWorktree, scanner.PhaseStaged:
		line = fmt.Sprintf("%s %s %d/%d files, %s%s", ev.Phase, p.bar(ev.Files, ev.FilesTotal), ev.Files, ev.FilesTotal, humanBytes(float64(ev.Bytes)), rate)
	case scanner.PhaseListing:
		line = "listing files..."
	case scanner.PhaseDone:
		p.finish()
		return
	}
	if ev.Findings > 0 {
		line += fmt.Sprintf(", %d findings", ev.Findings)
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
	p.drawn = true
}

func (p *progressBar) bar(n, total int64) string {
	if total <= 0 {
		return ""
	}
	filled := int(float64(p.width) * float64(min(n, total)) / float64(total))
	return "[" + strings.Repeat("=", filled) + strings.Repeat(" ", p.width-filled) + "]"
}

// finish clears the line so that what follows starts clean.
func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
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
