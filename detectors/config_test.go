package detectors_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

// ruleIDs returns the IDs of d's rules as a set.
func ruleIDs(d *detectors.Detector) map[string]bool {
	out := map[string]bool{}
	for _, r := range d.Rules() {
		out[r.ID] = true
	}
	return out
}

func TestNew_UserConfig(t *testing.T) {
	t.Parallel()
	custom := `
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''acme_[a-z0-9]{24}'''
keywords = ["acme_"]
`
	tests := []struct {
		name       string
		config     string
		lenient    bool
		wantRules  []string
		wantAbsent []string
	}{
		{
			"extend default", "[extend]\nuseDefault = true\n" + custom, false,
			[]string{"acme-token", "aws-access-token", "database-url-password"},
			nil,
		},
		{
			"disabled rules", "[extend]\nuseDefault = true\ndisabledRules = [\"generic-api-key\"]\n" + custom, false,
			[]string{"acme-token", "aws-access-token"},
			[]string{"generic-api-key"},
		},
		{
			"no extend replaces the built-in rules", custom, false,
			[]string{"acme-token"},
			[]string{"aws-access-token", "generic-api-key"},
		},
		{
			"gitleaks config with a key gitleaks ignores", "[extend]\nuseDefault = true\nfrobnicate = 1\n" + custom, true,
			[]string{"acme-token", "aws-access-token"},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := detectors.New(detectors.Options{Config: &detectors.ConfigFile{Name: "cfg.toml", Data: []byte(tt.config), Lenient: tt.lenient}})
			if err != nil {
				t.Fatalf("New() error: %v", err)
			}
			ids := ruleIDs(d)
			for _, id := range tt.wantRules {
				if !ids[id] {
					t.Errorf("rule %q missing", id)
				}
			}
			for _, id := range tt.wantAbsent {
				if ids[id] {
					t.Errorf("rule %q present, want it gone", id)
				}
			}
			if tt.lenient && len(d.Warnings()) == 0 {
				t.Error("no warning about the unknown key")
			}
		})
	}
}

func TestNew_ExtendPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := "[extend]\nuseDefault = true\n[[rules]]\nid = \"base-rule\"\nregex = '''base_[0-9]{8}'''\nkeywords = [\"base_\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "base.toml"), []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "[extend]\npath = \"base.toml\"\n[[rules]]\nid = \"top-rule\"\nregex = '''top_[0-9]{8}'''\nkeywords = [\"top_\"]\n"
	d, err := detectors.New(detectors.Options{Config: &detectors.ConfigFile{Name: "top.toml", Data: []byte(cfg), Dir: dir, ReadFile: os.ReadFile}})
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	ids := ruleIDs(d)
	for _, id := range []string{"top-rule", "base-rule", "aws-access-token"} {
		if !ids[id] {
			t.Errorf("rule %q missing from the extended chain", id)
		}
	}
	fs, err := d.Detect(t.Context(), detectors.Fragment{Path: "x.txt", Content: "a = top_12345678\nb = base_87654321\n"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Errorf("Detect() = %d findings, want one per custom rule", len(fs))
	}
}

func TestNew_ConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config, want string
	}{
		{"unknown key", "[[rules]]\nid = \"x\"\nregex = 'a+'\nentopy = 3\n", `cfg.toml:4:1: unknown key "rules.entopy"`},
		{"bad regex", "[[rules]]\nid = \"x\"\nregex = '(unclosed'\n", "cfg.toml:3:1: invalid regex"},
		{"secret group out of range", "[[rules]]\nid = \"x\"\nregex = 'a(b)'\nsecretGroup = 3\n", "secretGroup 3 but the regex has 1 groups"},
		{"empty allowlist", "[[rules]]\nid = \"x\"\nregex = 'a+'\n[[rules.allowlists]]\ndescription = \"nothing\"\n", "allowlist must contain at least one of"},
		{"both extends", "[extend]\nuseDefault = true\npath = \"x.toml\"\n", "cannot set both path and useDefault"},
		{"not toml", "[[rules]\n", "cfg.toml:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := detectors.New(detectors.Options{Config: &detectors.ConfigFile{Name: "cfg.toml", Data: []byte(tt.config)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%s) error = %v, want one containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func FuzzUserConfig(f *testing.F) {
	f.Add([]byte("[extend]\nuseDefault = true\n[[rules]]\nid = 'x'\nregex = 'x_[0-9]{8}'\nkeywords = ['x_']\n"))
	f.Add([]byte("[[allowlists]]\npaths = ['(?:^|/)testdata/']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := detectors.New(detectors.Options{NoPacks: true, Config: &detectors.ConfigFile{Name: "f.toml", Data: data}})
		if err != nil {
			return
		}
		if err := d.Compile(); err != nil {
			return
		}
		_, _ = d.Detect(t.Context(), detectors.Fragment{Path: "a.txt", Content: "x_12345678 key = \"abcdef0123456789\"\n"})
	})
}
