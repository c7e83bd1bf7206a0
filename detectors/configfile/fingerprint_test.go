package configfile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

// TestFingerprints_ContentRules checks that a credential found by a content
// rule and by a configuration detector in the same file is one credential:
// both findings have the same fingerprint.
func TestFingerprints_ContentRules(t *testing.T) {
	t.Parallel()
	pat, keyID, pem := fakeGitHubPAT(), fakeAWSKeyID(), fakePEM()
	jsonPEM := strings.ReplaceAll(pem, "\n", `\n`)
	tests := []struct {
		name, path, content, contentRule string
		encoded                          bool
	}{
		{"token in npmrc", ".npmrc", "//npm.pkg.github.com/:_authToken=" + pat + "\n", "github-pat", false},
		{"aws key pair", ".aws/credentials", "[default]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + fakeAWSSecret() + "\n", "aws-access-token", false},
		{"service account key", "sa.json", `{"type": "service_account", "private_key": "` + jsonPEM + `\n", "client_email": "a@b.iam.gserviceaccount.com"}`, "private-key", false},
		{"token in mcp env", ".mcp.json", `{"mcpServers": {"gh": {"env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "` + pat + `"}}}}`, "github-pat", false},
		{"token in docker auth", ".docker/config.json", `{"auths": {"ghcr.io": {"auth": "` + b64("ci:"+pat) + `"}}}`, "github-pat", true},
		{"kubeconfig client key", ".kube/config", "users:\n- name: a\n  user:\n    client-key-data: " + b64(pem+"\n") + "\n", "private-key", true},
		{"database url in .env", ".env", "DATABASE_URL=postgres://app:Xk9mP2vLq7wZ@db.acme.internal:5432/app\n", "database-url-password", false},
		{"escaped key in .env", ".env", "PRIVATE_KEY=\"" + jsonPEM + "\\n\"\n", "private-key", false},
	}
	det, err := detectors.New(detectors.Options{})
	if err != nil {
		t.Fatalf("detectors.New() error: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := det.Restrict([]byte(tt.content))
			if tt.encoded {
				// Keywords are looked for in the raw text; decoded
				// content needs every rule.
				d = det
			}
			content, err := d.Detect(t.Context(), detectors.Fragment{Path: tt.path, Content: tt.content, StartLine: 1})
			if err != nil {
				t.Fatalf("content Detect() error: %v", err)
			}
			config, err := detectAll(t, tt.path, tt.content)
			if err != nil || len(config) != 1 {
				t.Fatalf("config Detect() = %d findings, %v; want 1", len(config), err)
			}
			for _, c := range content {
				if c.RuleID != tt.contentRule {
					continue
				}
				if c.Fingerprint() != config[0].Fingerprint() {
					t.Errorf("fingerprints differ: content %s %s (family %s), config %s %s (family %s)",
						c.RuleID, c.Fingerprint()[:16], c.Family, config[0].RuleID, config[0].Fingerprint()[:16], config[0].Family)
				}
				return
			}
			t.Errorf("content rule %s found nothing", tt.contentRule)
		})
	}
}

// TestDetectors_Redaction checks that no printed form of a finding holds
// the secret.
func TestDetectors_Redaction(t *testing.T) {
	t.Parallel()
	pat := fakeGitHubPAT()
	fs, err := detectAll(t, ".env", "GITHUB_TOKEN="+pat+"\n")
	if err != nil || len(fs) != 1 {
		t.Fatalf("Detect() = %d findings, %v; want 1", len(fs), err)
	}
	for _, s := range []string{fmt.Sprint(fs[0]), fmt.Sprintf("%+v", fs[0]), fmt.Sprintf("%#v", fs[0]), fs[0].Secret.Redacted()} {
		if strings.Contains(s, pat) {
			t.Errorf("a printed finding holds the secret")
		}
	}
}
