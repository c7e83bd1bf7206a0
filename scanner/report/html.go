package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/sessionize/sessionize/scanner"
)

// maxHTMLOccurrences caps the occurrences listed per credential; the rest
// are counted.
const maxHTMLOccurrences = 200

// WriteHTML writes a self-contained HTML page: inline CSS, no script, no
// external resource (a Content-Security-Policy forbids them), escaped by
// html/template. A summary (counts by severity, session readiness) comes
// first, then one table per severity, most severe first, each credential
// with its expectation, reasons and occurrences in a collapsible row.
func WriteHTML(w io.Writer, r *scanner.Report, opts Options) error {
	t, err := template.New("report").Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	if err := t.Execute(w, htmlView(r, opts)); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

type htmlPage struct {
	Tool, Version, Target     string
	Scanned                   string
	Credentials, Occurrences  int
	Readiness                 string
	ReadinessPct              int
	Counts                    []htmlCount
	Groups                    []htmlGroup
	Skipped                   string
	ShowSecrets, HasSomething bool
}

type htmlCount struct {
	Severity string
	N        int
	// Pct is the share of credentials, for the stacked bar.
	Pct string
}

type htmlGroup struct {
	Severity    string
	Title       string
	Credentials []htmlCredential
}

type htmlCredential struct {
	Anchor, Fingerprint, Rule, Type, Provider, Lifetime, Expires string
	Value, Expected, Fixer, Verified                             string
	Score, Sprawl                                                int
	Reasons                                                      []string
	Occurrences                                                  []htmlOccurrence
	More                                                         int
}

type htmlOccurrence struct {
	Path, Where, Commit, Author, Date string
	Line, Column                      int
}

func htmlView(r *scanner.Report, opts Options) htmlPage {
	s := r.Summary
	t := r.Target
	p := htmlPage{
		Tool: toolName(r), Version: r.Tool.Version, Target: t.Path,
		Scanned:     fmt.Sprintf("%s, %s, %s", plural(int(t.CommitsScanned), "commit"), plural(int(t.BlobsScanned), "blob"), humanBytes(t.BytesScanned)),
		Credentials: s.Credentials, Occurrences: s.Occurrences,
		Readiness:    fmt.Sprintf("%.0f%%", 100*s.SessionReadiness),
		ReadinessPct: int(100*s.SessionReadiness + 0.5),
		ShowSecrets:  opts.ShowSecrets, HasSomething: len(r.Credentials) > 0,
		Skipped: skippedText(r),
	}
	for _, sev := range scanner.Severities {
		n := s.BySeverity[sev]
		pct := "0"
		if s.Credentials > 0 {
			pct = fmt.Sprintf("%.2f", 100*float64(n)/float64(s.Credentials))
		}
		p.Counts = append(p.Counts, htmlCount{Severity: string(sev), N: n, Pct: pct})
	}
	groups := map[scanner.Severity]*htmlGroup{}
	var order []scanner.Severity
	for i := range r.Credentials {
		c := &r.Credentials[i]
		g, ok := groups[c.Severity]
		if !ok {
			g = &htmlGroup{Severity: severityLabel(c.Severity), Title: strings.ToUpper(severityLabel(c.Severity)[:1]) + severityLabel(c.Severity)[1:]}
			groups[c.Severity] = g
			order = append(order, c.Severity)
		}
		g.Credentials = append(g.Credentials, htmlCredentialFor(i, c, opts))
	}
	// Most severe first; unknown severities last, in report order.
	for _, sev := range append(append([]scanner.Severity(nil), scanner.Severities...), order...) {
		if g, ok := groups[sev]; ok {
			p.Groups = append(p.Groups, *g)
			delete(groups, sev)
		}
	}
	return p
}

func htmlCredentialFor(i int, c *scanner.Credential, opts Options) htmlCredential {
	hc := htmlCredential{
		Anchor: anchor(i, c), Fingerprint: c.Fingerprint, Rule: c.Rule, Type: orDash(c.Type), Provider: orDash(c.Provider),
		Lifetime: orDash(string(c.Lifetime)), Value: value(c, opts), Expected: c.Expected, Fixer: c.Fixer,
		Verified: c.Verified, Score: c.Score, Sprawl: c.Sprawl(), Reasons: c.Reasons,
	}
	if hc.Verified == "unknown" {
		hc.Verified = ""
	}
	if !c.ExpiresAt.IsZero() {
		hc.Expires = c.ExpiresAt.UTC().Format("2006-01-02 15:04Z")
	}
	for j, o := range c.Occurrences {
		if j == maxHTMLOccurrences {
			hc.More = len(c.Occurrences) - j
			break
		}
		ho := htmlOccurrence{Path: o.Path, Line: o.Line, Column: o.Column, Where: string(o.Where), Commit: short(o.Commit), Author: o.Author}
		if o.Where == scanner.WhereHistory && !o.InHead {
			ho.Where += " (removed since)"
		}
		if !o.Date.IsZero() {
			ho.Date = o.Date.UTC().Format(time.DateOnly)
		}
		hc.Occurrences = append(hc.Occurrences, ho)
	}
	return hc
}

func skippedText(r *scanner.Report) string {
	sk := r.Summary.Skipped
	var parts []string
	for _, p := range []struct {
		n    int64
		what string
	}{{sk.Binary, "binary"}, {sk.TooLarge, "too large"}, {sk.LFS, "LFS pointers"}, {sk.Unreadable, "unreadable"}, {sk.Invalid, "invalid"}, {r.Summary.ObjectsMissing, "missing objects"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="{{.Tool}} {{.Version}}">
<title>sessionize report: {{.Target}}</title>
<style>
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --critical: #a40e26; --high: #d1242f; --medium: #bc4c00; --low: #0969da; --info: #6e7781; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d;
    --critical: #ff7b72; --high: #f85149; --medium: #db6d28; --low: #4493f8; --info: #9198a1; --ok: #3fb950; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; color: var(--fg); background: var(--bg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; word-break: break-all; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; min-width: 110px; }
.card .n { font-size: 22px; font-weight: 600; }
.bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; background: var(--panel); border: 1px solid var(--line); }
.bar span { display: block; height: 100%; }
.readiness { height: 10px; border-radius: 5px; background: var(--panel); border: 1px solid var(--line); overflow: hidden; max-width: 320px; }
.readiness span { display: block; height: 100%; background: var(--ok); }
.sev-critical { color: var(--critical); } .bg-critical { background: var(--critical); }
.sev-high { color: var(--high); } .bg-high { background: var(--high); }
.sev-medium { color: var(--medium); } .bg-medium { background: var(--medium); }
.sev-low { color: var(--low); } .bg-low { background: var(--low); }
.sev-info { color: var(--info); } .bg-info { background: var(--info); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; }
details summary { cursor: pointer; color: var(--muted); }
details ul { margin: 4px 0 8px; padding-left: 20px; }
.occ th, .occ td { font-size: 12px; padding: 3px 6px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
footer { margin-top: 32px; font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>sessionize report</h1>
<p class="muted">Target <code>{{.Target}}</code> · {{.Scanned}} scanned{{if .Version}} · {{.Tool}} {{.Version}}{{end}}{{if .Skipped}} · skipped {{.Skipped}}{{end}}</p>
</header>
<section aria-label="Summary">
<div class="cards">
<div class="card"><div class="n">{{.Credentials}}</div><div class="muted">credentials</div></div>
<div class="card"><div class="n">{{.Occurrences}}</div><div class="muted">occurrences</div></div>
{{range .Counts}}<div class="card"><div class="n sev-{{.Severity}}">{{.N}}</div><div class="muted">{{.Severity}}</div></div>
{{end}}</div>
{{if .HasSomething}}<div class="bar" role="img" aria-label="credentials by severity">{{range .Counts}}{{if .N}}<span class="bg-{{.Severity}}" style="width: {{.Pct}}%" title="{{.Severity}}: {{.N}}"></span>{{end}}{{end}}</div>{{end}}
<p>Session readiness <strong>{{.Readiness}}</strong>: the share of credentials already session-scoped.</p>
<div class="readiness" role="img" aria-label="session readiness {{.Readiness}}"><span style="width: {{.ReadinessPct}}%"></span></div>
{{if .ShowSecrets}}<p class="sev-high"><strong>This report contains secret values in full. Do not share it.</strong></p>{{end}}
</section>
{{if not .HasSomething}}<p>No credentials found.</p>{{end}}
{{range $g := .Groups}}
<section aria-labelledby="sev-{{.Severity}}">
<h2 id="sev-{{.Severity}}" class="sev-{{.Severity}}">{{.Title}} ({{len .Credentials}})</h2>
<table>
<thead><tr><th class="num">Score</th><th>Credential</th><th>Lifetime</th><th class="num">Places</th><th>Expected in its place</th><th>Fix</th></tr></thead>
<tbody>
{{range .Credentials}}<tr id="{{.Anchor}}">
<td class="num"><span class="badge bg-{{$g.Severity}}">{{.Score}}</span></td>
<td><strong>{{.Type}}</strong> <span class="muted">({{.Provider}})</span><br><code>{{.Value}}</code><br><span class="muted mono">{{.Fingerprint}} · {{.Rule}}</span>{{if .Verified}}<br>verified {{.Verified}}{{end}}
<details><summary>Why this score, where it is</summary>
{{if .Reasons}}<ul>{{range .Reasons}}<li>{{.}}</li>{{end}}</ul>{{end}}
<table class="occ"><thead><tr><th>Path</th><th class="num">Line</th><th>Where</th><th>Commit</th><th>Author</th><th>Date</th></tr></thead><tbody>
{{range .Occurrences}}<tr><td><code>{{.Path}}</code></td><td class="num">{{.Line}}:{{.Column}}</td><td>{{.Where}}</td><td>{{with .Commit}}<code>{{.}}</code>{{end}}</td><td>{{.Author}}</td><td>{{.Date}}</td></tr>
{{end}}</tbody></table>{{if .More}}<p class="muted">… and {{.More}} more.</p>{{end}}
</details></td>
<td>{{.Lifetime}}{{if .Expires}}<br><span class="muted">expires {{.Expires}}</span>{{end}}</td>
<td class="num">{{.Sprawl}}</td>
<td>{{.Expected}}</td>
<td>{{if .Fixer}}<code>sessionize fix --only {{.Fixer}}</code>{{else}}<span class="muted">manual</span>{{end}}</td>
</tr>
{{end}}</tbody>
</table>
</section>
{{end}}
<footer class="muted">Generated by {{.Tool}}{{if .Version}} {{.Version}}{{end}}. Values are redacted unless the report was written with --show-secrets.</footer>
</body>
</html>
`
