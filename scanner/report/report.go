// Package report writes a scanner.Report in the formats of SPEC §2: table,
// json, sarif, csv, markdown and html. Each writer depends only on the
// Report; none prints a raw secret unless Options.ShowSecrets is set.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sessionize/sessionize/scanner"
)

// Options configures the writers.
type Options struct {
	// ShowSecrets includes raw secret values (--show-secrets).
	ShowSecrets bool
	// Color allows ANSI colours (table only).
	Color bool
}

// Writer writes a report in one format.
type Writer func(w io.Writer, r *scanner.Report, opts Options) error

// writers maps format names to writers: static data, never modified.
var writers = map[string]Writer{
	"table":    WriteTable,
	"json":     WriteJSON,
	"sarif":    WriteSARIF,
	"csv":      WriteCSV,
	"markdown": WriteMarkdown,
	"html":     WriteHTML,
}

// Lookup returns the writer for a format name.
func Lookup(format string) (Writer, error) {
	w, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	return w, nil
}

// value returns what a writer shows for a credential's secret: the raw
// value with ShowSecrets (when the report still holds it), else the
// redacted form (for a CI reference, the reference in full).
func value(c *scanner.Credential, opts Options) string {
	if opts.ShowSecrets && !c.Secret.IsZero() {
		return c.Secret.Reveal()
	}
	return c.RedactedSecret()
}

// severityLabel is the severity for display, "-" when unscored.
func severityLabel(s scanner.Severity) string {
	if s == "" {
		return "-"
	}
	return string(s)
}

// Formats lists the format names, for help text.
func Formats() []string {
	out := make([]string, 0, len(writers))
	for n := range writers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
