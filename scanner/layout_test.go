package scanner

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLocateRepository(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{"sub/x.txt": "x\n"})
	l, err := LocateRepository(filepath.Join(r.dir, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Layout{Top: r.dir, GitDir: filepath.Join(r.dir, ".git"), CommonDir: filepath.Join(r.dir, ".git"), HooksDir: filepath.Join(r.dir, ".git", "hooks")}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("LocateRepository() mismatch (-want +got):\n%s", diff)
	}

	cfg, err := r.repo.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Raw.Section("core").SetOption("hooksPath", ".githooks")
	if err := r.repo.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	l, err = LocateRepository(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(r.dir, ".githooks"); l.HooksDir != want || l.HooksPath != ".githooks" {
		t.Errorf("LocateRepository() with core.hooksPath = %q (%q), want %q", l.HooksDir, l.HooksPath, want)
	}
}
