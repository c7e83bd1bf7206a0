package audit

import (
	"fmt"
	"io"
	"strings"
)

// Formats lists the org report formats, for help text: "sarif" writes a
// directory (see [WriteSARIFDir]), the others one stream.
func Formats() []string { return []string{"json", "sarif", "markdown", "html"} }

// CheckFormat returns an error naming the valid formats unless format is
// one of them.
func CheckFormat(format string) error {
	for _, f := range Formats() {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
}

// Write writes the report in a stream format: json, markdown or html.
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "json":
		return WriteJSON(w, r)
	case "markdown":
		return WriteMarkdown(w, r)
	case "html":
		return WriteHTML(w, r)
	case "sarif":
		return fmt.Errorf("format sarif writes one file per repository: give a directory")
	}
	return CheckFormat(format)
}
