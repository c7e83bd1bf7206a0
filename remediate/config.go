package remediate

import (
	"github.com/pelletier/go-toml/v2"

	"github.com/sessionize/sessionize/rules"
)

// Config is the [fix] section of .sessionize.toml:
//
//	[fix]
//	role_arn = "arn:aws:iam::123456789012:role/gha-deploy"
//	aws_region = "us-east-1"
//	workload_identity_provider = "projects/123/locations/global/workloadIdentityPools/github/providers/repo"
//	service_account = "deployer@project.iam.gserviceaccount.com"
//	azure_client_id = "..."      # azure_tenant_id, azure_subscription_id
//	vault_role = "ci"            # vault_addr
//	app_id = "123456"          # GitHub App for gha-github-token
//	repo = "owner/name"          # owner_id, repo_id, default_branch
//	only = ["gha-aws-oidc"]
type Config struct {
	Identifiers
	Repo          string   `toml:"repo"`
	OwnerID       string   `toml:"owner_id"`
	RepoID        string   `toml:"repo_id"`
	DefaultBranch string   `toml:"default_branch"`
	Only          []string `toml:"only"`
}

type configFile struct {
	Fix *Config `toml:"fix"`
}

// ParseConfig reads the [fix] section of a .sessionize.toml document (the
// other sections are ignored). An unknown key in [fix] is an error naming
// the file and position; a document without [fix] gives the zero Config.
func ParseConfig(name string, data []byte) (Config, error) {
	var whole map[string]any
	if err := toml.Unmarshal(data, &whole); err != nil {
		return Config{}, rules.DecodeError(name, err)
	}
	if _, ok := whole["fix"]; !ok {
		return Config{}, nil
	}
	// Decode only [fix] strictly: the rest belongs to other readers.
	var f configFile
	if err := rules.DecodeSection(name, data, &f, "fix"); err != nil {
		return Config{}, err
	}
	if f.Fix == nil {
		return Config{}, nil
	}
	if err := ValidateOnly(f.Fix.Only); err != nil {
		return Config{}, rules.DecodeError(name, err)
	}
	return *f.Fix, nil
}
