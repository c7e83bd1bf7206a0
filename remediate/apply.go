package remediate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sessionize/sessionize/internal/atomicfile"
)

// ErrStale is returned (wrapped) by [Apply] when a file no longer holds
// the content a change was planned from.
var ErrStale = errors.New("file changed since the fix was planned")

// Apply writes the changes under root. Every file is first checked to
// still hold Change.Before (else nothing is written and the error wraps
// [ErrStale]); then each file is replaced atomically: a temporary file in
// the same directory with the original's mode, synced, renamed over it. A
// file whose write fails keeps its original content; the errors of all
// files are returned together.
func Apply(root string, changes []Change) error {
	type target struct {
		abs  string
		mode os.FileMode
		c    *Change
	}
	var targets []target
	for i := range changes {
		c := &changes[i]
		abs, err := safeJoin(root, c.Path)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(abs)
		if err != nil {
			return fmt.Errorf("apply fix to %q: %w", c.Path, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("apply fix to %q: not a regular file", c.Path)
		}
		cur, err := os.ReadFile(abs)
		if err != nil {
			return fmt.Errorf("apply fix to %q: %w", c.Path, err)
		}
		if !bytes.Equal(cur, c.Before) {
			return fmt.Errorf("apply fix to %q: %w", c.Path, ErrStale)
		}
		targets = append(targets, target{abs: abs, mode: fi.Mode().Perm(), c: c})
	}
	var errs []error
	for _, t := range targets {
		if err := atomicfile.WriteFile(t.abs, t.c.After, t.mode); err != nil {
			errs = append(errs, fmt.Errorf("apply fix to %q: %w", t.c.Path, err))
		}
	}
	return errors.Join(errs...)
}

// safeJoin joins a change's slash path to root, refusing paths that leave
// it.
func safeJoin(root, p string) (string, error) {
	clean := path.Clean(p)
	if p == "" || path.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") || filepath.IsAbs(filepath.FromSlash(p)) {
		return "", fmt.Errorf("apply fix: path %q is outside the repository", p)
	}
	return filepath.Join(root, filepath.FromSlash(clean)), nil
}
