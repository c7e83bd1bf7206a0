package detectors_test

import (
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

// fakeAWS builds token-shaped strings at test time so that no credential
// shape is committed.
func fakeAWS() (id, secret string) {
	return "AKIA" + "QYLPMN5HHHFPZAM2", "hJtq1ubG+vtxXk" + "Ql0C3zvFwQDs1ZQ7wz9nuKR7Kb"
}

func TestDetector_Detect(t *testing.T) {
	t.Parallel()
	d, err := detectors.New(detectors.Options{})
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	id, _ := fakeAWS()
	content := "line one\naws_access_key_id = " + id + "\nok = 1 # " + strings.Repeat("x", 3) + "\nkey = " + id + " # sessionize:allow\n"
	got, err := d.Detect(t.Context(), detectors.Fragment{Path: "a/b.ini", Content: content, StartLine: 1})
	if err != nil {
		t.Fatalf("Detect() error: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("Detect() = %d findings, want 1: %v", len(got), got)
	}
	f := got[0]
	if f.RuleID != "aws-access-token" || f.Line != 2 || f.Column != 21 || f.Secret.Reveal() != id {
		t.Errorf("Detect() = %s %d:%d, want aws-access-token 2:21", f.RuleID, f.Line, f.Column)
	}
	if f.Type != "aws-access-key" || f.Provider != "aws" || f.Lifetime != "standing" {
		t.Errorf("classification = %s/%s/%s", f.Type, f.Provider, f.Lifetime)
	}
}
