package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/internal/atomicfile"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/report"
	"github.com/sessionize/sessionize/scanner/score"
)

type scanOptions struct {
	target         string
	noHistory      bool
	historyOnly    bool
	staged         bool
	since          string
	format         string
	output         string
	baseline       string
	failOn         string
	showSecrets    bool
	verify         bool
	maxFileSize    string
	includeIgnored bool
	workers        int
	// Hidden, for benchmarks: which engine and git backend to use, and
	// whether to match only lines new to the history.
	engine      string
	regexp      string
	gitBackend  string
	noLineDedup bool
}

// newScanCmd builds `sessionize scan`. runFn replaces the work in flag tests.
func newScanCmd(a *app, runFn func(context.Context, *scanOptions) error) *cobra.Command {
	o := &scanOptions{}
	if runFn == nil {
		runFn = a.runScan
	}
	cmd := &cobra.Command{
		Use:   "scan [PATH|URL]",
		Short: "Scan a directory, a git repository (working tree and full history) or a remote URL",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.target = "."
			if len(args) == 1 {
				o.target = args[0]
			}
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			return runFn(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.noHistory, "no-history", false, "scan only the working tree")
	f.BoolVar(&o.historyOnly, "history-only", false, "scan only the git history")
	f.BoolVar(&o.staged, "staged", false, "scan only what the index adds against HEAD (for hooks; GIT_INDEX_FILE is honoured)")
	f.StringVar(&o.since, "since", "", "scan only history after this revision (REV..all refs)")
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&o.baseline, "baseline", "", "report only what is not in this earlier JSON report")
	f.StringVar(&o.failOn, "fail-on", "low", "exit 1 when a credential is at or above this severity (critical, high, medium, low, info, none)")
	f.BoolVar(&o.showSecrets, "show-secrets", false, "print secret values in full (never in PR bodies or logs)")
	f.BoolVar(&o.verify, "verify", false, "check credentials against provider APIs (planned)")
	f.StringVar(&o.maxFileSize, "max-file-size", "10MiB", "skip files and blobs larger than this (bytes, or with KiB, MiB, GiB, KB, MB, GB; 0 for no limit)")
	f.BoolVar(&o.includeIgnored, "include-ignored", false, "also scan files git ignores")
	f.IntVar(&o.workers, "workers", 0, "detection workers (default: one per CPU)")
	f.StringVar(&o.engine, "engine", "sessionize", "matching engine: sessionize or gitleaks (benchmarks)")
	f.StringVar(&o.regexp, "regexp", "re2", "regular-expression engine of the sessionize matcher: re2 or go (benchmarks)")
	f.StringVar(&o.gitBackend, "git-backend", "auto", "history reads: auto (the git binary when installed), git or go-git (benchmarks)")
	f.BoolVar(&o.noLineDedup, "no-line-dedup", false, "match every line of each new blob, not only lines new to the history (benchmarks)")
	for _, hidden := range []string{"engine", "regexp", "git-backend", "no-line-dedup"} {
		_ = f.MarkHidden(hidden)
	}
	return cmd
}

func (o *scanOptions) validate() error {
	if o.noHistory && o.historyOnly {
		return errors.New("--no-history and --history-only exclude each other")
	}
	if o.staged && (o.historyOnly || o.since != "") {
		return errors.New("--staged scans the index only: it excludes --history-only and --since")
	}
	if _, err := report.Lookup(o.format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if _, err := parseFailOn(o.failOn); err != nil {
		return err
	}
	if _, err := parseSize(o.maxFileSize); err != nil {
		return fmt.Errorf("--max-file-size: %w", err)
	}
	if o.verify {
		return errors.New("--verify is planned and not available yet")
	}
	if o.engine != "sessionize" && o.engine != "gitleaks" {
		return fmt.Errorf("--engine %q: want sessionize or gitleaks", o.engine)
	}
	if o.regexp != "re2" && o.regexp != "go" {
		return fmt.Errorf("--regexp %q: want re2 or go", o.regexp)
	}
	switch o.gitBackend {
	case "auto", "git", "go-git":
	default:
		return fmt.Errorf("--git-backend %q: want auto, git or go-git", o.gitBackend)
	}
	if o.workers < 0 {
		return fmt.Errorf("--workers %d: want a positive number", o.workers)
	}
	return nil
}

// parseFailOn parses --fail-on; "none" never fails (returns "").
func parseFailOn(s string) (scanner.Severity, error) {
	if s == "none" {
		return "", nil
	}
	sev, ok := scanner.ParseSeverity(s)
	if !ok {
		return "", fmt.Errorf("--fail-on %q: want critical, high, medium, low, info or none", s)
	}
	return sev, nil
}

// parseSize parses a byte size with an optional unit.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return int64(n * float64(mult)), nil
}

func (a *app) runScan(ctx context.Context, o *scanOptions) error {
	root := o.target
	if isRemote(root) {
		dir, cleanup, err := a.cloneRemote(ctx, root)
		if err != nil {
			return err
		}
		defer cleanup()
		root = dir
	}
	kind := largeScan
	switch {
	case o.engine == "gitleaks":
		kind = gitleaksEngine
	case o.staged || o.regexp == "go":
		kind = smallScan
	}
	cfgRoot := root
	if o.staged {
		cfgRoot = repositoryTop(root)
	}
	det, err := a.newDetector(cfgRoot, kind)
	if err != nil {
		return err
	}
	size, _ := parseSize(o.maxFileSize)
	if size == 0 {
		size = -1
	}
	sopts := scanner.Options{
		Root: root, NoHistory: o.noHistory, HistoryOnly: o.historyOnly, Since: o.since,
		IncludeIgnored: o.includeIgnored, MaxFileSize: size, Detector: det,
		FileDetectors: fileDetectors(det), Logger: a.logger, ToolVersion: readBuildInfo().Version,
		Workers: o.workers, NoGitBinary: o.gitBackend == "go-git", NoLineDedup: o.noLineDedup,
	}
	if a.errTTY && !a.quiet {
		bar := newProgressBar(a.err, a.color(true))
		sopts.Progress = bar.update
		defer bar.finish()
	}
	var r *scanner.Report
	if o.staged {
		if sopts.IndexFile, err = a.indexFile(); err != nil {
			return err
		}
		r, err = scanner.ScanStaged(ctx, sopts)
	} else {
		r, err = scanner.Scan(ctx, sopts)
	}
	if err != nil {
		return err
	}
	if o.staged {
		// The whole index was scanned, with paths relative to the top-level:
		// ignore files and the policy are read there, as protect does.
		root = r.Target.Path
	}
	if isRemote(o.target) {
		r.Target.Path = o.target
	}
	return a.finishReport(ctx, r, root, o)
}

// repositoryTop returns the top-level of the work tree holding dir, where a
// staged scan (of the whole index, whatever the directory given) reads its
// configuration, as protect does; dir itself outside a repository, where
// the scan reports the error.
func repositoryTop(dir string) string {
	l, err := scanner.LocateRepository(dir)
	if err != nil {
		return dir
	}
	return l.Top
}

// prepareReport turns a raw scan into what users see: problems logged,
// ignore files and the baseline (when given) applied, credentials scored
// with the policy of the scanned root.
func (a *app) prepareReport(r *scanner.Report, root, baseline string) error {
	for _, p := range r.Problems {
		a.logger.Warn("skipped part of a file", "path", p.Path, "problem", p.Msg)
	}
	ig, err := scanner.LoadIgnores(ignoreRoot(root))
	if err != nil {
		return err
	}
	ig.Apply(r)
	if baseline != "" {
		data, err := os.ReadFile(baseline)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		b, err := scanner.ParseBaseline(baseline, data)
		if err != nil {
			return err
		}
		b.Apply(r)
	}
	policy, err := a.loadPolicy(root)
	if err != nil {
		return err
	}
	return score.Apply(r, score.Options{Now: a.now, Policy: policy, Ignored: ignoredPaths(r)})
}

// finishReport prepares the report, writes it and decides the exit code.
func (a *app) finishReport(_ context.Context, r *scanner.Report, root string, o *scanOptions) error {
	if err := a.prepareReport(r, root, o.baseline); err != nil {
		return err
	}
	w, _ := report.Lookup(o.format)
	var buf bytes.Buffer
	ropts := report.Options{ShowSecrets: o.showSecrets, Color: o.output == "" && o.format == "table" && a.color(a.outTTY)}
	if err := w(&buf, r, ropts); err != nil {
		return err
	}
	if err := a.writeOutput(o.output, buf.Bytes()); err != nil {
		return err
	}
	failOn, _ := parseFailOn(o.failOn)
	if max, ok := r.MaxSeverity(); ok && failOn != "" && max.Rank() >= failOn.Rank() {
		return findingsError{}
	}
	return nil
}

// ignoredPaths reports the paths of working-tree files git ignores, which
// scoring treats as a developer's local files.
func ignoredPaths(r *scanner.Report) func(string) bool {
	ignored := map[string]bool{}
	for _, c := range r.Credentials {
		for _, o := range c.Occurrences {
			if o.Ignored {
				ignored[o.Path] = true
			}
		}
	}
	return func(p string) bool { return ignored[p] }
}

// ignoreRoot is where ignore files are read: the target directory.
func ignoreRoot(root string) string {
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return filepath.Dir(root)
	}
	return root
}

// writeOutput writes data to stdout, or atomically to path.
func (a *app) writeOutput(path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := a.out.Write(data)
		return err
	}
	// Owner-only: a report says where the credentials are.
	return atomicfile.WriteFile(path, data, 0o600)
}
