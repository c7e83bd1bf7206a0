package main

import (
	"bytes"
	"context"
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
