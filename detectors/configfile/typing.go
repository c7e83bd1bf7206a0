package configfile

import (
	"regexp"
	"strings"
	"sync"
)

// valueShape recognises a value whose format names its issuer, and the
// content rule (gitleaks' default rules, knowledge base entries) that
// matches values of that shape. Strong shapes identify the credential type;
// weak ones (a JWT) only say which content rule would also match it.
type valueShape struct {
	prefix string
	re     *regexp.Regexp
	rule   string
	strong bool
}

// valueShapes is static data, checked in order; the first match wins. The
// regular expressions are anchored and mirror the content rules' formats
// closely enough that a value typed here is one the content rule matches.
// They are compiled on first use: package initialisation stays cheap for
// commands that never look at configuration files (protect runs on every
// commit).
var valueShapes = sync.OnceValue(func() []valueShape {
	return []valueShape{
		{"ghp_", regexp.MustCompile(`^ghp_[0-9A-Za-z]{36}$`), "github-pat", true},
		{"github_pat_", regexp.MustCompile(`^github_pat_\w{82}$`), "github-fine-grained-pat", true},
		{"gho_", regexp.MustCompile(`^gho_[0-9A-Za-z]{36}$`), "github-oauth", true},
		{"ghu_", regexp.MustCompile(`^ghu_[0-9A-Za-z]{36}$`), "github-app-token", true},
		{"ghs_", regexp.MustCompile(`^ghs_[0-9A-Za-z]{36}$`), "github-app-token", true},
		{"ghr_", regexp.MustCompile(`^ghr_[0-9A-Za-z]{36}$`), "github-refresh-token", true},
		{"glpat-", regexp.MustCompile(`^glpat-[\w.-]{20,}$`), "gitlab-pat", true},
		{"gldt-", regexp.MustCompile(`^gldt-[\w-]{20,}$`), "gitlab-deploy-token", true},
		{"glptt-", regexp.MustCompile(`^glptt-[\w-]{20,}$`), "gitlab-ptt", true},
		{"glrt-", regexp.MustCompile(`^glrt-[\w.-]{20,}$`), "gitlab-runner-authentication-token", true},
		{"glcbt-", regexp.MustCompile(`^glcbt-[\w-]{20,}$`), "gitlab-cicd-job-token", true},
		{"npm_", regexp.MustCompile(`^npm_[A-Za-z0-9]{36}$`), "npm-access-token", true},
		{"pypi-", regexp.MustCompile(`^pypi-AgE[\w-]{50,}$`), "pypi-upload-token", true},
		{"AKIA", regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`), "aws-access-token", true},
		{"ASIA", regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`), "aws-access-token", true},
		{"ABIA", regexp.MustCompile(`^ABIA[A-Z2-7]{16}$`), "aws-access-token", true},
		{"ACCA", regexp.MustCompile(`^ACCA[A-Z2-7]{16}$`), "aws-access-token", true},
		{"xoxb-", regexp.MustCompile(`^xoxb-[0-9]{10,13}-[0-9]{10,13}[\w-]*$`), "slack-bot-token", true},
		{"xoxp-", regexp.MustCompile(`^xox[pe](?:-[0-9]{10,13}){3}-[\w-]{28,34}$`), "slack-user-token", true},
		{"xapp-", regexp.MustCompile(`^xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+$`), "slack-app-token", true},
		{"sk-ant-admin01-", regexp.MustCompile(`^sk-ant-admin01-[\w-]{80,}$`), "anthropic-admin-api-key", true},
		{"sk-ant-api03-", regexp.MustCompile(`^sk-ant-api03-[\w-]{80,}$`), "anthropic-api-key", true},
		{"sk-proj-", regexp.MustCompile(`^sk-proj-[\w-]{40,}$`), "openai-api-key", true},
		{"sk-svcacct-", regexp.MustCompile(`^sk-svcacct-[\w-]{40,}$`), "openai-api-key", true},
		{"sk-admin-", regexp.MustCompile(`^sk-admin-[\w-]{40,}$`), "openai-api-key", true},
		{"sk-", regexp.MustCompile(`^sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$`), "openai-api-key", true},
		{"sk_live_", regexp.MustCompile(`^sk_live_[0-9A-Za-z]{10,99}$`), "stripe-access-token", true},
		{"rk_live_", regexp.MustCompile(`^rk_live_[0-9A-Za-z]{10,99}$`), "stripe-access-token", true},
		{"sk_test_", regexp.MustCompile(`^sk_test_[0-9A-Za-z]{10,99}$`), "stripe-access-token", true},
		{"hvs.", regexp.MustCompile(`^hvs\.[\w-]{90,}$`), "vault-service-token", true},
		{"hvb.", regexp.MustCompile(`^hvb\.[\w-]{138,}$`), "vault-batch-token", true},
		{"SG.", regexp.MustCompile(`^SG\.[\w-]{22}\.[\w-]{43}$`), "sendgrid-api-token", true},
		{"AIza", regexp.MustCompile(`^AIza[\w-]{35}$`), "gcp-api-key", true},
		{"dop_v1_", regexp.MustCompile(`^dop_v1_[a-f0-9]{64}$`), "digitalocean-pat", true},
		{"doo_v1_", regexp.MustCompile(`^doo_v1_[a-f0-9]{64}$`), "digitalocean-access-token", true},
		{"hf_", regexp.MustCompile(`^hf_[A-Za-z]{34}$`), "huggingface-access-token", true},
		{"lin_api_", regexp.MustCompile(`^lin_api_[A-Za-z0-9]{40}$`), "linear-api-key", true},
		{"shpat_", regexp.MustCompile(`^shpat_[a-fA-F0-9]{32}$`), "shopify-access-token", true},
		{"sntrys_", regexp.MustCompile(`^sntrys_eyJ[\w=+/-]{50,}$`), "sentry-org-token", true},
		{"pul-", regexp.MustCompile(`^pul-[a-f0-9]{40}$`), "pulumi-api-token", true},
		{"dp.pt.", regexp.MustCompile(`^dp\.pt\.[A-Za-z0-9]{43}$`), "doppler-api-token", true},
		{"glsa_", regexp.MustCompile(`^glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}$`), "grafana-service-account-token", true},
		{"glc_", regexp.MustCompile(`^glc_[A-Za-z0-9+/]{32,400}={0,2}$`), "grafana-cloud-api-token", true},
		{"ya29.", regexp.MustCompile(`^ya29\.[\w.-]{30,}$`), "gcp-oauth-access-token", true},
		{"1//0", regexp.MustCompile(`^1//0[\w-]{30,}$`), "gcp-oauth-refresh-token", true},
		{"GOCSPX-", regexp.MustCompile(`^GOCSPX-[\w-]{28}$`), "gcp-oauth-client-secret", true},
		{"-----BEGIN", regexp.MustCompile(`^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY`), "private-key", true},
		{"eyJ", regexp.MustCompile(`^eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*$`), "jwt", false},
	}
})

var (
	// HCP Terraform / Terraform Enterprise user and team tokens.
	tfTokenRE = lazyRE(`^[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}$`)
	// Microsoft Entra client secrets of the current format (3 characters,
	// a digit, "Q~").
	azureSecretRE = lazyRE(`^[\w~.]{3}\dQ~[\w~.-]{31,34}$`)
	// Telegram bot tokens.
	telegramRE = lazyRE(`^\d{5,16}:A[\w-]{34}$`)
)

// lazyRE compiles a regular expression on first use.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// valueRule returns the content rule that matches values of v's shape, and
// whether the shape identifies the credential type; "" when v has no
// telling shape.
func valueRule(v string) (rule string, strong bool) {
	for _, s := range valueShapes() {
		if strings.HasPrefix(v, s.prefix) && s.re.MatchString(v) {
			return s.rule, s.strong
		}
	}
	switch {
	case strings.Contains(v, ".atlasv1.") && tfTokenRE().MatchString(v):
		return "hashicorp-tf-api-token", true
	case strings.Contains(v, "Q~") && azureSecretRE().MatchString(v):
		return "azure-ad-client-secret", true
	case strings.Contains(v, ":A") && telegramRE().MatchString(v):
		return "telegram-bot-api-token", true
	}
	return "", false
}

// typeDockerHubPAT types Docker Hub access tokens, which no content rule
// matches.
const typeDockerHubPAT = "docker-hub-access-token"

// ownShape types values of shapes no content rule knows.
func ownShape(v string) string {
	if (strings.HasPrefix(v, "dckr_pat_") || strings.HasPrefix(v, "dckr_oat_")) && len(v) >= 30 {
		return typeDockerHubPAT
	}
	return ""
}
