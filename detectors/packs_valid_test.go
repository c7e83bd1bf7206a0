package detectors

import (
	"io/fs"
	"path"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/sessionize/sessionize/rules"
)

// TestEmbeddedPacksValid checks what New no longer checks at every start:
// every regular expression of gitleaks' default rules and of the embedded
// packs compiles, and every secretGroup exists.
func TestEmbeddedPacksValid(t *testing.T) {
	t.Parallel()
	if _, _, err := parseSpec("gitleaks default config", []byte(config.DefaultConfig), true); err != nil {
		t.Errorf("gitleaks default rules: %v", err)
	}
	packs := rules.Packs()
	names, err := fs.Glob(packs, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(packs, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := parseSpec(path.Join("rules/gitleaks", n), data, false); err != nil {
			t.Errorf("%v", err)
		}
	}
}
