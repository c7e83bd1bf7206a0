package detectors_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/classify"
	"github.com/sessionize/sessionize/rules"
)

// kbEntry reports whether rule id resolves to a knowledge-base entry rather
// than the fallback ForRule makes up for unknown rules.
func kbEntry(kb *rules.KB, id string) (rules.CredentialType, bool) {
	ct := kb.ForRule(id)
	real, ok := kb.Type(ct.Type)
	return ct, ok && cmp.Equal(ct, real)
}

func TestKB_EveryGitleaksRule(t *testing.T) {
	t.Parallel()
	d, err := detectors.New(detectors.Options{NoPacks: true})
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	n := 0
	for _, r := range d.Rules() {
		if r.Source != "gitleaks" {
			continue
		}
		n++
		ct, ok := kbEntry(d.KB(), r.ID)
		if !ok {
			t.Errorf("gitleaks rule %q has no knowledge-base entry (falls back to %q)", r.ID, ct.Type)
			continue
		}
		if ct.Name == "" || ct.Provider == "" || !ct.Lifetime.Valid() {
			t.Errorf("gitleaks rule %q: entry %q lacks a name, provider or lifetime", r.ID, ct.Type)
		}
	}
	if n != 222 {
		t.Errorf("gitleaks default rules = %d, want 222 (v8.30.1)", n)
	}
}

func TestKB_EveryPackRule(t *testing.T) {
	t.Parallel()
	d := fullDetector(t)
	n := 0
	for _, r := range d.Rules() {
		if !strings.HasPrefix(r.Source, "rules/gitleaks/") {
			continue
		}
		n++
		if len(r.Keywords) == 0 {
			t.Errorf("rule %q has no keywords: it would run on every fragment", r.ID)
		}
		if ct, ok := kbEntry(d.KB(), r.ID); !ok {
			t.Errorf("rule %q has no knowledge-base entry (falls back to %q)", r.ID, ct.Type)
		}
	}
	if n < 20 {
		t.Errorf("project rules = %d, want the packs' 20 or more", n)
	}
}

// TestKB_ClassificationTypes checks that every type classification assigns
// exists in the knowledge base, so that detectors.Classify takes its
// provider, family and privilege from there.
func TestKB_ClassificationTypes(t *testing.T) {
	t.Parallel()
	kb := fullDetector(t).KB()
	jwt := fakeJWTToken(map[string]int64{"iat": 1700000000, "exp": 1700000600})
	sas := "sv=2022-11-02&sp=r&se=2025-06-30T23:59:59Z&sig=abc%3D"
	samples := map[string]string{
		"aws-access-token":            fake("akia", "kb"),
		"aws-access-token#asia":       fake("asia", "kb"),
		"generic-api-key#aida":        "AIDA" + fake("akia", "kb")[4:],
		"github-pat":                  fake("ghp", "kb"),
		"github-oauth":                fake("gho", "kb"),
		"github-app-token":            fake("ghs", "kb"),
		"github-app-token#ghu":        fake("ghu", "kb"),
		"github-refresh-token":        fake("ghr", "kb"),
		"github-fine-grained-pat":     fake("github_pat", "kb"),
		"slack-bot-token":             fake("xoxb", "kb"),
		"slack-config-access-token":   fake("xoxe.xoxp", "kb"),
		"slack-config-refresh-token":  fake("xoxe", "kb"),
		"vault-service-token":         fake("hvs", "kb"),
		"vault-batch-token":           fake("hvb", "kb"),
		"gcp-oauth-access-token":      fake("ya29", "kb"),
		"gcp-oauth-refresh-token":     fake("googlerefresh", "kb"),
		"pypi-upload-token":           fake("pypi", "kb"),
		"pypi-upload-token#oidc":      fake("pypi-oidc", "kb"),
		"jwt":                         jwt,
		"azure-sas-token":             sas,
		"aws-presigned-url":           "X-Amz-Date=20240402T091500Z&X-Amz-Expires=60&X-Amz-Signature=00",
		"gcs-signed-url":              "X-Goog-Date=20240402T091500Z&X-Goog-Expires=60&X-Goog-Signature=00",
		"slack-user-token":            "xoxp-" + "1234567890-1234567890-1234567890-" + strings.Repeat("ab12", 8),
		"slack-app-token":             "xapp-" + "1-A0123456789-1234567890123-" + strings.Repeat("ab12", 16),
		"vault-service-token#legacy":  "s." + strings.Repeat("Ab1", 8),
		"vault-batch-token#legacy":    "b." + strings.Repeat("Ab1", 40),
		"aws-access-token#abia":       "ABIA" + fake("akia", "kb")[4:],
		"generic-api-key#jwt-in-text": jwt,
	}
	for key, value := range samples {
		rule, _, _ := strings.Cut(key, "#")
		facts := classify.Value(rule, value)
		if facts.Type == "" {
			t.Errorf("classify.Value(%q, sample %s) gave no type", rule, key)
			continue
		}
		if _, ok := kb.Type(facts.Type); !ok {
			t.Errorf("classification type %q (sample %s) is not in the knowledge base", facts.Type, key)
		}
	}
}

// fakeJWTToken builds an HS256 JWT with a filler signature.
func fakeJWTToken(claims map[string]int64) string {
	var parts []string
	for _, k := range []string{"iat", "exp"} {
		if v, ok := claims[k]; ok {
			parts = append(parts, `"`+k+`":`+strconv.FormatInt(v, 10))
		}
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"svc",`+strings.Join(parts, ",")+`}`)) + "." + strings.Repeat("Fake", 10) + "Sig"
}

// TestClassify_Findings runs values through the whole Detector and checks
// the classification a report shows.
func TestClassify_Findings(t *testing.T) {
	t.Parallel()
	d := fullDetector(t)
	type got struct {
		Rule, Type, Provider string
		Lifetime             rules.Lifetime
		ExpiresAt            time.Time
		Notes                []string
	}
	tests := []struct {
		name, path, text string
		want             got
	}{
		{
			name: "ASIA key is an STS session key", text: "aws_access_key_id = " + fake("asia", "classify") + "\n",
			want: got{
				Rule: "aws-access-token", Type: "aws-temporary-access-key", Provider: "aws", Lifetime: rules.Session,
				Notes: []string{"ASIA prefix: STS session credentials, temporary"},
			},
		},
		{
			name: "JWT valid 10 minutes", text: "token = \"" + fakeJWTToken(map[string]int64{"iat": 1700000000, "exp": 1700000600}) + "\"\n",
			want: got{
				Rule: "jwt", Type: "jwt", Provider: "other", Lifetime: rules.Session, ExpiresAt: time.Unix(1700000600, 0).UTC(),
				Notes: []string{"JWT expires 10 min after issue (2023-11-14T22:23:20Z)"},
			},
		},
		{
			name: "installation token", text: "GH_TOKEN=" + fake("ghs", "classify") + "\n",
			want: got{
				Rule: "github-app-token", Type: "github-installation-token", Provider: "github", Lifetime: rules.Session,
				Notes: []string{"ghs_ prefix: GitHub App installation token, expires after 1 h", "checksum valid"},
			},
		},
		{
			name: "SAS valid 8 hours", text: "url = \"https://a.blob.core.windows.net/c/f.csv?sp=r&st=2024-05-01T06:00:00Z&se=2024-05-01T14:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=p0Q9w8E7r6T5y4U3i2O1aS9d8F7g6H5j4K3l2Z1x0Cv%3D\"\n",
			want: got{
				Rule: "azure-sas-token", Type: "azure-sas-token", Provider: "azure", Lifetime: rules.Short, ExpiresAt: time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC),
				Notes: []string{"SAS expires 8 h after issue (2024-05-01T14:00:00Z)", "SAS permissions: read"},
			},
		},
		{
			name: "ya29 access token", text: "ACCESS_TOKEN = \"" + fake("ya29", "classify") + "\"\n",
			want: got{
				Rule: "gcp-oauth-access-token", Type: "gcp-oauth-access-token", Provider: "gcp", Lifetime: rules.Session,
				Notes: []string{"ya29. prefix: Google OAuth access token, expires after 1 h"},
			},
		},
		{
			name: "database URL password", text: "DATABASE_URL=postgres:¦//app:Xk93mPq2vL@db.internal:5432/app\n",
			want: got{Rule: "database-url-password", Type: "database-connection-password", Provider: "database", Lifetime: rules.Standing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := tt.path
			if path == "" {
				path = "app/config.py"
			}
			fs, err := d.Detect(t.Context(), detectors.Fragment{Path: path, Content: unbreak(tt.text), StartLine: 1})
			if err != nil {
				t.Fatalf("Detect() error: %v", err)
			}
			if len(fs) != 1 {
				var ids []string
				for _, f := range fs {
					ids = append(ids, f.RuleID)
				}
				t.Fatalf("Detect() = %d findings %v, want 1", len(fs), ids)
			}
			f := fs[0]
			g := got{Rule: f.RuleID, Type: f.Type, Provider: f.Provider, Lifetime: f.Lifetime, ExpiresAt: f.ExpiresAt, Notes: f.Notes}
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("Detect() classification mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
