package classify

import (
	"strings"

	"github.com/sessionize/sessionize/rules"
)

// awsKeyID classifies AWS unique identifiers by their four-letter prefix
// (IAM User Guide, "Unique identifiers"): AKIA access keys are long-lived
// IAM user keys, ASIA keys come from STS and expire with their session, and
// most other prefixes identify users, roles or policies and are no secret.
func awsKeyID(_, value string) (Facts, bool) {
	if len(value) != 20 || !isAWSIDBody(value[4:]) {
		return Facts{}, false
	}
	switch p := value[:4]; p {
	case "AKIA":
		return Facts{
			Type: "aws-access-key", Lifetime: rules.Standing,
			Notes: []string{"AKIA prefix: IAM user access key, valid until deleted"},
		}, true
	case "ASIA":
		return Facts{
			Type: "aws-temporary-access-key", Lifetime: rules.Session,
			Notes: []string{"ASIA prefix: STS session credentials, temporary"},
		}, true
	case "ABIA":
		return Facts{
			Type: "aws-temporary-access-key", Lifetime: rules.Short,
			Notes: []string{"ABIA prefix: STS service bearer token, temporary"},
		}, true
	case "ACCA":
		return Facts{Notes: []string{"ACCA prefix: AWS context-specific credential"}}, true
	default:
		if what, ok := awsIDKinds[p]; ok {
			return Facts{
				Type: "aws-unique-id", Invalid: true,
				Notes: []string{p + " prefix: " + what + " unique ID, not a secret"},
			}, true
		}
	}
	return Facts{}, false
}

var awsIDKinds = map[string]string{
	"AIDA": "IAM user",
	"AROA": "IAM role",
	"AGPA": "IAM group",
	"AIPA": "EC2 instance profile",
	"ANPA": "managed policy",
	"ANVA": "managed policy version",
	"APKA": "public key",
	"ASCA": "certificate",
}

// isAWSIDBody reports whether s is base32 upper case (A-Z, 2-7), the body of
// an AWS unique identifier.
func isAWSIDBody(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// slackToken classifies Slack tokens by prefix (api.slack.com token types and
// token rotation): bot and user tokens do not expire unless the app opts in
// to rotation, rotating access tokens (xoxe.xoxp-, xoxe.xoxb-) expire after
// 12 hours, and their refresh tokens (xoxe-) are long-lived.
func slackToken(_, value string) (Facts, bool) {
	switch {
	case strings.HasPrefix(value, "xoxe.xoxb-"), strings.HasPrefix(value, "xoxe.xoxp-"):
		return Facts{
			Type: "slack-rotating-access-token", Lifetime: rules.Short,
			Notes: []string{"xoxe. prefix: Slack rotating access token, expires after 12 h"},
		}, true
	case strings.HasPrefix(value, "xoxe-"):
		return Facts{
			Type: "slack-rotating-refresh-token", Lifetime: rules.Standing,
			Notes: []string{"xoxe- prefix: Slack refresh token, exchanged for new access tokens without expiring"},
		}, true
	case strings.HasPrefix(value, "xoxb-"):
		return Facts{
			Type: "slack-bot-token", Lifetime: rules.Standing,
			Notes: []string{"xoxb- prefix: Slack bot token, valid until revoked"},
		}, true
	case strings.HasPrefix(value, "xoxp-"):
		return Facts{
			Type: "slack-user-token", Lifetime: rules.Standing,
			Notes: []string{"xoxp- prefix: Slack user token, acts as the user, valid until revoked"},
		}, true
	case strings.HasPrefix(value, "xapp-"):
		return Facts{
			Type: "slack-app-token", Lifetime: rules.Standing,
			Notes: []string{"xapp- prefix: Slack app-level token, valid until revoked"},
		}, true
	}
	return Facts{}, false
}

// vaultToken classifies HashiCorp Vault tokens by prefix (Vault 1.10+ token
// formats): service tokens (hvs.) carry a TTL, 32 days by default; batch
// tokens (hvb.) are short-lived by design; s. and b. are the formats before
// 1.10.
func vaultToken(ruleID, value string) (Facts, bool) {
	switch {
	case strings.HasPrefix(value, "hvs."):
		return Facts{
			Type: "vault-service-token", Lifetime: rules.Bounded,
			Notes: []string{"hvs. prefix: Vault service token, expires with its TTL (32 days by default) unless renewed"},
		}, true
	case strings.HasPrefix(value, "hvb."):
		return Facts{
			Type: "vault-batch-token", Lifetime: rules.Short,
			Notes: []string{"hvb. prefix: Vault batch token, cannot be renewed"},
		}, true
	case !strings.HasPrefix(ruleID, "vault-"):
		return Facts{}, false
	case strings.HasPrefix(value, "s."):
		return Facts{
			Type: "vault-service-token", Lifetime: rules.Bounded,
			Notes: []string{"s. prefix: Vault service token (format before Vault 1.10)"},
		}, true
	case strings.HasPrefix(value, "b."):
		return Facts{
			Type: "vault-batch-token", Lifetime: rules.Short,
			Notes: []string{"b. prefix: Vault batch token (format before Vault 1.10)"},
		}, true
	}
	return Facts{}, false
}

// googleOAuthToken classifies Google OAuth 2.0 tokens: ya29. access tokens
// live an hour; 1//0 refresh tokens do not expire until revoked or unused
// for six months.
func googleOAuthToken(_, value string) (Facts, bool) {
	switch {
	case strings.HasPrefix(value, "ya29."):
		return Facts{
			Type: "gcp-oauth-access-token", Lifetime: rules.Session,
			Notes: []string{"ya29. prefix: Google OAuth access token, expires after 1 h"},
		}, true
	case strings.HasPrefix(value, "1//0"):
		return Facts{
			Type: "gcp-oauth-refresh-token", Lifetime: rules.Standing,
			Notes: []string{"1// prefix: Google OAuth refresh token, valid until revoked"},
		}, true
	}
	return Facts{}, false
}
