package detectors_test

import (
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

func TestIsDocumentedExample(t *testing.T) {
	t.Parallel()
	// The value comes first: a name such as "example secret" before it
	// would make the line a generic-api-key finding of our own scan.
	tests := []struct {
		value string
		name  string
		want  bool
	}{
		{"AKIA" + "IOSFODNN7EXAMPLE", "AWS example access key ID", true},
		{"ASIA" + "IOSFODNN7EXAMPLE", "AWS example STS access key ID", true},
		{"wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY", "AWS example secret access key", true},
		{"sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe sample test key", true},
		{"pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_" + "YrKJUKribcBjcG8HVhfZluoGH", "Stripe PaymentIntent sample client secret", true},
		{"gho_" + "16C7e42F292c6912E7710c838347Ae178B4a", "GitHub docs OAuth token", true},
		{"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw==", "Azurite account key", true},
		{fake("akia", "not-an-example"), "another AWS-shaped key", false},
		{fake("sk_live", "not-an-example"), "another Stripe key", false},
		{"AKIA" + "IOSFODNN7EXAMPLE2", "example with a suffix", false},
		{"", "empty", false},
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
