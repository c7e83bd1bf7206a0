package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sessionize/sessionize/scanner"
)

// maxMarkdownOccurrences caps the occurrences listed per credential; the
// rest are counted.
const maxMarkdownOccurrences = 50

// WriteMarkdown writes a GitHub-flavoured markdown report: the target and
// counts, a summary table with one row per credential, then a section per
// credential with its expectation, the reasons for its score and its
// occurrences. Text from the repository (paths, authors, values) is
// escaped so it cannot break tables or inject markup.
func WriteMarkdown(w io.Writer, r *scanner.Report, opts Options) error {
	ew := &errWriter{w: w}
	markdownHeader(ew, r)
	if len(r.Credentials) == 0 {
		ew.printf("No credentials found.\n")
		return ew.err
	}
	ew.printf("| # | Severity | Score | Type | Provider | Lifetime | Value | Places | Fix |\n")
	ew.printf("|---:|---|---:|---|---|---|---|---:|---|\n")
	for i := range r.Credentials {
		c := &r.Credentials[i]
		ew.printf("| [%d](#%s) | %s | %d | %s | %s | %s | %s | %d | %s |\n", i+1, anchor(i, c), severityLabel(c.Severity), c.Score,
			cell(c.Type), cell(c.Provider), cell(string(c.Lifetime)), codeCell(value(c, opts)), c.Sprawl(), codeCell(c.Fixer))
	}
	ew.printf("\n## Credentials\n")
	for i := range r.Credentials {
		markdownCredential(ew, i, &r.Credentials[i], opts)
	}
	return ew.err
}

func markdownHeader(w *errWriter, r *scanner.Report) {
	s := r.Summary
	w.printf("# sessionize report\n\n")
	t := r.Target
	w.printf("Target %s: %s, %s, %s scanned", code(t.Path), plural(int(t.CommitsScanned), "commit"), plural(int(t.BlobsScanned), "blob"), humanBytes(t.BytesScanned))
	if r.Tool.Version != "" {
		w.printf(" by %s %s", markdownText(toolName(r)), markdownText(r.Tool.Version))
	}
	w.printf(".\n\n")
	w.printf("**%s**, %s; session readiness **%.0f%%** (share of credentials already session-scoped).\n\n",
		plural(s.Credentials, "credential"), plural(s.Occurrences, "occurrence"), 100*s.SessionReadiness)
	w.printf("| Severity | Credentials |\n|---|---:|\n")
	for _, sev := range scanner.Severities {
		w.printf("| %s | %d |\n", sev, s.BySeverity[sev])
	}
	w.printf("\n")
}

func markdownCredential(w *errWriter, i int, c *scanner.Credential, opts Options) {
	w.printf("\n<a id=\"%s\"></a>\n### %d. %s %d: %s\n\n", anchor(i, c), i+1, strings.ToUpper(severityLabel(c.Severity)), c.Score, markdownText(orDash(c.Type)))
	w.printf("- Value: %s\n", code(value(c, opts)))
	w.printf("- Fingerprint: %s · rule %s · provider %s\n", code(c.Fingerprint), code(c.Rule), markdownText(orDash(c.Provider)))
	lifetime := markdownText(orDash(string(c.Lifetime)))
	if !c.ExpiresAt.IsZero() {
		lifetime += " · expires " + c.ExpiresAt.UTC().Format("2006-01-02 15:04Z")
	}
	w.printf("- Lifetime: %s\n", lifetime)
	if c.Expected != "" {
		w.printf("- Expected: %s\n", markdownText(c.Expected))
	}
	if c.Fixer != "" {
		w.printf("- Fix: %s\n", code("sessionize fix --only "+c.Fixer))
	}
	if c.Verified != "" && c.Verified != "unknown" {
		w.printf("- Verified: %s\n", markdownText(c.Verified))
	}
	if len(c.Reasons) > 0 {
		w.printf("\nWhy this score:\n\n")
		for _, reason := range c.Reasons {
			w.printf("- %s\n", markdownText(reason))
		}
	}
	w.printf("\n| Path | Line | Column | Where | Commit | Author | Date |\n|---|---:|---:|---|---|---|---|\n")
	for j, o := range c.Occurrences {
		if j == maxMarkdownOccurrences {
			w.printf("\n… and %d more.\n", len(c.Occurrences)-j)
			break
		}
		where := string(o.Where)
		if o.Where == scanner.WhereHistory && !o.InHead {
			where += " (removed since)"
		}
		date := "-"
		if !o.Date.IsZero() {
			date = o.Date.UTC().Format(time.DateOnly)
		}
		w.printf("| %s | %d | %d | %s | %s | %s | %s |\n", codeCell(o.Path), o.Line, o.Column, cell(where), codeCell(short(o.Commit)), cell(o.Author), date)
	}
}

// anchor is a stable in-page link target for credential i.
func anchor(i int, c *scanner.Credential) string {
	fp := c.Fingerprint
	if fp == "" || strings.ContainsFunc(fp, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') }) {
		return fmt.Sprintf("credential-%d", i+1)
	}
	return "credential-" + fp
}

// markdownText escapes text for markdown: characters with inline markup
// meaning get a backslash, HTML-significant ones become entities, and line
// breaks become spaces, so that a value cannot end a table cell, open a
// link, emphasise or inject HTML. (Block markup needs a line start, which
// escaped text never has: it always follows "- " or "| ".)
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cell is markdownText for table cells ("-" when empty).
func cell(s string) string { return markdownText(orDash(s)) }

// codeCell is code for table cells: a pipe ends a cell even inside a code
// span, so pipes are escaped (GitHub drops the backslash there).
func codeCell(s string) string { return code(strings.ReplaceAll(s, "|", `\|`)) }

// code wraps s in a code span whose fence is longer than any backtick run
// in s ("-" when empty); control characters become spaces.
func code(s string) string {
	if s == "" {
		return "-"
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
			continue
		}
		run = 0
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
