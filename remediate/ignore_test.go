package remediate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner"
)

func TestAppendIgnore(t *testing.T) {
	t.Parallel()
	const fp = "0123456789abcdef"
	tests := []struct {
		name      string
		existing  *string // nil: no file
		entry     IgnoreEntry
		wantAdded bool
		want      string
	}{
		{
			name:      "new file",
			entry:     IgnoreEntry{Fingerprint: fp, Comment: "aws-access-key config.ini:2"},
			wantAdded: true,
			want:      ignoreHeader + fp + "  # aws-access-key config.ini:2\n",
		},
		{
			name:      "appends after existing lines",
			existing:  igPtr("# team list\nfedcba9876543210 old\n"),
			entry:     IgnoreEntry{Fingerprint: fp},
			wantAdded: true,
			want:      "# team list\nfedcba9876543210 old\n" + fp + "\n",
		},
		{
			name:      "adds the missing final newline",
			existing:  igPtr("fedcba9876543210"),
			entry:     IgnoreEntry{Fingerprint: strings.ToUpper(fp), Comment: "two\nlines"},
			wantAdded: true,
			want:      "fedcba9876543210\n" + fp + "  # two lines\n",
		},
		{
			name:      "already ignored",
			existing:  igPtr("0123456789ABCDEF  # by hand\n"),
			entry:     IgnoreEntry{Fingerprint: fp, Comment: "again"},
			wantAdded: false,
			want:      "0123456789ABCDEF  # by hand\n",
		},
		{
			name:      "already ignored by the full fingerprint",
			existing:  igPtr(fp + strings.Repeat("0", 48) + "\n"),
			entry:     IgnoreEntry{Fingerprint: fp},
			wantAdded: false,
			want:      fp + strings.Repeat("0", 48) + "\n",
		},
		{
			name:      "keeps invalid lines",
			existing:  igPtr("not-a-fingerprint\n"),
			entry:     IgnoreEntry{Fingerprint: fp},
			wantAdded: true,
			want:      "not-a-fingerprint\n" + fp + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, scanner.IgnoreFile)
			if tt.existing != nil {
				igWriteFile(t, path, *tt.existing, 0o600)
			}
			added, err := AppendIgnore(t.Context(), dir, tt.entry)
			if err != nil {
				t.Fatalf("AppendIgnore: %v", err)
			}
			if added != tt.wantAdded {
				t.Errorf("AppendIgnore added = %v, want %v", added, tt.wantAdded)
			}
			if diff := cmp.Diff(tt.want, igReadFile(t, path)); diff != "" {
				t.Errorf("AppendIgnore(%+v) file mismatch (-want +got):\n%s", tt.entry, diff)
			}
			// What was written is what a scan honours.
			ig, err := scanner.LoadIgnores(dir)
			if err != nil && !strings.Contains(tt.want, "not-a-fingerprint") {
				t.Fatalf("LoadIgnores: %v", err)
			}
			if err == nil && !ig.Ignored(fp, scanner.Occurrence{}) {
				t.Errorf("LoadIgnores after AppendIgnore does not ignore %s", fp)
			}
			if names := igDirNames(t, dir); !cmp.Equal(names, []string{scanner.IgnoreFile}) {
				t.Errorf("directory holds %v, want only %s (temporary file left?)", names, scanner.IgnoreFile)
			}
		})
	}
}

func TestAppendIgnore_keepsMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, scanner.IgnoreFile)
	igWriteFile(t, path, "", 0o600)
	if _, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode after AppendIgnore = %v, want 0600", got)
	}
}

func TestAppendIgnore_symlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "shared-ignore")
	igWriteFile(t, target, "fedcba9876543210\n", 0o644)
	if err := os.Symlink(target, filepath.Join(dir, scanner.IgnoreFile)); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	if _, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	if got, want := igReadFile(t, target), "fedcba9876543210\n0123456789abcdef\n"; got != want {
		t.Errorf("symlink target = %q, want %q", got, want)
	}
	fi, err := os.Lstat(filepath.Join(dir, scanner.IgnoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link", scanner.IgnoreFile)
	}
}

func TestAppendIgnore_errors(t *testing.T) {
	t.Parallel()
	t.Run("not a fingerprint", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for _, fp := range []string{"", "0123", "0123456789abcdeg", "0123456789abcdef0"} {
			_, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: fp})
			if !errors.Is(err, ErrNotFingerprint) {
				t.Errorf("AppendIgnore(%q) error = %v, want ErrNotFingerprint", fp, err)
			}
		}
		if names := igDirNames(t, dir); len(names) != 0 {
			t.Errorf("directory holds %v after invalid entries, want nothing", names)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := AppendIgnore(ctx, t.TempDir(), IgnoreEntry{Fingerprint: "0123456789abcdef"}); err == nil {
			t.Error("AppendIgnore with a cancelled context succeeded")
		}
	})
	t.Run("directory is the ignore file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, scanner.IgnoreFile), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: "0123456789abcdef"})
		if err == nil || !strings.Contains(err.Error(), scanner.IgnoreFile) {
			t.Errorf("AppendIgnore over a directory: error = %v, want one naming %s", err, scanner.IgnoreFile)
		}
	})
	t.Run("read-only directory leaves the file untouched", func(t *testing.T) {
		t.Parallel()
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("permissions are not enforced here")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, scanner.IgnoreFile)
		igWriteFile(t, path, "fedcba9876543210\n", 0o644)
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		if _, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: "0123456789abcdef"}); err == nil {
			t.Error("AppendIgnore in a read-only directory succeeded")
		}
		if got := igReadFile(t, path); got != "fedcba9876543210\n" {
			t.Errorf("file after a failed AppendIgnore = %q, want it untouched", got)
		}
	})
}

func FuzzAppendIgnore(f *testing.F) {
	f.Add("fedcba9876543210 old\n", "0123456789abcdef", "aws config.ini:2")
	f.Add("", "0123456789ABCDEF", "a\nb\r\nc")
	f.Add("no newline", "0123456789abcdef"+strings.Repeat("1", 48), "")
	f.Fuzz(func(t *testing.T, existing, fp, comment string) {
		dir := t.TempDir()
		path := filepath.Join(dir, scanner.IgnoreFile)
		if existing != "" {
			igWriteFile(t, path, existing, 0o644)
		}
		added, err := AppendIgnore(t.Context(), dir, IgnoreEntry{Fingerprint: fp, Comment: comment})
		if err != nil {
			if !errors.Is(err, ErrNotFingerprint) {
				t.Fatalf("AppendIgnore: %v", err)
			}
			return
		}
		got := igReadFile(t, path)
		if !strings.HasPrefix(got, existing) && existing != "" {
			t.Fatalf("AppendIgnore changed the existing lines")
		}
		if added && !strings.HasSuffix(got, "\n") {
			t.Fatalf("AppendIgnore left no final newline")
		}
		var ig scanner.Ignores
		_ = ig.AddSessionizeIgnore(path, []byte(got))
		if !ig.Ignored(strings.ToLower(strings.TrimSpace(fp)), scanner.Occurrence{}) {
			t.Fatalf("the file does not ignore the entry after AppendIgnore")
		}
	})
}

func igPtr(s string) *string { return &s }

func igWriteFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func igReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func igDirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
