package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHookScript(t *testing.T) {
	t.Parallel()
	s := string(hookScript("/opt/it's here/sessionize"))
	for _, want := range []string{
		"#!/bin/sh\n",
		hookMarker,
		`chained="$(dirname -- "$0")/pre-commit.sessionize-chained"`,
		`"$chained" "$@" || exit $?`,
		`recorded='/opt/it'\''s here/sessionize'`,
		`exec "$sessionize" protect --staged`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("hookScript() lacks %q:\n%s", want, s)
		}
	}
	if _, err := exec.LookPath("sh"); err == nil {
		if out, err := exec.CommandContext(t.Context(), "sh", "-n", "-c", s).CombinedOutput(); err != nil {
			t.Errorf("sh -n hookScript(): %v\n%s", err, out)
		}
	}
}

// TestHookCommands checks the flags and arguments the hook commands parse.
func TestHookCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want hookOptions
	}{
		{"defaults", []string{"install"}, hookOptions{dir: "."}},
		{"path and binary", []string{"install", "repo", "--binary", "/usr/local/bin/sessionize"}, hookOptions{dir: "repo", binary: "/usr/local/bin/sessionize"}},
		{"uninstall", []string{"uninstall", "repo"}, hookOptions{dir: "repo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
			var got hookOptions
			capture := func(_ context.Context, o *hookOptions) error { got = *o; return nil }
			cmd := newHookCmd(a)
			cmd.RemoveCommand(cmd.Commands()...)
			cmd.AddCommand(newHookInstallCmd(a, capture), newHookUninstallCmd(a, capture))
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("Execute(%q) error: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(hookOptions{})); diff != "" {
				t.Errorf("hook %q options mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// TestPreCommitFramework runs this repository's hook (.pre-commit-hooks.yaml)
// through the real pre-commit tool, offline: pre-commit builds it with
// `go install ./...` (language golang, system Go) from a commit of a copy of
// this module, with the module cache already on the machine (GOPROXY=off),
// then a staged AWS key pair blocks a commit and a clean commit passes.
func TestPreCommitFramework(t *testing.T) {
	t.Parallel()
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not on PATH (Debian package pre-commit, which .ci/run installs)")
	}
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH", tool)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	env := append(os.Environ(),
		"HOME="+filepath.Join(tmp, "home"),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-cache"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com",
		// pre-commit passes its environment to `go install`: build offline
		// from the module cache and the build cache already here.
		"GOMODCACHE="+hookGoEnv(t, "GOMODCACHE"),
		"GOCACHE="+hookGoEnv(t, "GOCACHE"),
		"GOFLAGS=-mod=mod -buildvcs=false",
		"GOPROXY=off",
		"GOTOOLCHAIN=local",
		"NO_COLOR=1",
	)
	run := func(dir string, name string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	must := func(dir string, name string, args ...string) string {
		t.Helper()
		out, err := run(dir, name, args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return out
	}

	// A repository of this module at a commit: the checkout may hold
	// uncommitted work, so a copy of its files is committed.
	src := filepath.Join(tmp, "sessionize")
	root := hookModuleRoot(t)
	hookCopyModule(t, root, src)
	// pre-commit runs `go install ./...`: only the packages sessionize is
	// built from are kept, so that work in progress elsewhere in the
	// checkout does not fail this test.
	hookKeepOnly(t, root, src, env)
	must(src, "git", "init", "-q", "-b", "main")
	must(src, "git", "add", "-A")
	must(src, "git", "commit", "-q", "-m", "sessionize under test")
	rev := strings.TrimSpace(must(src, "git", "rev-parse", "HEAD"))

	repo := filepath.Join(tmp, "project")
	hookWriteFiles(t, repo, map[string]string{
		".pre-commit-config.yaml": "repos:\n  - repo: " + src + "\n    rev: " + rev + "\n    hooks:\n      - id: sessionize\n",
		"README":                  "a project\n",
	})
	must(repo, "git", "init", "-q", "-b", "main")
	must(repo, "git", "add", "-A")
	must(repo, "git", "commit", "-q", "-m", "first")
	must(repo, preCommit, "install")

	// A clean commit passes (and builds the hook's environment).
	hookWriteFiles(t, repo, map[string]string{"notes.txt": "nothing secret\n"})
	must(repo, "git", "add", "notes.txt")
	if out, err := run(repo, "git", "commit", "-m", "clean"); err != nil {
		t.Fatalf("clean commit blocked: %v\n%s", err, out)
	}

	// A staged AWS key pair blocks the commit, naming the file, never the
	// raw secret.
	id, secret := "AKIA"+"QYLPMN5HHHFPZAM2", "hJtq1ubG+vtxXk"+"Ql0C3zvFwQDs1ZQ7wz9nuKR7Kb"
	hookWriteFiles(t, repo, map[string]string{"config/aws.ini": "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"})
	must(repo, "git", "add", "config/aws.ini")
	out, err := run(repo, "git", "commit", "-m", "add credentials")
	if err == nil {
		t.Fatalf("commit with an AWS key pair passed:\n%s", out)
	}
	if !strings.Contains(out, "config/aws.ini:2:21: ") || !strings.Contains(out, "sessionize: commit blocked") {
		t.Errorf("blocked commit output does not name config/aws.ini:\n%s", out)
	}
	if strings.Contains(out, id) || strings.Contains(out, secret) {
		t.Errorf("blocked commit output shows the raw secret")
	}
	if log := must(repo, "git", "log", "--format=%s"); strings.Contains(log, "add credentials") {
		t.Errorf("the commit was made:\n%s", log)
	}
}

func hookGoEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// hookModuleRoot returns the directory of go.mod above the test's directory.
func hookModuleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// hookCopyModule copies the module's source to dst, leaving out what
// .gitignore lists (built binaries, benchmark work) and .git.
func hookCopyModule(t *testing.T, root, dst string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch rel {
			case ".git", "bench/work", "bench/out":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || rel == "sessionize" || strings.HasSuffix(rel, ".test") || strings.HasSuffix(rel, ".prof") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy module: %v", err)
	}
}

// hookKeepOnly removes from the copy dst of the module at root the Go files
// of the packages that cmd/sessionize does not import.
func hookKeepOnly(t *testing.T, root, dst string, env []string) {
	t.Helper()
	list := func(args ...string) map[string]bool {
		cmd := exec.CommandContext(t.Context(), "go", append([]string{"list", "-e"}, args...)...)
		cmd.Dir, cmd.Env = root, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
		}
		dirs := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			if rel, err := filepath.Rel(root, d); err == nil && !strings.HasPrefix(rel, "..") {
				dirs[rel] = true
			}
		}
		return dirs
	}
	keep := list("-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./cmd/sessionize")
	for dir := range list("-f", "{{.Dir}}", "./...") {
		if keep[dir] {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dst, dir, "*.go"))
		for _, f := range files {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func hookWriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
