package configfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  bool
	}{
		{"${NPM_TOKEN}", true},
		{"${env:GITHUB_TOKEN}", true},
		{"${{ secrets.NPM_TOKEN }}", true},
		{"$(VAULT_TOKEN)", true},
		{"$(op read op://vault/item/field)", true},
		{"$GITHUB_TOKEN", true},
		{"$env:GITHUB_TOKEN", true},
		{"%GITHUB_TOKEN%", true},
		{"{{ .Values.password }}", true},
		{"%(DB_PASSWORD)s", true},
		{"${DB_PASSWORD:-devpass}", true},
		{"${DB_PASSWORD:devpass}", true},
		{"@db.password@", true},
		{"#{Octopus.Password}", true},
		{"((concourse-secret))", true},
		{"<%= ENV['TOKEN'] %>", true},
		{"__TOKEN__", true},
		{"{env:MY_API_KEY}", true},
		{"env(DATABASE_URL)", true},
		{"op://dev/openai/key", true},
		{"vault:secret/data/app#password", true},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:app", true},
		{"projects/acme/secrets/db/versions/latest", true},
		{"@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/x)", true},
		{"ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]", true},
		{"ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)", true},
		{"{cipher}AQB3c9f0", true},
		{"Bearer ${input:github_token}", true},
		{"S3cr3t!Pass", false},
		{"pa$$word1", false},
		{"abc$def", false},
		{"hunter2", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isReference(tt.value); got != tt.want {
			t.Errorf("isReference(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  bool
	}{
		{"<token>", true},
		{"<YOUR_TOKEN>", true},
		{"your-token-here", true},
		{"YOUR_API_KEY", true},
		{"changeme", true},
		{"change_me", true},
		{"xxxx", true},
		{"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", true},
		{"********", true},
		{"sk_live_...", true},
		{"AKIAIOSFODNN7EXAMPLE", true},
		{"token-goes-here", true},
		{"[token]", true},
		{"none", true},
		{"null", true},
		{"password", true},
		{"REPLACE_ME", true},
		{"TODO", true},
		{"aaaaaaaa", true},
		{"", true},
		{"k8Jd92LmQz0Xv7TyPq3Ws5Nb", false},
		{"hunter2", false},
		{"Fake0sessionize1", false},
	}
	for _, tt := range tests {
		if got := isPlaceholder(tt.value); got != tt.want {
			t.Errorf("isPlaceholder(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestAcceptable(t *testing.T) {
	t.Parallel()
	ghp := "ghp_" + strings.Repeat("aB3dE5", 6)
	tests := []struct {
		name  string
		class secretClass
		value string
		want  bool
	}{
		{"typed token under any class", classNone, ghp, true},
		{"typed token with a todo inside", classSecret, "ghp_" + "TodoaB3dE5" + strings.Repeat("x9Yq", 6) + "zz", true},
		{"typed placeholder", classSecret, "ghp_" + strings.Repeat("x", 36), false},
		// Secret-looking values are split so that this file holds none (STYLE §9).
		{"random secret", classSecret, "k8Jd92Lm" + "Qz0Xv7TyPq3Ws5Nb", true},
		{"long hex secret", classSecret, "9f86d081" + "884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		{"word is no secret", classSecret, "mysupersecretjwtkey", false},
		{"short secret", classSecret, "aB3dE5", false},
		{"path is no secret", classSecret, "/run/secrets/api_key", false},
		{"file name is no secret", classSecret, "service-account.json", false},
		{"url is no secret", classSecret, "https://vault.acme.io/v1/secret", false},
		{"email is no secret", classSecret, "ops@acme.example", false},
		{"number is no secret", classSecret, "1234567890", false},
		{"password with classes", classPassword, "S3cr3t!", true},
		{"password hunter2", classPassword, "hunter2", true},
		{"long lower-case password", classPassword, "correcthorsebatterystaple", true},
		{"single word password", classPassword, "tomato", false},
		{"development default", classPassword, "postgres", false},
		{"password123", classPassword, "password123", false},
		{"too short", classPassword, "ab1", false},
		{"reference", classPassword, "${DB_PASSWORD}", false},
		{"class none", classNone, "k8Jd92LmQz0Xv7TyPq3Ws5Nb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := acceptable(tt.class, tt.value); got != tt.want {
				t.Errorf("acceptable(%d, value of %d bytes) = %v, want %v", tt.class, len(tt.value), got, tt.want)
			}
		})
	}
}

func TestKeyWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"spring.datasource.password", []string{"spring", "datasource", "password"}},
		{"clientSecret", []string{"client", "secret"}},
		{"APIKey", []string{"api", "key"}},
		{"AWS_SECRET_ACCESS_KEY", []string{"aws", "secret", "access", "key"}},
		{"x-api-key", []string{"x", "api", "key"}},
		{"OAuth2ClientSecret", []string{"o", "auth2", "client", "secret"}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, keyWords(tt.in)); diff != "" {
			t.Errorf("keyWords(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestKeyClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want secretClass
	}{
		{"DB_PASSWORD", classPassword},
		{"PGPASSWORD", classPassword},
		{"signing.password", classPassword},
		{"ossrhPassword", classPassword},
		{"SMTP_PASS", classPassword},
		{"passphrase", classPassword},
		{"PASSWORD_PROD", classPassword},
		{"JWT_SECRET", classSecret},
		{"client-secret", classSecret},
		{"GITHUB_TOKEN", classSecret},
		{"api_key", classSecret},
		{"X-API-Key", classSecret},
		{"STRIPE_SECRET_KEY", classSecret},
		{"SECRET_KEY_BASE", classSecret},
		{"GITHUB_PAT", classSecret},
		{"encryption-key", classSecret},
		{"credentials", classSecret},
		{"PASSWORD_MIN_LENGTH", classNone},
		{"TOKEN_EXPIRY", classNone},
		{"SECRET_NAME", classNone},
		{"MAX_TOKENS", classNone},
		{"token_url", classNone},
		{"signing.keyId", classNone},
		{"secretKeyRingFile", classNone},
		{"STRIPE_PUBLISHABLE_KEY", classNone},
		{"NEXT_PUBLIC_SUPABASE_ANON_KEY", classNone},
		{"ssh_public_key", classNone},
		{"sort_key", classNone},
		{"primary_key", classNone},
		{"password_hash", classNone},
		{"key", classNone},
		{"PORT", classNone},
	}
	for _, tt := range tests {
		if got := keyClass(tt.key); got != tt.want {
			t.Errorf("keyClass(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestAWSKeyField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		in   bool
		want awsField
	}{
		{"aws_access_key_id", false, awsKeyID},
		{"AWS_SECRET_ACCESS_KEY", false, awsSecret},
		{"secretAccessKey", false, awsSecret},
		{"aws_session_token", false, awsSession},
		{"access_key", true, awsKeyID},
		{"secret_key", true, awsSecret},
		{"token", true, awsSession},
		{"SECRET_KEY", false, awsNone},
		{"access_key", false, awsNone},
		{"region", true, awsNone},
	}
	for _, tt := range tests {
		if got := awsKeyField(tt.key, tt.in); got != tt.want {
			t.Errorf("awsKeyField(%q, %v) = %d, want %d", tt.key, tt.in, got, tt.want)
		}
	}
}

func TestURLCredentials(t *testing.T) {
	t.Parallel()
	type got struct {
		Kind  urlCredKind
		Value string
		Idx   int
	}
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"postgres", "postgres://app:Xk9mP2vLq7@db:5432/app", []got{{credDatabase, "Xk9mP2vLq7", 15}}},
		{"driver suffix", "postgresql+asyncpg://u:Pw9xYz12@h/db", []got{{credDatabase, "Pw9xYz12", 23}}},
		{"redis without user", "redis://:Q7wErT9y@cache:6379", []got{{credDatabase, "Q7wErT9y", 9}}},
		{"https basic auth", "https://jane:Zq8Wx7Vc@git.acme.io/x", []got{{credURL, "Zq8Wx7Vc", 13}}},
		{"password with at sign", "mysql://root:p@ss9Wd@db/x", []got{{credDatabase, "p@ss9Wd", 13}}},
		{"jdbc parameter", "jdbc:mysql://db:3306/shop?user=shop&password=Yt6Re5Wq", []got{{credDatabase, "Yt6Re5Wq", 45}}},
		{"ado connection string", "Server=sql;Database=app;User Id=sa;Password=Mn4Bv3Cx;", []got{{credDatabase, "Mn4Bv3Cx", 44}}},
		{"azure account key", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + "QWERTY12345==;", []got{{credAzureKey, "QWERTY" + "12345==", 56}}},
		{"reference", "postgres://app:${DB_PASSWORD}@db/app", nil},
		{"placeholder", "postgres://USER:PASSWORD@HOST/DB", nil},
		{"no password", "https://token@github.com/x", nil},
		{"at sign in path", "https://example.org/users/@me:x", nil},
		{"not a parameter", "userpassword=abc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out []got
			for _, c := range urlCredentials(tt.in) {
				out = append(out, got{c.kind, c.value, c.idx})
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("urlCredentials(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
