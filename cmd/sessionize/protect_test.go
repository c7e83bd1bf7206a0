package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProtectCommand checks the flags and arguments protect parses.
func TestProtectCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    protectOptions
		wantErr string
	}{
		{"defaults", []string{"--staged"}, protectOptions{staged: true, failOn: "low", maxFileSize: "10MiB", dir: "."}, ""},
		{"fail-on and path", []string{"--staged", "--fail-on", "high", "sub"}, protectOptions{staged: true, failOn: "high", maxFileSize: "10MiB", dir: "sub"}, ""},
		{"without staged", nil, protectOptions{}, "protect scans staged changes only"},
		{"bad severity", []string{"--staged", "--fail-on", "urgent"}, protectOptions{}, `--fail-on "urgent"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
			var got protectOptions
			cmd := newProtectCommand(a, func(_ context.Context, o *protectOptions) error { got = *o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Execute(%q) error = %v, want %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Execute(%q) error: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(protectOptions{})); diff != "" {
				t.Errorf("protect %q options mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}
