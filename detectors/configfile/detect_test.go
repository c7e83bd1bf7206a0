package configfile_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/configfile"
	"github.com/sessionize/sessionize/rules"
)

var _ detectors.FileDetector = configfile.Detectors(nil)[0]

// Token-shaped strings are built at test time from a prefix and filler, so
// that no credential shape is committed.
func fill(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	x := uint32(20240601)
	for i := 0; i < n; i++ {
		x = x*1103515245 + 12345
		b.WriteByte(alphabet[(x>>16)%uint32(len(alphabet))])
	}
	return b.String()
}

func fakeGitHubPAT() string { return "gh" + "p_" + fill(36) }
func fakeNPMToken() string  { return "np" + "m_" + fill(36) }
func fakeAWSKeyID() string  { return "AK" + "IA" + "QYLPMN5HHHFPZAM2" }
func fakeAWSTempID() string { return "AS" + "IA" + "QYLPMN5HHHFPZAM3" }
func fakeAWSSecret() string { return "hJtq1ubG+vtxXk" + "Ql0C3zvFwQDs1ZQ7wz9nuKR7Kb" }
func fakePEM() string {
	return "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + fill(32) + "\n" + fill(64) + "\n-----END PRIVATE KEY-----"
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// fp identifies a raw value in comparisons without printing it.
func fp(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:6])
}

// got is the part of a finding the tests compare.
type got struct {
	Rule      string
	Line, Col int
	Secret    string // fp of the raw value
	Type      string
	Lifetime  rules.Lifetime
	Family    string
	Session   bool
	Fixer     string
}

func summarize(fs []detectors.Finding) []got {
	var out []got
	for _, f := range fs {
		out = append(out, got{f.RuleID, f.Line, f.Column, fp(f.Secret.Reveal()), f.Type, f.Lifetime, f.Family, f.Session, f.Fixer})
	}
	return out
}

// defaultKB parses the embedded knowledge base once per test binary.
var defaultKB = sync.OnceValues(rules.DefaultKB)

func kb(t testing.TB) *rules.KB {
	t.Helper()
	k, err := defaultKB()
	if err != nil {
		t.Fatalf("DefaultKB() error: %v", err)
	}
	return k
}

// detectAll runs every detector matching path on content.
func detectAll(t testing.TB, path, content string) ([]detectors.Finding, error) {
	t.Helper()
	var out []detectors.Finding
	var errs []error
	for _, d := range configfile.Detectors(kb(t)) {
		if !d.Match(path) {
			continue
		}
		fs, err := d.Detect(t.Context(), path, []byte(content))
		out = append(out, fs...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	detectors.SortFindings(out)
	return out, errors.Join(errs...)
}

func TestDetectors_Match(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want []string
	}{
		{".npmrc", []string{"npmrc"}},
		{"packages/web/.npmrc", []string{"npmrc"}},
		{"C:\\Users\\jane\\.NPMRC", []string{"npmrc"}},
		{".yarnrc.yml", []string{"yarnrc"}},
		{"home/.pypirc", []string{"pypirc"}},
		{"_netrc", []string{"netrc"}},
		{"home/.netrc", []string{"netrc"}},
		{".git-credentials", []string{"git-credentials"}},
		{".config/git/credentials", []string{"git-credentials"}},
		{".gitmodules", []string{"git-credentials"}},
		{".docker/config.json", []string{"docker-config", "gcp-credentials"}},
		{"config.json", []string{"gcp-credentials"}},
		{"containers/auth.json", []string{"docker-config", "gcp-credentials"}},
		{".kube/config", []string{"kubeconfig"}},
		{"clusters/prod.kubeconfig", []string{"kubeconfig"}},
		{"deploy/kubeconfig-staging.yaml", []string{"kubeconfig"}},
		{"pkg/kubeconfig/kubeconfig.go", nil},
		{"etc/kubernetes/admin.conf", []string{"kubeconfig"}},
		{"admin.conf", nil},
		{".aws/credentials", []string{"aws-config"}},
		{".AWS\\config", []string{"aws-config"}},
		{"credentials", nil},
		{"ci/aws-credentials.ini", []string{"aws-config"}},
		{"src/aws-config.ts", nil},
		{"keys/my-project-3f2a1b.json", []string{"gcp-credentials"}},
		{"infra/main.tf", []string{"terraform"}},
		{"infra/prod.auto.tfvars", []string{"terraform"}},
		{"infra/secrets.tfvars.json", []string{"gcp-credentials", "terraform"}},
		{".terraformrc", []string{"terraform"}},
		{".env", []string{"dotenv"}},
		{".env.production.local", []string{"dotenv"}},
		{"docker/prod.env", []string{"dotenv"}},
		{".envrc", []string{"dotenv"}},
		{"env.go", nil},
		{".m2/settings.xml", []string{"maven-settings"}},
		{"ci_settings.xml", []string{"maven-settings"}},
		{"settings-security.xml", nil},
		{"gradle.properties", []string{"gradle-properties"}},
		{"src/main/resources/application-prod.yml", []string{"spring-config"}},
		{"src/main/resources/bootstrap.properties", []string{"spring-config"}},
		{"application.js", nil},
		{".mcp.json", []string{"gcp-credentials", "mcp-config"}},
		{".cursor/mcp.json", []string{"gcp-credentials", "mcp-config"}},
		{".vscode/mcp.json", []string{"gcp-credentials", "mcp-config"}},
		{"Library/Application Support/Claude/claude_desktop_config.json", []string{"gcp-credentials", "mcp-config"}},
		{".codeium/windsurf/mcp_config.json", []string{"gcp-credentials", "mcp-config"}},
		{".vscode/settings.json", []string{"gcp-credentials", "mcp-config"}},
		{".env.gpg", nil},
		{"README.md", nil},
	}
	ds := configfile.Detectors(nil)
	for _, tt := range tests {
		var names []string
		for _, d := range ds {
			if d.Match(tt.path) {
				names = append(names, d.Name())
			}
		}
		if diff := cmp.Diff(tt.want, names); diff != "" {
			t.Errorf("Match(%q) mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestDetectors_Detect(t *testing.T) {
	t.Parallel()
	pat, npm, keyID, tempID, secret := fakeGitHubPAT(), fakeNPMToken(), fakeAWSKeyID(), fakeAWSTempID(), fakeAWSSecret()
	pw := "Zq8" + "Wx7!Vc2"
	pem := fakePEM()
	jsonPEM := strings.ReplaceAll(pem, "\n", `\n`)
	sa := `{"type": "service_account", "private_key_id": "0a1b", "private_key": "` + jsonPEM + `\n", "client_email": "ci@p.iam.gserviceaccount.com"}`
	tests := []struct {
		name, path, content string
		want                []got
	}{
		{
			name: "npmrc literal, reference and basic auth", path: ".npmrc",
			content: "//registry.npmjs.org/:_authToken=" + npm + "\n//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n_auth=" + b64("ci:"+pw) + "\n",
			want: []got{
				{"npmrc-auth-token", 1, 34, fp(npm), "npm-token", rules.Standing, "npm", false, "npmrc-env"},
				{"npmrc-basic-auth", 3, 7, fp(pw), "npm-registry-password", rules.Standing, "generic", false, "npmrc-env"},
			},
		},
		{
			name: "aws key pair is one finding at its key ID", path: ".aws/credentials",
			content: "[default]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n\n[temp]\naws_access_key_id=" + tempID + "\naws_secret_access_key=" + secret + "x\naws_session_token=" + fill(200) + "\n",
			want: []got{
				{"aws-credentials-access-key", 2, 21, fp(keyID), "aws-access-key", rules.Standing, "aws", false, ""},
				{"aws-credentials-access-key", 6, 19, fp(tempID), "aws-temporary-access-key", rules.Session, "aws", false, ""},
			},
		},
		{
			name: "aws sso profile is session inventory", path: ".aws/config",
			content: "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n",
			want: []got{
				{"aws-config-sso-profile", 2, 15, fp("aws-sso:https://corp.awsapps.com/start:111122223333:Dev"), "aws-session-profile", rules.Session, "session", true, ""},
			},
		},
		{
			name: "docker auth is the decoded password; helpers are inventory", path: ".docker/config.json",
			content: `{"auths": {"ghcr.io": {"auth": "` + b64("ci:"+pat) + `"}}, "credHelpers": {"1.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}}`,
			want: []got{
				{"docker-config-auth", 1, 33, fp(pat), "github-classic-pat", rules.Standing, "github", false, "docker-credential-helper"},
				{"docker-credential-helper", 1, 152, fp("docker-credential-ecr-login for 1.dkr.ecr.us-east-1.amazonaws.com"), "docker-credential-helper", rules.Session, "session", true, ""},
			},
		},
		{
			name: "kubeconfig client key is the decoded PEM", path: ".kube/config",
			content: "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: " + b64(pem+"\n") + "\n    token: ${TOKEN}\n",
			want: []got{
				{"kubeconfig-client-key", 6, 22, fp(pem), "kubernetes-client-key", rules.Standing, "private-key", false, "kubeconfig-exec"},
			},
		},
		{
			name: "gcp service account key is its private key as written", path: "keys/sa.json", content: sa,
			want: []got{
				{"gcp-service-account-key", 1, 71, fp(jsonPEM), "gcp-service-account-key", rules.Standing, "private-key", false, ""},
			},
		},
		{
			name: "terraform provider literal, var reference and tfvars", path: "main.tf",
			content: "provider \"aws\" {\n  access_key = \"" + keyID + "\"\n  secret_key = var.secret_key\n}\nprovider \"github\" {\n  token = \"" + pat + "\"\n}\n",
			want: []got{
				{"terraform-provider-aws-access-key", 2, 17, fp(keyID), "aws-access-key", rules.Standing, "aws", false, "terraform-ambient"},
				{"terraform-provider-secret", 6, 12, fp(pat), "github-classic-pat", rules.Standing, "github", false, ""},
			},
		},
		{
			name: "dotenv keys, url password, placeholders", path: ".env",
			content: "export DATABASE_URL=postgres://app:" + pw + "@db:5432/app\nJWT_SECRET=\"" + fill(32) + "\"\nAPI_KEY=<your-key>\nTOKEN_EXPIRY=3600\nGITHUB_TOKEN=${{ secrets.GH }}\n",
			want: []got{
				{"dotenv-database-url", 1, 36, fp(pw), "database-connection-password", rules.Standing, "database", false, ""},
				{"dotenv-secret", 2, 13, fp(fill(32)), "config-secret", rules.Standing, "generic", false, ""},
			},
		},
		{
			name: "maven server password, env reference, encrypted", path: "settings.xml",
			content: "<settings><servers><server><id>a</id><password>" + pw + "</password></server><server><id>b</id><password>${env.P}</password></server><server><id>c</id><password>{COQLCE6DU6GtcS5P=}</password></server></servers></settings>",
			want: []got{
				{"maven-settings-password", 1, 48, fp(pw), "maven-server-password", rules.Standing, "generic", false, ""},
			},
		},
		{
			name: "spring datasource password and jwt secret", path: "application.yml",
			content: "spring:\n  datasource:\n    password: " + pw + "\njwt:\n  secret: '" + fill(40) + "'\nother:\n  password: ${P:default}\n",
			want: []got{
				{"spring-database-password", 3, 15, fp(pw), "database-password-setting", rules.Standing, "generic", false, ""},
				{"spring-secret", 5, 12, fp(fill(40)), "config-secret", rules.Standing, "generic", false, ""},
			},
		},
		{
			name: "mcp env, bearer header, input reference", path: ".vscode/mcp.json",
			content: "{\n  // c\n  \"servers\": {\n    \"gh\": {\"env\": {\"GITHUB_PERSONAL_ACCESS_TOKEN\": \"" + pat + "\"}},\n    \"remote\": {\"headers\": {\"Authorization\": \"Bearer " + pat + "\"}},\n    \"ok\": {\"headers\": {\"Authorization\": \"Bearer ${input:tok}\"}},\n  },\n}\n",
			want: []got{
				{"mcp-secret", 4, 53, fp(pat), "github-classic-pat", rules.Standing, "github", false, ""},
				{"mcp-header-token", 5, 53, fp(pat), "github-classic-pat", rules.Standing, "github", false, ""},
			},
		},
		{
			name: "netrc and git credentials share the token's fingerprint", path: ".netrc",
			content: "machine github.com login x password " + pat + "\nmachine ftp.x.org login anonymous password me@x.org\n",
			want: []got{
				{"netrc-password", 1, 37, fp(pat), "github-classic-pat", rules.Standing, "github", false, ""},
			},
		},
		{
			name: "helm set block and kafka jaas", path: "helm.tf",
			content: "resource \"helm_release\" \"x\" {\n  set_sensitive {\n    name  = \"auth.password\"\n    value = \"" + pw + "\"\n  }\n}\n",
			want: []got{
				{"terraform-attribute-password", 4, 14, fp(pw), "config-password", rules.Standing, "generic", false, ""},
			},
		},
		{
			name: "kafka jaas password", path: "application.yml",
			content: "spring:\n  kafka:\n    properties:\n      sasl.jaas.config: PlainLoginModule required username=\"app\" password=\"" + pw + "\";\n",
			want: []got{
				{"spring-database-url", 4, 76, fp(pw), "database-connection-password", rules.Standing, "database", false, ""},
			},
		},
		{
			name: "byte order marks", path: ".netrc",
			content: "\ufeffmachine github.com login x password " + pat + "\n",
			want: []got{
				{"netrc-password", 1, 40, fp(pat), "github-classic-pat", rules.Standing, "github", false, ""},
			},
		},
		{
			name: "xml byte order mark", path: "settings.xml",
			content: "\ufeff<?xml version=\"1.0\"?>\n<settings><servers><server><id>a</id><password>" + pw + "</password></server></servers></settings>",
			want: []got{
				{"maven-settings-password", 2, 48, fp(pw), "maven-server-password", rules.Standing, "generic", false, ""},
			},
		},
		{
			name: "allow comment", path: ".env",
			content: "JWT_SECRET=" + fill(32) + " # sessionize:allow\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := detectAll(t, tt.path, tt.content)
			if err != nil {
				t.Fatalf("Detect(%s) error: %v", tt.path, err)
			}
			if diff := cmp.Diff(tt.want, summarize(fs)); diff != "" {
				t.Errorf("Detect(%s) mismatch (-want +got):\n%s", tt.path, diff)
			}
			for _, f := range fs {
				if f.Kind != detectors.KindConfig || f.Path != tt.path || f.Provider == "" || f.Privilege == "" {
					t.Errorf("Detect(%s) finding %s: kind %q, path %q, provider %q, privilege %q", tt.path, f.RuleID, f.Kind, f.Path, f.Provider, f.Privilege)
				}
			}
		})
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	k := kb(t)
	seen := map[string]bool{}
	for _, r := range configfile.Rules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Description == "" || !strings.HasPrefix(r.Source, "configfile/") {
			t.Errorf("rule %s: description %q, source %q", r.ID, r.Description, r.Source)
		}
		// Every rule has a type of its own in the knowledge base, not the
		// fallback named after the rule.
		if _, ok := k.Type(k.ForRule(r.ID).Type); !ok {
			t.Errorf("rule %s has no knowledge-base type (rules/credentials/config.toml)", r.ID)
		}
	}
}

func ExampleDetectors() {
	kb, err := rules.DefaultKB()
	if err != nil {
		panic(err)
	}
	// The fake token is assembled from pieces so that the source file holds
	// no token-shaped literal (our own scan must stay clean, STYLE §9).
	content := []byte("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n//npm.acme.io/:_authToken=" + "0f3c2a9e-" + "5b7d-4e1f-9a8c-2d6b4e0f1a3c\n")
	for _, d := range configfile.Detectors(kb) {
		if !d.Match(".npmrc") {
			continue
		}
		fs, _ := d.Detect(context.Background(), ".npmrc", content)
		for _, f := range fs {
			fmt.Println(f.Line, f.Column, f.RuleID, f.Type, f.Lifetime, f.Secret)
		}
	}
	// Output: 2 27 npmrc-auth-token npm-registry-token standing 0f3c****************************1a3c
}
