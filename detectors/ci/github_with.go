package ci

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// inputSpec says what an action input receives: a credential of a kind, or
// never a credential (skip), whatever the secret is called.
type inputSpec struct {
	kind kind
	skip bool
}

var skipInput = inputSpec{skip: true}

// ghaInputs knows the inputs of actions that take credentials. Inputs not
// listed are judged by their names.
var ghaInputs = map[string]map[string]inputSpec{
	"aws-actions/configure-aws-credentials": {
		"aws-access-key-id": {kind: kindAWS}, "aws-secret-access-key": {kind: kindAWS},
		"aws-session-token": {kind: kindAWS}, "role-to-assume": skipInput, "aws-region": skipInput,
		"role-session-name": skipInput, "role-external-id": skipInput, "web-identity-token-file": skipInput,
		"audience": skipInput, "role-duration-seconds": skipInput, "aws-account-id": skipInput,
	},
	"google-github-actions/auth": {
		"credentials_json": {kind: kindGCPKey}, "workload_identity_provider": skipInput,
		"service_account": skipInput, "project_id": skipInput, "audience": skipInput,
	},
	"google-github-actions/setup-gcloud": {
		"service_account_key": {kind: kindGCPKey}, "project_id": skipInput, "service_account_email": skipInput,
	},
	"googlecloudplatform/github-actions/setup-gcloud": {
		"service_account_key": {kind: kindGCPKey}, "project_id": skipInput, "service_account_email": skipInput,
	},
	"azure/login": {
		"creds": {kind: kindAzure}, "client-secret": {kind: kindAzure}, "client-id": skipInput,
		"tenant-id": skipInput, "subscription-id": skipInput, "environment": skipInput, "auth-type": skipInput,
	},
	"azure/webapps-deploy":            {"publish-profile": {kind: kindAzurePublish}, "app-name": skipInput},
	"azure/functions-action":          {"publish-profile": {kind: kindAzurePublish}, "app-name": skipInput},
	"azure/k8s-set-context":           {"kubeconfig": {kind: kindKube}, "k8s-secret": {kind: kindKube}, "k8s-url": skipInput},
	"azure/static-web-apps-deploy":    {"azure_static_web_apps_api_token": {kind: kind{"ci-api-token", "azure"}}},
	"pypa/gh-action-pypi-publish":     {"user": skipInput, "repository-url": skipInput, "repository_url": skipInput},
	"hashicorp/vault-action":          {"token": {kind: kindVault}, "secretid": {kind: kindVaultSecretID}, "githubtoken": {kind: kindGitHubPAT}, "roleid": skipInput, "url": skipInput, "role": skipInput, "method": skipInput, "namespace": skipInput, "jwtprivatekey": {kind: kindPrivateKey}},
	"js-devtools/npm-publish":         {"token": {kind: kindNPM}},
	"actions/create-github-app-token": {"private-key": {kind: kindGitHubAppKey}, "app-id": skipInput, "client-id": skipInput, "owner": skipInput},
	"tibdex/github-app-token":         {"private_key": {kind: kindGitHubAppKey}, "app_id": skipInput},
	"getsentry/action-github-app-token": {
		"private_key": {kind: kindGitHubAppKey}, "app_id": skipInput,
	},
	"navikt/github-app-token-generator":              {"private-key": {kind: kindGitHubAppKey}, "app-id": skipInput},
	"peter-murray/workflow-application-token-action": {"application_private_key": {kind: kindGitHubAppKey}, "application_id": skipInput},
	"peaceiris/actions-gh-pages":                     {"deploy_key": {kind: kindPrivateKey}, "personal_token": {kind: kindGitHubPAT}},
	"webfactory/ssh-agent":                           {"ssh-private-key": {kind: kindPrivateKey}},
	"appleboy/ssh-action":                            {"key": {kind: kindPrivateKey}, "password": {kind: kindPassword}, "passphrase": {kind: kindPassword}, "host": skipInput, "username": skipInput, "port": skipInput},
	"appleboy/scp-action":                            {"key": {kind: kindPrivateKey}, "password": {kind: kindPassword}, "passphrase": {kind: kindPassword}, "host": skipInput, "username": skipInput, "port": skipInput},
	"crazy-max/ghaction-import-gpg":                  {"gpg_private_key": {kind: kindPrivateKey}, "passphrase": {kind: kindPassword}},
	"hashicorp/setup-terraform":                      {"cli_config_credentials_token": {kind: kindTerraform}, "cli_config_credentials_hostname": skipInput},
	"katyo/publish-crates":                           {"registry-token": {kind: kindCrates}},
	"codecov/codecov-action":                         {"token": {kind: kindAPIToken}},
	"docker/login-action":                            {"registry": skipInput, "username": skipInput, "ecr": skipInput},
	"azure/docker-login":                             {"login-server": skipInput, "username": skipInput},
	"samkirkland/ftp-deploy-action":                  {"password": {kind: kindPassword}, "username": skipInput, "server": skipInput},
	"firebaseextended/action-hosting-deploy": {
		"firebaseserviceaccount": {kind: kindGCPKey}, "projectid": skipInput, "channelid": skipInput, "target": skipInput,
	},
	"w9jds/firebase-action":                     {"gcp_sa_key": {kind: kindGCPKey}, "project_id": skipInput},
	"octopusdeploy/login":                       {"api_key": {kind: kindAPIToken}, "server": skipInput, "service_account_id": skipInput},
	"azure/cli":                                 {"azcliversion": skipInput},
	"jfrog/setup-jfrog-cli":                     {"oidc-provider-name": skipInput, "oidc-audience": skipInput},
	"docker/oidc-action":                        {"connection-id": skipInput, "connection_id": skipInput},
	"google-github-actions/get-gke-credentials": {"cluster_name": skipInput, "location": skipInput, "project_id": skipInput},
}

// nonAWSVendors publish actions that take access-key pairs named like
// AWS's (access-key-id, secret-access-key) for their own clouds.
var nonAWSVendors = []string{
	"aliyun/", "alibabacloud/", "tencentcloud/", "huaweicloud/", "digitalocean/", "oracle-actions/",
	"ibm/", "ibm-cloud/", "scaleway/", "linode/", "cloudflare/", "backblaze/", "qiniu/", "volcengine/",
}

func nonAWSVendor(action string) bool {
	for _, p := range nonAWSVendors {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// githubTokenInputs receive a GitHub token whatever the action.
var githubTokenInputs = map[string]bool{
	"github-token": true, "github_token": true, "repo-token": true, "repo_token": true,
	"gh-token": true, "gh_token": true, "personal_token": true, "personal-token": true,
	"githubtoken": true, "github-pat": true,
}

// githubAPIActions take a GitHub token in a plain "token" input.
var githubAPIActions = []string{
	"actions/", "github/", "peter-evans/", "softprops/action-gh-release", "googleapis/release-please-action",
	"google-github-actions/release-please-action", "stefanzweifel/", "ad-m/github-push-action", "endbug/",
	"jamesives/github-pages-deploy-action", "peaceiris/", "release-drafter/", "marvinpinto/",
	"ncipollo/release-action", "svenstaro/upload-release-action", "dependabot/", "cli/", "repo-sync/",
	"octokit/", "mikepenz/", "amannn/", "thollander/", "marocchino/", "actions-ecosystem/",
	"tj-actions/", "dawidd6/action-download-artifact", "changesets/action", "cycjimmy/semantic-release-action",
	"gr2m/", "andymckay/", "sonarsource/sonarqube-quality-gate-action", "reviewdog/", "rtcamp/",
	"orhun/git-cliff-action", "goreleaser/", "lewagon/", "fountainhead/", "pascalgn/", "crazy-max/ghaction-github",
}

func isGitHubAPIAction(a string) bool {
	for _, p := range githubAPIActions {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// inputReading says what an input of action receives.
func inputReading(action, input string, with func(string) string) (reading, bool) {
	in := strings.ToLower(input)
	if action == "docker/login-action" || action == "azure/docker-login" {
		if in == "password" {
			return reading{ev: credential, kind: dockerLoginKind(with)}, true
		}
	}
	if action == "pypa/gh-action-pypi-publish" && in == "password" {
		u := strings.ToLower(with("repository-url") + with("repository_url"))
		if u == "" || strings.Contains(u, "pypi.org") {
			return reading{ev: credential, kind: kindPyPI}, true
		}
		return reading{ev: credential, kind: kindPassword}, true
	}
	if spec, ok := ghaInputs[action][in]; ok {
		if spec.skip {
			return reading{}, false
		}
		return reading{ev: credential, kind: spec.kind}, true
	}
	if githubTokenInputs[in] || (in == "token" && isGitHubAPIAction(action)) {
		return reading{ev: credential, kind: kindGitHubPAT}, true
	}
	rd := read(input)
	if rd.kind == kindAWS && nonAWSVendor(action) {
		rd.kind = kindAPIToken
	}
	return rd, true
}

// dockerLoginKind tells whose credential docker/login-action's password is
// from its registry and username.
func dockerLoginKind(with func(string) string) kind {
	reg := with("registry") + with("login-server")
	user := strings.ToLower(with("username"))
	if strings.HasPrefix(user, "_json_key") {
		return kindGCPKey
	}
	return registryKind(reg)
}

// with reports the secrets passed to an action's inputs and records
// session-scoped wiring of the actions that federate with OIDC.
func (g *ghaFile) with(j *ghaJob, action string, uses pair, with *yaml.Node) {
	s := g.s
	ps := s.pairs(with)
	lit := func(k string) string {
		for _, p := range ps {
			if strings.EqualFold(p.Key, k) {
				return s.str(p.Value)
			}
		}
		return ""
	}
	present := func(k string) bool {
		return strings.TrimSpace(lit(k)) != ""
	}
	for _, p := range ps {
		v := s.resolve(p.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		key, ok := inputReading(action, p.Key, lit)
		if !ok {
			continue
		}
		if action == "docker/login-action" && strings.EqualFold(p.Key, "username") {
			continue
		}
		for _, r := range ghaRefs(v.Value, j.matrixValues) {
			g.wire(j, v, r, key, p.Key, action)
		}
	}
	// ECR logins take the AWS key ID as the user name.
	if action == "docker/login-action" && registryKind(lit("registry")) == kindAWS {
		if p, ok := s.getPair(with, "username"); ok {
			if v := s.resolve(p.Value); v != nil && v.Kind == yaml.ScalarNode {
				for _, r := range ghaRefs(v.Value, j.matrixValues) {
					g.wire(j, v, r, reading{ev: credential, kind: kindAWS}, "username", action)
				}
			}
		}
	}
	g.sessionStep(j, action, uses, present, lit)
}

// federatedInputs recognises, in an action this package does not know,
// the inputs of an OIDC federation (a role to assume, a workload identity
// provider or a service account to impersonate, an "oidc" method) with no
// stored credential beside them. Organisations wrap the official login
// actions in their own; the job's id-token: write grant is the other half
// of the evidence.
func federatedInputs(present func(string) bool, lit func(string) string) string {
	for _, k := range []string{
		"aws-access-key-id", "aws_access_key_id", "credentials_json", "credentials", "creds",
		"client-secret", "client_secret", "password", "token", "api-key", "api_key", "secret-id", "secret_id",
	} {
		if present(k) {
			return ""
		}
	}
	switch {
	case present("role-to-assume") || present("role_to_assume") || present("aws-role-arn") || present("role-arn") || present("role_arn"):
		return "aws"
	case present("workload_identity_provider") || present("workload-identity-provider") ||
		strings.HasSuffix(strings.TrimSpace(lit("service_account")), ".iam.gserviceaccount.com") ||
		strings.HasSuffix(strings.TrimSpace(lit("service-account")), ".iam.gserviceaccount.com"):
		return "gcp"
	case (present("client-id") || present("client_id")) && (present("tenant-id") || present("tenant_id")):
		return "azure"
	case strings.EqualFold(lit("method"), "oidc") || strings.EqualFold(lit("auth-method"), "oidc"):
		return "other"
	}
	return ""
}

// sessionStep records the steps that obtain session-scoped credentials.
func (g *ghaFile) sessionStep(j *ghaJob, action string, uses pair, present func(string) bool, lit func(string) string) {
	provider := ""
	k := kindOIDC
	switch action {
	case "aws-actions/configure-aws-credentials":
		if !present("aws-access-key-id") && (present("role-to-assume") || present("web-identity-token-file")) && (j.idToken || !j.staticAWS) {
			provider = "aws"
		}
	case "google-github-actions/auth":
		if present("workload_identity_provider") && !present("credentials_json") {
			provider = "gcp"
		}
	case "azure/login":
		if !present("creds") && !present("client-secret") && (present("client-id") || present("tenant-id")) && !strings.EqualFold(lit("auth-type"), "identity") {
			provider = "azure"
		}
	case "hashicorp/vault-action":
		if strings.EqualFold(lit("method"), "jwt") {
			provider = "vault"
		}
	case "pypa/gh-action-pypi-publish":
		if !present("password") {
			provider, k = "pypi", kindTrustedPublish
		}
	case "rust-lang/crates-io-auth-action":
		provider, k = "crates", kindTrustedPublish
	case "nuget/login":
		provider, k = "nuget", kindTrustedPublish
	case "rubygems/release-gem", "rubygems/configure-rubygems-credentials":
		provider, k = "rubygems", kindTrustedPublish
	case "docker/oidc-action":
		provider = "container-registry"
	case "jfrog/setup-jfrog-cli":
		if present("oidc-provider-name") {
			provider = "other"
		}
	case "octo-sts/action":
		provider = "github"
	case "octopusdeploy/login":
		if present("service_account_id") && !present("api_key") {
			provider = "other"
		}
	case "infisical/secrets-action":
		if strings.EqualFold(lit("method"), "oidc") {
			provider = "other"
		}
	default:
		if _, known := ghaInputs[action]; !known && j.idToken && !g.isComposite && !strings.HasPrefix(action, "./") {
			provider = federatedInputs(present, lit)
		}
	}
	if provider == "" {
		return
	}
	var notes []string
	if !j.idToken && !g.isComposite {
		notes = append(notes, "id-token: write is not granted to this job: the OIDC token request will fail")
	}
	line, col := g.s.pos(uses.Value, g.s.str(uses.Value), 0)
	g.s.sessionWire(k, provider, j.id, "uses", action, line, col, len(g.s.str(uses.Value)), notes...)
}
