package ci

import (
	"strings"
	"unicode"
)

// kind is what a wired secret is: the credential type reported and its
// provider family. Types come from the knowledge base: those of
// rules/credentials/gitleaks.toml where one fits, the ci-* types of
// rules/credentials/ci.toml otherwise.
type kind struct {
	Type     string
	Provider string
}

// The kinds of stored secret the detectors tell apart.
var (
	kindAWS            = kind{"aws-access-key", "aws"}
	kindGCPKey         = kind{"ci-gcp-service-account-key", "gcp"}
	kindGCPAPIKey      = kind{"gcp-api-key", "gcp"}
	kindAzure          = kind{"azure-client-secret", "azure"}
	kindAzureStorage   = kind{"ci-azure-storage-key", "azure"}
	kindAzurePublish   = kind{"ci-azure-publish-profile", "azure"}
	kindGitHubPAT      = kind{"github-classic-pat", "github"}
	kindGitHubAppKey   = kind{"ci-github-app-private-key", "github"}
	kindNPM            = kind{"npm-token", "npm"}
	kindPyPI           = kind{"pypi-token", "pypi"}
	kindRegistry       = kind{"ci-registry-password", "container-registry"}
	kindVault          = kind{"vault-service-token", "vault"}
	kindVaultSecretID  = kind{"ci-vault-secret-id", "vault"}
	kindRubyGems       = kind{"rubygems-api-key", "rubygems"}
	kindCrates         = kind{"ci-crates-io-token", "crates"}
	kindNuGet          = kind{"ci-nuget-api-key", "nuget"}
	kindKube           = kind{"ci-kubeconfig", "other"}
	kindTerraform      = kind{"terraform-cloud-token", "hashicorp"}
	kindPrivateKey     = kind{"ci-private-key", "other"}
	kindPassword       = kind{"ci-password", "other"}
	kindAPIToken       = kind{"ci-api-token", "other"}
	kindStored         = kind{"ci-stored-secret", "other"}
	kindOIDC           = kind{"ci-oidc-federation", "other"}
	kindTrustedPublish = kind{"ci-trusted-publishing", "other"}
	kindGitLabJobJWT   = kind{"ci-gitlab-job-jwt", "gitlab"}
)

// generic reports whether k says nothing about the issuer, so that a more
// specific reading of the same secret should win.
func (k kind) generic() bool {
	return k == kindPassword || k == kindAPIToken || k == kindStored || k == kind{}
}

// category names the rule suffix of a kind: gha-aws-keys, gitlab-npm-token...
func (k kind) category() string {
	switch k {
	case kindAWS:
		return "aws-keys"
	case kindGCPKey, kindGCPAPIKey:
		return "gcp-key"
	case kindAzure, kindAzureStorage, kindAzurePublish:
		return "azure-secret"
	case kindGitHubPAT:
		return "github-pat"
	case kindGitHubAppKey:
		return "github-app-key"
	case kindNPM:
		return "npm-token"
	case kindPyPI:
		return "pypi-token"
	case kindRegistry:
		return "registry-password"
	case kindVault, kindVaultSecretID:
		return "vault-token"
	case kindRubyGems, kindCrates, kindNuGet:
		return "package-registry-key"
	case kindKube:
		return "kubeconfig"
	case kindTerraform:
		return "terraform-token"
	case kindPrivateKey:
		return "private-key"
	}
	return "secret"
}

// evidence is what a name says about the value it holds.
type evidence int

const (
	// unknown: the name says neither.
	unknown evidence = iota
	// identifier: the name holds something that is not a credential (a
	// user name, region, role ARN, account, project or tenant ID, URL...).
	identifier
	// credential: the name holds a credential.
	credential
)

// reading is the verdict on one name.
type reading struct {
	ev   evidence
	kind kind
}

// knownNames are environment variables and inputs whose meaning tools fix:
// whatever the secret is called, what they receive is this kind.
var knownNames = map[string]kind{
	"AWS_ACCESS_KEY_ID":                   kindAWS,
	"AWS_SECRET_ACCESS_KEY":               kindAWS,
	"AWS_SECRET_KEY":                      kindAWS,
	"AWS_ACCESS_KEY":                      kindAWS,
	"AWS_SESSION_TOKEN":                   kindAWS,
	"GOOGLE_CREDENTIALS":                  kindGCPKey,
	"GOOGLE_APPLICATION_CREDENTIALS":      kindGCPKey,
	"GOOGLE_APPLICATION_CREDENTIALS_JSON": kindGCPKey,
	"GOOGLE_CLOUD_KEYFILE_JSON":           kindGCPKey,
	"GCLOUD_SERVICE_KEY":                  kindGCPKey,
	"GCP_SA_KEY":                          kindGCPKey,
	"GCP_CREDENTIALS":                     kindGCPKey,
	"CLOUDSDK_AUTH_ACCESS_TOKEN":          kindGCPKey,
	"ARM_CLIENT_SECRET":                   kindAzure,
	"AZURE_CLIENT_SECRET":                 kindAzure,
	"ARM_CLIENT_CERTIFICATE_PASSWORD":     kindAzure,
	"AZURE_CLIENT_CERTIFICATE_PASSWORD":   kindAzure,
	"AZURE_CREDENTIALS":                   kindAzure,
	"AZURE_SP_PASSWORD":                   kindAzure,
	"SERVICEPRINCIPALKEY":                 kindAzure,
	"ARM_ACCESS_KEY":                      kindAzureStorage,
	"AZURE_STORAGE_KEY":                   kindAzureStorage,
	"AZURE_STORAGE_ACCOUNT_KEY":           kindAzureStorage,
	"AZURE_STORAGE_CONNECTION_STRING":     kindAzureStorage,
	"AZURE_STORAGE_SAS_TOKEN":             kindAzureStorage,
	"GH_TOKEN":                            kindGitHubPAT,
	"GITHUB_TOKEN":                        kindGitHubPAT,
	"GH_ENTERPRISE_TOKEN":                 kindGitHubPAT,
	"GITHUB_PAT":                          kindGitHubPAT,
	"GH_PAT":                              kindGitHubPAT,
	"HOMEBREW_GITHUB_API_TOKEN":           kindGitHubPAT,
	"NODE_AUTH_TOKEN":                     kindNPM,
	"NPM_TOKEN":                           kindNPM,
	"NPM_AUTH_TOKEN":                      kindNPM,
	"NPM_CONFIG_TOKEN":                    kindNPM,
	"YARN_NPM_AUTH_TOKEN":                 kindNPM,
	"TWINE_PASSWORD":                      kindPyPI,
	"PYPI_TOKEN":                          kindPyPI,
	"PYPI_API_TOKEN":                      kindPyPI,
	"PYPI_PASSWORD":                       kindPyPI,
	"POETRY_PYPI_TOKEN_PYPI":              kindPyPI,
	"UV_PUBLISH_TOKEN":                    kindPyPI,
	"UV_PUBLISH_PASSWORD":                 kindPyPI,
	"FLIT_PASSWORD":                       kindPyPI,
	"HATCH_INDEX_AUTH":                    kindPyPI,
	"VAULT_TOKEN":                         kindVault,
	"VAULT_SECRET_ID":                     kindVaultSecretID,
	"DOCKER_PASSWORD":                     kindRegistry,
	"DOCKERHUB_TOKEN":                     kindRegistry,
	"DOCKERHUB_PASSWORD":                  kindRegistry,
	"DOCKER_HUB_TOKEN":                    kindRegistry,
	"DOCKER_HUB_PASSWORD":                 kindRegistry,
	"DOCKER_TOKEN":                        kindRegistry,
	"DOCKER_AUTH_CONFIG":                  kindRegistry,
	"REGISTRY_PASSWORD":                   kindRegistry,
	"CR_PAT":                              kindGitHubPAT,
	"GHCR_TOKEN":                          kindGitHubPAT,
	"GHCR_PAT":                            kindGitHubPAT,
	"GEM_HOST_API_KEY":                    kindRubyGems,
	"RUBYGEMS_API_KEY":                    kindRubyGems,
	"RUBYGEMS_AUTH_TOKEN":                 kindRubyGems,
	"CARGO_REGISTRY_TOKEN":                kindCrates,
	"CARGO_REGISTRIES_CRATES_IO_TOKEN":    kindCrates,
	"CRATES_IO_TOKEN":                     kindCrates,
	"NUGET_API_KEY":                       kindNuGet,
	"NUGET_AUTH_TOKEN":                    kindNuGet,
	"KUBECONFIG":                          kindKube,
	"KUBE_CONFIG":                         kindKube,
	"KUBE_CONFIG_DATA":                    kindKube,
	"KUBE_TOKEN":                          kindKube,
	"K8S_TOKEN":                           kindKube,
	"TF_API_TOKEN":                        kindTerraform,
	"TFE_TOKEN":                           kindTerraform,
	"TF_TOKEN_APP_TERRAFORM_IO":           kindTerraform,
	"SSH_PRIVATE_KEY":                     kindPrivateKey,
	"SSH_KEY":                             kindPrivateKey,
	"DEPLOY_KEY":                          kindPrivateKey,
	"GPG_PRIVATE_KEY":                     kindPrivateKey,
}

// notSecrets are variables whose names look like credentials but are not:
// shell and CI built-ins, job-scoped tokens the CI issues per job.
var notSecrets = map[string]bool{
	"PWD": true, "OLDPWD": true, "HOME": true, "PATH": true, "USER": true, "SHELL": true,
	"CI_JOB_TOKEN": true, "CI_REGISTRY_PASSWORD": true, "CI_DEPLOY_PASSWORD": true,
	"CI_DEPENDENCY_PROXY_PASSWORD": true, "CI_REGISTRY_USER": true,
	"BUILDKITE_AGENT_ACCESS_TOKEN": true, "SYSTEM_ACCESSTOKEN": true, "SYSTEM.ACCESSTOKEN": true,
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN": true, "ACTIONS_RUNTIME_TOKEN": true,
	"BITBUCKET_STEP_OIDC_TOKEN": true, "CIRCLE_OIDC_TOKEN": true, "CIRCLE_OIDC_TOKEN_V2": true,
	"IDTOKEN": true, "ID_TOKEN": true,
	// Debug switches people keep as secrets to turn on step logging.
	"ACTIONS_STEP_DEBUG": true, "ACTIONS_RUNNER_DEBUG": true,
}

// qualifiers are trailing name parts that say nothing about the value:
// encodings and environment names.
var qualifiers = map[string]bool{
	"BASE64": true, "B64": true, "ENCODED": true, "DATA": true, "CONTENT": true, "CONTENTS": true,
	"VALUE": true, "RAW": true, "TXT": true, "VAR": true,
	"PROD": true, "PRODUCTION": true, "STAGING": true, "STAGE": true, "DEV": true, "DEVELOPMENT": true,
	"TEST": true, "QA": true, "UAT": true, "PREPROD": true, "SANDBOX": true, "CI": true, "LIVE": true,
}

// credentialWords end a name that holds a credential.
var credentialWords = map[string]bool{
	"TOKEN": true, "TOKENS": true, "SECRET": true, "SECRETS": true, "PASSWORD": true, "PASSWD": true,
	"PASS": true, "PWD": true, "PW": true, "KEY": true, "KEYS": true, "PAT": true,
	"CREDENTIALS": true, "CREDENTIAL": true, "CREDS": true, "CRED": true, "AUTH": true,
	"AUTHORIZATION": true, "WEBHOOK": true, "KUBECONFIG": true, "PEM": true, "P12": true, "PFX": true,
	"KEYSTORE": true, "JKS": true, "CERTIFICATE": true, "CERT": true, "PASSPHRASE": true,
	"COOKIE": true, "MNEMONIC": true, "KEYFILE": true, "CONNECTIONSTRING": true, "APIKEY": true,
}

// identifierWords end a name that holds an identifier, never a credential.
var identifierWords = map[string]bool{
	"USER": true, "USERNAME": true, "UNAME": true, "LOGIN": true, "EMAIL": true, "MAIL": true,
	"REGION": true, "ZONE": true, "LOCATION": true, "ARN": true, "ROLE": true, "ACCOUNT": true,
	"PROJECT": true, "TENANT": true, "SUBSCRIPTION": true, "ORG": true, "ORGANIZATION": true,
	"OWNER": true, "BUCKET": true, "CLUSTER": true, "HOST": true, "HOSTNAME": true, "SERVER": true,
	"DOMAIN": true, "URL": true, "URI": true, "ENDPOINT": true, "ADDR": true, "ADDRESS": true,
	"PORT": true, "IP": true, "NAME": true, "ID": true, "IDS": true, "NUMBER": true, "NUM": true,
	"REGISTRY": true, "REPO": true, "REPOSITORY": true, "IMAGE": true, "PATH": true, "DIR": true,
	"FOLDER": true, "VERSION": true, "ENV": true, "ENVIRONMENT": true, "BRANCH": true, "SITE": true,
	"NAMESPACE": true, "PROVIDER": true, "POOL": true, "AUDIENCE": true, "AUD": true, "ALIAS": true,
	"CHANNEL": true, "TOPIC": true, "QUEUE": true, "TABLE": true, "DATABASE": true, "DB": true,
	"PHONE": true, "TO": true, "FROM": true, "RECIPIENT": true, "RECIPIENTS": true, "TEAM": true,
	"GROUP": true, "SLUG": true, "HANDLE": true, "FINGERPRINT": true, "THUMBPRINT": true,
	"LEVEL": true, "MODE": true, "FLAG": true, "ENABLED": true, "TIMEOUT": true, "TAG": true,
	"PREFIX": true, "SUFFIX": true, "TYPE": true, "SCOPE": true, "DISTRIBUTION": true, "APP": true,
	"KEYID": true, "FILE": true, "FILENAME": true, "LIST": true, "OPTIONS": true, "ARGS": true,
	"FLAGS": true, "SHA": true, "COMMIT": true, "AGENT": true, "SUBJECT": true, "ISSUER": true,
	"STORAGEACCOUNT": true, "USERID": true, "CLIENTID": true, "TENANTID": true, "APPID": true,
	"HOSTS": true, "URLS": true, "IPS": true, "NAMES": true, "EMAILS": true, "USERS": true,
	"SERVERS": true, "DOMAINS": true, "REGIONS": true, "ZONES": true, "ACCOUNTS": true,
	"PROJECTS": true, "BUCKETS": true, "CLUSTERS": true, "TAGS": true, "ROLES": true, "ARNS": true,
}

// connectionWords before URL or URI make it a URL that carries a password.
var connectionWords = map[string]bool{
	"DATABASE": true, "DB": true, "REDIS": true, "MONGO": true, "MONGODB": true, "POSTGRES": true,
	"POSTGRESQL": true, "PG": true, "MYSQL": true, "AMQP": true, "RABBITMQ": true, "CONNECTION": true,
	"SQL": true, "JDBC": true,
}

// glued splits words people glue together (APIKEY, ACCESSTOKEN, ...).
var gluedSuffixes = []string{"TOKEN", "PASSWORD", "SECRET", "KEY"}

var gluedPrefixes = map[string]bool{
	"API": true, "ACCESS": true, "AUTH": true, "SECRET": true, "PRIVATE": true, "SSH": true,
	"DEPLOY": true, "SIGNING": true, "CLIENT": true, "GITHUB": true, "NPM": true, "PYPI": true,
	"DOCKER": true, "DOCKERHUB": true, "BOT": true, "APP": true, "ADMIN": true, "DB": true,
	"MASTER": true, "LICENSE": true, "REFRESH": true, "SESSION": true, "BEARER": true,
}

// words splits a name into upper-case words at non-alphanumerics and
// lower-to-upper case changes: "armClientSecret" and "ARM_CLIENT_SECRET"
// both give ARM CLIENT SECRET.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, splitGlued(strings.ToUpper(string(cur)))...)
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}

func splitGlued(w string) []string {
	for _, s := range gluedSuffixes {
		if p, ok := strings.CutSuffix(w, s); ok && gluedPrefixes[p] {
			return []string{p, s}
		}
	}
	return []string{w}
}

// canonical is a name in the upper-snake form of the knownNames table.
func canonical(name string) string {
	return strings.Join(words(name), "_")
}

// read judges what a name (an environment variable, an action input, a
// stored secret's name) says about the value it holds.
func read(name string) reading {
	ws := words(name)
	if len(ws) == 0 {
		return reading{}
	}
	if notSecrets[strings.ToUpper(name)] || notSecrets[strings.Join(ws, "_")] {
		return reading{ev: identifier}
	}
	if k, ok := knownNames[strings.Join(ws, "_")]; ok {
		return reading{ev: credential, kind: k}
	}
	for len(ws) > 1 && (qualifiers[ws[len(ws)-1]] || isDigits(ws[len(ws)-1]) ||
		ws[len(ws)-1] == "FILE" && credentialWords[ws[len(ws)-2]]) {
		// KEY_FILE, CREDENTIALS_FILE: the file holds the credential.
		ws = ws[:len(ws)-1]
	}
	if n := len(ws); ws[n-1] == "DOTENV" || n >= 2 && ws[n-1] == "FILE" && (ws[n-2] == "ENV" || ws[n-2] == "DOTENV") {
		// ENV_FILE, DOTENV: an application's .env, full of credentials.
		return reading{ev: credential, kind: kindAPIToken}
	}
	if k, ok := knownNames[strings.Join(ws, "_")]; ok {
		return reading{ev: credential, kind: k}
	}
	has := func(w string) bool { return contains(ws, w) }
	if has("PUBLIC") || has("PUBLISHABLE") {
		return reading{ev: identifier}
	}
	if l := ws[len(ws)-1]; l == "DOCKERCONFIGJSON" || l == "DOCKERCONFIG" || l == "DOCKERCFG" {
		return reading{ev: credential, kind: kindRegistry} // a .dockerconfigjson with registry auths
	}
	if caCertificate(ws) {
		return reading{ev: identifier} // a CA certificate is public
	}
	last := ws[len(ws)-1]
	prev := ""
	if len(ws) > 1 {
		prev = ws[len(ws)-2]
	}
	ev := unknown
	switch {
	case last == "ID" && prev == "KEY" && (len(ws) > 2 && ws[len(ws)-3] == "ACCESS" || has("AWS")):
		ev = credential // AWS_ACCESS_KEY_ID, AWS_KEY_ID: one half of a key pair
	case last == "ID" && prev == "SECRET":
		ev = credential // Vault AppRole secret_id
	case (last == "URL" || last == "URI") && (prev == "WEBHOOK" || prev == "HOOK" || connectionWords[prev]):
		ev = credential
	case last == "STRING" && prev == "CONNECTION":
		ev = credential
	case last == "JSON" && (has("SA") || has("SERVICE") || has("KEY") || has("CREDENTIALS") || has("CREDS")):
		ev = credential
	case last == "PROFILE" && prev == "PUBLISH":
		ev = credential
	case last == "CONFIG" && (has("KUBE") || has("K8S") || has("DOCKER")):
		ev = credential
	case identifierWords[last]:
		ev = identifier
	case credentialWords[last]:
		ev = credential
	}
	if ev != credential {
		return reading{ev: ev}
	}
	return reading{ev: credential, kind: kindOf(ws)}
}

// kindOf tells the issuer of a credential from the words of its name.
func kindOf(ws []string) kind {
	has := func(w ...string) bool {
		for _, x := range w {
			if contains(ws, x) {
				return true
			}
		}
		return false
	}
	last := ws[len(ws)-1]
	passwordish := last == "PASSWORD" || last == "PASS" || last == "PWD" || last == "PASSWD" || last == "PW" || last == "PASSPHRASE"
	switch {
	case has("PUBLISH") && has("PROFILE") && has("AZURE", "WEBAPP", "WEBAPPS", "FUNCTIONAPP", "APP"):
		return kindAzurePublish
	case has("KUBE", "K8S", "KUBECONFIG", "KUBERNETES", "KUBECTL", "EKS", "AKS", "GKE") && !passwordish && !has("AWS", "AZURE", "GCP"):
		return kindKube
	case has("GHCR") || (has("CR") && has("PAT")):
		return kindGitHubPAT
	case has("AWS", "AMAZON") || (has("ACCESS") && has("KEY") && (has("SECRET") || has("ID")) && !has(otherAccessKeyVendors...)):
		return kindAWS
	case has("SERVICE") && has("ACCOUNT") && (last == "JSON" || last == "KEY") && !has("AWS", "AZURE", "K8S", "KUBE", "KUBERNETES"):
		return kindGCPKey // a service-account key file (Google Cloud, Firebase, Google Play)
	case has("GCP", "GCLOUD", "GOOGLE", "GKE", "GCS", "GCR", "GAR", "FIREBASE"):
		switch {
		case has("API") && last == "KEY":
			return kindGCPAPIKey
		case has("FIREBASE") && last == "TOKEN":
			return kindAPIToken
		case has("CLIENT") && has("SECRET"):
			return kindAPIToken // an OAuth client secret, not a key
		}
		return kindGCPKey
	case has("AZURE", "ARM", "AZ", "AAD", "ENTRA", "ACR", "SPN") || (has("SERVICE") && has("PRINCIPAL")):
		switch {
		case has("STORAGE", "SAS") || (has("ACCOUNT") && has("KEY")) || (has("CONNECTION") && has("STRING")):
			return kindAzureStorage
		case has("STATIC", "DEVOPS", "ADO", "PIPELINES"):
			return kindAPIToken
		}
		return kindAzure
	case has("VAULT") && has("SECRET") && last == "ID":
		return kindVaultSecretID
	case has("VAULT") && !passwordish:
		return kindVault
	case has("TF", "TFE", "TFC", "TERRAFORM") && (last == "TOKEN") && !has("VAR"):
		return kindTerraform
	case has("APP") && has("PRIVATE", "PEM") && !has("ANDROID", "IOS", "APPLE"):
		return kindGitHubAppKey
	case has("GH", "GITHUB", "PAT") || (has("PERSONAL") && has("ACCESS")) || has("GIT") && last == "TOKEN":
		return kindGitHubPAT
	case has("NPM", "NPMJS", "YARN") || (has("NODE") && has("AUTH")):
		return kindNPM
	case has("PYPI", "TESTPYPI", "TWINE", "FLIT", "POETRY"):
		return kindPyPI
	case has("DOCKER", "DOCKERHUB", "QUAY", "HARBOR", "REGISTRY", "JFROG", "ARTIFACTORY", "NEXUS") && (passwordish || last == "TOKEN" || last == "PAT" || last == "KEY" || last == "AUTH" || last == "CONFIG" || last == "CREDS" || last == "CREDENTIALS" || last == "SECRET"):
		return kindRegistry
	case has("RUBYGEMS", "GEM", "GEMS"):
		return kindRubyGems
	case has("CARGO", "CRATES", "CRATESIO"):
		return kindCrates
	case has("NUGET"):
		return kindNuGet
	case has("SSH", "GPG", "PGP", "KEYSTORE", "JKS", "P12", "PFX", "PEM", "CERTIFICATE", "CERT") && !passwordish:
		return kindPrivateKey
	case has("PRIVATE", "SIGNING", "DEPLOY") && last == "KEY":
		return kindPrivateKey
	case passwordish || (last == "URL" || last == "URI" || last == "STRING") && !has("WEBHOOK", "HOOK"):
		return kindPassword
	}
	return kindAPIToken
}

// caCertificate reports whether words name a CA certificate or bundle
// (VAULT_CA_CERT, caCertificate, CA_BUNDLE): public material, not a
// credential.
func caCertificate(ws []string) bool {
	for i, w := range ws {
		if w == "CACERT" || w == "CABUNDLE" || w == "CA" && i+1 < len(ws) && (ws[i+1] == "CERT" || ws[i+1] == "CERTIFICATE" || ws[i+1] == "BUNDLE" || ws[i+1] == "PEM" || ws[i+1] == "CRT") {
			return !contains(ws, "KEY") && !contains(ws, "PASSWORD") && !contains(ws, "PASSPHRASE")
		}
	}
	return false
}

// otherAccessKeyVendors issue access-key pairs named like AWS's.
var otherAccessKeyVendors = []string{
	"AZURE", "GCP", "GOOGLE", "MINIO", "SPACES", "DO", "DIGITALOCEAN", "B2", "R2", "WASABI",
	"ALIYUN", "ALIBABA", "ALICLOUD", "OSS", "TENCENT", "TENCENTCLOUD", "QCLOUD", "COS", "HUAWEI",
	"HUAWEICLOUD", "OBS", "OCI", "ORACLE", "IBM", "SCALEWAY", "SCW", "LINODE", "BACKBLAZE", "CLOUDFLARE", "VOLC",
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// verdict combines what the receiving key (an environment variable, an
// action input) and the secret's own name say. storeIsSecret is true when
// the value comes from a store that holds only secrets (GitHub secrets, a
// Jenkins credential), false for plain variables ($X in GitLab), where only
// a credential-like name is evidence.
func verdict(key, name reading, storeIsSecret bool) (kind, bool) {
	switch key.ev {
	case credential:
		if name.ev == credential && !name.kind.generic() && (key.kind.generic() || key.kind == kindRegistry && name.kind != kindRegistry && name.kind.Provider != "other") {
			// A registry login with an ACR, ECR or GHCR credential is
			// that provider's credential.
			return name.kind, true
		}
		return key.kind, true
	case identifier:
		if name.ev == credential {
			return name.kind, true
		}
		return kind{}, false
	}
	switch name.ev {
	case credential:
		return name.kind, true
	case identifier:
		return kind{}, false
	}
	if storeIsSecret {
		return kindStored, true
	}
	return kind{}, false
}
