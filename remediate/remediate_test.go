package remediate

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiff(t *testing.T) {
	c := &Change{Path: "a.yml", Before: []byte("a\nb\nc\nd\ne\nf\ng\nh\n"), After: []byte("a\nb\nc\nD\ne\nf\ng\nh\nI")}
	want := "--- a/a.yml\n+++ b/a.yml\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+I\n\\ No newline at end of file\n"
	if diff := cmp.Diff(want, c.UnifiedDiff()); diff != "" {
		t.Errorf("UnifiedDiff mismatch (-want +got):\n%s", diff)
	}
	if (&Change{Before: []byte("x\n"), After: []byte("x\n")}).UnifiedDiff() != "" {
		t.Error("UnifiedDiff of an unchanged file is not empty")
	}
	crlf := &Change{Path: "w.yml", Before: []byte("a\r\nb\r\n"), After: []byte("a\r\nB\r\n")}
	if !strings.Contains(crlf.UnifiedDiff(), "-b\r\n+B\r\n") {
		t.Errorf("CRLF lines lost their carriage returns:\n%q", crlf.UnifiedDiff())
	}
}

func TestApply(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.yml")
	if err := os.WriteFile(p, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Apply(dir, []Change{{Path: "f.yml", Before: []byte("old\n"), After: []byte("new\n")}}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(data) != "new\n" || fi.Mode().Perm() != 0o640 {
		t.Errorf("after Apply: %q mode %v, want \"new\\n\" 0640", data, fi.Mode().Perm())
	}
	// Stale: nothing is written.
	err := Apply(dir, []Change{{Path: "f.yml", Before: []byte("old\n"), After: []byte("x\n")}})
	if !errors.Is(err, ErrStale) {
		t.Errorf("Apply on a changed file: %v, want ErrStale", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "new\n" {
		t.Errorf("a stale Apply wrote the file: %q", data)
	}
	if err := Apply(dir, []Change{{Path: "../x", Before: nil, After: nil}}); err == nil {
		t.Error("Apply outside the root succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Apply left temporary files: %v", entries)
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(".sessionize.toml", []byte("[extend]\nuseDefault = true\n\n[fix]\nrole_arn = \"arn:aws:iam::1:role/r\"\nrepo = \"o/r\"\nonly = [\"gha-aws-oidc\"]\n\n[policy]\nx = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AWSRoleARN != "arn:aws:iam::1:role/r" || cfg.Repo != "o/r" || len(cfg.Only) != 1 {
		t.Errorf("ParseConfig = %+v", cfg)
	}
	_, err = ParseConfig(".sessionize.toml", []byte("[fix]\nrole_arm = \"x\"\n"))
	if err == nil || !strings.Contains(err.Error(), `.sessionize.toml:2:1: unknown key "fix.role_arm"`) {
		t.Errorf("unknown key error = %v", err)
	}
	if _, err := ParseConfig("c", []byte("[fix]\nonly = [\"nope\"]\n")); err == nil {
		t.Error("an unknown fixer in only is accepted")
	}
}

func TestFixFile(t *testing.T) {
	src := "on: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n    permissions:\r\n      contents: read\r\n    steps:\r\n      - uses: aws-actions/configure-aws-credentials@v4\r\n        with:\r\n          aws-access-key-id: ${{ secrets.K }}\r\n          aws-secret-access-key: ${{ secrets.S }}\r\n          aws-region: us-east-1\r\n"
	ch, refusals := FixFile(".github/workflows/a.yml", []byte(src), Options{Repo: "o/r"})
	if ch == nil || len(refusals) > 0 {
		t.Fatalf("FixFile = %v, %v", ch, refusals)
	}
	if strings.Count(string(ch.After), "\n") != strings.Count(string(ch.After), "\r\n") {
		t.Error("the rewrite of a CRLF file has LF lines")
	}
	if ch.Fixer != "gha-aws-oidc" || len(ch.Setup) != 1 || len(ch.Revoke) != 2 {
		t.Errorf("change = fixer %q, %d setups, %d revocations", ch.Fixer, len(ch.Setup), len(ch.Revoke))
	}
	if got, _ := FixFile("README.md", []byte("x"), Options{}); got != nil {
		t.Error("FixFile changed a file no fixer understands")
	}
	if got, _ := FixFile(".github/workflows/a.yml", []byte(src), Options{Only: []string{"npmrc-env"}}); got != nil {
		t.Error("Only was not honoured")
	}
}

func TestFixers(t *testing.T) {
	want := []string{
		"gha-aws-oidc", "gha-gcp-wif", "gha-azure-oidc", "gha-pypi-trusted-publishing", "gha-npm-trusted-publishing",
		"gha-github-token", "gha-vault-jwt", "gitlab-id-tokens", "circleci-oidc", "bitbucket-oidc", "npmrc-env",
		"docker-credential-helper", "kubeconfig-exec", "terraform-ambient", "source-env",
	}
	var got []string
	for _, f := range Fixers() {
		got = append(got, f.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fixers mismatch (-want +got):\n%s", diff)
	}
}

// TestSourceEnv_GoCompiles builds the Go files source-env rewrote as a
// module with the real toolchain.
func TestSourceEnv_GoCompiles(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	for _, c := range []string{"go-const-and-struct", "go-no-imports-var"} {
		files := readTree(t, filepath.Join(goldenRoot, "source-env", c, "after"))
		dir := t.TempDir()
		writeTree(t, dir, files)
		writeTree(t, dir, map[string][]byte{"go.mod": []byte("module example.com/x\n\ngo 1.22\n")})
		cmd := exec.CommandContext(t.Context(), "go", "build", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: go build: %v\n%s", c, err, out)
		}
	}
}

func TestGoCheck_RefusesConstUse(t *testing.T) {
	src := []byte("package p\n\nconst key = \"ghp_" + "FAKEfakeFAKEfake0123456789abcdefABCD\"\n\nvar arr [len(key)]byte\n")
	ch, refusals := FixFile("p.go", src, Options{})
	if ch != nil || len(refusals) != 1 || !strings.Contains(refusals[0].Reason, "would not compile") {
		t.Errorf("FixFile = %v, %+v; want a compile refusal", ch, refusals)
	}
}

func TestLex(t *testing.T) {
	ok := map[string]lexLang{
		"x = 'a' + \"b\" # c\ny = '''t\n'''\n":                 langPython,
		"const a = `x${ {b: \"}\"}.b }y`; /re[/]/g":            langJS,
		"String s = \"\"\"\n  text\n  \"\"\"; char c = '\\'';": langJava,
		"a = <<EOF\n${x}\nEOF\nb = \"${f(\"}\")}\"\n":          langHCL,
	}
	for src, l := range ok {
		if _, err := lex(src, l); err != nil {
			t.Errorf("lex(%q) = %v", src, err)
		}
	}
	for src, l := range map[string]lexLang{"x = 'a": langPython, "f(a]": langJS, "/* x": langJava, "a = <<EOF\nx\n": langHCL} {
		if _, err := lex(src, l); err == nil {
			t.Errorf("lex(%q) succeeded, want an error", src)
		}
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{"a = 'b'", "x = `${a}`", "\"\"\"", "<<EOF\nEOF", "/[/]/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []lexLang{langPython, langJS, langJava, langHCL} {
			toks, err := lex(s, l)
			if err != nil {
				continue
			}
			for _, tk := range toks {
				if tk.start < 0 || tk.end > len(s) || tk.start > tk.end {
					t.Fatalf("token %+v outside the input", tk)
				}
			}
		}
	})
}

func FuzzFixFile(f *testing.F) {
	f.Add(".github/workflows/a.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      AWS_ACCESS_KEY_ID: ${{ secrets.A }}\n    steps:\n      - run: aws s3 ls\n")
	f.Add(".gitlab-ci.yml", "j:\n  variables:\n    AWS_ACCESS_KEY_ID: $A\n  script:\n    - aws s3 ls\n")
	f.Add("config.json", "{\"auths\": {\"123456789012.dkr.ecr.us-east-1.amazonaws.com\": {\"auth\": \"x\"}}}")
	f.Add("main.tf", "provider \"aws\" {\n  access_key = \"x\"\n}\n")
	f.Fuzz(func(t *testing.T, p, src string) {
		if len(src) > 4096 {
			return
		}
		for _, path := range []string{".github/workflows/a.yml", ".gitlab-ci.yml", ".circleci/config.yml", "bitbucket-pipelines.yml", "x/.npmrc", ".docker/config.json", "kubeconfig", "main.tf", "a.go", "a.py", "a.ts", "A.java"} {
			ch, _ := FixFile(path, []byte(src), Options{})
			if ch != nil && len(ch.After) == 0 && len(src) > 0 {
				t.Fatalf("%s: empty rewrite", path)
			}
		}
	})
}
