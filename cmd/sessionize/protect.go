package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/score"
)

type protectOptions struct {
	staged      bool
	failOn      string
	maxFileSize string
	// dir is where to look for the repository (default: the current
	// directory); the whole index is scanned whatever the subdirectory.
	dir string
}

// newProtectCmd builds `sessionize protect --staged`.
func newProtectCmd(a *app) *cobra.Command { return newProtectCommand(a, nil) }

// newProtectCommand is newProtectCmd with a replaceable run function for
// flag tests.
func newProtectCommand(a *app, runFn func(context.Context, *protectOptions) error) *cobra.Command {
	o := &protectOptions{}
	if runFn == nil {
		runFn = a.runProtect
	}
	cmd := &cobra.Command{
		Use:   "protect --staged [PATH]",
		Short: "Block a commit that adds a credential (pre-commit entry point)",
		Long: `protect --staged scans what the index adds against HEAD (added lines of
modified files, new files; never history) and exits 1 when it holds a
credential at or above --fail-on, printing each one with its file and line,
its redacted value, type and expectation, and how to allow it. It exits 0
otherwise, silently. PATH is any directory of the work tree (default: the
current directory); the whole index is scanned, since a commit takes all of
it, and paths are relative to the top-level. Configuration
(.sessionize.toml, .gitleaks.toml) and ignore files (.sessionizeignore,
.gitleaksignore) are read at the top-level; GIT_INDEX_FILE is honoured (git
sets it for "git commit -a" and "git commit PATH").`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = "."
			if len(args) == 1 {
				o.dir = args[0]
			}
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.staged, "staged", false, "scan what the index adds against HEAD (required: the only mode)")
	f.StringVar(&o.failOn, "fail-on", "low", "block when a credential is at or above this severity (critical, high, medium, low, info, none)")
	f.StringVar(&o.maxFileSize, "max-file-size", "10MiB", "skip staged files larger than this (0 for no limit)")
	return cmd
}

func (o *protectOptions) validate() error {
	if !o.staged {
		return errors.New("protect scans staged changes only: run `sessionize protect --staged` (use `sessionize scan` for the working tree and history)")
	}
	if _, err := parseFailOn(o.failOn); err != nil {
		return err
	}
	if _, err := parseSize(o.maxFileSize); err != nil {
		return fmt.Errorf("--max-file-size: %w", err)
	}
	return nil
}

func (a *app) runProtect(ctx context.Context, o *protectOptions) error {
	r, top, err := a.protectScan(ctx, o)
	if err != nil {
		return err
	}
	keepStaged(r)
	ig, err := scanner.LoadIgnores(top)
	if err != nil {
		return err
	}
	ig.Apply(r)
	if err := score.Apply(r, score.Options{Now: a.now}); err != nil {
		return err
	}
	return a.writeProtect(r, o.failOn)
}

// protectScan scans what the index adds and returns the report and the
// work tree's top-level.
func (a *app) protectScan(ctx context.Context, o *protectOptions) (*scanner.Report, string, error) {
	// Start-up (parsing the rules) allocates much that stays live, and
	// collecting during it is wasted work: about a fifth of the CPU time of
	// a pre-commit scan. The collector is back to its setting for the scan,
	// whose memory follows the size of the change. GOGC, when set, wins.
	gcOn := func() {}
	if a.getenv("GOGC") == "" {
		prev := debug.SetGCPercent(-1)
		gcOn = func() { debug.SetGCPercent(prev) }
		defer gcOn()
	}
	layout, err := scanner.LocateRepository(o.dir)
	if errors.Is(err, scanner.ErrNotRepository) {
		return nil, "", fmt.Errorf("protect --staged: %q is not in a git work tree", o.dir)
	}
	if err != nil {
		return nil, "", err
	}
	det, err := a.newDetector(layout.Top)
	if err != nil {
		return nil, "", err
	}
	gcOn()
	size, _ := parseSize(o.maxFileSize)
	if size == 0 {
		size = -1
	}
	indexFile, err := a.indexFile()
	if err != nil {
		return nil, "", err
	}
	r, err := scanner.ScanStaged(ctx, scanner.Options{
		Root: layout.Top, IndexFile: indexFile, MaxFileSize: size, Detector: det, FileDetectors: fileDetectors(det),
		Logger: a.logger, ToolVersion: readBuildInfo().Version,
	})
	if err != nil {
		return nil, "", err
	}
	for _, p := range r.Problems {
		a.logger.Warn("skipped part of a staged file", "path", p.Path, "problem", p.Msg)
	}
	return r, layout.Top, nil
}

// writeProtect prints what blocks the commit and, unless --quiet, what is
// below --fail-on; it returns findingsError to block.
func (a *app) writeProtect(r *scanner.Report, failOnFlag string) error {
	failOn, _ := parseFailOn(failOnFlag)
	var block, below []scanner.Credential
	for _, c := range r.Credentials {
		if failOn != "" && c.Severity.Rank() >= failOn.Rank() {
			block = append(block, c)
		} else {
			below = append(below, c)
		}
	}
	w := &protectWriter{w: a.out}
	if len(block) > 0 {
		writeBlocked(w, block, failOnFlag)
	}
	if len(below) > 0 && !a.quiet {
		writeBelow(w, below, failOnFlag)
	}
	if w.err != nil {
		return w.err
	}
	if len(block) > 0 {
		return findingsError{}
	}
	return nil
}

// indexFile returns GIT_INDEX_FILE made absolute: git hands hooks of
// "git commit -a" and "git commit PATH" a temporary index there, relative to
// the directory the hook runs in. protect --staged and scan --staged read
// it.
func (a *app) indexFile() (string, error) {
	p := a.getenv("GIT_INDEX_FILE")
	if p == "" {
		return "", nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("GIT_INDEX_FILE %q: %w", p, err)
	}
	return abs, nil
}

// keepStaged keeps the credentials being committed: literal values on
// staged lines. CI references name stored secrets, which are not in the
// commit; `sessionize scan` reports them.
func keepStaged(r *scanner.Report) {
	out := r.Credentials[:0]
	for _, c := range r.Credentials {
		occ := c.Occurrences[:0]
		for _, o := range c.Occurrences {
			if o.Where == scanner.WhereStaged {
				occ = append(occ, o)
			}
		}
		if len(occ) > 0 && !c.Session {
			c.Occurrences = occ
			out = append(out, c)
		}
	}
	r.Credentials = out
	r.Finalize()
}

// writeBlocked explains why the commit is blocked: each credential with
// every place it is staged, and how to allow it.
func writeBlocked(w *protectWriter, creds []scanner.Credential, failOn string) {
	w.printf("sessionize: commit blocked: %s in the staged changes (--fail-on %s)\n\n", countOf(len(creds), "credential"), failOn)
	for i := range creds {
		c := &creds[i]
		for _, o := range c.Occurrences {
			w.printf("%s:%d:%d: %s\n", o.Path, o.Line, o.Column, credentialLabel(c))
		}
		w.printf("    %s %d · rule %s · fingerprint %s\n", c.Severity, c.Score, c.Rule, c.Fingerprint)
		if c.Expected != "" {
			w.printf("    expected: %s\n", c.Expected)
		}
		o := c.Occurrences[0]
		w.printf("    to allow it: add a comment containing %q on line %d of %s,\n", "sessionize:allow", o.Line, o.Path)
		w.printf("    or add this line to %s at the top of the repository:\n", scanner.IgnoreFile)
		w.printf("        %s  # %s %s\n\n", c.Fingerprint, c.Rule, o.Path)
	}
	it, them := "the credential", "it"
	if len(creds) > 1 {
		it, them = "the credentials", "them"
	}
	w.printf("Remove %s from the staged files (and rotate %s if ever shared), or allow %s\n", it, them, them)
	w.printf("as shown. To commit anyway, at your own risk: git commit --no-verify\n")
}

// writeBelow lists credentials below --fail-on: staged, but not blocking.
func writeBelow(w *protectWriter, creds []scanner.Credential, failOn string) {
	why := "below --fail-on " + failOn
	if failOn == "none" {
		why = "--fail-on none"
	}
	w.printf("sessionize: %s in the staged changes, not blocking (%s):\n", countOf(len(creds), "credential"), why)
	for i := range creds {
		c := &creds[i]
		for _, o := range c.Occurrences {
			w.printf("  %s:%d:%d: %s · %s %d · fingerprint %s\n", o.Path, o.Line, o.Column, credentialLabel(c), c.Severity, c.Score, c.Fingerprint)
		}
	}
}

// credentialLabel names a credential: type, redacted value, lifetime.
func credentialLabel(c *scanner.Credential) string {
	kind := c.Type
	if kind == "" {
		kind = c.Rule
	}
	parts := []string{kind, c.RedactedSecret()}
	var meta []string
	if c.Provider != "" {
		meta = append(meta, c.Provider)
	}
	if c.Lifetime != "" {
		meta = append(meta, string(c.Lifetime))
	}
	if len(meta) > 0 {
		parts = append(parts, "("+strings.Join(meta, ", ")+")")
	}
	return strings.Join(parts, " ")
}

func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// protectWriter keeps the first write error, so that printing code stays flat.
type protectWriter struct {
	w   io.Writer
	err error
}

func (w *protectWriter) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format, args...)
	}
}
