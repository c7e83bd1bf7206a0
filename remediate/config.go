package remediate

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

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
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var sm *toml.StrictMissingError
		if !errors.As(err, &sm) {
			return Config{}, rules.DecodeError(name, err)
		}
		var list rules.ErrorList
		for _, e := range sm.Errors {
			if k := e.Key(); len(k) > 1 && k[0] == "fix" {
				line, col := e.Position()
				list = append(list, rules.PosError{File: name, Line: line, Column: col, Msg: fmt.Sprintf("unknown key %q", strings.Join(k, "."))})
			}
		}
		if len(list) > 0 {
			return Config{}, list
		}
	}
	if f.Fix == nil {
		return Config{}, nil
	}
	if err := ValidateOnly(f.Fix.Only); err != nil {
		return Config{}, rules.DecodeError(name, err)
	}
	return *f.Fix, nil
}
