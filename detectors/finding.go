package detectors

import (
	"time"

	"github.com/sessionize/sessionize/rules"
)

// Kind says what sort of evidence a finding is.
type Kind string

// The kinds of finding.
const (
	// KindContent is a secret value matched in content by a rule.
	KindContent Kind = "content"
	// KindConfig is a literal credential in a configuration file, found by
	// a structured detector that understands the file.
	KindConfig Kind = "config"
	// KindCIReference is a stored secret (by name) wired into a CI job; the
	// value itself is not in the repository.
	KindCIReference Kind = "ci-reference"
)

// Finding is one credential found at one place. Findings are values, never
// errors. The zero value is not meaningful.
type Finding struct {
	// RuleID is the detection rule (a gitleaks rule ID, one of the project's
	// rules, or a structured detector's rule such as "gha-aws-keys").
	RuleID string
	// Description is the rule's description.
	Description string
	// Kind is the sort of evidence.
	Kind Kind
	// Secret is the matched value; for CI references, the stored secret's
	// name qualified by its store (see [CIRef]).
	Secret Secret
	// Family namespaces the fingerprint.
	Family string

	// Path is slash-separated and relative to the scanned root.
	Path string
	// Line, Column, EndLine and EndColumn locate the value, 1-based, columns
	// in bytes.
	Line, Column, EndLine, EndColumn int

	// Type, Provider, Lifetime and Privilege classify the credential (see
	// rules.CredentialType); Classify fills them from the knowledge base and
	// the value.
	Type      string
	Provider  string
	Lifetime  rules.Lifetime
	Privilege string
	// ExpiresAt is the expiry decoded offline from the value (JWT exp, SAS
	// se=, ...), zero when unknown. IssuedAt likewise.
	ExpiresAt time.Time
	IssuedAt  time.Time
	// Notes are human-readable facts established while classifying, such as
	// "AKIA prefix: IAM user key" or "checksum valid"; scoring shows them.
	Notes []string

	// Session marks session-scoped wiring recorded as inventory (an OIDC
	// role assumption in a workflow): scored info, never long-lived.
	Session bool
	// Invalid marks a value whose format says it cannot be a live
	// credential (a GitHub token whose checksum fails, an AWS key ID that is
	// an identifier): still reported, as gitleaks reports it, but scored info.
	Invalid bool
	// Fixer names the fixer that can rewrite this occurrence, if any.
	Fixer string
	// CI describes the wiring of a CI reference; nil for other kinds.
	CI *CIRef
}

// CIRef describes how a CI definition wires a stored secret into a job.
type CIRef struct {
	// System is the CI system: github-actions, gitlab-ci, circleci,
	// azure-pipelines, bitbucket-pipelines, travis, buildkite, jenkins.
	System string
	// Store is where the value lives: "secrets", "vars", a CircleCI context,
	// a Jenkins credential ID, ...
	Store string
	// Name is the stored secret's name (e.g. AWS_SECRET_ACCESS_KEY).
	Name string
	// Job is the job (or pipeline step) the secret is wired into.
	Job string
	// Key is what receives it: an env variable name, an action input
	// ("aws-secret-access-key"), "run" for a script line.
	Key string
	// Action is the step's action or orb (e.g. aws-actions/configure-aws-credentials).
	Action string
}

// Fingerprint returns the credential fingerprint: sha256(family + ":" + secret).
func (f Finding) Fingerprint() string {
	family := f.Family
	if family == "" {
		family = f.RuleID
	}
	return f.Secret.Fingerprint(family)
}
