package remediate

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// FixerInfo describes a fixer: its name (as in Finding.Fixer and
// `fix --only`), the REMEDIATION.md row it implements and what it does.
type FixerInfo struct {
	Name        string
	Row         string
	Description string
}

// fixer is one kind of rewrite. fix reads fc.src and records its result
// in fc; it never writes files.
type fixer struct {
	FixerInfo
	match func(p string) bool
	fix   func(fc *fileCtx)
}

// registry lists the fixers in the order they run on a file.
func registry() []fixer {
	return []fixer{
		{FixerInfo{"gha-aws-oidc", "GA-1", "GitHub Actions AWS keys → configure-aws-credentials role-to-assume (OIDC)"}, isWorkflow, fixGHAAWS},
		{FixerInfo{"gha-gcp-wif", "GA-2", "GitHub Actions GCP key JSON → google-github-actions/auth workload identity federation"}, isWorkflow, fixGHAGCP},
		{FixerInfo{"gha-azure-oidc", "GA-3", "GitHub Actions Azure secret → azure/login OIDC, ARM_USE_OIDC for Terraform"}, isWorkflow, fixGHAAzure},
		{FixerInfo{"gha-pypi-trusted-publishing", "GA-4", "PyPI token → trusted publishing"}, isWorkflow, fixGHAPyPI},
		{FixerInfo{"gha-npm-trusted-publishing", "GA-5", "npm token → trusted publishing (npm >= 11.5.1)"}, isWorkflow, fixGHANpm},
		{FixerInfo{"gha-github-token", "GA-6", "PAT → GITHUB_TOKEN with explicit permissions, or a GitHub App installation token"}, isWorkflow, fixGHAToken},
		{FixerInfo{"gha-vault-jwt", "GA-7", "Vault token → hashicorp/vault-action method jwt"}, isWorkflow, fixGHAVault},
		{FixerInfo{"gitlab-id-tokens", "CI-1", "GitLab CI AWS, GCP, Azure and Vault credentials → id_tokens"}, isGitLab, fixGitLab},
		{FixerInfo{"circleci-oidc", "CI-2", "CircleCI AWS keys → $CIRCLE_OIDC_TOKEN_V2 role assumption"}, isCircleCI, fixCircleCI},
		{FixerInfo{"bitbucket-oidc", "CI-3", "Bitbucket Pipelines AWS keys → oidc: true"}, isBitbucket, fixBitbucket},
		{FixerInfo{"npmrc-env", "CF-2", ".npmrc literal token → ${NPM_TOKEN}"}, isNpmrc, fixNpmrc},
		{FixerInfo{"docker-credential-helper", "CF-3", "docker config.json auth → credential helpers"}, isDockerConfig, fixDockerConfig},
		{FixerInfo{"kubeconfig-exec", "CF-4", "kubeconfig static token or client key → exec plugin (EKS, GKE, AKS)"}, isKubeconfig, fixKubeconfig},
		{FixerInfo{"terraform-ambient", "CF-6", "Terraform provider literals → ambient identity or assume_role"}, isTerraform, fixTerraform},
		{FixerInfo{"source-env", "CF-1", "hard-coded secret in Go, Python, JavaScript/TypeScript or Java → environment variable"}, isSource, fixSource},
	}
}

// Fixers returns every fixer in the order they run on a file.
func Fixers() []FixerInfo {
	var out []FixerInfo
	for _, f := range registry() {
		out = append(out, f.FixerInfo)
	}
	return out
}

// ValidateOnly checks fixer names given to --only; the error names the
// unknown ones and lists the valid names.
func ValidateOnly(names []string) error {
	known := map[string]bool{}
	var all []string
	for _, f := range registry() {
		known[f.Name] = true
		all = append(all, f.Name)
	}
	var bad []string
	for _, n := range names {
		if !known[n] {
			bad = append(bad, fmt.Sprintf("%q", n))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("unknown fixer %s (known: %s)", strings.Join(bad, ", "), strings.Join(all, ", "))
	}
	return nil
}

// hint is what a report says about a place in a file.
type hint struct {
	Line, Column, EndLine, EndColumn int
	// SecretLen is the matched value's length in bytes (never the value).
	SecretLen   int
	Fingerprint string
	Rule        string
	Type        string
	Provider    string
	Fixer       string
	// Reference is a CI reference's stored secret (secrets.X), if any.
	Reference string
	// Redacted is the credential's redacted form.
	Redacted string
}

// fileCtx carries one fixer's run over one file.
type fileCtx struct {
	path  string
	src   []byte
	out   []byte
	opts  *Options
	hints []hint

	summary  string
	details  []string
	setup    []Setup
	caveats  []string
	revoke   []Revocation
	perms    []PermissionChange
	refusals []Refusal
	fixer    string
}

func (fc *fileCtx) refuse(line int, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	if m := linePrefix.FindStringSubmatch(reason); m != nil {
		if line == 0 {
			line, _ = strconv.Atoi(m[1])
		}
		reason = reason[len(m[0]):]
	}
	fc.refusals = append(fc.refusals, Refusal{Path: fc.path, Fixer: fc.fixer, Line: line, Reason: reason})
}

var linePrefix = regexp.MustCompile(`^line (\d+): `)

// refuseErr records a yamledit refusal (or any error) for the whole file.
func (fc *fileCtx) refuseErr(err error) {
	if r, ok := yamledit.IsRefused(err); ok {
		fc.refuse(0, "%s", r)
		return
	}
	fc.refuse(0, "%s", err.Error())
}

// commit renders e into fc.out. When the edit cannot be rendered it
// records the refusal and drops what the fix had noted, so a refused
// file reports no changes, permissions or revocations.
func (fc *fileCtx) commit(e *yamledit.Editor) bool {
	out, err := e.Bytes()
	if err != nil {
		fc.refuseErr(err)
		fc.details, fc.perms, fc.revoke = nil, nil, nil
		return false
	}
	fc.out = out
	return true
}

func (fc *fileCtx) detail(format string, args ...any) {
	fc.details = append(fc.details, fmt.Sprintf(format, args...))
}

func (fc *fileCtx) caveat(format string, args ...any) {
	fc.caveats = appendUnique(fc.caveats, fmt.Sprintf(format, args...))
}

func (fc *fileCtx) addSetup(s Setup) {
	for i, have := range fc.setup {
		if have.Provider == s.Provider && have.Title == s.Title {
			fc.setup[i].Subjects = appendUnique(fc.setup[i].Subjects, s.Subjects...)
			fc.setup[i].Terraform, fc.setup[i].CLI = s.Terraform, s.CLI
			for _, v := range s.Variables {
				if !hasVariable(fc.setup[i].Variables, v.Name) {
					fc.setup[i].Variables = append(fc.setup[i].Variables, v)
				}
			}
			return
		}
	}
	fc.setup = append(fc.setup, s)
}

func hasVariable(vs []Variable, name string) bool {
	for _, v := range vs {
		if v.Name == name {
			return true
		}
	}
	return false
}

// --- path matchers ---

func isWorkflow(p string) bool {
	dir, base := path.Split(p)
	return (strings.HasSuffix(dir, ".github/workflows/") || dir == ".github/workflows/") &&
		(strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml"))
}

func isGitLab(p string) bool {
	base := path.Base(p)
	return base == ".gitlab-ci.yml" || base == ".gitlab-ci.yaml" ||
		(strings.Contains(p, ".gitlab/ci/") && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")))
}

func isCircleCI(p string) bool {
	return strings.HasSuffix(p, ".circleci/config.yml") || strings.HasSuffix(p, ".circleci/config.yaml") ||
		p == ".circleci/config.yml"
}

func isBitbucket(p string) bool {
	base := path.Base(p)
	return base == "bitbucket-pipelines.yml" || base == "bitbucket-pipelines.yaml"
}

func isNpmrc(p string) bool { return path.Base(p) == ".npmrc" }

func isDockerConfig(p string) bool {
	return path.Base(p) == "config.json" && strings.Contains(p, "docker") ||
		path.Base(p) == ".dockercfg" || strings.HasSuffix(p, ".docker/config.json")
}

func isKubeconfig(p string) bool {
	base := strings.ToLower(path.Base(p))
	dir := path.Dir(p)
	return base == "kubeconfig" || strings.HasPrefix(base, "kubeconfig.") || strings.HasSuffix(base, ".kubeconfig") ||
		(base == "config" && strings.HasSuffix(dir, ".kube")) ||
		strings.HasSuffix(base, "-kubeconfig.yaml") || strings.HasSuffix(base, "-kubeconfig.yml")
}

func isTerraform(p string) bool { return strings.HasSuffix(p, ".tf") }

func isSource(p string) bool {
	_, ok := sourceLang(p)
	return ok
}
