package report_test

import (
	"strings"
	"time"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// filler returns n deterministic characters of alphabet, so that test
// tokens have the right shape without being real credentials.
func filler(n, seed int, alphabet string) string {
	var b strings.Builder
	for i := range n {
		b.WriteByte(alphabet[(i*7+seed*13+3)%len(alphabet)])
	}
	return b.String()
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

var (
	day0 = time.Date(2024, 5, 14, 9, 30, 0, 0, time.UTC)
	day1 = time.Date(2026, 2, 27, 16, 5, 0, 0, time.UTC)
)

// secrets are the raw values of the fixture, built at run time.
type secrets struct {
	akia, ghs, generic, asia string
}

func fixtureSecrets() secrets {
	return secrets{
		akia:    "AKIA" + filler(16, 1, upperDigits),
		ghs:     "ghs_" + filler(36, 4, alnum),
		generic: "a|b`c<d>" + filler(24, 6, alnum),
		asia:    "ASIA" + filler(16, 3, upperDigits),
	}
}

// fixture is a normalised, already scored report: fixed clock values,
// stubbed version, slash paths relative to the target root.
func fixture() *scanner.Report {
	s := fixtureSecrets()
	r := &scanner.Report{
		Version: scanner.ReportVersion,
		Tool:    scanner.Tool{Name: "sessionize", Version: "0.0.0-test"},
		Target:  scanner.Target{Path: "acme/app", CommitsScanned: 42, BlobsScanned: 314, BytesScanned: 1234567, DurationMS: 1234},
		Credentials: []scanner.Credential{
			{
				Fingerprint: "3f9a1c0d7e2b4a55", Rule: "aws-access-token", Type: "aws-access-key", Provider: "aws",
				Lifetime: rules.Standing, Privilege: rules.PrivilegeCritical, Secret: detectors.NewSecret(s.akia),
				Score: 100, Severity: scanner.SeverityCritical,
				Expected: "AWS SDK default credential chain with a role session, ≤ 1 h (the workload's IAM role; no keys in code)",
				Reasons: []string{
					"Standing credential (no expiry) where source code expects session-scoped access: lifetime gap (+40).",
					"Literal in the working tree at deploy/aws.go:10 (+30).",
					"Privilege critical for aws-access-key (+15).",
					"Found in 2 places (+3).",
					"First committed on 2024-05-14, 656 days ago (+8).",
					"Capped at 100 (-11).",
				},
				Fixer: "source-env", Verified: "unknown",
				Occurrences: []scanner.Occurrence{
					{Path: "deploy/aws.go", Line: 10, Column: 17, EndLine: 10, Where: scanner.WhereWorktree, Commit: "8d3f0c9b2a1e4f5d6c7b8a9e0f1d2c3b4a5e6f70", Author: "Dana Dev <dana@example.com>", Date: day0, InHead: true},
					{Path: "old/setup.py", Line: 4, Column: 9, EndLine: 4, Where: scanner.WhereHistory, Commit: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", Author: "Dana Dev <dana@example.com>", Date: day0},
				},
			},
			{
				Fingerprint: "77c0e1d2a3b4c5d6", Rule: "gha-aws-keys", Type: "aws-access-key", Provider: "aws",
				Lifetime: rules.Standing, Privilege: rules.PrivilegeCritical,
				Secret: detectors.NewSecret("secrets.AWS_SECRET_ACCESS_KEY"), Reference: "secrets.AWS_SECRET_ACCESS_KEY",
				Score: 65, Severity: scanner.SeverityHigh,
				Expected: "AWS OIDC role, 1 h (AWS role assumed through GitHub OIDC: aws-actions/configure-aws-credentials with role-to-assume and id-token: write)",
				Reasons: []string{
					"Standing credential (no expiry) where a CI job expects session-scoped access: lifetime gap (+40).",
					"Stored CI secret secrets.AWS_SECRET_ACCESS_KEY referenced at .github/workflows/deploy.yml:21 (+10).",
					"Privilege critical for aws-access-key (+15).",
				},
				Fixer: "gha-aws-oidc", Verified: "unknown",
				Occurrences: []scanner.Occurrence{
					{Path: ".github/workflows/deploy.yml", Line: 21, Column: 34, EndLine: 21, Where: scanner.WhereCIReference, Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", Author: "Ops <ops@example.com>", Date: day1, InHead: true},
				},
			},
			{
				Fingerprint: "b1d2e3f405162738", Rule: "generic-api-key", Type: "generic-secret", Provider: "other",
				Lifetime: rules.Standing, Privilege: rules.PrivilegeMedium, Secret: detectors.NewSecret(s.generic),
				Score: 45, Severity: scanner.SeverityMedium,
				Expected: "Kept in the OS keychain or fetched by a credential helper, ≤ 24 h",
				Reasons: []string{
					"Standing credential (no expiry) where a local file expects at most short-lived access (24 h): lifetime gap (+35).",
					"Literal in a file git ignores at docs/a|b <x>.md:3 (+5).",
					"Privilege medium for generic-secret (+5).",
				},
				Verified: "live",
				Occurrences: []scanner.Occurrence{
					{Path: "docs/a|b <x>.md", Line: 3, Column: 1, EndLine: 3, Where: scanner.WhereWorktree, Author: `=HYPERLINK("http://evil.example/","x") <script>alert(1)</script>`, InHead: true},
				},
			},
			{
				Fingerprint: "c0ffee0123456789", Rule: "github-app-token", Type: "github-installation-token", Provider: "github",
				Lifetime: rules.Session, Privilege: rules.PrivilegeMedium, Secret: detectors.NewSecret(s.ghs),
				Score: 35, Severity: scanner.SeverityLow,
				Expected: "GitHub App installation token minted at runtime, 1 h",
				Reasons: []string{
					"Session credential (lives about an hour): within what source code accepts (session) (+0).",
					"Literal staged for commit at scripts/release.py:3 (+30).",
					"Privilege medium for github-installation-token (+5).",
				},
				Fixer: "source-env", Verified: "unknown",
				Occurrences: []scanner.Occurrence{
					{Path: "scripts/release.py", Line: 3, Column: 14, EndLine: 3, Where: scanner.WhereStaged, InHead: false},
				},
			},
			{
				Fingerprint: "d00d5e55104b1e0f", Rule: "aws-access-token", Type: "aws-sts-session-key", Provider: "aws",
				Lifetime: rules.Session, Privilege: rules.PrivilegeCritical, Secret: detectors.NewSecret(s.asia),
				ExpiresAt: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC),
				Score:     20, Severity: scanner.SeverityLow,
				Expected: "AWS SDK default credential chain with a role session, ≤ 1 h",
				Reasons: []string{
					"Session credential (lives about an hour): within what source code accepts (session) (+0).",
					"Literal in the working tree at deploy/session.go:10 (+30).",
					"Privilege critical for aws-sts-session-key (+15).",
					"A session credential expires within about an hour, so it is capped at 39 (-6).",
					"Expired on 2026-03-01 11:00 UTC: capped at 20 (-19).",
				},
				Fixer: "source-env", Verified: "unknown",
				Occurrences: []scanner.Occurrence{
					{Path: "deploy/session.go", Line: 10, Column: 12, EndLine: 10, Where: scanner.WhereWorktree, InHead: true},
				},
			},
			{
				Fingerprint: "e5e5e5e5a1a1a1a1", Rule: "gha-oidc", Type: "ci-oidc-federation", Provider: "aws",
				Lifetime: rules.Session, Session: true,
				Secret:    detectors.NewSecret("oidc:github-actions:aws:.github/workflows/deploy.yml:deploy"),
				Reference: "oidc:github-actions:aws:.github/workflows/deploy.yml:deploy",
				Score:     0, Severity: scanner.SeverityInfo,
				Expected: "AWS OIDC role, 1 h (AWS role assumed through GitHub OIDC: aws-actions/configure-aws-credentials with role-to-assume and id-token: write)",
				Reasons:  []string{"Session-scoped wiring: the expectation is met (+0)."},
				Verified: "unknown",
				Occurrences: []scanner.Occurrence{
					{Path: ".github/workflows/deploy.yml", Line: 30, Column: 15, EndLine: 30, Where: scanner.WhereCIReference, Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", Author: "Ops <ops@example.com>", Date: day1, InHead: true},
				},
			},
		},
	}
	r.Summary.Skipped = scanner.Skipped{Binary: 3, TooLarge: 1}
	r.Finalize()
	return r
}

// emptyReport is a scan that found nothing.
func emptyReport() *scanner.Report {
	r := &scanner.Report{
		Version: scanner.ReportVersion,
		Tool:    scanner.Tool{Name: "sessionize", Version: "0.0.0-test"},
		Target:  scanner.Target{Path: "acme/clean", CommitsScanned: 1, BlobsScanned: 2, BytesScanned: 10},
	}
	r.Finalize()
	return r
}
