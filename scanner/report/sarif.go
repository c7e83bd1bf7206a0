package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/sessionize/sessionize/scanner"
)

// SARIF 2.1.0 as GitHub code scanning reads it (SPEC §3): one
// reportingDescriptor per rule, one result per occurrence.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// toolURI is the tool's home, shown by code scanning.
	toolURI = "https://github.com/sessionize/sessionize"
	// The partialFingerprints keys: the credential, and the credential at
	// one path (line numbers move; a credential appears once per path).
	fingerprintKey           = "credentialFingerprint/v1"
	occurrenceFingerprintKey = "credentialPathFingerprint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool         `json:"tool"`
	Results    []sarifResult     `json:"results"`
	Properties sarifRunSummary   `json:"properties"`
	Invocation []sarifInvocation `json:"invocations"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifRunSummary struct {
	Target           string  `json:"target"`
	Credentials      int     `json:"credentials"`
	Occurrences      int     `json:"occurrences"`
	SessionReadiness float64 `json:"sessionReadiness"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
}

type sarifResultProps struct {
	SecuritySeverity string   `json:"security-severity"`
	Score            int      `json:"score"`
	Severity         string   `json:"severity"`
	Fingerprint      string   `json:"fingerprint"`
	Type             string   `json:"type"`
	Provider         string   `json:"provider"`
	Lifetime         string   `json:"lifetime"`
	ExpiresAt        *string  `json:"expiresAt,omitempty"`
	Redacted         string   `json:"redacted"`
	Secret           *string  `json:"secret,omitempty"`
	Where            string   `json:"where"`
	Commit           string   `json:"commit,omitempty"`
	Expected         string   `json:"expected,omitempty"`
	Fixer            string   `json:"fixer,omitempty"`
	Reasons          []string `json:"reasons"`
	Sprawl           int      `json:"sprawl"`
}

// WriteSARIF writes the report as a SARIF 2.1.0 log for GitHub code
// scanning: one rule per detection rule, its help naming the expected
// session-scoped replacements and its security-severity the highest score
// over ten; one result per occurrence, located by relative path and line,
// with the credential's fingerprint as a partial fingerprint. Session-scoped
// inventory is reported as passing results (kind "pass", level "none").
func WriteSARIF(w io.Writer, r *scanner.Report, opts Options) error {
	rules, index := sarifRules(r)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: toolName(r), Version: r.Tool.Version, InformationURI: toolURI, Rules: rules,
		}},
		Results: []sarifResult{},
		Properties: sarifRunSummary{
			Target: r.Target.Path, Credentials: r.Summary.Credentials, Occurrences: r.Summary.Occurrences,
			SessionReadiness: r.Summary.SessionReadiness,
		},
		Invocation: []sarifInvocation{{ExecutionSuccessful: true}},
	}
	for i := range r.Credentials {
		c := &r.Credentials[i]
		for _, o := range c.Occurrences {
			run.Results = append(run.Results, sarifResultFor(c, o, index[ruleID(c)], opts))
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("write sarif report: %w", err)
	}
	return nil
}

func toolName(r *scanner.Report) string {
	if r.Tool.Name != "" {
		return r.Tool.Name
	}
	return "sessionize"
}

func ruleID(c *scanner.Credential) string {
	if c.Rule != "" {
		return c.Rule
	}
	return "unknown-rule"
}

// sarifRules builds one descriptor per rule, in rule order, and the index of
// each rule ID.
func sarifRules(r *scanner.Report) ([]sarifRule, map[string]int) {
	byRule := map[string][]*scanner.Credential{}
	for i := range r.Credentials {
		c := &r.Credentials[i]
		byRule[ruleID(c)] = append(byRule[ruleID(c)], c)
	}
	ids := make([]string, 0, len(byRule))
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rules := make([]sarifRule, 0, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		rules = append(rules, sarifRuleFor(id, byRule[id]))
	}
	return rules, index
}

func sarifRuleFor(id string, creds []*scanner.Credential) sarifRule {
	var types, expected, fixers []string
	top, inventory := creds[0], true
	for _, c := range creds {
		types = appendNew(types, describeType(c))
		if c.Expected != "" {
			expected = appendNew(expected, c.Expected)
		}
		if c.Fixer != "" && !c.Session {
			fixers = appendNew(fixers, c.Fixer)
		}
		if c.Score > top.Score {
			top = c
		}
		inventory = inventory && c.Session
	}
	sort.Strings(types)
	sort.Strings(expected)
	sort.Strings(fixers)
	found := strings.Join(types, "; ")
	short := "Exposed credential: " + found
	full := fmt.Sprintf("Rule %s found %s. sessionize scores each credential against the session-scoped credential expected in its place; one that falls short should be replaced by it, then revoked.", id, found)
	if inventory {
		short = "Session-scoped wiring: " + found
		full = fmt.Sprintf("Rule %s found %s: session-scoped wiring, kept as inventory. It meets the expectation; nothing to fix.", id, found)
	}
	text, md := sarifHelpText(id, expected, fixers, inventory)
	return sarifRule{
		ID: id, Name: pascal(id),
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifHelp{Text: text, Markdown: md},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(top.Severity)},
		Properties: sarifRuleProps{
			Tags:             []string{"security", "secrets", "sessionize"},
			Precision:        "high",
			SecuritySeverity: securitySeverity(top.Score),
		},
	}
}

func describeType(c *scanner.Credential) string {
	t := c.Type
	if t == "" {
		t = "credential"
	}
	var facts []string
	if c.Provider != "" {
		facts = append(facts, c.Provider)
	}
	if c.Lifetime != "" {
		facts = append(facts, string(c.Lifetime))
	}
	if len(facts) == 0 {
		return t
	}
	return t + " (" + strings.Join(facts, ", ") + ")"
}

func sarifHelpText(id string, expected, fixers []string, inventory bool) (string, string) {
	var text, md strings.Builder
	heading := "Expected in its place (session-scoped):"
	if inventory {
		heading = "Session-scoped mechanism in use, as expected:"
	}
	fmt.Fprintf(&text, "%s\n", heading)
	fmt.Fprintf(&md, "**%s**\n\n", heading)
	if len(expected) == 0 {
		expected = []string{"a credential fetched at runtime through workload identity, living at most a session"}
	}
	for _, e := range expected {
		fmt.Fprintf(&text, "- %s\n", e)
		fmt.Fprintf(&md, "- %s\n", markdownText(e))
	}
	switch {
	case inventory:
		fmt.Fprintf(&text, "\nNothing to fix.\n")
		fmt.Fprintf(&md, "\nNothing to fix.\n")
	case len(fixers) > 0:
		fmt.Fprintf(&text, "\nFix: sessionize fix --only %s, then revoke the old credential.\n", strings.Join(fixers, ","))
		fmt.Fprintf(&md, "\n**Fix:** `sessionize fix --only %s`, then revoke the old credential.\n", strings.Join(fixers, ","))
	default:
		fmt.Fprintf(&text, "\nReplace the credential with the expected mechanism, then revoke it.\n")
		fmt.Fprintf(&md, "\nReplace the credential with the expected mechanism, then revoke it.\n")
	}
	fmt.Fprintf(&text, "Details: sessionize rules show %s\n", id)
	fmt.Fprintf(&md, "\nDetails: `sessionize rules show %s`\n", id)
	return text.String(), md.String()
}

func sarifResultFor(c *scanner.Credential, o scanner.Occurrence, ruleIndex int, opts Options) sarifResult {
	res := sarifResult{
		RuleID: ruleID(c), RuleIndex: ruleIndex, Kind: "fail", Level: sarifLevel(c.Severity),
		Message: sarifText{Text: sarifMessage(c, o)},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: sarifURI(o.Path), URIBaseID: "%SRCROOT%"},
			Region:           sarifRegionFor(o),
		}}},
		PartialFingerprints: map[string]string{
			fingerprintKey:           c.Fingerprint,
			occurrenceFingerprintKey: c.Fingerprint + ":" + o.Path,
		},
		Properties: sarifResultProps{
			SecuritySeverity: securitySeverity(c.Score), Score: c.Score, Severity: string(c.Severity),
			Fingerprint: c.Fingerprint, Type: c.Type, Provider: c.Provider, Lifetime: string(c.Lifetime),
			ExpiresAt: timePtr(c.ExpiresAt), Redacted: c.RedactedSecret(), Where: string(o.Where),
			Commit: o.Commit, Expected: c.Expected, Fixer: c.Fixer, Reasons: nonNil(c.Reasons), Sprawl: c.Sprawl(),
		},
	}
	if c.Session {
		res.Kind, res.Level = "pass", "none"
	}
	if opts.ShowSecrets && !c.Secret.IsZero() {
		s := c.Secret.Reveal()
		res.Properties.Secret = &s
	}
	return res
}

func sarifMessage(c *scanner.Credential, o scanner.Occurrence) string {
	var b strings.Builder
	t := c.Type
	if t == "" {
		t = "credential"
	}
	if c.Session {
		fmt.Fprintf(&b, "Session-scoped %s: %s.", t, c.RedactedSecret())
	} else {
		fmt.Fprintf(&b, "%s %s %s (score %d, %s, fingerprint %s)", capitalize(string(c.Lifetime)), t, c.RedactedSecret(), c.Score, severityLabel(c.Severity), c.Fingerprint)
		switch {
		case o.Where == scanner.WhereHistory && !o.InHead:
			fmt.Fprintf(&b, ", only in history since commit %s", short(o.Commit))
		case o.Where == scanner.WhereStaged:
			b.WriteString(", staged for commit")
		case o.Where == scanner.WhereCIReference:
			b.WriteString(", stored in CI and wired into a job")
		}
		if n := c.Sprawl(); n > 1 {
			fmt.Fprintf(&b, ", in %d places", n)
		}
		b.WriteString(".")
	}
	if c.Expected != "" {
		fmt.Fprintf(&b, " Expected: %s.", c.Expected)
	}
	if c.Fixer != "" && !c.Session {
		fmt.Fprintf(&b, " Fix: sessionize fix --only %s.", c.Fixer)
	}
	return b.String()
}

// sarifURI escapes a relative path as a URI reference: each segment is
// percent-encoded where URIs require it, slashes kept.
func sarifURI(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if isUnreserved(ch) || ch == '/' {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

func isUnreserved(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
		ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '@' || ch == '+' || ch == '=' || ch == ','
}

// sarifRegionFor locates an occurrence; code scanning requires a startLine,
// so an unknown line (0) is reported as line 1.
func sarifRegionFor(o scanner.Occurrence) *sarifRegion {
	reg := &sarifRegion{StartLine: max(o.Line, 1)}
	if o.Column >= 1 {
		reg.StartColumn = o.Column
	}
	if o.EndLine >= reg.StartLine {
		reg.EndLine = o.EndLine
	}
	return reg
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s scanner.Severity) string {
	switch s {
	case scanner.SeverityCritical, scanner.SeverityHigh:
		return "error"
	case scanner.SeverityMedium:
		return "warning"
	case scanner.SeverityLow:
		return "note"
	}
	return "none"
}

// securitySeverity is the score over ten, as code scanning wants it: a
// number from 0.0 to 10.0 in a string.
func securitySeverity(score int) string {
	return fmt.Sprintf("%.1f", float64(min(max(score, 0), 100))/10)
}

// pascal turns a rule ID into a descriptor name: "aws-access-token" →
// "AwsAccessToken".
func pascal(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "Credential"
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return "Unclassified"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
