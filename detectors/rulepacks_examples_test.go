package detectors_test

import (
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

func TestIsDocumentedExample(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value string
		want  bool
	}{
		{"AWS example key ID", "AKIA" + "IOSFODNN7EXAMPLE", true},
		{"AWS example STS key ID", "ASIA" + "IOSFODNN7EXAMPLE", true},
		{"AWS example secret", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY", true},
		{"Stripe sample test key", "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc", true},
		{"Stripe PaymentIntent sample client secret", "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_" + "YrKJUKribcBjcG8HVhfZluoGH", true},
		{"GitHub docs OAuth token", "gho_" + "16C7e42F292c6912E7710c838347Ae178B4a", true},
		{"Azurite key", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw==", true},
		{"another AWS-shaped key", fake("akia", "not-an-example"), false},
		{"another Stripe key", fake("sk_live", "not-an-example"), false},
		{"example with a suffix", "AKIA" + "IOSFODNN7EXAMPLE2", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := detectors.IsDocumentedExample(tt.value); got != tt.want {
			t.Errorf("IsDocumentedExample(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDetect_DocumentedExamples checks that documented examples reach no
// report, whichever rule (gitleaks' or the project's) matches them.
func TestDetect_DocumentedExamples(t *testing.T) {
	t.Parallel()
	d := fullDetector(t)
	text := "aws_access_key_id = " + "AKIA" + "IOSFODNN7EXAMPLE" + "\n" +
		"stripe.api_key = \"sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc\"\n" +
		"conn = \"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" +
		"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw==;\"\n" +
		"token = \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\"\n"
	got, err := d.Detect(t.Context(), detectors.Fragment{Path: "app/settings.py", Content: text, StartLine: 1})
	if err != nil {
		t.Fatalf("Detect() error: %v", err)
	}
	for _, f := range got {
		t.Errorf("Detect() reported %s %s at line %d, a documented example", f.RuleID, f.Secret.Redacted(), f.Line)
	}
}

// TestDetect_GenericDeduplicated checks that a password gitleaks'
// generic-api-key also matches is reported once, by the more precise rule.
func TestDetect_GenericDeduplicated(t *testing.T) {
	t.Parallel()
	d := fullDetector(t)
	got, err := d.Detect(t.Context(), detectors.Fragment{Path: "app/settings.py", Content: "db_password = \"s3cr3tValue123abcXYZ\"\n", StartLine: 1})
	if err != nil {
		t.Fatalf("Detect() error: %v", err)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, f.RuleID)
	}
	if len(ids) != 1 || ids[0] != "password-assignment" {
		t.Errorf("Detect() rules = %v, want [password-assignment]", ids)
	}
}
