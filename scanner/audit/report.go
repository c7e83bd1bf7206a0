package audit

import (
	"sort"
	"time"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
)

// ReportVersion is the version of the org report schema (SPEC §9).
const ReportVersion = 1

// Report is an org audit (SPEC §9). Build it, then call [Report.Finalize]
// to sort it and compute its summary; writers expect a finalized report.
type Report struct {
	Version int
	Org     string
	Tool    scanner.Tool
	// RulesVersion identifies the rules and options the repositories were
	// scanned with; shards merge only when theirs agree.
	RulesVersion string
	// GeneratedAt is when the audit finished.
	GeneratedAt time.Time
	// Shard is the part of the organisation this report covers; nil for the
	// whole organisation (a single machine's audit, or merged shards).
	Shard *Shard
	// Filters is the repository selection.
	Filters Filters
	// Repositories are sorted by full name.
	Repositories []Repository
	Summary      Summary
}

// Filters is how repositories were selected.
type Filters struct {
	IncludeArchived bool
	IncludeForks    bool
	// Repos is the --repos glob list, empty for all.
	Repos string
}

// Repository is one repository's entry.
type Repository struct {
	// FullName is "owner/name".
	FullName      string
	Visibility    string
	DefaultBranch string
	// Report is the repository's SPEC §3 report, redacted; nil when Error is
	// set.
	Report *scanner.Report
	// Error says why the repository could not be audited.
	Error string
	// Tracking lists the report's credentials as new or open, and those
	// fixed since the previous audit, sorted by fingerprint. Without a state
	// database every credential is new.
	Tracking []state.Tracked
	// PullRequests are the remediation pull requests opened (--open-prs).
	PullRequests []string
}

// Summary counts an org report's content. Credentials are counted once per
// fingerprint across the organisation.
type Summary struct {
	Repositories int
	Audited      int
	Failed       int
	Credentials  int
	Occurrences  int
	BySeverity   map[scanner.Severity]int
	ByLifetime   map[rules.Lifetime]int
	ByProvider   map[string]int
	// SessionReadiness is the share of the organisation's credentials that
	// are session-scoped, 0 to 1 (1 when there are none).
	SessionReadiness float64
	// New and Fixed count tracking entries with those statuses.
	New, Fixed int
	// CrossRepository lists the literal credentials seen in several
	// repositories, most widespread first. CI references are fingerprinted
	// per repository by design, so only literal secrets cross-reference.
	CrossRepository []CrossRef
}

// CrossRef is a credential seen in several repositories.
type CrossRef struct {
	Fingerprint string
	Rule        string
	Type        string
	Provider    string
	Lifetime    rules.Lifetime
	Redacted    string
	// Score and Severity are the highest among the repositories.
	Score    int
	Severity scanner.Severity
	// Repositories are sorted full names.
	Repositories []string
	// Occurrences counts its occurrences across them.
	Occurrences int
}

// Risk is one credential of one repository, for "top risks" listings.
type Risk struct {
	Repository string
	Credential *scanner.Credential
}

// Finalize sorts the repositories by full name and recomputes the summary
// and the cross-references from them. The result depends only on the
// repositories, so merged shards finalize to the whole audit.
func (r *Report) Finalize() {
	if r.Version == 0 {
		r.Version = ReportVersion
	}
	sort.SliceStable(r.Repositories, func(i, j int) bool { return r.Repositories[i].FullName < r.Repositories[j].FullName })
	s := Summary{
		Repositories: len(r.Repositories),
		BySeverity:   map[scanner.Severity]int{},
		ByLifetime:   map[rules.Lifetime]int{},
		ByProvider:   map[string]int{},
	}
	for _, sev := range scanner.Severities {
		s.BySeverity[sev] = 0
	}
	for _, l := range rules.Lifetimes {
		s.ByLifetime[l] = 0
	}
	type agg struct {
		best    *scanner.Credential
		repos   []string
		occ     int
		literal bool
		session bool
	}
	byFP := map[string]*agg{}
	var order []string
	for _, repo := range r.Repositories {
		for _, t := range repo.Tracking {
			switch t.Status {
			case state.StatusNew:
				s.New++
			case state.StatusFixed:
				s.Fixed++
			}
		}
		if repo.Report == nil {
			s.Failed++
			continue
		}
		s.Audited++
		for i := range repo.Report.Credentials {
			c := &repo.Report.Credentials[i]
			a, ok := byFP[c.Fingerprint]
			if !ok {
				a = &agg{best: c}
				byFP[c.Fingerprint] = a
				order = append(order, c.Fingerprint)
			}
			if c.Score > a.best.Score {
				a.best = c
			}
			if len(a.repos) == 0 || a.repos[len(a.repos)-1] != repo.FullName {
				a.repos = append(a.repos, repo.FullName)
			}
			a.occ += len(c.Occurrences)
			a.session = a.session || c.IsSessionScoped()
			for _, o := range c.Occurrences {
				if o.Where != scanner.WhereCIReference {
					a.literal = true
				}
			}
		}
	}
	session := 0
	for _, fp := range order {
		a := byFP[fp]
		c := a.best
		s.Credentials++
		s.Occurrences += a.occ
		if c.Severity != "" {
			s.BySeverity[c.Severity]++
		}
		if c.Lifetime != "" {
			s.ByLifetime[c.Lifetime]++
		}
		s.ByProvider[providerName(c.Provider)]++
		if a.session {
			session++
		}
		if len(a.repos) < 2 || !a.literal {
			continue
		}
		s.CrossRepository = append(s.CrossRepository, CrossRef{
			Fingerprint: fp, Rule: c.Rule, Type: c.Type, Provider: c.Provider, Lifetime: c.Lifetime,
			Redacted: c.RedactedSecret(), Score: c.Score, Severity: c.Severity,
			Repositories: a.repos, Occurrences: a.occ,
		})
	}
	s.SessionReadiness = 1
	if s.Credentials > 0 {
		s.SessionReadiness = float64(session) / float64(s.Credentials)
	}
	sort.Slice(s.CrossRepository, func(i, j int) bool {
		a, b := s.CrossRepository[i], s.CrossRepository[j]
		if len(a.Repositories) != len(b.Repositories) {
			return len(a.Repositories) > len(b.Repositories)
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Fingerprint < b.Fingerprint
	})
	r.Summary = s
}

// TopRisks returns up to n credentials of the organisation, one entry per
// repository and credential, by score (highest first), then repository and
// fingerprint. Session-scoped inventory is left out.
func (r *Report) TopRisks(n int) []Risk {
	var out []Risk
	for _, repo := range r.Repositories {
		if repo.Report == nil {
			continue
		}
		for i := range repo.Report.Credentials {
			c := &repo.Report.Credentials[i]
			if c.IsSessionScoped() {
				continue
			}
			out = append(out, Risk{Repository: repo.FullName, Credential: c})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Credential.Score != b.Credential.Score {
			return a.Credential.Score > b.Credential.Score
		}
		if a.Repository != b.Repository {
			return a.Repository < b.Repository
		}
		return a.Credential.Fingerprint < b.Credential.Fingerprint
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Failures returns the repositories that could not be audited.
func (r *Report) Failures() []Repository {
	var out []Repository
	for _, repo := range r.Repositories {
		if repo.Error != "" {
			out = append(out, repo)
		}
	}
	return out
}

// MaxSeverity returns the highest severity in the organisation, and false
// when there are no credentials.
func (r *Report) MaxSeverity() (scanner.Severity, bool) {
	best, ok := scanner.SeverityInfo, false
	for _, repo := range r.Repositories {
		if repo.Report == nil {
			continue
		}
		if sev, has := repo.Report.MaxSeverity(); has && (!ok || sev.Rank() > best.Rank()) {
			best, ok = sev, true
		}
	}
	return best, ok
}

func providerName(p string) string {
	if p == "" {
		return "unknown"
	}
	return p
}
