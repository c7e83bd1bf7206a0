package scanner

import (
	"sort"
	"time"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// ReportVersion is the version of the report schema (SPEC §3).
const ReportVersion = 1

// Where says in which part of a repository an occurrence was found.
type Where string

// The places an occurrence can be.
const (
	WhereWorktree    Where = "worktree"
	WhereStaged      Where = "staged"
	WhereHistory     Where = "history"
	WhereCIReference Where = "ci-reference"
)

// Severity is derived from a score (SPEC §1).
type Severity string

// The severities, from the most to the least severe.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Severities lists the severities from the most to the least severe.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// SeverityOf maps a score to its severity: critical >= 80, high >= 60,
// medium >= 40, low >= 20, info below.
func SeverityOf(score int) Severity {
	switch {
	case score >= 80:
		return SeverityCritical
	case score >= 60:
		return SeverityHigh
	case score >= 40:
		return SeverityMedium
	case score >= 20:
		return SeverityLow
	}
	return SeverityInfo
}

// Rank orders severities: critical 4 ... info 0; unknown ranks -1.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return len(Severities) - 1 - i
		}
	}
	return -1
}

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(s)
	return v, v.Rank() >= 0
}

// Occurrence is one place a credential appears.
type Occurrence struct {
	// Path is slash-separated and relative to the target root.
	Path string
	// Line, Column and EndLine are 1-based.
	Line, Column, EndLine int
	// Where is the part of the repository it was found in. An occurrence
	// found both in history and in the working tree is one occurrence, in the
	// working tree, carrying the commit that introduced it.
	Where Where
	// Commit, Author and Date identify the earliest commit that introduced the
	// credential at this path; empty when not from history.
	Commit string
	Author string
	Date   time.Time
	// InHead reports whether the credential is still at this path in HEAD
	// (or, outside git, on disk).
	InHead bool
	// Ignored marks a working-tree file git ignores (scanned with
	// --include-ignored): a developer's local file, not the repository's.
	Ignored bool
	// Finding is the detector's finding at this place: rule, CI wiring,
	// classification.
	Finding detectors.Finding
}

// Credential is a distinct secret value (or, for CI references, a distinct
// stored-secret name in one repository) with all its occurrences.
type Credential struct {
	// Fingerprint is the first 16 hex digits of sha256(family + ":" + secret).
	Fingerprint string
	Rule        string
	Type        string
	Provider    string
	Lifetime    rules.Lifetime
	Privilege   string
	// ExpiresAt and IssuedAt are decoded offline from the value; zero when
	// unknown.
	ExpiresAt time.Time
	IssuedAt  time.Time
	// Secret is the value; it prints redacted.
	Secret detectors.Secret
	// Redacted is the redacted form when Secret is unknown: a report read
	// back from JSON without --show-secrets. Use [Credential.RedactedSecret].
	Redacted string
	// Session marks session-scoped wiring kept as inventory.
	Session bool
	// Invalid marks a value whose format says it cannot be a live
	// credential (see detectors.Finding.Invalid).
	Invalid bool
	// Reference is set for CI references: the stored secret as the CI
	// definition names it ("secrets.AWS_SECRET_ACCESS_KEY").
	Reference string

	// Score, Severity, Expected, Reasons, Components and Fixer come from
	// scoring (scanner/score).
	Score      int
	Severity   Severity
	Expected   string
	Reasons    []string
	Components []ScoreComponent
	Fixer      string
	// Verified is "live", "revoked" or "unknown" (--verify).
	Verified string
	// Notes are facts established while classifying.
	Notes []string

	Occurrences []Occurrence
}

// ScoreComponent is one named, explained part of a score.
type ScoreComponent struct {
	Name   string
	Points int
	Reason string
}

// RedactedSecret returns the redacted form of the secret; for a CI
// reference, whose "secret" is the stored secret's name, the reference in
// full ("secrets.AWS_SECRET_ACCESS_KEY"), which is not sensitive.
func (c *Credential) RedactedSecret() string {
	if c.Reference != "" {
		return c.Reference
	}
	if !c.Secret.IsZero() {
		return c.Secret.Redacted()
	}
	return c.Redacted
}

// Sprawl is the number of places the credential appears.
func (c *Credential) Sprawl() int { return len(c.Occurrences) }

// Report is the result of a scan (SPEC §3).
type Report struct {
	Version     int
	Tool        Tool
	Target      Target
	Summary     Summary
	Credentials []Credential
	// Problems are the files a scan could not fully read or parse; the scan
	// carried on without them. They are not part of the JSON schema and are
	// reported on stderr.
	Problems []Problem
	// Ignored are the occurrences ignore files and allow entries silenced
	// ([Ignores.Apply]): not reported, and not to be rewritten by fixes.
	Ignored []Occurrence
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string
	Version string
}

// Target describes what was scanned.
type Target struct {
	Path           string
	CommitsScanned int64
	BlobsScanned   int64
	BytesScanned   int64
	DurationMS     int64
}

// Summary counts the report's content.
type Summary struct {
	Credentials int
	Occurrences int
	BySeverity  map[Severity]int
	// SessionReadiness is the share of credentials in the inventory that are
	// already session-scoped, 0 to 1 (1 for an empty inventory).
	SessionReadiness float64
	// Skipped counts files and blobs left unscanned, by reason.
	Skipped Skipped
	// ObjectsMissing counts objects absent from a partial or shallow clone.
	ObjectsMissing int64
}

// Skipped counts what a scan left out, by reason.
type Skipped struct {
	Binary   int64
	TooLarge int64
	LFS      int64
	// Unreadable counts files that could not be read (permissions, races).
	Unreadable int64
	// Invalid counts files a structured detector could not parse (malformed
	// YAML, ...); each is named in Problems.
	Invalid int64
}

// Problem is a per-file issue a scan met and carried on after, named with
// the file and what is wrong.
type Problem struct {
	Path string
	Msg  string
}

// Finalize sorts credentials (score descending, then fingerprint) and their
// occurrences (path, line, column), and recomputes the summary counts.
func (r *Report) Finalize() {
	for i := range r.Credentials {
		SortOccurrences(r.Credentials[i].Occurrences)
	}
	sort.SliceStable(r.Credentials, func(i, j int) bool {
		a, b := &r.Credentials[i], &r.Credentials[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Fingerprint < b.Fingerprint
	})
	s := &r.Summary
	s.Credentials = len(r.Credentials)
	s.Occurrences = 0
	s.BySeverity = map[Severity]int{}
	for _, sev := range Severities {
		s.BySeverity[sev] = 0
	}
	session := 0
	for _, c := range r.Credentials {
		s.Occurrences += len(c.Occurrences)
		if c.Severity != "" {
			s.BySeverity[c.Severity]++
		}
		if c.Session || c.Lifetime == rules.Session {
			session++
		}
	}
	s.SessionReadiness = 1
	if len(r.Credentials) > 0 {
		s.SessionReadiness = float64(session) / float64(len(r.Credentials))
	}
}

// SortOccurrences orders occurrences by path, line, column, where and commit.
func SortOccurrences(occ []Occurrence) {
	sort.SliceStable(occ, func(i, j int) bool {
		a, b := occ[i], occ[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Where != b.Where {
			return a.Where < b.Where
		}
		return a.Commit < b.Commit
	})
}

// MaxSeverity returns the highest severity among the credentials, and false
// when there are none.
func (r *Report) MaxSeverity() (Severity, bool) {
	best, ok := SeverityInfo, false
	for _, c := range r.Credentials {
		if !ok || c.Severity.Rank() > best.Rank() {
			best, ok = c.Severity, true
		}
	}
	return best, ok
}
