package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sessionize/sessionize/scanner"
)

// ScanFunc runs the scan the UI shows. It calls progress with snapshots of
// the scan's counters (from any goroutine, never concurrently, without
// blocking for long) and returns the finished report, with ignores and
// scoring already applied. It must return promptly once ctx is cancelled.
type ScanFunc func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error)

// Ignorer records that a credential is to be ignored from now on, in the
// .sessionizeignore file of the scanned repository (remediate.AppendIgnore
// writes it). It returns a one-line summary for the status
// line.
type Ignorer interface {
	Ignore(ctx context.Context, c scanner.Credential) (summary string, err error)
}

// Fixer previews and applies the session-scoped rewrite of a credential's
// occurrences (SPEC §6). The UI asks a Fixer only about credentials whose
// Fixer field names one.
type Fixer interface {
	// Preview returns the unified diff the fix would make, changing nothing.
	Preview(ctx context.Context, c scanner.Credential) (diff string, err error)
	// Apply makes the change (atomically) and returns a one-line summary.
	Apply(ctx context.Context, c scanner.Credential) (summary string, err error)
}

// PROpener opens, or updates, the pull request that fixes a credential
// (SPEC §7) and returns its URL.
type PROpener interface {
	OpenPR(ctx context.Context, c scanner.Credential) (url string, err error)
}

// Config configures [Run]. Scan is required; a nil action means that action
// is unavailable, and the UI says so when it is asked for.
type Config struct {
	// Scan runs the scan.
	Scan ScanFunc
	// Target names what is scanned, in the title ("." or a URL).
	Target string
	// Root is the directory occurrence paths are relative to; the editor
	// opens files under it.
	Root string

	Ignorer  Ignorer
	Fixer    Fixer
	PROpener PROpener

	// Editor is the editor's command line ($VISUAL or $EDITOR, such as
	// "vim" or "code --wait"); empty means no editor.
	Editor string
	// EditorCommand builds the command that opens path (absolute) at line;
	// nil means the default, which knows the line syntax of common editors.
	EditorCommand func(editor, path string, line int) *exec.Cmd

	// Input and Output are the terminal; nil means the process's standard
	// input and output.
	Input  io.Reader
	Output io.Writer
	// NoColor renders without colours or text attributes (NO_COLOR,
	// --no-color).
	NoColor bool
}

// ErrNoScan is returned by [Run] when Config.Scan is nil.
var ErrNoScan = errors.New("tui: no scan function configured")

// Run starts the program on the terminal, runs the scan and lets the user
// browse its report until they quit. It returns the scan's error when the
// scan failed (after the user has seen it), ctx's error when ctx was
// cancelled, and nil when the user quit. Every command the program started
// has returned when Run returns.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Scan == nil {
		return ErrNoScan
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var opts []tea.ProgramOption
	// Signals are the caller's: it cancels ctx (STYLE §3), which stops the
	// program. In raw mode, ctrl+c is a key.
	opts = append(opts, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithoutSignalHandler())
	r := lipgloss.DefaultRenderer()
	if cfg.Output != nil {
		opts = append(opts, tea.WithOutput(cfg.Output))
		r = lipgloss.NewRenderer(cfg.Output)
	}
	if cfg.Input != nil {
		opts = append(opts, tea.WithInput(cfg.Input))
	}
	if cfg.NoColor {
		// A renderer of our own: the default one is shared.
		r = lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.Ascii)
	}
	tr := &tracker{}
	m := newModel(cfg, newStyles(r), tr.runner(ctx))
	final, err := tea.NewProgram(m, opts...).Run()
	cancel()
	tr.close()
	if err != nil {
		if perr := parent.Err(); perr != nil {
			return perr
		}
		return fmt.Errorf("run terminal ui: %w", err)
	}
	if fm, ok := final.(*model); ok && fm.state == stateScanFailed {
		return fm.scanErr
	}
	return nil
}

// runner turns work that needs the context of [Run] into a tea.Cmd, so that
// the model never holds a context (STYLE §5), only this function.
type runner func(work func(context.Context) tea.Msg) tea.Cmd

// newRunner runs work with ctx, untracked (tests).
func newRunner(ctx context.Context) runner {
	return func(work func(context.Context) tea.Msg) tea.Cmd {
		return func() tea.Msg { return work(ctx) }
	}
}

// tracker owns the goroutines that run the model's commands, so that Run
// returns only after each has: once closed, it starts no more work and
// waits for the work under way.
type tracker struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (t *tracker) runner(ctx context.Context) runner {
	return func(work func(context.Context) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			t.mu.Lock()
			if t.closed {
				t.mu.Unlock()
				return nil
			}
			t.wg.Add(1)
			t.mu.Unlock()
			defer t.wg.Done()
			return work(ctx)
		}
	}
}

func (t *tracker) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}
