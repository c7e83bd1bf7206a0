package audit

import (
	"fmt"
	"io"
	"strings"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// markdownTopRisks is how many credentials the "Top risks" sections list.
const markdownTopRisks = 20

// WriteMarkdown writes the org report as GitHub-flavoured markdown: summary,
// top risks, credentials in several repositories, credentials by lifetime
// and provider, repositories, changes since the previous audit and
// failures. r must be finalized. Secrets appear redacted only.
func WriteMarkdown(w io.Writer, r *Report) error {
	m := &mdWriter{w: w}
	m.header(r)
	m.summary(r)
	m.topRisks(r)
	m.crossRefs(r)
	m.lifetimes(r)
	m.repositories(r)
	m.changes(r)
	m.failures(r)
	if m.err != nil {
		return fmt.Errorf("write markdown org report: %w", m.err)
	}
	return nil
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) header(r *Report) {
	m.printf("# sessionize audit: %s\n\n", cell(r.Org))
	var meta []string
	if !r.GeneratedAt.IsZero() {
		meta = append(meta, "generated "+r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	meta = append(meta, "sessionize "+cell(r.Tool.Version), "rules "+code(r.RulesVersion))
	if r.Shard != nil {
		meta = append(meta, "shard "+r.Shard.String())
	}
	m.printf("%s\n\n", strings.Join(meta, " · "))
}

func (m *mdWriter) summary(r *Report) {
	s := &r.Summary
	m.printf("## Summary\n\n| | |\n|---|---|\n")
	m.printf("| Repositories | %d audited, %d failed |\n", s.Audited, s.Failed)
	m.printf("| Credentials | %d (%d occurrences) |\n", s.Credentials, s.Occurrences)
	var sev []string
	for _, c := range severityCounts(s) {
		sev = append(sev, fmt.Sprintf("%d %s", c.N, c.Severity))
	}
	if len(sev) == 0 {
		sev = []string{"none"}
	}
	m.printf("| By severity | %s |\n", strings.Join(sev, " · "))
	m.printf("| Session readiness | %s |\n", percent(s.SessionReadiness))
	m.printf("| In several repositories | %d |\n", len(s.CrossRepository))
	m.printf("| Since the previous audit | %d new · %d fixed |\n\n", s.New, s.Fixed)
}

func (m *mdWriter) topRisks(r *Report) {
	risks := r.TopRisks(markdownTopRisks)
	m.printf("## Top risks\n\n")
	if len(risks) == 0 {
		m.printf("No long-lived credential found.\n\n")
		return
	}
	m.printf("| Severity | Score | Repository | Credential | Type | Lifetime | Where | Expected |\n|---|---:|---|---|---|---|---|---|\n")
	for _, k := range risks {
		c := k.Credential
		m.printf("| %s | %d | %s | %s | %s | %s | %s | %s |\n", c.Severity, c.Score, cell(k.Repository), code(c.RedactedSecret()),
			cell(c.Type), c.Lifetime, cell(firstPlace(c)), cell(c.Expected))
	}
	m.printf("\n")
}

func (m *mdWriter) crossRefs(r *Report) {
	m.printf("## Credentials in several repositories\n\n")
	if len(r.Summary.CrossRepository) == 0 {
		m.printf("No credential appears in more than one repository.\n\n")
		return
	}
	m.printf("| Credential | Fingerprint | Type | Severity | Repositories |\n|---|---|---|---|---|\n")
	for _, x := range r.Summary.CrossRepository {
		m.printf("| %s | %s | %s | %s | %d: %s |\n", code(x.Redacted), code(x.Fingerprint), cell(x.Type), x.Severity,
			len(x.Repositories), cell(strings.Join(x.Repositories, ", ")))
	}
	m.printf("\n")
}

func (m *mdWriter) lifetimes(r *Report) {
	rows := byProviderAndLifetime(r)
	m.printf("## Credentials by lifetime and provider\n\n")
	if len(rows) == 0 {
		m.printf("No credential.\n\n")
		return
	}
	m.printf("| Provider |")
	for _, l := range rules.Lifetimes {
		m.printf(" %s |", l)
	}
	m.printf(" Total |\n|---|")
	for range rules.Lifetimes {
		m.printf("---:|")
	}
	m.printf("---:|\n")
	for _, row := range rows {
		m.printf("| %s |", cell(row.Provider))
		for _, l := range rules.Lifetimes {
			m.printf(" %d |", row.ByLife[l])
		}
		m.printf(" %d |\n", row.Total)
	}
	m.printf("\n")
}

func (m *mdWriter) repositories(r *Report) {
	m.printf("## Repositories\n\n| Repository | Readiness | Credentials | Critical | High | Highest | New | Fixed |\n|---|---:|---:|---:|---:|---|---:|---:|\n")
	for _, row := range repoRows(r) {
		if row.Error != "" {
			m.printf("| %s | | | | | failed | | |\n", cell(row.FullName))
			continue
		}
		highest := string(row.Highest)
		if row.Credentials == 0 {
			highest = "-"
		}
		m.printf("| %s | %s | %d | %d | %d | %s | %d | %d |\n", cell(row.FullName), percent(row.Readiness), row.Credentials,
			row.BySeverity[scanner.SeverityCritical], row.BySeverity[scanner.SeverityHigh], highest, row.New, row.Fixed)
	}
	m.printf("\n")
}

func (m *mdWriter) changes(r *Report) {
	added, fixed := changes(r)
	m.printf("## Since the previous audit\n\n")
	if len(added)+len(fixed) == 0 {
		m.printf("Nothing new, nothing fixed.\n\n")
		return
	}
	for _, part := range []struct {
		title string
		list  []change
	}{{"New", added}, {"Fixed", fixed}} {
		if len(part.list) == 0 {
			continue
		}
		m.printf("### %s\n\n", part.title)
		for _, c := range part.list {
			m.printf("- %s: %s %s (%s, fingerprint %s)\n", cell(c.Repository), code(c.Tracked.Redacted), cell(c.Tracked.Type), cell(c.Tracked.Rule), code(c.Tracked.Fingerprint))
		}
		m.printf("\n")
	}
}

func (m *mdWriter) failures(r *Report) {
	fails := r.Failures()
	if len(fails) == 0 {
		return
	}
	m.printf("## Failures\n\n")
	for _, f := range fails {
		m.printf("- %s: %s\n", cell(f.FullName), cell(f.Error))
	}
	m.printf("\n")
}

// firstPlace names a credential's first occurrence: path:line (where).
func firstPlace(c *scanner.Credential) string {
	if len(c.Occurrences) == 0 {
		return ""
	}
	o := c.Occurrences[0]
	s := fmt.Sprintf("%s:%d (%s)", o.Path, o.Line, o.Where)
	if n := len(c.Occurrences) - 1; n > 0 {
		s += fmt.Sprintf(" +%d", n)
	}
	return s
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
	return s
}

// code wraps text in a code span long enough for the backticks it holds.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", `\|`).Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func percent(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }
