package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sessionize/sessionize/scanner"
)

// csvHeader names the columns of the CSV report; "secret" follows
// "redacted" only with ShowSecrets.
var csvHeader = []string{
	"severity", "score", "fingerprint", "rule", "type", "provider", "lifetime", "expires_at", "redacted",
	"expected", "fixer", "verified", "sprawl", "path", "line", "column", "end_line", "where", "commit",
	"author", "date", "in_head", "reasons",
}

// WriteCSV writes one row per occurrence, after a header row, quoted as RFC
// 4180 requires (fields with commas, quotes or line breaks in double quotes,
// inner quotes doubled; rows end with LF, which every spreadsheet accepts).
// Cells a spreadsheet would run as a formula (starting with =, +, -, @, tab
// or carriage return) are prefixed with a single quote. Reasons are joined
// with " | ".
func WriteCSV(w io.Writer, r *scanner.Report, opts Options) error {
	cw := csv.NewWriter(w)
	header := csvHeader
	if opts.ShowSecrets {
		header = make([]string, 0, len(csvHeader)+1)
		for _, h := range csvHeader {
			header = append(header, h)
			if h == "redacted" {
				header = append(header, "secret")
			}
		}
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	for i := range r.Credentials {
		c := &r.Credentials[i]
		for _, o := range c.Occurrences {
			if err := cw.Write(csvRow(c, o, opts)); err != nil {
				return fmt.Errorf("write csv report: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func csvRow(c *scanner.Credential, o scanner.Occurrence, opts Options) []string {
	row := []string{
		string(c.Severity), strconv.Itoa(c.Score), c.Fingerprint, c.Rule, c.Type, c.Provider, string(c.Lifetime),
		csvTime(c.ExpiresAt), c.RedactedSecret(),
	}
	if opts.ShowSecrets {
		row = append(row, c.Secret.Reveal())
	}
	verified := c.Verified
	if verified == "" {
		verified = "unknown"
	}
	row = append(row,
		c.Expected, c.Fixer, verified, strconv.Itoa(c.Sprawl()), o.Path, strconv.Itoa(o.Line), strconv.Itoa(o.Column),
		strconv.Itoa(o.EndLine), string(o.Where), o.Commit, o.Author, csvTime(o.Date), strconv.FormatBool(o.InHead),
		strings.Join(c.Reasons, " | "),
	)
	for i, cell := range row {
		row[i] = csvSafe(cell)
	}
	return row
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvSafe defuses CSV formula injection (OWASP): a cell that a spreadsheet
// would evaluate gets a leading single quote, which spreadsheets show as
// text. Numbers we write never start with these characters.
func csvSafe(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + cell
	}
	return cell
}
