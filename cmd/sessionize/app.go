package main

import (
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"
)

// app carries the dependencies of every command, built once in run; tests
// build their own with buffers.
type app struct {
	in       io.Reader
	out, err io.Writer
	getenv   func(string) string
	now      func() time.Time
	// outTTY and errTTY tell whether stdout and stderr are terminals.
	outTTY, errTTY bool
	// global flags
	configFile string
	noColor    bool
	quiet      bool
	verbose    bool
	logger     *slog.Logger
}

func newApp(in io.Reader, out, errw io.Writer, getenv func(string) string) *app {
	a := &app{in: in, out: out, err: errw, getenv: getenv, now: time.Now}
	a.outTTY = isTerminal(out)
	a.errTTY = isTerminal(errw)
	a.logger = slog.New(slog.DiscardHandler)
	return a
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// color reports whether output to a terminal may use colours: not with
// --no-color or NO_COLOR set (to anything non-empty).
func (a *app) color(tty bool) bool {
	return tty && !a.noColor && a.getenv("NO_COLOR") == ""
}

// setupLogging builds the logger after flags are parsed: warnings by
// default, errors only with -q, debug with -v; never to a TUI.
func (a *app) setupLogging() {
	a.logger = slog.New(slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: a.logLevel(), ReplaceAttr: dropTime}))
}

// logLevel is the level -q and -v select: warnings by default.
func (a *app) logLevel() slog.Level {
	switch {
	case a.quiet:
		return slog.LevelError
	case a.verbose:
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

func dropTime(_ []string, at slog.Attr) slog.Attr {
	if at.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return at
}
