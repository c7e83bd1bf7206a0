package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// repoFile reads a file of this repository by its path from the root.
func repoFile(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lintProject lays out the audit workflow and the composite action in a
// temporary project (actionlint resolves `uses: ./` through it) and lints
// the workflow, with workflow replacing the shipped one when not nil.
func lintProject(t *testing.T, workflow []byte) []*actionlint.Error {
	t.Helper()
	root := t.TempDir()
	for p, data := range map[string][]byte{
		".github/workflows/sessionize-audit.yml": workflow,
		"action.yml":                             repoFile(t, "action.yml"),
	} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{WorkingDir: root})
	if err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles([]string{filepath.Join(root, ".github", "workflows", "sessionize-audit.yml")}, proj)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

// TestAuditWorkflow_Actionlint lints .github/workflows/sessionize-audit.yml
// and, through its `uses: ./` steps, the composite action.yml.
func TestAuditWorkflow_Actionlint(t *testing.T) {
	wf := repoFile(t, ".github/workflows/sessionize-audit.yml")
	for _, e := range lintProject(t, wf) {
		t.Errorf("actionlint: %s:%d:%d: %s [%s]", filepath.Base(e.Filepath), e.Line, e.Column, e.Message, e.Kind)
	}

	// The linter does read action.yml: an unknown input of the local action
	// is reported.
	broken := bytes.Replace(wf, []byte("          github-token: ${{ steps.app-token.outputs.token }}"), []byte("          github-tokn: ${{ steps.app-token.outputs.token }}"), 1)
	found := false
	for _, e := range lintProject(t, broken) {
		if strings.Contains(e.Message, "github-tokn") {
			found = true
		}
	}
	if !found {
		t.Errorf("actionlint did not check the inputs of the local action: is action.yml parsed?")
	}
}

var usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)

// TestAuditWorkflow_Pins checks that every action the workflow and the
// composite action use is pinned to a full commit SHA with its version in
// a comment (REMEDIATION §0.6), and that the workflow asks for read access
// only.
func TestAuditWorkflow_Pins(t *testing.T) {
	pinned := regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+(/[a-z0-9-]+)*@[0-9a-f]{40}$`)
	for _, f := range []string{".github/workflows/sessionize-audit.yml", "action.yml"} {
		data := string(repoFile(t, f))
		uses := usesLine.FindAllStringSubmatch(data, -1)
		if len(uses) == 0 {
			t.Errorf("%s: no uses: lines", f)
		}
		for _, m := range uses {
			ref, comment := m[1], strings.TrimSpace(m[2])
			if ref == "./" {
				continue
			}
			if !pinned.MatchString(ref) || !regexp.MustCompile(`^# v\d+`).MatchString(comment) {
				t.Errorf("%s: %q %q is not pinned to a commit SHA with a version comment", f, ref, comment)
			}
		}
	}
	wf := string(repoFile(t, ".github/workflows/sessionize-audit.yml"))
	perms := regexp.MustCompile(`(?m)^\s*permissions:`).FindAllStringIndex(wf, -1)
	if len(perms) != 1 || !strings.Contains(wf, "permissions:\n  contents: read\n") {
		t.Errorf("the workflow must declare only top-level permissions: contents: read")
	}
	for _, w := range []string{"write-all", ": write"} {
		if strings.Contains(wf, w) {
			t.Errorf("the workflow asks for write access (%q)", w)
		}
	}
}
