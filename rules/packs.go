package rules

import (
	"embed"
	"io/fs"
)

//go:embed gitleaks/*.toml
var packFS embed.FS

// Packs returns the project's own detection rules: gitleaks-format TOML files
// at the root of the returned file system, compiled by the detectors package
// on top of gitleaks' default rules.
func Packs() fs.FS {
	sub, err := fs.Sub(packFS, "gitleaks")
	if err != nil {
		// fs.Sub only fails on an invalid path, which is a constant here.
		panic(err)
	}
	return sub
}
