package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sessionize/sessionize/scanner"
)

// maxTableOccurrences caps the occurrences listed per credential; the rest
// are counted.
const maxTableOccurrences = 10

var severityColor = map[scanner.Severity]string{
	scanner.SeverityCritical: "\x1b[1;31m",
	scanner.SeverityHigh:     "\x1b[31m",
	scanner.SeverityMedium:   "\x1b[33m",
	scanner.SeverityLow:      "\x1b[36m",
	scanner.SeverityInfo:     "\x1b[2m",
}

// WriteTable writes a human-readable listing: credentials grouped, most
// severe first, each with its occurrences, expectation and reasons, then a
// summary line.
func WriteTable(w io.Writer, r *scanner.Report, opts Options) error {
	ew := &errWriter{w: w}
	for i := range r.Credentials {
		writeCredential(ew, &r.Credentials[i], opts)
	}
	writeSummary(ew, r)
	return ew.err
}

func writeCredential(w *errWriter, c *scanner.Credential, opts Options) {
	sev := strings.ToUpper(string(c.Severity))
	if sev == "" {
		sev = "-"
	}
	if opts.Color {
		sev = severityColor[c.Severity] + sev + "\x1b[0m"
		sev += strings.Repeat(" ", max(0, 8-len(c.Severity)))
	} else {
		sev = fmt.Sprintf("%-8s", sev)
	}
	value := c.RedactedSecret()
	if opts.ShowSecrets && !c.Secret.IsZero() {
		value = c.Secret.Reveal()
	}
	w.printf("%s %3d  %s (%s, %s)  %s\n", sev, c.Score, printable(c.Type), printable(c.Provider), c.Lifetime, printable(value))
	meta := []string{"fingerprint " + c.Fingerprint, "rule " + c.Rule, plural(len(c.Occurrences), "occurrence")}
	if !c.ExpiresAt.IsZero() {
		meta = append(meta, "expires "+c.ExpiresAt.UTC().Format("2006-01-02 15:04Z"))
	}
	if c.Fixer != "" {
		meta = append(meta, "fix: "+c.Fixer)
	}
	w.printf("             %s\n", strings.Join(meta, " · "))
	if c.Expected != "" {
		w.printf("             expected: %s\n", c.Expected)
	}
	for _, reason := range c.Reasons {
		w.printf("             - %s\n", reason)
	}
	for i, o := range c.Occurrences {
		if i == maxTableOccurrences {
			w.printf("             ... and %d more\n", len(c.Occurrences)-i)
			break
		}
		w.printf("             %s\n", occurrenceLine(o))
	}
	w.printf("\n")
}

func occurrenceLine(o scanner.Occurrence) string {
	s := fmt.Sprintf("%s:%d:%d  %s", printable(o.Path), o.Line, o.Column, o.Where)
	if o.Commit != "" {
		s += fmt.Sprintf("  %s %s %s", short(o.Commit), o.Date.UTC().Format("2006-01-02"), printable(o.Author))
	}
	if o.Where == scanner.WhereHistory && !o.InHead {
		s += "  (removed since)"
	}
	return s
}

func writeSummary(w *errWriter, r *scanner.Report) {
	s := r.Summary
	var parts []string
	for _, sev := range scanner.Severities {
		if n := s.BySeverity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	counts := ""
	if len(parts) > 0 {
		counts = " (" + strings.Join(parts, ", ") + ")"
	}
	w.printf("%s, %s%s; session readiness %.0f%%\n", plural(s.Credentials, "credential"), plural(s.Occurrences, "occurrence"), counts, 100*s.SessionReadiness)
	t := r.Target
	line := fmt.Sprintf("scanned %s: %s, %s, %s", t.Path, plural(int(t.CommitsScanned), "commit"), plural(int(t.BlobsScanned), "blob"), humanBytes(t.BytesScanned))
	sk := s.Skipped
	var skipped []string
	for _, p := range []struct {
		n    int64
		what string
	}{{sk.Binary, "binary"}, {sk.TooLarge, "too large"}, {sk.LFS, "LFS pointers"}, {sk.Unreadable, "unreadable"}, {sk.Invalid, "invalid"}, {s.ObjectsMissing, "missing objects"}} {
		if p.n > 0 {
			skipped = append(skipped, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(skipped) > 0 {
		line += "; skipped " + strings.Join(skipped, ", ")
	}
	w.printf("%s\n", line)
}

// printable replaces control characters, so that a path or an author name
// from a repository cannot send escape sequences to the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// errWriter remembers the first write error so that writers can print
// without checking each call.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
