package atomicfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/internal/atomicfile"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "hook")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(p, []byte("new"), 0o755); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "new" {
		t.Errorf("content = %q, %v; want %q", got, err, "new")
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("mode = %v, %v; want 0755", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after the write, want 1 (no temporary file left)", len(entries))
	}
}

func TestWriteFile_failureKeepsOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "target")
	// A directory at path: the rename fails and must leave it and no
	// temporary file behind.
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := atomicfile.WriteFile(p, []byte("new"), 0o644)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("WriteFile() error = %v, want one naming %s", err, p)
	}
	if _, err := os.Stat(filepath.Join(p, "keep")); err != nil {
		t.Errorf("the existing directory lost its content: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want 1", len(entries))
	}
}

func TestWriteFile_missingDir(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "no", "such", "file")
	if err := atomicfile.WriteFile(p, nil, 0o644); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("WriteFile() error = %v, want one naming %s", err, p)
	}
}
