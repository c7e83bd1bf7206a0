package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/remediate"
)

func TestFixCmd_Flags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want fixOptions
		err  string
	}{
		{name: "defaults", args: nil, want: fixOptions{target: "."}},
		{
			name: "identifiers",
			args: []string{"dir", "--write", "--only", "gha-aws-oidc,npmrc-env", "--role-arn", "arn:aws:iam::1:role/x", "--aws-region", "eu-west-1", "--repo", "o/r", "--vault-role", "ci"},
			want: fixOptions{
				target: "dir", write: true, only: []string{"gha-aws-oidc", "npmrc-env"}, repo: "o/r",
				ids: remediate.Identifiers{AWSRoleARN: "arn:aws:iam::1:role/x", AWSRegion: "eu-west-1", VaultRole: "ci"},
			},
		},
		{
			name: "workflow app id", args: []string{"--workflow-app-id", "12"},
			want: fixOptions{target: ".", ids: remediate.Identifiers{GitHubAppID: "12"}},
		},
		{
			name: "deprecated app id", args: []string{"--app-id", "12"},
			want: fixOptions{target: ".", ids: remediate.Identifiers{GitHubAppID: "12"}},
		},
		{
			name: "both app ids agree", args: []string{"--app-id", "12", "--workflow-app-id", "12"},
			want: fixOptions{target: ".", ids: remediate.Identifiers{GitHubAppID: "12"}},
		},
		{name: "app ids disagree", args: []string{"--app-id", "12", "--workflow-app-id", "13"}, err: "--app-id is the old name of --workflow-app-id"},
		{name: "unknown fixer", args: []string{"--only", "nope"}, err: `--only: unknown fixer "nope"`},
		{name: "bad repo", args: []string{"--repo", "x"}, err: `--repo "x": want OWNER/NAME`},
		{name: "remote", args: []string{"https://github.com/o/r"}, err: "local checkout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *fixOptions
			a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
			cmd := newFixCmdWith(a, func(_ context.Context, o *fixOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Execute() error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmp.AllowUnexported(fixOptions{})); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFixCmd_AppIDAlias: fix's --app-id is hidden and warns; the help
// names --workflow-app-id.
func TestFixCmd_AppIDAlias(t *testing.T) {
	var logs bytes.Buffer
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
	a.logger = slog.New(slog.NewTextHandler(&logs, nil))
	cmd := newFixCmdWith(a, func(context.Context, *fixOptions) error { return nil })
	if f := cmd.Flags().Lookup("app-id"); f == nil || !f.Hidden {
		t.Errorf("fix --app-id: %+v, want a hidden flag", f)
	}
	if !strings.Contains(cmd.UsageString(), "--workflow-app-id") || strings.Contains(cmd.UsageString(), "--app-id") {
		t.Errorf("fix usage:\n%s", cmd.UsageString())
	}
	cmd.SetArgs([]string{"--app-id", "12"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "use --workflow-app-id") {
		t.Errorf("no deprecation warning: %q", logs.String())
	}
}

// TestFix_ScoresLikePR: fix plans from a report scored with the
// repository's policy, as pr does, so fixers see each credential's fixer;
// a bad [policy] is an error, as in scan.
func TestFix_ScoresLikePR(t *testing.T) {
	dir := t.TempDir()
	ghp := fakeGitHubToken("ghp", "FixTest")
	src := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\ttoken := \"" + ghp + "\"\n\tfmt.Println(len(token))\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &bytes.Buffer{}, func(string) string { return "" })
	if err := a.runFix(t.Context(), &fixOptions{target: dir}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "main.go (source-env)") {
		t.Errorf("fix output lacks the source-env fix of main.go:\n%s", out.String())
	}
	r, _, err := a.planFixes(t.Context(), dir, remediate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Credentials) != 1 || r.Credentials[0].Fixer != "source-env" || r.Credentials[0].Score == 0 {
		t.Errorf("credentials fix plans from: %+v, want one scored, with fixer source-env", r.Credentials)
	}
	cfg := filepath.Join(dir, ".sessionize.toml")
	if err := os.WriteFile(cfg, []byte("[policy]\nbogus = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = a.runFix(t.Context(), &fixOptions{target: dir})
	if err == nil || !strings.Contains(err.Error(), `unknown key "policy.bogus"`) {
		t.Errorf("fix with a bad [policy]: error %v, want it named", err)
	}
}

func TestOriginRepo(t *testing.T) {
	for url, want := range map[string]string{
		"git@github.com:my-org/my-repo.git":      "my-org/my-repo",
		"https://github.com/my-org/my-repo":      "my-org/my-repo",
		"https://github.com/my-org/my.repo.git/": "my-org/my.repo",
	} {
		m := remoteRepo.FindStringSubmatch(url)
		if m == nil || m[1]+"/"+m[2] != want {
			t.Errorf("remoteRepo(%q) = %v, want %s", url, m, want)
		}
	}
}
