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

var writers = map[string]Writer{
	"table": WriteTable,
	"json":  WriteJSON,
}

// register adds a format; called from the files defining formats.
func register(name string, w Writer) { writers[name] = w }

// Lookup returns the writer for a format name.
func Lookup(format string) (Writer, error) {
	w, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	return w, nil
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
