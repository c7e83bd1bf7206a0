package audit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// snapshotVersion versions the snapshot form below; a stored snapshot of
// another version is not read (the repository is scanned afresh).
const snapshotVersion = 1

// snapshot is how the state database keeps a report between runs: the
// unscored report with everything scoring and ignore files read
// (privilege, notes, session marks, each occurrence's finding kind and
// rule), which SPEC §3's JSON leaves out, and no secret value: credentials
// keep their fingerprint and redacted form only. Reports are scored when
// they are used, so that ages and expiries are always current.
type snapshot struct {
	Version     int            `json:"version"`
	Tool        scanner.Tool   `json:"tool"`
	Target      scanner.Target `json:"target"`
	Skipped     scanner.Skipped
	Missing     int64      `json:"objects_missing"`
	Credentials []snapCred `json:"credentials"`
}

type snapCred struct {
	Fingerprint string         `json:"fingerprint"`
	Rule        string         `json:"rule"`
	Type        string         `json:"type"`
	Provider    string         `json:"provider"`
	Lifetime    rules.Lifetime `json:"lifetime"`
	Privilege   string         `json:"privilege,omitempty"`
	ExpiresAt   time.Time      `json:"expires_at"`
	IssuedAt    time.Time      `json:"issued_at"`
	Redacted    string         `json:"redacted"`
	Session     bool           `json:"session,omitempty"`
	Reference   string         `json:"reference,omitempty"`
	Fixer       string         `json:"fixer,omitempty"`
	Verified    string         `json:"verified,omitempty"`
	Notes       []string       `json:"notes,omitempty"`
	Occurrences []snapOcc      `json:"occurrences"`
}

type snapOcc struct {
	Path    string        `json:"path"`
	Line    int           `json:"line"`
	Column  int           `json:"column"`
	EndLine int           `json:"end_line"`
	Where   scanner.Where `json:"where"`
	Commit  string        `json:"commit,omitempty"`
	Author  string        `json:"author,omitempty"`
	Date    time.Time     `json:"date"`
	InHead  bool          `json:"in_head"`
	Finding snapFinding   `json:"finding"`
}

// snapFinding is a finding without its secret.
type snapFinding struct {
	RuleID      string           `json:"rule_id"`
	Description string           `json:"description,omitempty"`
	Kind        detectors.Kind   `json:"kind"`
	Family      string           `json:"family,omitempty"`
	EndColumn   int              `json:"end_column,omitempty"`
	Type        string           `json:"type,omitempty"`
	Provider    string           `json:"provider,omitempty"`
	Lifetime    rules.Lifetime   `json:"lifetime,omitempty"`
	Privilege   string           `json:"privilege,omitempty"`
	ExpiresAt   time.Time        `json:"expires_at"`
	IssuedAt    time.Time        `json:"issued_at"`
	Notes       []string         `json:"notes,omitempty"`
	Session     bool             `json:"session,omitempty"`
	Fixer       string           `json:"fixer,omitempty"`
	CI          *detectors.CIRef `json:"ci,omitempty"`
}

// encodeSnapshot returns the snapshot form of a report.
func encodeSnapshot(r *scanner.Report) ([]byte, error) {
	s := snapshot{Version: snapshotVersion, Tool: r.Tool, Target: r.Target, Skipped: r.Summary.Skipped, Missing: r.Summary.ObjectsMissing, Credentials: []snapCred{}}
	for _, c := range r.Credentials {
		sc := snapCred{
			Fingerprint: c.Fingerprint, Rule: c.Rule, Type: c.Type, Provider: c.Provider, Lifetime: c.Lifetime,
			Privilege: c.Privilege, ExpiresAt: c.ExpiresAt, IssuedAt: c.IssuedAt, Redacted: c.RedactedSecret(),
			Session: c.Session, Reference: c.Reference, Fixer: c.Fixer, Verified: c.Verified, Notes: c.Notes,
		}
		for _, o := range c.Occurrences {
			f := o.Finding
			sc.Occurrences = append(sc.Occurrences, snapOcc{
				Path: o.Path, Line: o.Line, Column: o.Column, EndLine: o.EndLine, Where: o.Where,
				Commit: o.Commit, Author: o.Author, Date: o.Date, InHead: o.InHead,
				Finding: snapFinding{
					RuleID: f.RuleID, Description: f.Description, Kind: f.Kind, Family: f.Family, EndColumn: f.EndColumn,
					Type: f.Type, Provider: f.Provider, Lifetime: f.Lifetime, Privilege: f.Privilege,
					ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, Notes: f.Notes, Session: f.Session, Fixer: f.Fixer, CI: f.CI,
				},
			})
		}
		s.Credentials = append(s.Credentials, sc)
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode report snapshot: %w", err)
	}
	return data, nil
}

// decodeSnapshot reads a snapshot back into an unscored report whose
// credentials carry no secret (their redacted form only).
func decodeSnapshot(data []byte) (*scanner.Report, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("decode report snapshot: %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("decode report snapshot: version %d, want %d", s.Version, snapshotVersion)
	}
	r := &scanner.Report{Version: scanner.ReportVersion, Tool: s.Tool, Target: s.Target}
	r.Summary.Skipped, r.Summary.ObjectsMissing = s.Skipped, s.Missing
	for _, sc := range s.Credentials {
		c := scanner.Credential{
			Fingerprint: sc.Fingerprint, Rule: sc.Rule, Type: sc.Type, Provider: sc.Provider, Lifetime: sc.Lifetime,
			Privilege: sc.Privilege, ExpiresAt: sc.ExpiresAt, IssuedAt: sc.IssuedAt, Redacted: sc.Redacted,
			Session: sc.Session, Reference: sc.Reference, Fixer: sc.Fixer, Verified: sc.Verified, Notes: sc.Notes,
		}
		for _, so := range sc.Occurrences {
			f := so.Finding
			c.Occurrences = append(c.Occurrences, scanner.Occurrence{
				Path: so.Path, Line: so.Line, Column: so.Column, EndLine: so.EndLine, Where: so.Where,
				Commit: so.Commit, Author: so.Author, Date: so.Date, InHead: so.InHead,
				Finding: detectors.Finding{
					RuleID: f.RuleID, Description: f.Description, Kind: f.Kind, Family: f.Family,
					Path: so.Path, Line: so.Line, Column: so.Column, EndLine: so.EndLine, EndColumn: f.EndColumn,
					Type: f.Type, Provider: f.Provider, Lifetime: f.Lifetime, Privilege: f.Privilege,
					ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, Notes: f.Notes, Session: f.Session, Fixer: f.Fixer, CI: f.CI,
				},
			})
		}
		r.Credentials = append(r.Credentials, c)
	}
	r.Finalize()
	return r, nil
}
