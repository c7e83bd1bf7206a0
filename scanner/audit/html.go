package audit

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"percent": percent,
	"sevColor": func(s scanner.Severity) string {
		return severityColors[s]
	},
	"place": firstPlace,
	"join":  strings.Join,
	"date": func(r *Report) string {
		if r.GeneratedAt.IsZero() {
			return ""
		}
		return r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")
	},
}).Parse(htmlSource))

// Chart sizes, in SVG user units.
const (
	chartWidth  = 860
	labelWidth  = 300
	valueWidth  = 90
	barArea     = chartWidth - labelWidth - valueWidth - 20
	rowHeight   = 22
	barHeight   = 14
	legendSpace = 28
	topPadding  = 8

	maxReadinessRows = 40
	maxProviderRows  = 15
	maxSprawlRows    = 20
	htmlTopRisks     = 15
)

var severityColors = map[scanner.Severity]string{
	scanner.SeverityCritical: "#b71c1c",
	scanner.SeverityHigh:     "#e65100",
	scanner.SeverityMedium:   "#f9a825",
	scanner.SeverityLow:      "#0277bd",
	scanner.SeverityInfo:     "#607d8b",
}

var lifetimeColors = map[rules.Lifetime]string{
	rules.Session:  "#2e7d32",
	rules.Short:    "#0288d1",
	rules.Bounded:  "#f9a825",
	rules.Standing: "#c62828",
}

// chart is a horizontal bar chart drawn as inline SVG.
type chart struct {
	ID, Title string
	// Note says what the chart leaves out, if anything.
	Note          string
	Empty         string
	Width, Height int
	LabelX        int
	ValueX        int
	Legend        []legendItem
	Rows          []chartRow
}

type legendItem struct {
	X     int
	Fill  string
	Label string
}

type chartRow struct {
	Y, TextY int
	Label    string
	Value    string
	Title    string
	Segments []segment
}

type segment struct {
	X, W  string
	Y, H  int
	Fill  string
	Title string
}

// htmlPage is what the template renders.
type htmlPage struct {
	R           *Report
	Severities  []sevCount
	Charts      []chart
	Risks       []Risk
	Repos       []repoRow
	Added       []change
	Fixed       []change
	Failures    []Repository
	NoCredRepos int
}

// WriteHTML writes the org report as one self-contained HTML page: inline
// CSS and SVG charts (session readiness per repository, credentials by
// lifetime and provider, credentials seen in several repositories, top
// risks), no script and nothing loaded from the network (a Content Security
// Policy forbids it). r must be finalized. Secrets appear redacted only.
func WriteHTML(w io.Writer, r *Report) error {
	p := htmlPage{R: r, Severities: severityCounts(&r.Summary), Risks: r.TopRisks(htmlTopRisks), Repos: repoRows(r), Failures: r.Failures()}
	p.Added, p.Fixed = changes(r)
	readiness, noCred := readinessChart(p.Repos)
	p.NoCredRepos = noCred
	p.Charts = []chart{readiness, lifetimeChart(r), sprawlChart(r), risksChart(p.Risks)}
	if err := htmlTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("write html org report: %w", err)
	}
	return nil
}

func newChart(id, title string, rows int, legend bool) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, LabelX: labelWidth - 8, ValueX: labelWidth + barArea + 8}
	top := topPadding
	if legend {
		top += legendSpace
	}
	c.Height = top + max(rows, 1)*rowHeight + topPadding
	return c
}

// row adds a bar row; segments are (fraction of the bar area, colour,
// title) from left to right.
func (c *chart) row(label, value, title string, segs ...seg) {
	i := len(c.Rows)
	top := topPadding
	if len(c.Legend) > 0 {
		top += legendSpace
	}
	y := top + i*rowHeight
	r := chartRow{Y: y, TextY: y + barHeight - 2, Label: truncateLabel(label, 40), Value: value, Title: title}
	x := 0.0
	for _, s := range segs {
		w := s.frac * barArea
		r.Segments = append(r.Segments, segment{
			X: fmt.Sprintf("%.1f", labelWidth+x), W: fmt.Sprintf("%.1f", w), Y: y + 1, H: barHeight,
			Fill: s.fill, Title: s.title,
		})
		if !s.track {
			x += w
		}
	}
	c.Rows = append(c.Rows, r)
}

type seg struct {
	frac  float64
	fill  string
	title string
	// track is a background drawn under the next segments.
	track bool
}

func (c *chart) legend(items ...legendItem) {
	x := labelWidth
	if n := len(c.Legend); n > 0 {
		last := c.Legend[n-1]
		x = last.X + 24 + 8*len(last.Label)
	}
	for _, it := range items {
		it.X = x
		c.Legend = append(c.Legend, it)
		x += 24 + 8*len(it.Label)
	}
}

// readinessChart draws each repository's session readiness, the least
// ready first; repositories without credentials are counted, not drawn.
func readinessChart(rows []repoRow) (chart, int) {
	var drawn []repoRow
	noCred := 0
	for _, r := range rows {
		switch {
		case r.Error != "":
		case r.Credentials == 0:
			noCred++
		default:
			drawn = append(drawn, r)
		}
	}
	sortStable(drawn, func(a, b repoRow) bool {
		if a.Readiness != b.Readiness {
			return a.Readiness < b.Readiness
		}
		return a.FullName < b.FullName
	})
	more := len(drawn) - maxReadinessRows
	if more > 0 {
		drawn = drawn[:maxReadinessRows]
	}
	c := newChart("chart-readiness", "Session readiness per repository", len(drawn), false)
	c.Empty = "No repository holds a credential."
	if more > 0 {
		c.Note = fmt.Sprintf("The %d least ready repositories; %d more not shown.", maxReadinessRows, more)
	}
	for _, r := range drawn {
		fill := "#2e7d32"
		switch {
		case r.Readiness < 0.5:
			fill = "#c62828"
		case r.Readiness < 0.9:
			fill = "#f9a825"
		}
		title := fmt.Sprintf("%s: %s of %d credentials session-scoped", r.FullName, percent(r.Readiness), r.Credentials)
		c.row(r.FullName, percent(r.Readiness), title, seg{frac: 1, fill: "#eceff1", track: true}, seg{frac: r.Readiness, fill: fill, title: title})
	}
	return c, noCred
}

// lifetimeChart stacks each provider's credentials by lifetime class.
func lifetimeChart(r *Report) chart {
	rows := byProviderAndLifetime(r)
	more := len(rows) - maxProviderRows
	if more > 0 {
		rows = rows[:maxProviderRows]
	}
	c := newChart("chart-lifetime-provider", "Credentials by lifetime and provider", len(rows), true)
	c.Empty = "No credential."
	if more > 0 {
		c.Note = fmt.Sprintf("%d more providers not shown.", more)
	}
	for _, l := range rules.Lifetimes {
		c.legend(legendItem{Fill: lifetimeColors[l], Label: string(l)})
	}
	top := 1
	for _, row := range rows {
		top = max(top, row.Total)
	}
	for _, row := range rows {
		var segs []seg
		var parts []string
		for _, l := range rules.Lifetimes {
			n := row.ByLife[l]
			if n == 0 {
				continue
			}
			t := fmt.Sprintf("%s: %d %s", row.Provider, n, l)
			parts = append(parts, fmt.Sprintf("%d %s", n, l))
			segs = append(segs, seg{frac: float64(n) / float64(top), fill: lifetimeColors[l], title: t})
		}
		c.row(row.Provider, fmt.Sprint(row.Total), row.Provider+": "+strings.Join(parts, ", "), segs...)
	}
	return c
}

// sprawlChart draws the credentials seen in several repositories.
func sprawlChart(r *Report) chart {
	xs := r.Summary.CrossRepository
	more := len(xs) - maxSprawlRows
	if more > 0 {
		xs = xs[:maxSprawlRows]
	}
	c := newChart("chart-sprawl", "Credentials seen in several repositories", len(xs), false)
	c.Empty = "No credential appears in more than one repository."
	if more > 0 {
		c.Note = fmt.Sprintf("%d more not shown.", more)
	}
	top := 2
	for _, x := range xs {
		top = max(top, len(x.Repositories))
	}
	for _, x := range xs {
		title := fmt.Sprintf("%s (%s, %s) in %s", x.Redacted, x.Type, x.Severity, strings.Join(x.Repositories, ", "))
		c.row(x.Redacted+" "+x.Type, fmt.Sprintf("%d repos", len(x.Repositories)), title,
			seg{frac: float64(len(x.Repositories)) / float64(top), fill: severityColors[x.Severity], title: title})
	}
	return c
}

// risksChart draws the top risks' scores.
func risksChart(risks []Risk) chart {
	c := newChart("chart-top-risks", "Top risks", len(risks), false)
	c.Empty = "No long-lived credential found."
	for _, k := range risks {
		cr := k.Credential
		title := fmt.Sprintf("%s: %s %s, score %d (%s)", k.Repository, cr.Type, cr.RedactedSecret(), cr.Score, cr.Severity)
		c.row(k.Repository+" · "+cr.RedactedSecret(), fmt.Sprintf("%d %s", cr.Score, cr.Severity), title,
			seg{frac: float64(cr.Score) / 100, fill: severityColors[cr.Severity], title: title})
	}
	return c
}

func truncateLabel(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func sortStable[T any](xs []T, less func(a, b T) bool) {
	// insertion sort keeps this dependency-free and stable; rows are few.
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && less(xs[j], xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}
