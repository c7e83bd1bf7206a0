package configfile

import (
	"sort"

	"github.com/sessionize/sessionize/detectors"
)

// ruleDoc documents one rule.
type ruleDoc struct {
	detector, id, desc string
}

// fileRules are the rules specific to one file format.
var fileRules = []ruleDoc{
	{"npmrc", ruleNPMToken, "literal _authToken in .npmrc (global or //registry/:_authToken)"},
	{"npmrc", ruleNPMBasicAuth, "literal _auth in .npmrc (base64 user:password; the password is the secret)"},
	{"npmrc", ruleNPMPassword, "literal _password in .npmrc (base64 password)"},
	{"yarnrc", ruleYarnToken, "literal npmAuthToken in .yarnrc.yml"},
	{"yarnrc", ruleYarnIdent, "literal npmAuthIdent (user:password) in .yarnrc.yml"},
	{"pypirc", rulePyPIRCPassword, "literal password (or __token__ API token) in .pypirc"},
	{"netrc", ruleNetrcPassword, "machine password in .netrc / _netrc"},
	{"git-credentials", ruleGitCredentials, "https://user:token@host line in a git credential store"},
	{"git-credentials", ruleGitConfigURL, "remote URL with credentials in .gitmodules / .gitconfig"},
	{"docker-config", ruleDockerAuth, "static registry auth (base64 user:password) or password in a docker config.json"},
	{"docker-config", ruleDockerIdentityToken, "identitytoken (registry refresh token) in a docker config.json"},
	{"docker-config", ruleDockerRegistryToken, "registrytoken (bearer token) in a docker config.json"},
	{"docker-config", ruleDockerCredHelper, "credHelpers entry: tokens minted per use (session inventory)"},
	{"docker-config", ruleDockerCredsStore, "credsStore: credentials kept by a helper, not in the file (session inventory)"},
	{"kubeconfig", ruleKubeToken, "static bearer token of a kubeconfig user"},
	{"kubeconfig", ruleKubeClientKey, "client-key-data (client certificate private key) of a kubeconfig user"},
	{"kubeconfig", ruleKubePassword, "basic-auth password of a kubeconfig user"},
	{"kubeconfig", ruleKubeAuthToken, "id-token or access-token of a kubeconfig auth-provider"},
	{"kubeconfig", ruleKubeRefreshToken, "refresh-token of a kubeconfig auth-provider"},
	{"kubeconfig", ruleKubeClientSecret, "client-secret of a kubeconfig auth-provider"},
	{"kubeconfig", ruleKubeExec, "exec credential plugin: tokens minted per use (session inventory)"},
	{"aws-config", ruleAWSAccessKey, "static AWS key pair in an AWS credentials or config profile, reported at its access key ID"},
	{"aws-config", ruleAWSSecretKey, "AWS secret access key in a profile whose access key ID is not a literal"},
	{"aws-config", ruleAWSSSOProfile, "IAM Identity Center (SSO) profile (session inventory)"},
	{"aws-config", ruleAWSCredProcess, "credential_process profile (session inventory)"},
	{"aws-config", ruleAWSAssumeRole, "role assumed from a source profile or credential source (session inventory)"},
	{"aws-config", ruleAWSWebIdentity, "role assumed with a web identity token (session inventory)"},
	{"aws-config", ruleAWSLoginSession, "aws login console-credential profile (session inventory)"},
	{"gcp-credentials", ruleGCPServiceAccountKey, "GCP service-account key JSON (the private key is the credential)"},
	{"gcp-credentials", ruleGCPRefreshToken, "refresh_token of a GCP authorized_user credentials JSON"},
	{"gcp-credentials", ruleGCPExternalAccount, "GCP external_account (workload identity federation) configuration (session inventory)"},
	{"gcp-credentials", ruleGCPOAuthClientSecret, "Google OAuth client secret in a client_secret JSON"},
	{"terraform", ruleTerraformRC, "API token in a .terraformrc credentials block"},
	{"maven-settings", ruleMavenPassword, "literal <password> or <passphrase> of a <server> in Maven settings.xml"},
	{"maven-settings", ruleMavenProxy, "literal <password> of a <proxy> in Maven settings.xml"},
	{"maven-settings", ruleMavenHeader, "token sent as an HTTP header (Private-Token...) by a Maven <server>"},
	{"mcp-config", ruleMCPHeader, "token in an MCP server's headers (Authorization: Bearer ...) or --header argument"},
	{"mcp-config", ruleMCPArg, "token passed to an MCP server as a command-line flag (--token=...)"},
	{"mcp-config", ruleMCPURL, "token in an MCP server URL's query (?api_key=...)"},
}

// scopePrefixes are the detectors (and places) that report key/value
// credentials under rules named prefix-kind (see scopeKinds).
var scopePrefixes = []struct{ detector, prefix, where string }{
	{"dotenv", prefixDotenv, ".env file"},
	{"gradle-properties", prefixGradle, "gradle.properties"},
	{"spring-config", prefixSpring, "Spring application configuration"},
	{"mcp-config", prefixMCP, "MCP server env or args"},
	{"terraform", prefixTFProvider, "Terraform provider block"},
	{"terraform", prefixTFBackend, "Terraform backend block"},
	{"terraform", prefixTFVariable, "Terraform variable default"},
	{"terraform", prefixTFAttribute, "Terraform resource, module or locals argument"},
	{"terraform", prefixTFVars, "Terraform .tfvars file"},
}

// scopeKinds are the kinds of credential a key/value scope reports.
var scopeKinds = []struct{ kind, desc string }{
	{"password", "literal password under a password-like key"},
	{"secret", "literal token, API key or secret under a credential-like key, or a value of a known token format"},
	{"database-password", "literal database or broker password"},
	{"database-url", "password in a database or broker URL or connection string"},
	{"url-credentials", "password in a URL (https://user:password@host)"},
	{"azure-storage-key", "AccountKey or SharedAccessKey in an Azure connection string"},
	{"aws-access-key", "static AWS key pair, reported at its access key ID"},
	{"aws-secret-key", "AWS secret access key whose access key ID is not a literal"},
}

// ruleDescriptions maps every rule ID to its description; built once from
// the tables above and never modified.
var ruleDescriptions = func() map[string]string {
	m := map[string]string{}
	for _, r := range allRules() {
		m[r.id] = r.desc
	}
	return m
}()

func allRules() []ruleDoc {
	out := append([]ruleDoc(nil), fileRules...)
	for _, p := range scopePrefixes {
		for _, k := range scopeKinds {
			out = append(out, ruleDoc{p.detector, p.prefix + "-" + k.kind, k.desc + " (" + p.where + ")"})
		}
	}
	return out
}

func ruleDescription(id string) string { return ruleDescriptions[id] }

// Rules lists the rules of the configuration-file detectors in ID order,
// for `sessionize rules list`. Source names the detector
// ("configfile/npmrc"). The caller owns the returned slice.
func Rules() []detectors.RuleInfo {
	rs := allRules()
	out := make([]detectors.RuleInfo, 0, len(rs))
	for _, r := range rs {
		out = append(out, detectors.RuleInfo{ID: r.id, Description: r.desc, Source: "configfile/" + r.detector})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
