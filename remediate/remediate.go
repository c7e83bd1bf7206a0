package remediate

import (
	"slices"
	"sort"
	"strings"

	"github.com/sessionize/sessionize/rules"
)

// Change is the rewrite of one file.
type Change struct {
	// Path is slash-separated and relative to the root given to [Plan].
	Path string
	// Before and After are the file's content before and after the rewrite.
	Before, After []byte
	// Fixer is the first fixer that changed the file (the one to name a
	// branch after); Fixers lists all of them in the order they ran.
	Fixer  string
	Fixers []string
	// Fingerprints are the 16-hex-digit fingerprints of the report's
	// credentials whose occurrences in this file the change retires (empty
	// when the change was planned without a report).
	Fingerprints []string
	// Summary says in one sentence what the change does; Details lists
	// each edit.
	Summary string
	Details []string
	// Permissions lists, per job, the GITHUB_TOKEN permissions before and
	// after the change, for every job whose permissions changed.
	Permissions []PermissionChange
	// Setup is what must exist on the provider side before the change is
	// merged, pre-filled with the repository and the exact subject claims.
	Setup []Setup
	// Caveats are the warnings that apply (fork pull requests get no OIDC
	// token, environment and subject coupling, ...).
	Caveats []string
	// Revoke says how to revoke each retired credential once a run with
	// the change is green.
	Revoke []Revocation
}

// PermissionChange is the effective GITHUB_TOKEN permission set of one
// job before and after a change.
type PermissionChange struct {
	Job    string
	Before string
	After  string
}

// Setup is one provider-side step a change needs.
type Setup struct {
	// Provider is aws, gcp, azure, vault, pypi, npm, github, gitlab,
	// circleci or bitbucket.
	Provider string
	Title    string
	// Subjects are the subject (sub) claims the provider must trust, in
	// both the legacy and the immutable form where they differ.
	Subjects []string
	// Variables are the repository (or CI/CD) variables the rewrite reads
	// and that must be set.
	Variables []Variable
	// Terraform and CLI are copyable snippets; Steps are manual steps
	// where neither exists (registry web pages).
	Terraform string
	CLI       string
	Steps     []string
}

// Variable is a non-secret identifier the rewritten file reads from the
// CI system's variables.
type Variable struct {
	Name        string
	Description string
}

// Revocation is how to revoke one retired credential.
type Revocation struct {
	// Fingerprint is the credential's fingerprint when known.
	Fingerprint string
	// Credential names it without revealing it: the stored secret's name
	// (secrets.AWS_SECRET_ACCESS_KEY) or the redacted value.
	Credential string
	// Type is the knowledge base's credential type, when known.
	Type string
	// Commands revoke the credential and delete the stored secret.
	Commands []string
}

// Refusal is a place a fixer would not rewrite, and why. The file is left
// byte-identical by that fixer.
type Refusal struct {
	Path  string
	Fixer string
	// Line is the 1-based line the refusal is about, 0 for the whole file.
	Line   int
	Reason string
}

// Result is what [Plan] found to change and to refuse.
type Result struct {
	// Changes are sorted by path.
	Changes []Change
	// Refusals are sorted by path, line and fixer.
	Refusals []Refusal
}

// Setup returns the setup steps of every change, without duplicates, in
// order of first appearance.
func (r *Result) Setup() []Setup {
	var out []Setup
	seen := map[string]int{}
	for _, c := range r.Changes {
		for _, s := range c.Setup {
			key := s.Provider + "\x00" + s.Title + "\x00" + s.Terraform + "\x00" + s.CLI
			if i, ok := seen[key]; ok {
				out[i].Subjects = appendUnique(out[i].Subjects, s.Subjects...)
				continue
			}
			seen[key] = len(out)
			s.Subjects = append([]string(nil), s.Subjects...)
			out = append(out, s)
		}
	}
	return out
}

// Options configures [Plan] and [FixFile]. The zero value means: every
// fixer, identifiers as repository-variable placeholders, repository
// "OWNER/REPO", default branch main, the embedded knowledge base.
type Options struct {
	// Only restricts fixing to these fixers (see [Fixers]); empty means all.
	Only []string
	// IDs are the cloud-side identifiers (flags, .sessionize.toml [fix]).
	IDs Identifiers
	// Repo is the repository as OWNER/NAME, for subject claims.
	Repo string
	// OwnerID and RepoID are the numeric GitHub IDs of the owner and the
	// repository, for immutable subject claims; empty means placeholders.
	OwnerID, RepoID string
	// DefaultBranch is the branch scheduled and dispatched runs use;
	// empty means main.
	DefaultBranch string
	// KB supplies revoke hints; nil means the embedded knowledge base.
	KB *rules.KB
	// NoDiscover makes [Plan] look only at files the report names, not at
	// every CI definition and configuration file under the root.
	NoDiscover bool
}

func (o *Options) only(name string) bool {
	if len(o.Only) == 0 {
		return true
	}
	for _, n := range o.Only {
		if n == name {
			return true
		}
	}
	return false
}

func (o *Options) repo() (owner, name string) {
	if o.Repo != "" {
		if a, b, ok := strings.Cut(o.Repo, "/"); ok && a != "" && b != "" {
			return a, b
		}
	}
	return "OWNER", "REPO"
}

func (o *Options) defaultBranch() string {
	if o.DefaultBranch == "" {
		return "main"
	}
	return o.DefaultBranch
}

func (o *Options) kb() *rules.KB {
	if o.KB != nil {
		return o.KB
	}
	kb, err := rules.DefaultKB()
	if err != nil {
		return nil
	}
	return kb
}

// Identifiers are the provider-side names a rewrite refers to. Each empty
// field becomes a repository-variable placeholder (${{ vars.AWS_ROLE_ARN }}
// in GitHub Actions, $AWS_ROLE_ARN in GitLab, ...) listed in Setup.
type Identifiers struct {
	AWSRoleARN                  string `toml:"role_arn"`
	AWSRegion                   string `toml:"aws_region"`
	GCPWorkloadIdentityProvider string `toml:"workload_identity_provider"`
	GCPServiceAccount           string `toml:"service_account"`
	AzureClientID               string `toml:"azure_client_id"`
	AzureTenantID               string `toml:"azure_tenant_id"`
	AzureSubscriptionID         string `toml:"azure_subscription_id"`
	VaultRole                   string `toml:"vault_role"`
	VaultAddr                   string `toml:"vault_addr"`
	GitHubAppID                 string `toml:"app_id"`
	// GitLabURL is the GitLab instance (issuer and audience), default
	// https://gitlab.com.
	GitLabURL string `toml:"gitlab_url"`
	// TerraformRoleARN, when set, makes terraform-ambient add an
	// assume_role block to AWS providers.
	TerraformRoleARN string `toml:"terraform_role_arn"`
}

// Merge returns ids with every empty field taken from other.
func (ids Identifiers) Merge(other Identifiers) Identifiers {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Identifiers{
		AWSRoleARN:                  pick(ids.AWSRoleARN, other.AWSRoleARN),
		AWSRegion:                   pick(ids.AWSRegion, other.AWSRegion),
		GCPWorkloadIdentityProvider: pick(ids.GCPWorkloadIdentityProvider, other.GCPWorkloadIdentityProvider),
		GCPServiceAccount:           pick(ids.GCPServiceAccount, other.GCPServiceAccount),
		AzureClientID:               pick(ids.AzureClientID, other.AzureClientID),
		AzureTenantID:               pick(ids.AzureTenantID, other.AzureTenantID),
		AzureSubscriptionID:         pick(ids.AzureSubscriptionID, other.AzureSubscriptionID),
		VaultRole:                   pick(ids.VaultRole, other.VaultRole),
		VaultAddr:                   pick(ids.VaultAddr, other.VaultAddr),
		GitHubAppID:                 pick(ids.GitHubAppID, other.GitHubAppID),
		GitLabURL:                   pick(ids.GitLabURL, other.GitLabURL),
		TerraformRoleARN:            pick(ids.TerraformRoleARN, other.TerraformRoleARN),
	}
}

func appendUnique(dst []string, src ...string) []string {
	for _, s := range src {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

func sortRefusals(rs []Refusal) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Fixer != b.Fixer {
			return a.Fixer < b.Fixer
		}
		return a.Reason < b.Reason
	})
}
