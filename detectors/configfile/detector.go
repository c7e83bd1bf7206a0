package configfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// MaxSize is the largest file the detectors parse. Configuration files are
// small; a larger file of a matching name is reported as an error rather
// than parsed, which keeps the work per file bounded.
const MaxSize = 16 << 20

// ErrTooLarge is wrapped by the error for a file larger than [MaxSize].
var ErrTooLarge = errors.New("file too large to parse as configuration")

// ErrBinary is wrapped by the error for a file that holds NUL bytes (binary
// content, or text in UTF-16) where text is expected.
var ErrBinary = errors.New("binary content where text is expected")

// ParseError is a file that could not be parsed: its path, the 1-based
// position of the problem when known (0 otherwise) and what is wrong. It
// never carries a secret.
type ParseError struct {
	Path         string
	Line, Column int
	Msg          string
	// Err is the underlying cause, if any ([ErrTooLarge], [ErrBinary]).
	Err error
}

// Error implements error: "path:line:col: what is wrong".
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Unwrap returns the underlying cause.
func (e *ParseError) Unwrap() error { return e.Err }

// detector is one configuration-file detector: a path matcher and a scan
// function over a parsed [file]. It is immutable, so it may be shared by
// concurrent scans.
type detector struct {
	name  string
	match func(path string) bool
	scan  func(ctx context.Context, f *file) error
	// binaryOK lets scan see content with NUL bytes (it checks for itself
	// whether the file is one of its kind before complaining).
	binaryOK bool
	kb       *rules.KB
}

var _ detectors.FileDetector = (*detector)(nil)

// Name implements detectors.FileDetector.
func (d *detector) Name() string { return d.name }

// Match implements detectors.FileDetector.
func (d *detector) Match(path string) bool { return d.match(path) }

// Detect implements detectors.FileDetector. Findings are sorted by position.
// A file that does not parse yields a *ParseError, with the findings made
// before the problem.
func (d *detector) Detect(ctx context.Context, path string, content []byte) (out []detectors.Finding, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(content) > MaxSize {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("%d bytes, more than the %d parsed", len(content), MaxSize), Err: ErrTooLarge}
	}
	if !d.binaryOK && bytes.IndexByte(content, 0) >= 0 {
		return nil, binaryError(path, content)
	}
	f := newFile(path, content, d.kb)
	defer func() {
		// A parser bug must not take the whole scan down: report it against
		// the file, without the content (it may hold secrets).
		if r := recover(); r != nil {
			out = f.sorted()
			err = &ParseError{Path: path, Msg: fmt.Sprintf("internal error in the %s parser: %T", d.name, r)}
		}
	}()
	err = d.scan(ctx, f)
	out = f.sorted()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			err = &ParseError{Path: path, Msg: err.Error()}
		}
	}
	return out, err
}

func binaryError(path string, content []byte) error {
	msg := "binary content (NUL bytes), not a text configuration file"
	if bytes.HasPrefix(content, []byte{0xff, 0xfe}) || bytes.HasPrefix(content, []byte{0xfe, 0xff}) {
		msg = "UTF-16 text; only UTF-8 configuration files are parsed"
	}
	return &ParseError{Path: path, Msg: msg, Err: ErrBinary}
}
