package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/report"
)

// The wire form of SPEC §9. Every list is sorted and every summary is
// recomputed from the repositories, so that the same repositories give the
// same bytes however the audit was split into shards.
type jsonReport struct {
	Version      int              `json:"version"`
	Org          string           `json:"org"`
	Tool         jsonTool         `json:"tool"`
	RulesVersion string           `json:"rules_version"`
	GeneratedAt  *string          `json:"generated_at"`
	Shard        *jsonShard       `json:"shard"`
	Filters      jsonFilters      `json:"filters"`
	Repositories []jsonRepository `json:"repositories"`
	Summary      jsonSummary      `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonShard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

type jsonFilters struct {
	IncludeArchived bool   `json:"include_archived"`
	IncludeForks    bool   `json:"include_forks"`
	Repos           string `json:"repos"`
}

type jsonRepository struct {
	FullName      string          `json:"full_name"`
	Visibility    string          `json:"visibility"`
	DefaultBranch string          `json:"default_branch"`
	Report        json.RawMessage `json:"report"`
	Error         *string         `json:"error"`
	Tracking      []jsonTracked   `json:"tracking"`
	PullRequests  []string        `json:"pull_requests,omitempty"`
}

type jsonTracked struct {
	Fingerprint string  `json:"fingerprint"`
	Status      string  `json:"status"`
	Rule        string  `json:"rule"`
	Type        string  `json:"type"`
	Provider    string  `json:"provider"`
	Redacted    string  `json:"redacted"`
	FirstSeen   *string `json:"first_seen"`
	LastSeen    *string `json:"last_seen"`
	FixedAt     *string `json:"fixed_at"`
}

type jsonSummary struct {
	Repositories     int            `json:"repositories"`
	Audited          int            `json:"audited"`
	Failed           int            `json:"failed"`
	Credentials      int            `json:"credentials"`
	Occurrences      int            `json:"occurrences"`
	BySeverity       map[string]int `json:"by_severity"`
	ByLifetime       map[string]int `json:"by_lifetime"`
	ByProvider       map[string]int `json:"by_provider"`
	SessionReadiness float64        `json:"session_readiness"`
	New              int            `json:"new"`
	Fixed            int            `json:"fixed"`
	CrossRepository  []jsonCrossRef `json:"cross_repository"`
}

type jsonCrossRef struct {
	Fingerprint  string   `json:"fingerprint"`
	Rule         string   `json:"rule"`
	Type         string   `json:"type"`
	Provider     string   `json:"provider"`
	Lifetime     string   `json:"lifetime"`
	Redacted     string   `json:"redacted"`
	Score        int      `json:"score"`
	Severity     string   `json:"severity"`
	Repositories []string `json:"repositories"`
	Occurrences  int      `json:"occurrences"`
}

// WriteJSON writes the org report (SPEC §9) as one indented JSON object.
// Each repository's report is its SPEC §3 form, redacted. r must be
// finalized.
func WriteJSON(w io.Writer, r *Report) error {
	out, err := toJSON(r)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write org report: %w", err)
	}
	return nil
}

func toJSON(r *Report) (jsonReport, error) {
	out := jsonReport{
		Version: r.Version, Org: r.Org,
		Tool:         jsonTool{Name: r.Tool.Name, Version: r.Tool.Version},
		RulesVersion: r.RulesVersion,
		GeneratedAt:  timeString(r.GeneratedAt),
		Filters:      jsonFilters{IncludeArchived: r.Filters.IncludeArchived, IncludeForks: r.Filters.IncludeForks, Repos: r.Filters.Repos},
		Repositories: []jsonRepository{},
		Summary:      summaryJSON(&r.Summary),
	}
	if out.Version == 0 {
		out.Version = ReportVersion
	}
	if r.Shard != nil {
		out.Shard = &jsonShard{Index: r.Shard.Index, Count: r.Shard.Count}
	}
	for _, repo := range r.Repositories {
		jr := jsonRepository{
			FullName: repo.FullName, Visibility: repo.Visibility, DefaultBranch: repo.DefaultBranch,
			Report: json.RawMessage("null"), Tracking: []jsonTracked{}, PullRequests: repo.PullRequests,
		}
		if repo.Error != "" {
			e := repo.Error
			jr.Error = &e
		}
		if repo.Report != nil {
			var buf bytes.Buffer
			if err := report.WriteJSON(&buf, repo.Report, report.Options{}); err != nil {
				return jsonReport{}, fmt.Errorf("write org report: repository %q: %w", repo.FullName, err)
			}
			jr.Report = json.RawMessage(bytes.TrimSpace(buf.Bytes()))
		}
		for _, t := range repo.Tracking {
			jr.Tracking = append(jr.Tracking, trackedJSON(t))
		}
		out.Repositories = append(out.Repositories, jr)
	}
	return out, nil
}

func summaryJSON(s *Summary) jsonSummary {
	out := jsonSummary{
		Repositories: s.Repositories, Audited: s.Audited, Failed: s.Failed,
		Credentials: s.Credentials, Occurrences: s.Occurrences,
		BySeverity: map[string]int{}, ByLifetime: map[string]int{}, ByProvider: map[string]int{},
		SessionReadiness: s.SessionReadiness, New: s.New, Fixed: s.Fixed,
		CrossRepository: []jsonCrossRef{},
	}
	for _, sev := range scanner.Severities {
		out.BySeverity[string(sev)] = s.BySeverity[sev]
	}
	for _, l := range rules.Lifetimes {
		out.ByLifetime[string(l)] = s.ByLifetime[l]
	}
	for p, n := range s.ByProvider {
		out.ByProvider[p] = n
	}
	for _, x := range s.CrossRepository {
		out.CrossRepository = append(out.CrossRepository, jsonCrossRef{
			Fingerprint: x.Fingerprint, Rule: x.Rule, Type: x.Type, Provider: x.Provider, Lifetime: string(x.Lifetime),
			Redacted: x.Redacted, Score: x.Score, Severity: string(x.Severity), Repositories: x.Repositories, Occurrences: x.Occurrences,
		})
	}
	return out
}

func trackedJSON(t state.Tracked) jsonTracked {
	out := jsonTracked{
		Fingerprint: t.Fingerprint, Status: string(t.Status), Rule: t.Rule, Type: t.Type, Provider: t.Provider,
		Redacted: t.Redacted, FirstSeen: timeString(t.FirstSeen), LastSeen: timeString(t.LastSeen),
	}
	if t.FixedAt != nil {
		out.FixedAt = timeString(*t.FixedAt)
	}
	return out
}

// ReadJSON parses an org report written by [WriteJSON] and finalizes it:
// the summary is recomputed from the repositories.
func ReadJSON(rd io.Reader) (*Report, error) {
	var in jsonReport
	if err := json.NewDecoder(rd).Decode(&in); err != nil {
		return nil, fmt.Errorf("read org report: %w", err)
	}
	if in.Version != ReportVersion {
		return nil, fmt.Errorf("read org report: version %d, want %d", in.Version, ReportVersion)
	}
	r := &Report{
		Version: in.Version, Org: in.Org,
		Tool:         scanner.Tool{Name: in.Tool.Name, Version: in.Tool.Version},
		RulesVersion: in.RulesVersion,
		GeneratedAt:  parseTime(in.GeneratedAt),
		Filters:      Filters{IncludeArchived: in.Filters.IncludeArchived, IncludeForks: in.Filters.IncludeForks, Repos: in.Filters.Repos},
	}
	if in.Shard != nil {
		r.Shard = &Shard{Index: in.Shard.Index, Count: in.Shard.Count}
	}
	for _, jr := range in.Repositories {
		repo := Repository{FullName: jr.FullName, Visibility: jr.Visibility, DefaultBranch: jr.DefaultBranch, PullRequests: jr.PullRequests}
		if jr.Error != nil {
			repo.Error = *jr.Error
		}
		if raw := bytes.TrimSpace(jr.Report); len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
			rep, err := report.ReadJSON(bytes.NewReader(raw))
			if err != nil {
				return nil, fmt.Errorf("read org report: repository %q: %w", jr.FullName, err)
			}
			repo.Report = rep
		}
		for _, t := range jr.Tracking {
			tr := state.Tracked{
				Fingerprint: t.Fingerprint, Status: state.Status(t.Status), Rule: t.Rule, Type: t.Type, Provider: t.Provider,
				Redacted: t.Redacted, FirstSeen: parseTime(t.FirstSeen), LastSeen: parseTime(t.LastSeen),
			}
			if t.FixedAt != nil {
				ft := parseTime(t.FixedAt)
				tr.FixedAt = &ft
			}
			repo.Tracking = append(repo.Tracking, tr)
		}
		r.Repositories = append(r.Repositories, repo)
	}
	r.Finalize()
	return r, nil
}

func timeString(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func parseTime(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}
	}
	return t
}
