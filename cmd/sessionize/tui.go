package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/tui"
)

type tuiOptions struct {
	target         string
	noHistory      bool
	includeIgnored bool
	maxFileSize    string
}

// errNoTerminal is returned by `sessionize tui` when stdin or stdout is not
// a terminal.
var errNoTerminal = errors.New("sessionize tui needs a terminal on stdin and stdout; use `sessionize scan` for output to a file or a pipe")

// newTUICmd builds `sessionize tui [PATH]`.
func newTUICmd(a *app) *cobra.Command { return newTUICmdWith(a, nil) }

// newTUICmdWith builds `sessionize tui`; runFn replaces the work in flag
// tests.
func newTUICmdWith(a *app, runFn func(context.Context, *tuiOptions) error) *cobra.Command {
	o := &tuiOptions{}
	if runFn == nil {
		runFn = a.runTUI
	}
	cmd := &cobra.Command{
		Use:   "tui [PATH|URL]",
		Short: "Browse a scan interactively",
		Long: `Scan like "sessionize scan" (working tree and full history), then browse the
credentials in the terminal: filter, inspect occurrences and score reasons,
reveal a value on request, ignore a credential, preview and apply fixes.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.target = "."
			if len(args) == 1 {
				o.target = args[0]
			}
			if _, err := parseSize(o.maxFileSize); err != nil {
				return usageError{fmt.Errorf("--max-file-size: %w", err)}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.noHistory, "no-history", false, "scan only the working tree")
	f.BoolVar(&o.includeIgnored, "include-ignored", false, "also scan files git ignores")
	f.StringVar(&o.maxFileSize, "max-file-size", "10MiB", "skip files and blobs larger than this (bytes, or with KiB, MiB, GiB, KB, MB, GB; 0 for no limit)")
	return cmd
}

// interactive reports whether stdin and stdout are terminals.
func (a *app) interactive() bool {
	in, ok := a.in.(*os.File)
	return ok && term.IsTerminal(int(in.Fd())) && a.outTTY
}

func (a *app) runTUI(ctx context.Context, o *tuiOptions) error {
	if !a.interactive() {
		return errNoTerminal
	}
	root, remote := o.target, isRemote(o.target)
	if remote {
		dir, cleanup, err := a.cloneRemote(ctx, root)
		if err != nil {
			return err
		}
		defer cleanup()
		root = dir
	}
	det, err := a.newDetector(root, largeScan)
	if err != nil {
		return err
	}
	// While the UI runs, logs are kept and written once it has quit.
	var logs bytes.Buffer
	saved := a.logger
	a.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: a.logLevel(), ReplaceAttr: dropTime}))
	defer func() {
		a.logger = saved
		_, _ = a.err.Write(logs.Bytes())
	}()
	size, _ := parseSize(o.maxFileSize)
	if size == 0 {
		size = -1
	}
	sopts := scanner.Options{
		Root: root, NoHistory: o.noHistory, IncludeIgnored: o.includeIgnored, MaxFileSize: size,
		Detector: det, FileDetectors: fileDetectors(det), Logger: a.logger, ToolVersion: readBuildInfo().Version,
	}
	cfg := tui.Config{
		Scan: func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
			so := sopts
			so.Progress = progress
			r, err := scanner.Scan(ctx, so)
			if err != nil {
				return nil, err
			}
			if remote {
				r.Target.Path = o.target
			}
			return r, a.prepareReport(r, root, "")
		},
		Target:  o.target,
		Root:    root,
		Input:   a.in,
		Output:  a.out,
		NoColor: !a.color(true),
	}
	if !remote {
		// A clone is removed on exit: ignoring, fixing or editing there is
		// lost.
		cfg.Ignorer = ignoreFile{dir: ignoreRoot(root)}
		cfg.Fixer = planFixer{root: root}
		cfg.Editor = a.editor()
	}
	return tui.Run(ctx, cfg)
}

// editor is the user's editor: $VISUAL, else $EDITOR, else vi (as git does).
func (a *app) editor() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := a.getenv(v); e != "" {
			return e
		}
	}
	return "vi"
}

// ignoreFile adds credentials to the target's .sessionizeignore.
type ignoreFile struct{ dir string }

// Ignore implements tui.Ignorer.
func (f ignoreFile) Ignore(ctx context.Context, c scanner.Credential) (string, error) {
	comment := c.Type
	if len(c.Occurrences) > 0 {
		comment += fmt.Sprintf(" %s:%d", c.Occurrences[0].Path, c.Occurrences[0].Line)
	}
	added, err := remediate.AppendIgnore(ctx, f.dir, remediate.IgnoreEntry{Fingerprint: c.Fingerprint, Comment: comment})
	if err != nil {
		return "", err
	}
	if !added {
		return fmt.Sprintf("%s was already in %s", c.Fingerprint, scanner.IgnoreFile), nil
	}
	return fmt.Sprintf("ignored %s: added to %s", c.Fingerprint, scanner.IgnoreFile), nil
}

// planFixer adapts remediate's planner to tui.Fixer: one credential, with
// its own fixer, in the files it occurs in. Identifiers the tool cannot
// know stay repository-variable placeholders, as `fix` prints them without
// flags.
type planFixer struct{ root string }

// changes plans the rewrites that retire c.
func (f planFixer) changes(ctx context.Context, c scanner.Credential) ([]remediate.Change, error) {
	r := &scanner.Report{Credentials: []scanner.Credential{c}}
	res, err := remediate.Plan(ctx, f.root, r, remediate.Options{Only: []string{c.Fixer}, NoDiscover: true})
	if err != nil {
		return nil, err
	}
	var out []remediate.Change
	for _, ch := range res.Changes {
		if slices.Contains(ch.Fingerprints, c.Fingerprint) {
			out = append(out, ch)
		}
	}
	if len(out) == 0 && len(res.Refusals) > 0 {
		rf := res.Refusals[0]
		return nil, fmt.Errorf("%s leaves %s unchanged: %s", rf.Fixer, rf.Path, rf.Reason)
	}
	return out, nil
}

// Preview implements tui.Fixer.
func (f planFixer) Preview(ctx context.Context, c scanner.Credential) (string, error) {
	chs, err := f.changes(ctx, c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := range chs {
		b.WriteString(chs[i].UnifiedDiff())
	}
	return b.String(), nil
}

// Apply implements tui.Fixer.
func (f planFixer) Apply(ctx context.Context, c scanner.Credential) (string, error) {
	chs, err := f.changes(ctx, c)
	if err != nil {
		return "", err
	}
	if len(chs) == 0 {
		return "", errors.New("nothing to change")
	}
	if err := remediate.Apply(f.root, chs); err != nil {
		return "", err
	}
	paths := make([]string, len(chs))
	for i, ch := range chs {
		paths[i] = ch.Path
	}
	return "rewrote " + strings.Join(paths, ", "), nil
}
