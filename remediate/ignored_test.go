package remediate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
)

// TestPlan_IgnoredCredential checks that a fix never rewrites the line of a
// credential the user ignores, even in a file the fixers find by themselves.
func TestPlan_IgnoredCredential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	npmrc := "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=" + "npm_" + strings.Repeat("a1B2", 9) + "\n"
	if err := os.WriteFile(filepath.Join(dir, ".npmrc"), []byte(npmrc), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := remediate.Plan(t.Context(), dir, &scanner.Report{}, remediate.Options{Only: []string{"npmrc-env"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 {
		t.Fatalf("Plan() without ignores = %d changes, want the .npmrc fix", len(res.Changes))
	}
	r := &scanner.Report{Ignored: []scanner.Occurrence{{Path: ".npmrc", Line: 2, EndLine: 2}}}
	res, err = remediate.Plan(t.Context(), dir, r, remediate.Options{Only: []string{"npmrc-env"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 {
		t.Errorf("Plan() rewrote an ignored credential's line")
	}
	if len(res.Refusals) != 1 || res.Refusals[0].Line != 2 || !strings.Contains(res.Refusals[0].Reason, "ignore") {
		t.Errorf("Plan() refusals = %+v, want one naming line 2 and the ignore files", res.Refusals)
	}
}
