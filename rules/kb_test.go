package rules

import (
	"strings"
	"testing"
)

func TestDefaultKB(t *testing.T) {
	t.Parallel()
	kb, err := DefaultKB()
	if err != nil {
		t.Fatalf("DefaultKB() error: %v", err)
	}
	tests := []struct {
		rule, wantType string
		wantLifetime   Lifetime
	}{
		{"aws-access-token", "aws-access-key", Standing},
		{"github-app-token", "github-app-token", Session},
		{"gitlab-pat", "gitlab-token", Bounded},
		{"gitlab-cicd-job-token", "gitlab-ci-job-token", Session},
		{"no-such-rule", "no-such-rule", Standing},
	}
	for _, tt := range tests {
		got := kb.ForRule(tt.rule)
		if got.Type != tt.wantType || got.Lifetime != tt.wantLifetime {
			t.Errorf("ForRule(%q) = %s/%s, want %s/%s", tt.rule, got.Type, got.Lifetime, tt.wantType, tt.wantLifetime)
		}
	}
}

func TestParseKB_Errors(t *testing.T) {
	t.Parallel()
	doc := "[[credential]]\ntype = \"a\"\nprovider = \"x\"\nlifetime = \"forever\"\nprivilege = \"low\"\n\n[[credential]]\ntype = \"b\"\nprovider = \"x\"\nlifetime = \"session\"\nprivilege = \"low\"\nentropy = 3\n"
	_, err := ParseKB("kb.toml", []byte(doc))
	if err == nil {
		t.Fatal("ParseKB() succeeded on an invalid document")
	}
	if !strings.Contains(err.Error(), "kb.toml:12:1: unknown key") {
		t.Errorf("ParseKB() error = %q, want the unknown key with its position", err)
	}
	doc = strings.Replace(doc, "entropy = 3\n", "", 1)
	_, err = ParseKB("kb.toml", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), `kb.toml:4:1: credential "a": unknown lifetime class "forever"`) {
		t.Errorf("ParseKB() error = %v, want the bad lifetime with its position", err)
	}
}

func FuzzParseKB(f *testing.F) {
	f.Add(mustRead("credentials/gitleaks.toml"))
	f.Add([]byte("[[credential]]\ntype='x'\nrules=['a*']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, err := ParseKB("fuzz.toml", data)
		if err == nil {
			_ = kb.ForRule("aws-access-token")
		}
	})
}

func mustRead(name string) []byte {
	data, err := credentialsFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return data
}
