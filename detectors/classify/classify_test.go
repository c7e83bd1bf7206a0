package classify_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sessionize/sessionize/detectors/classify"
	"github.com/sessionize/sessionize/rules"
)

const t0 = 1700000000 // 2023-11-14T22:13:20Z

func TestValue(t *testing.T) {
	t.Parallel()
	awsBody := "QYLPMN5HHHFPZAM2"
	tests := []struct {
		name   string
		ruleID string
		value  string
		want   classify.Facts
	}{
		{
			name: "AKIA is an IAM user key", ruleID: "aws-access-token", value: "AKIA" + awsBody,
			want: classify.Facts{Type: "aws-access-key", Lifetime: rules.Standing, Notes: []string{"AKIA prefix: IAM user access key, valid until deleted"}},
		},
		{
			name: "ASIA is an STS session key", ruleID: "aws-access-token", value: "ASIA" + awsBody,
			want: classify.Facts{Type: "aws-temporary-access-key", Lifetime: rules.Session, Notes: []string{"ASIA prefix: STS session credentials, temporary"}},
		},
		{
			name: "AIDA is an ID, not a secret", ruleID: "generic-api-key", value: "AIDA" + awsBody,
			want: classify.Facts{Type: "aws-unique-id", Invalid: true, Notes: []string{"AIDA prefix: IAM user unique ID, not a secret"}},
		},
		{
			name: "AROA is an ID, not a secret", ruleID: "generic-api-key", value: "AROA" + awsBody,
			want: classify.Facts{Type: "aws-unique-id", Invalid: true, Notes: []string{"AROA prefix: IAM role unique ID, not a secret"}},
		},
		{
			name: "AKIA with a body outside base32 is not classified", ruleID: "aws-access-token", value: "AKIA" + strings.Repeat("1", 16),
			want: classify.Facts{},
		},
		{
			name: "ghp_ with a valid checksum", ruleID: "github-pat", value: fakeGitHub("ghp_", "a", true),
			want: classify.Facts{Type: "github-classic-pat", Lifetime: rules.Standing, Notes: []string{"ghp_ prefix: classic personal access token, may never expire", "checksum valid"}},
		},
		{
			name: "ghp_ with a bad checksum is invalid", ruleID: "github-pat", value: fakeGitHub("ghp_", "a", false),
			want: classify.Facts{Type: "github-classic-pat", Lifetime: rules.Standing, Invalid: true, Notes: []string{"ghp_ prefix: classic personal access token, may never expire", "checksum invalid: not a token GitHub issued"}},
		},
		{
			name: "gho_ OAuth token", ruleID: "github-oauth", value: fakeGitHub("gho_", "b", true),
			want: classify.Facts{Type: "github-oauth-token", Lifetime: rules.Standing, Notes: []string{"gho_ prefix: OAuth app token, valid until revoked", "checksum valid"}},
		},
		{
			name: "ghu_ user-to-server token is short", ruleID: "github-app-token", value: fakeGitHub("ghu_", "c", true),
			want: classify.Facts{Type: "github-user-to-server-token", Lifetime: rules.Short, Notes: []string{"ghu_ prefix: GitHub App user-to-server token, expires after 8 h", "checksum valid"}},
		},
		{
			name: "ghs_ installation token is session", ruleID: "github-app-token", value: fakeGitHub("ghs_", "d", true),
			want: classify.Facts{Type: "github-installation-token", Lifetime: rules.Session, Notes: []string{"ghs_ prefix: GitHub App installation token, expires after 1 h", "checksum valid"}},
		},
		{
			name: "ghr_ refresh token of another length is not checked", ruleID: "github-refresh-token", value: "ghr_" + filler("e", 76),
			want: classify.Facts{Type: "github-refresh-token", Lifetime: rules.Bounded, Notes: []string{"ghr_ prefix: GitHub App refresh token, expires after 6 months"}},
		},
		{
			name: "fine-grained PAT is bounded", ruleID: "github-fine-grained-pat", value: "github_pat_" + filler("f", 22) + "_" + filler("g", 59),
			want: classify.Facts{Type: "github-fine-grained-pat", Lifetime: rules.Bounded, Notes: []string{"github_pat_ prefix: fine-grained personal access token, expires (at most 1 year by org policy, or as set)"}},
		},
		{
			name: "xoxb bot token", ruleID: "slack-bot-token", value: "xoxb-" + "1234567890-1234567890-" + filler("h", 24),
			want: classify.Facts{Type: "slack-bot-token", Lifetime: rules.Standing, Notes: []string{"xoxb- prefix: Slack bot token, valid until revoked"}},
		},
		{
			name: "xoxp user token", ruleID: "slack-user-token", value: "xoxp-" + "1234567890-1234567890-1234567890-" + filler("i", 32),
			want: classify.Facts{Type: "slack-user-token", Lifetime: rules.Standing, Notes: []string{"xoxp- prefix: Slack user token, acts as the user, valid until revoked"}},
		},
		{
			name: "xoxe.xoxp rotating token is short", ruleID: "slack-config-access-token", value: "xoxe.xoxp-1-" + filler("j", 163),
			want: classify.Facts{Type: "slack-rotating-access-token", Lifetime: rules.Short, Notes: []string{"xoxe. prefix: Slack rotating access token, expires after 12 h"}},
		},
		{
			name: "xoxe- refresh token is standing", ruleID: "slack-config-refresh-token", value: "xoxe-1-" + filler("k", 146),
			want: classify.Facts{Type: "slack-rotating-refresh-token", Lifetime: rules.Standing, Notes: []string{"xoxe- prefix: Slack refresh token, exchanged for new access tokens without expiring"}},
		},
		{
			name: "hvs. service token is bounded", ruleID: "vault-service-token", value: "hvs." + filler("l", 95),
			want: classify.Facts{Type: "vault-service-token", Lifetime: rules.Bounded, Notes: []string{"hvs. prefix: Vault service token, expires with its TTL (32 days by default) unless renewed"}},
		},
		{
			name: "hvb. batch token is short", ruleID: "vault-batch-token", value: "hvb." + filler("m", 140),
			want: classify.Facts{Type: "vault-batch-token", Lifetime: rules.Short, Notes: []string{"hvb. prefix: Vault batch token, cannot be renewed"}},
		},
		{
			name: "legacy s. service token under a vault rule", ruleID: "vault-service-token", value: "s." + filler("n", 24),
			want: classify.Facts{Type: "vault-service-token", Lifetime: rules.Bounded, Notes: []string{"s. prefix: Vault service token (format before Vault 1.10)"}},
		},
		{
			name: "s. under another rule says nothing", ruleID: "generic-api-key", value: "s." + filler("n", 24),
			want: classify.Facts{},
		},
		{
			name: "ya29. access token is session", ruleID: "gcp-oauth-access-token", value: "ya29." + filler("o", 120),
			want: classify.Facts{Type: "gcp-oauth-access-token", Lifetime: rules.Session, Notes: []string{"ya29. prefix: Google OAuth access token, expires after 1 h"}},
		},
		{
			name: "1// refresh token is standing", ruleID: "gcp-oauth-refresh-token", value: "1//0" + filler("p", 99),
			want: classify.Facts{Type: "gcp-oauth-refresh-token", Lifetime: rules.Standing, Notes: []string{"1// prefix: Google OAuth refresh token, valid until revoked"}},
		},
		{
			name: "JWT valid 10 minutes is session", ruleID: "jwt",
			value: fakeJWT(map[string]any{"iss": "https://auth.corp.test", "iat": t0, "exp": t0 + 600}),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Session, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 600),
				Notes: []string{"JWT issuer: https://auth.corp.test", "JWT expires 10 min after issue (2023-11-14T22:23:20Z)"},
			},
		},
		{
			name: "JWT valid 12 hours is short", ruleID: "jwt",
			value: fakeJWT(map[string]any{"iat": t0, "exp": t0 + 12*3600}),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Short, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 12*3600),
				Notes: []string{"JWT expires 12 h after issue (2023-11-15T10:13:20Z)"},
			},
		},
		{
			name: "JWT valid 10 years is bounded", ruleID: "generic-api-key",
			value: fakeJWT(map[string]any{"iss": "supabase", "role": "service_role", "iat": t0, "exp": t0 + 315569520}),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Bounded, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 315569520),
				Notes: []string{"JWT issuer: supabase", "JWT expires 10 years after issue (2033-11-14T08:25:20Z)"},
			},
		},
		{
			name: "JWT without exp never expires", ruleID: "jwt",
			value: fakeJWT(map[string]any{"sub": "svc", "iat": t0}),
			want:  classify.Facts{Type: "jwt", Lifetime: rules.Standing, IssuedAt: unix(t0), Notes: []string{"JWT has no exp claim: it never expires"}},
		},
		{
			name: "JWT with exp and nbf but no iat", ruleID: "jwt",
			value: fakeJWT(map[string]any{"nbf": t0, "exp": t0 + 3600}),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Session, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 3600),
				Notes: []string{"JWT expires 1 h after issue (2023-11-14T23:13:20Z)"},
			},
		},
		{
			name: "JWT with exp only is bounded", ruleID: "jwt",
			value: fakeJWT(map[string]any{"exp": t0}),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Bounded, ExpiresAt: unix(t0),
				Notes: []string{"JWT expires 2023-11-14T22:13:20Z; issue time unknown"},
			},
		},
		{
			name: "JWT in milliseconds is not trusted", ruleID: "jwt",
			value: fakeJWT(map[string]any{"iat": int64(t0) * 1000, "exp": int64(t0+60) * 1000}),
			want:  classify.Facts{Type: "jwt", Lifetime: rules.Standing, Notes: []string{"JWT has no exp claim: it never expires"}},
		},
		{
			name: "base64 JWT from jwt-base64", ruleID: "jwt-base64",
			value: b64url(fakeJWT(map[string]any{"iat": t0, "exp": t0 + 300})),
			want: classify.Facts{
				Type: "jwt", Lifetime: rules.Session, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 300),
				Notes: []string{"JWT expires 5 min after issue (2023-11-14T22:18:20Z)"},
			},
		},
		{
			name: "jwt rule match that does not decode is invalid", ruleID: "jwt",
			value: "eyJhbGciOiJub25lIn0" + "x.eyJzdWIiOiIxMjM0NTY3ODkw" + "x.abcdefghijkl",
			want:  classify.Facts{Invalid: true, Notes: []string{"does not decode as a JWT"}},
		},
		{
			name: "SAS with start and expiry 8 hours apart", ruleID: "azure-sas-token",
			value: "sv=2022-11-02&ss=bfqt&srt=sco&sp=rwdlacupiytfx&se=2024-05-01T16:00:00Z&st=2024-05-01T08:00:00Z&spr=https&sig=" + filler("q", 43) + "%3D",
			want: classify.Facts{
				Type: "azure-sas-token", Lifetime: rules.Short,
				IssuedAt: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2024, 5, 1, 16, 0, 0, 0, time.UTC),
				Notes: []string{"SAS expires 8 h after issue (2024-05-01T16:00:00Z)", "SAS permissions: read, write, delete, list, add, create, update, permissions, set immutability, permanent delete, tags, filter, delete version"},
			},
		},
		{
			name: "SAS with a URL-encoded expiry and no start is bounded", ruleID: "azure-sas-token",
			value: "https://acct.blob.core.windows.net/c/b.txt?sp=r&se=2030-01-01T00%3A00%3A00Z&sv=2021-06-08&sr=b&sig=" + filler("r", 43) + "%3D",
			want: classify.Facts{
				Type: "azure-sas-token", Lifetime: rules.Bounded, ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
				Notes: []string{"SAS expires 2030-01-01T00:00:00Z; issue time unknown", "SAS permissions: read"},
			},
		},
		{
			name: "SAS with a date-only expiry a year out", ruleID: "azure-sas-token",
			value: "sv=2020-08-04&si=readers&sr=c&st=2024-01-01&se=2025-01-01&sig=" + filler("s", 44),
			want: classify.Facts{
				Type: "azure-sas-token", Lifetime: rules.Bounded,
				IssuedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
				Notes: []string{"SAS expires 366 days after issue (2025-01-01T00:00:00Z)", "SAS bound to a stored access policy: revoking the policy revokes it"},
			},
		},
		{
			name: "AWS presigned URL for 1 hour", ruleID: "aws-presigned-url",
			value: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA" + awsBody + "%2F20240102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0a1b2c3d", 8),
			want: classify.Facts{
				Type: "aws-presigned-url", Lifetime: rules.Session,
				IssuedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ExpiresAt: time.Date(2024, 1, 2, 4, 4, 5, 0, time.UTC),
				Notes: []string{"presigned URL expires 1 h after issue (2024-01-02T04:04:05Z)", "signed with STS session credentials (ASIA): invalid once the session ends"},
			},
		},
		{
			name: "AWS presigned URL for 7 days", ruleID: "aws-presigned-url",
			value: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA" + awsBody + "%2F20240102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0a1b2c3d", 8),
			want: classify.Facts{
				Type: "aws-presigned-url", Lifetime: rules.Bounded,
				IssuedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ExpiresAt: time.Date(2024, 1, 9, 3, 4, 5, 0, time.UTC),
				Notes: []string{"presigned URL expires 7 days after issue (2024-01-09T03:04:05Z)", "signed with an IAM user access key (AKIA): the key itself is long-lived"},
			},
		},
		{
			name: "GCS signed URL for 15 minutes", ruleID: "gcs-signed-url",
			value: "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40proj.iam.gserviceaccount.com%2F20240102%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240102T030405Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=" + strings.Repeat("0a1b2c3d", 64),
			want: classify.Facts{
				Type: "gcs-signed-url", Lifetime: rules.Session,
				IssuedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ExpiresAt: time.Date(2024, 1, 2, 3, 19, 5, 0, time.UTC),
				Notes: []string{"signed URL expires 15 min after issue (2024-01-02T03:19:05Z)"},
			},
		},
		{
			name: "PyPI token without caveats is standing", ruleID: "pypi-upload-token",
			value: fakePyPI(`{"version": 1, "permissions": "user"}`),
			want: classify.Facts{
				Type: "pypi-token", Lifetime: rules.Standing,
				Notes: []string{"issued by pypi.org", "scope: every project of the account", "no expiry caveat: valid until deleted"},
			},
		},
		{
			name: "PyPI project token", ruleID: "pypi-upload-token",
			value: fakePyPI(`[1,["sessionize","sessionize-cli"]]`, `[3,"a1b2"]`),
			want: classify.Facts{
				Type: "pypi-token", Lifetime: rules.Standing,
				Notes: []string{"issued by pypi.org", "scoped to projects: sessionize, sessionize-cli", "no expiry caveat: valid until deleted"},
			},
		},
		{
			name: "PyPI trusted publishing token lives 15 minutes", ruleID: "pypi-upload-token",
			value: fakePyPI(`[4,"0b1c2d"]`, `[2,["7f3e"]]`, `[0,1700000900,1700000000]`),
			want: classify.Facts{
				Type: "pypi-trusted-publishing-token", Lifetime: rules.Session, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 900),
				Notes: []string{"issued by pypi.org", "minted by trusted publishing (OIDC)", "scoped to projects: 7f3e", "token expires 15 min after issue (2023-11-14T22:28:20Z)"},
			},
		},
		{
			name: "PyPI legacy expiry caveat", ruleID: "pypi-upload-token",
			value: fakePyPI(`{"exp": 1700086400, "nbf": 1700000000}`),
			want: classify.Facts{
				Type: "pypi-token", Lifetime: rules.Short, IssuedAt: unix(t0), ExpiresAt: unix(t0 + 86400),
				Notes: []string{"issued by pypi.org", "token expires 24 h after issue (2023-11-15T22:13:20Z)"},
			},
		},
		{
			name: "pypi- that is no macaroon is invalid", ruleID: "pypi-upload-token",
			value: "pypi-AgEIcHlwaS5vcmc" + filler("t", 60),
			want:  classify.Facts{Invalid: true, Notes: []string{"pypi- token does not decode as a macaroon: not a PyPI token"}},
		},
		{
			name: "a password says nothing", ruleID: "password-assignment", value: "Tr0ub4dor&3",
			want: classify.Facts{},
		},
		{
			name: "a password that starts like a PyPI token says nothing", ruleID: "password-assignment", value: "pypi-release-2024",
			want: classify.Facts{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := classify.Value(tt.ruleID, tt.value)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Value(%q, %s) mismatch (-want +got):\n%s", tt.ruleID, shape(tt.value), diff)
			}
		})
	}
}

// shape describes a value without revealing it, for failure messages.
func shape(v string) string {
	if len(v) <= 8 {
		return "value of " + strconv.Itoa(len(v)) + " bytes"
	}
	return v[:4] + "... (" + strconv.Itoa(len(v)) + " bytes)"
}

func TestLifetimeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want rules.Lifetime
	}{
		{0, ""},
		{-time.Hour, ""},
		{15 * time.Minute, rules.Session},
		{time.Hour, rules.Session},
		{time.Hour + 5*time.Minute, rules.Session},
		{2 * time.Hour, rules.Short},
		{24 * time.Hour, rules.Short},
		{25 * time.Hour, rules.Bounded},
		{90 * 24 * time.Hour, rules.Bounded},
	}
	for _, tt := range tests {
		if got := classify.LifetimeFor(tt.d); got != tt.want {
			t.Errorf("LifetimeFor(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "30 s"},
		{time.Minute, "1 min"},
		{10 * time.Minute, "10 min"},
		{time.Hour, "1 h"},
		{8*time.Hour + 30*time.Minute, "8 h 30 min"},
		{47 * time.Hour, "47 h"},
		{30 * 24 * time.Hour, "30 days"},
		{800 * 24 * time.Hour, "2 years"},
	}
	for _, tt := range tests {
		if got := classify.HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestGitHubChecksum_KnownVectors checks the checksum against bodies whose
// checksums were computed by independent implementations (credsweeper and
// a Rust validator), including one that needs zero padding.
func TestGitHubChecksum_KnownVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want bool
	}{
		{"M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq" + "11T4V4", true},
		{"HEEjXavM6wKtyhAUwDblMznMEhWyTt" + "4XwY6f", true},
		{"QdwULL38u41vs1OcAjhKqcaSZ9W63r" + "0Zu4ln", true},
		{"M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq" + "11T4V3", false},
		// GitHub's documentation sample (gho_16C7e...): not a real token.
		{"16C7e42F292c6912E7710c838347Ae" + "178B4a", false},
		{"short", false},
	}
	for _, tt := range tests {
		if got := classify.GitHubChecksumValid(tt.body); got != tt.want {
			t.Errorf("GitHubChecksumValid(%s) = %v, want %v", shape(tt.body), got, tt.want)
		}
	}
}
