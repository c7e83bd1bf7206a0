package remediate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessionize/sessionize/internal/atomicfile"
	"github.com/sessionize/sessionize/scanner"
)

// IgnoreEntry is one line of a .sessionizeignore file (see
// [scanner.IgnoreFile]): a credential fingerprint and a comment saying what
// it is.
type IgnoreEntry struct {
	// Fingerprint is the credential's fingerprint: the 16 hex digits reports
	// show, or the full 64.
	Fingerprint string
	// Comment is written after the fingerprint, on the same line, so that a
	// reader knows what was ignored ("aws-access-key config.ini:2"). Line
	// breaks become spaces. It must never hold the secret: callers build it
	// from the type and the place.
	Comment string
}

// ErrNotFingerprint is returned by [AppendIgnore] for an entry whose
// fingerprint is not 16 or 64 hex digits.
var ErrNotFingerprint = errors.New("not a fingerprint (16 or 64 hex digits)")

// ignoreHeader starts a .sessionizeignore file that AppendIgnore creates.
const ignoreHeader = "# sessionize ignore file: one credential fingerprint per line, then an\n" +
	"# optional comment. Each entry ignores that credential everywhere.\n"

// AppendIgnore adds e to the .sessionizeignore file in dir, creating the file
// when it does not exist, and reports whether it added a line: an entry for
// the same credential already there is left as it is. The other lines are
// kept byte for byte, including ones that are not valid entries. The file is
// rewritten atomically (a temporary file in the same directory, synced, then
// renamed over it, keeping its mode), so a failure leaves it untouched; when
// it is a symbolic link, its target is rewritten. Concurrent calls for the
// same directory must be serialised by the caller.
func AppendIgnore(ctx context.Context, dir string, e IgnoreEntry) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	fp := strings.ToLower(strings.TrimSpace(e.Fingerprint))
	if !validIgnoreFingerprint(fp) {
		return false, fmt.Errorf("ignore %q: %w", e.Fingerprint, ErrNotFingerprint)
	}
	path := filepath.Join(dir, scanner.IgnoreFile)
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	data, mode, err := readIgnoreFile(path)
	if err != nil {
		return false, err
	}
	if ignoresFingerprint(path, data, fp) {
		return false, nil
	}
	if err := atomicfile.WriteFile(path, appendIgnoreEntry(data, fp, e.Comment), mode); err != nil {
		return false, err
	}
	return true, nil
}

// readIgnoreFile returns the file's content and mode; a missing file is
// empty, with the mode a new file gets.
func readIgnoreFile(path string) ([]byte, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0o644, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("read %q: not a regular file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read %q: %w", path, err)
	}
	return data, fi.Mode().Perm(), nil
}

// ignoresFingerprint reports whether data already ignores fp. The scanner's
// own parser decides, so both agree on the format.
func ignoresFingerprint(name string, data []byte, fp string) bool {
	var ig scanner.Ignores
	// Lines that are not entries are reported when a scan loads the file;
	// here they only must not stop a new entry from being added.
	_ = ig.AddSessionizeIgnore(name, data)
	return ig.Ignored(fp, scanner.Occurrence{})
}

// appendIgnoreEntry returns data with the entry's line added.
func appendIgnoreEntry(data []byte, fp, comment string) []byte {
	var b bytes.Buffer
	if len(data) == 0 {
		b.WriteString(ignoreHeader)
	} else {
		b.Write(data)
		if data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	b.WriteString(fp)
	if c := ignoreComment(comment); c != "" {
		b.WriteString("  # ")
		b.WriteString(c)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// ignoreComment joins the lines of s with spaces and trims it.
func ignoreComment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func validIgnoreFingerprint(fp string) bool {
	if len(fp) != 16 && len(fp) != 64 {
		return false
	}
	for _, c := range fp {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
