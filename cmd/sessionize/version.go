package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); otherwise
// the module version from the build information is used.
var version = ""

type buildInfo struct {
	Version, Commit, Gitleaks string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: "unknown", Gitleaks: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			b.Commit = s.Value[:12]
		}
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/zricethezav/gitleaks/v8" {
			b.Gitleaks = d.Version
		}
	}
	return b
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and gitleaks rules version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuildInfo()
			_, err := fmt.Fprintf(a.out, "sessionize %s (commit %s, gitleaks rules %s)\n", b.Version, b.Commit, b.Gitleaks)
			return err
		},
	}
}
