package ci

import (
	"context"
	"fmt"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// system describes one CI system: its name in [detectors.CIRef.System], the
// prefix of its rule IDs and the fixers that apply to its findings.
type system struct {
	name   string
	prefix string
	title  string
	fixers map[kind]string
}

var (
	sysGitHub = system{"github-actions", "gha", "GitHub Actions", map[kind]string{
		kindAWS: "gha-aws-oidc", kindGCPKey: "gha-gcp-wif", kindAzure: "gha-azure-oidc",
		kindPyPI: "gha-pypi-trusted-publishing", kindNPM: "gha-npm-trusted-publishing",
		kindGitHubPAT: "gha-github-token", kindVault: "gha-vault-jwt",
	}}
	sysGitLab = system{"gitlab-ci", "gitlab", "GitLab CI", map[kind]string{
		kindAWS: "gitlab-id-tokens", kindGCPKey: "gitlab-id-tokens", kindAzure: "gitlab-id-tokens",
		kindVault: "gitlab-id-tokens", kindGitLabJobJWT: "gitlab-id-tokens",
	}}
	sysCircleCI = system{"circleci", "circleci", "CircleCI", map[kind]string{
		kindAWS: "circleci-oidc", kindGCPKey: "circleci-oidc",
	}}
	sysAzure     = system{"azure-pipelines", "azure-pipelines", "Azure Pipelines", nil}
	sysBitbucket = system{"bitbucket-pipelines", "bitbucket", "Bitbucket Pipelines", map[kind]string{
		kindAWS: "bitbucket-oidc",
	}}
	sysTravis    = system{"travis", "travis", "Travis CI", nil}
	sysBuildkite = system{"buildkite", "buildkite", "Buildkite", nil}
	sysJenkins   = system{"jenkins", "jenkins", "Jenkins", nil}
)

// detector is one CI system's [detectors.FileDetector]. A detector holds no
// state between calls and is safe for concurrent use.
type detector struct {
	sys    system
	kb     *rules.KB
	match  func(path string) bool
	detect func(ctx context.Context, s *scan) error
}

func (d *detector) Name() string { return d.sys.name }

func (d *detector) Match(path string) bool { return d.match(path) }

// Detect examines one CI definition. Findings come sorted by position;
// a file that does not parse returns the findings made before the problem
// with a *SyntaxError.
func (d *detector) Detect(ctx context.Context, path string, content []byte) ([]detectors.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &scan{tree: newTree(path, content), sys: d.sys, kb: d.kb, seen: map[wireKey]bool{}}
	err := d.detect(ctx, s)
	if err == nil && s.tree.err != nil {
		err = s.tree.err
	}
	detectors.SortFindings(s.findings)
	return s.findings, err
}

// scan is the state of one Detect call.
type scan struct {
	*tree
	sys      system
	kb       *rules.KB
	findings []detectors.Finding
	seen     map[wireKey]bool
}

type wireKey struct {
	line, col int
	secret    string
}

// wire is one stored secret, or one session-scoped wiring, found in a job.
type wire struct {
	kind    kind
	store   string // "secrets", "vars", "inputs", a context...
	name    string // the stored secret's name
	secret  string // the identity fingerprinted: "secrets.NAME", "$NAME", ...
	job     string
	key     string // what receives it: env variable, action input, "run"
	action  string
	line    int
	col     int
	length  int // bytes of the reference on its line
	session bool
	notes   []string
}

// emit turns a wire into a classified finding, once per place and secret.
func (s *scan) emit(w wire) {
	k := wireKey{w.line, w.col, w.secret}
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	f := detectors.Finding{
		RuleID:    s.ruleID(w),
		Kind:      detectors.KindCIReference,
		Secret:    detectors.NewSecret(w.secret),
		Family:    "ci:" + s.sys.name,
		Path:      s.path,
		Line:      w.line,
		Column:    w.col,
		EndLine:   w.line,
		EndColumn: w.col + max(w.length, 1) - 1,
		Type:      w.kind.Type,
		Provider:  w.kind.Provider,
		Session:   w.session,
		Notes:     append([]string(nil), w.notes...),
		CI: &detectors.CIRef{
			System: s.sys.name, Store: w.store, Name: w.name,
			Job: w.job, Key: w.key, Action: w.action,
		},
	}
	if ct, ok := s.kb.Type(w.kind.Type); ok {
		f.Lifetime, f.Privilege = ct.Lifetime, ct.Privilege
		f.Description = describe(ct.Name, s.sys, w.session)
	} else {
		f.Description = describe(w.kind.Type, s.sys, w.session)
	}
	if w.session {
		f.Lifetime = rules.Session
	} else {
		f.Fixer = s.sys.fixers[w.kind]
	}
	detectors.Classify(s.kb, &f)
	s.findings = append(s.findings, f)
}

func describe(typeName string, sys system, session bool) string {
	if session {
		return fmt.Sprintf("%s: session-scoped wiring (%s)", sys.title, typeName)
	}
	return fmt.Sprintf("%s: %s wired into a job from a stored secret", sys.title, typeName)
}

func (s *scan) ruleID(w wire) string {
	switch {
	case w.kind == kindGitLabJobJWT:
		return s.sys.prefix + "-ci-job-jwt"
	case w.kind == kindTrustedPublish:
		return s.sys.prefix + "-trusted-publishing"
	case w.session:
		return s.sys.prefix + "-oidc"
	}
	return s.sys.prefix + "-" + w.kind.category()
}

// sessionWire records session-scoped wiring at line and col. Its secret
// identifies the wiring: oidc:<system>:<provider>:<path>:<job>.
func (s *scan) sessionWire(k kind, provider, job, key, action string, line, col, length int, notes ...string) {
	k.Provider = provider
	s.emit(wire{
		kind: k, store: "oidc", name: provider,
		secret: fmt.Sprintf("oidc:%s:%s:%s:%s", s.sys.name, provider, s.path, job),
		job:    job, key: key, action: action,
		line: line, col: col, length: length,
		session: true, notes: notes,
	})
}
