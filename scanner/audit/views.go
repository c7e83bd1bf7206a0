package audit

import (
	"sort"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

// The views below are what the markdown and HTML reports show, computed
// from a finalized report alone.

// providerRow counts the organisation's credentials of one provider by
// lifetime class.
type providerRow struct {
	Provider string
	ByLife   map[rules.Lifetime]int
	Total    int
}

// byProviderAndLifetime counts distinct credentials (by fingerprint, the
// highest-scored entry deciding its class) per provider and lifetime,
// most credentials first.
func byProviderAndLifetime(r *Report) []providerRow {
	best := map[string]*scanner.Credential{}
	for _, repo := range r.Repositories {
		if repo.Report == nil {
			continue
		}
		for i := range repo.Report.Credentials {
			c := &repo.Report.Credentials[i]
			if b, ok := best[c.Fingerprint]; !ok || c.Score > b.Score {
				best[c.Fingerprint] = c
			}
		}
	}
	rows := map[string]*providerRow{}
	for _, c := range best {
		p := providerName(c.Provider)
		row, ok := rows[p]
		if !ok {
			row = &providerRow{Provider: p, ByLife: map[rules.Lifetime]int{}}
			rows[p] = row
		}
		row.ByLife[c.Lifetime]++
		row.Total++
	}
	out := make([]providerRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Provider < out[j].Provider
	})
	return out
}

// repoRow summarises one repository.
type repoRow struct {
	FullName    string
	Visibility  string
	Error       string
	Credentials int
	Occurrences int
	Readiness   float64
	BySeverity  map[scanner.Severity]int
	// Critical and High repeat BySeverity for templates.
	Critical, High int
	Highest        scanner.Severity
	New, Fixed     int
}

// repoRows summarises every repository, in name order.
func repoRows(r *Report) []repoRow {
	out := make([]repoRow, 0, len(r.Repositories))
	for _, repo := range r.Repositories {
		row := repoRow{FullName: repo.FullName, Visibility: repo.Visibility, Error: repo.Error, BySeverity: map[scanner.Severity]int{}}
		for _, t := range repo.Tracking {
			switch t.Status {
			case state.StatusNew:
				row.New++
			case state.StatusFixed:
				row.Fixed++
			}
		}
		if rep := repo.Report; rep != nil {
			row.Credentials, row.Occurrences, row.Readiness = rep.Summary.Credentials, rep.Summary.Occurrences, rep.Summary.SessionReadiness
			for sev, n := range rep.Summary.BySeverity {
				row.BySeverity[sev] = n
			}
			row.Critical, row.High = row.BySeverity[scanner.SeverityCritical], row.BySeverity[scanner.SeverityHigh]
			if sev, ok := rep.MaxSeverity(); ok {
				row.Highest = sev
			}
		}
		out = append(out, row)
	}
	return out
}

// change is a credential new or fixed in a repository since the previous
// audit.
type change struct {
	Repository string
	Tracked    state.Tracked
}

// changes lists the new and fixed credentials, by repository and
// fingerprint.
func changes(r *Report) (added, fixed []change) {
	for _, repo := range r.Repositories {
		for _, t := range repo.Tracking {
			switch t.Status {
			case state.StatusNew:
				added = append(added, change{repo.FullName, t})
			case state.StatusFixed:
				fixed = append(fixed, change{repo.FullName, t})
			}
		}
	}
	return added, fixed
}

// severityCounts returns the organisation's counts by severity, most
// severe first, leaving out zeros.
func severityCounts(s *Summary) []sevCount {
	var out []sevCount
	for _, sev := range scanner.Severities {
		if n := s.BySeverity[sev]; n > 0 {
			out = append(out, sevCount{sev, n})
		}
	}
	return out
}

type sevCount struct {
	Severity scanner.Severity
	N        int
}
