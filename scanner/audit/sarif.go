package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessionize/sessionize/internal/atomicfile"
	"github.com/sessionize/sessionize/scanner/report"
)

// WriteSARIFDir writes one SARIF file per audited repository into dir:
// dir/<owner>/<name>.sarif, each the repository's report in scanner/report's
// SARIF format (for github/codeql-action/upload-sarif, one upload per
// repository). Failed repositories get no file. Files are written
// atomically; dir is created if needed.
func WriteSARIFDir(dir string, r *Report) error {
	w, err := report.Lookup("sarif")
	if err != nil {
		return fmt.Errorf("write sarif reports: this build has no sarif writer: %w", err)
	}
	return writeSARIFDir(dir, r, w)
}

func writeSARIFDir(dir string, r *Report, w report.Writer) error {
	var errs []error
	for _, repo := range r.Repositories {
		if repo.Report == nil {
			continue
		}
		owner, name, ok := strings.Cut(repo.FullName, "/")
		if !ok {
			owner, name = "_", repo.FullName
		}
		p := filepath.Join(dir, safeName(owner), safeName(name)+".sarif")
		var buf bytes.Buffer
		if err := w(&buf, repo.Report, report.Options{}); err != nil {
			errs = append(errs, fmt.Errorf("write sarif report of %q: %w", repo.FullName, err))
			continue
		}
		if err := writeFileAtomic(p, buf.Bytes()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, synced and renamed.
func writeFileAtomic(p string, data []byte) error {
	// Report directories get the usual permissions (umask applies).
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil { //nolint:gosec // G301: output the user asked for, like mkdir -p
		return fmt.Errorf("write %q: %w", p, err)
	}
	return atomicfile.WriteFile(p, data, 0o644)
}
