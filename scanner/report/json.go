package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// The wire form of SPEC §3. Field order follows the specification.
type jsonReport struct {
	Version     int              `json:"version"`
	Tool        jsonTool         `json:"tool"`
	Target      jsonTarget       `json:"target"`
	Summary     jsonSummary      `json:"summary"`
	Credentials []jsonCredential `json:"credentials"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonTarget struct {
	Path           string `json:"path"`
	CommitsScanned int64  `json:"commits_scanned"`
	BlobsScanned   int64  `json:"blobs_scanned"`
	BytesScanned   int64  `json:"bytes_scanned"`
	DurationMS     int64  `json:"duration_ms"`
}

type jsonSummary struct {
	Credentials      int            `json:"credentials"`
	Occurrences      int            `json:"occurrences"`
	BySeverity       map[string]int `json:"by_severity"`
	SessionReadiness float64        `json:"session_readiness"`
	ObjectsMissing   int64          `json:"objects_missing"`
	Skipped          jsonSkipped    `json:"skipped"`
}

type jsonSkipped struct {
	Binary     int64 `json:"binary"`
	TooLarge   int64 `json:"too_large"`
	LFS        int64 `json:"lfs"`
	Unreadable int64 `json:"unreadable"`
	Invalid    int64 `json:"invalid"`
}

type jsonCredential struct {
	Fingerprint string           `json:"fingerprint"`
	Rule        string           `json:"rule"`
	Type        string           `json:"type"`
	Provider    string           `json:"provider"`
	Lifetime    string           `json:"lifetime"`
	ExpiresAt   *string          `json:"expires_at"`
	Redacted    string           `json:"redacted"`
	Secret      *string          `json:"secret,omitempty"`
	Score       int              `json:"score"`
	Severity    string           `json:"severity"`
	Expected    string           `json:"expected"`
	Reasons     []string         `json:"reasons"`
	Fixer       *string          `json:"fixer"`
	Verified    string           `json:"verified"`
	Occurrences []jsonOccurrence `json:"occurrences"`
}

type jsonOccurrence struct {
	Path    string  `json:"path"`
	Line    int     `json:"line"`
	Column  int     `json:"column"`
	EndLine int     `json:"end_line"`
	Where   string  `json:"where"`
	Commit  *string `json:"commit"`
	Author  string  `json:"author"`
	Date    *string `json:"date"`
	InHead  bool    `json:"in_head"`
}

// WriteJSON writes the report as one JSON object (SPEC §3), indented.
func WriteJSON(w io.Writer, r *scanner.Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSON(r, opts)); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func toJSON(r *scanner.Report, opts Options) jsonReport {
	out := jsonReport{
		Version: r.Version,
		Tool:    jsonTool{Name: r.Tool.Name, Version: r.Tool.Version},
		Target: jsonTarget{
			Path: r.Target.Path, CommitsScanned: r.Target.CommitsScanned, BlobsScanned: r.Target.BlobsScanned,
			BytesScanned: r.Target.BytesScanned, DurationMS: r.Target.DurationMS,
		},
		Summary: jsonSummary{
			Credentials: r.Summary.Credentials, Occurrences: r.Summary.Occurrences,
			BySeverity:       map[string]int{},
			SessionReadiness: r.Summary.SessionReadiness,
			ObjectsMissing:   r.Summary.ObjectsMissing,
			Skipped: jsonSkipped{
				Binary: r.Summary.Skipped.Binary, TooLarge: r.Summary.Skipped.TooLarge, LFS: r.Summary.Skipped.LFS,
				Unreadable: r.Summary.Skipped.Unreadable, Invalid: r.Summary.Skipped.Invalid,
			},
		},
		Credentials: []jsonCredential{},
	}
	if out.Version == 0 {
		out.Version = scanner.ReportVersion
	}
	for _, s := range scanner.Severities {
		out.Summary.BySeverity[string(s)] = r.Summary.BySeverity[s]
	}
	for _, c := range r.Credentials {
		jc := jsonCredential{
			Fingerprint: c.Fingerprint, Rule: c.Rule, Type: c.Type, Provider: c.Provider,
			Lifetime: string(c.Lifetime), ExpiresAt: timePtr(c.ExpiresAt), Redacted: c.RedactedSecret(),
			Score: c.Score, Severity: string(c.Severity), Expected: c.Expected,
			Reasons: c.Reasons, Verified: c.Verified, Occurrences: []jsonOccurrence{},
		}
		if jc.Reasons == nil {
			jc.Reasons = []string{}
		}
		if jc.Verified == "" {
			jc.Verified = "unknown"
		}
		if c.Fixer != "" {
			f := c.Fixer
			jc.Fixer = &f
		}
		if opts.ShowSecrets {
			s := c.Secret.Reveal()
			jc.Secret = &s
		}
		for _, o := range c.Occurrences {
			jo := jsonOccurrence{
				Path: o.Path, Line: o.Line, Column: o.Column, EndLine: o.EndLine, Where: string(o.Where),
				Author: o.Author, Date: timePtr(o.Date), InHead: o.InHead,
			}
			if o.Commit != "" {
				c := o.Commit
				jo.Commit = &c
			}
			jc.Occurrences = append(jc.Occurrences, jo)
		}
		out.Credentials = append(out.Credentials, jc)
	}
	return out
}

func timePtr(t time.Time) *string {
	// RFC 3339 has four-digit years only.
	if t.IsZero() || t.UTC().Year() < 1 || t.UTC().Year() > 9999 {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// ReadJSON parses a report written by WriteJSON. Secrets are restored only
// when the report carries them (--show-secrets); otherwise credentials keep
// their fingerprint and redacted form, and Secret is empty.
func ReadJSON(rd io.Reader) (*scanner.Report, error) {
	var in jsonReport
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("read json report: %w", err)
	}
	if in.Version != scanner.ReportVersion {
		return nil, fmt.Errorf("read json report: version %d, want %d", in.Version, scanner.ReportVersion)
	}
	r := &scanner.Report{
		Version: in.Version,
		Tool:    scanner.Tool{Name: in.Tool.Name, Version: in.Tool.Version},
		Target: scanner.Target{
			Path: in.Target.Path, CommitsScanned: in.Target.CommitsScanned, BlobsScanned: in.Target.BlobsScanned,
			BytesScanned: in.Target.BytesScanned, DurationMS: in.Target.DurationMS,
		},
	}
	r.Summary.ObjectsMissing = in.Summary.ObjectsMissing
	r.Summary.Skipped = scanner.Skipped{
		Binary: in.Summary.Skipped.Binary, TooLarge: in.Summary.Skipped.TooLarge, LFS: in.Summary.Skipped.LFS,
		Unreadable: in.Summary.Skipped.Unreadable, Invalid: in.Summary.Skipped.Invalid,
	}
	for _, jc := range in.Credentials {
		c := scanner.Credential{
			Fingerprint: jc.Fingerprint, Rule: jc.Rule, Type: jc.Type, Provider: jc.Provider,
			Lifetime: rules.Lifetime(jc.Lifetime), ExpiresAt: parseTime(jc.ExpiresAt),
			Score: jc.Score, Severity: scanner.Severity(jc.Severity), Expected: jc.Expected,
			Reasons: jc.Reasons, Verified: jc.Verified,
		}
		if jc.Fixer != nil {
			c.Fixer = *jc.Fixer
		}
		if jc.Secret != nil {
			c.Secret = detectors.NewSecret(*jc.Secret)
		}
		c.Redacted = jc.Redacted
		for _, jo := range jc.Occurrences {
			if jo.Where == string(scanner.WhereCIReference) {
				// A CI reference's "secret" is the stored secret's name,
				// shown in full (Credential.Reference).
				c.Reference = jc.Redacted
			}
			o := scanner.Occurrence{
				Path: jo.Path, Line: jo.Line, Column: jo.Column, EndLine: jo.EndLine,
				Where: scanner.Where(jo.Where), Author: jo.Author, Date: parseTime(jo.Date), InHead: jo.InHead,
			}
			if jo.Commit != nil {
				o.Commit = *jo.Commit
			}
			c.Occurrences = append(c.Occurrences, o)
		}
		r.Credentials = append(r.Credentials, c)
	}
	r.Finalize()
	return r, nil
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
