package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/detectors"
)

// ErrNoDetector is returned by [Scan] when Options.Detector is nil.
var ErrNoDetector = errors.New("scanner: no detector configured")

// Scan scans opts.Root and returns the report, with credentials grouped and
// sorted but not scored (see scanner/score). Files that cannot be read or
// parsed are listed in Report.Problems; the scan carries on without them.
// A repository that cannot be read at all, or a cancelled context, is an
// error.
func Scan(ctx context.Context, opts Options) (*Report, error) {
	if opts.Detector == nil {
		return nil, ErrNoDetector
	}
	if err := opts.Detector.Compile(); err != nil {
		return nil, err
	}
	start := opts.now()
	s := &scan{opts: &opts, c: &counters{}, eng: newEngine(opts.Detector)}
	s.rep = &reporter{fn: opts.Progress, c: s.c, start: start, interval: opts.ProgressInterval, now: opts.now}
	if s.rep.interval == 0 {
		s.rep.interval = 100 * time.Millisecond
	}
	g, err := openRepo(opts.Root)
	if err != nil {
		return nil, err
	}
	s.g = g
	defer g.close()
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	r := s.report(start)
	s.rep.tick(PhaseDone, true)
	return r, nil
}

type scan struct {
	opts *Options
	c    *counters
	eng  *engine
	rep  *reporter
	g    *gitRepo

	hist     *historyScan
	wt       []Occurrence
	problems []Problem
}

func (s *scan) run(ctx context.Context) error {
	isGit := s.g != nil
	if isGit && !s.opts.NoHistory {
		s.hist = newHistoryScan(s.g, s.opts, s.c, s.eng)
		if err := s.hist.run(ctx, s.rep); err != nil {
			return err
		}
		s.problems = append(s.problems, s.hist.problems...)
	}
	if s.opts.HistoryOnly && isGit {
		return nil
	}
	if isGit && s.g.top == "" {
		return nil // bare repository: no working tree
	}
	s.rep.tick(PhaseListing, true)
	files, err := listFiles(ctx, s.opts.Root, s.g, s.opts.IncludeIgnored)
	if err != nil {
		return err
	}
	s.c.filesTotal.Store(int64(len(files)))
	return s.worktree(ctx, files)
}

// fileResult is what scanning one working-tree file produced.
type fileResult struct {
	path     string
	ignored  bool
	findings []detectors.Finding
	problem  string
}

// worktree scans files with bounded concurrency. After a history scan, only
// the lines the history did not hold are matched; the others are looked up.
func (s *scan) worktree(ctx context.Context, files []fileEntry) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.workers())
	results := make(chan fileResult, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range results {
			if r.problem != "" {
				s.problems = append(s.problems, Problem{Path: r.path, Msg: r.problem})
			}
			for _, f := range r.findings {
				o := s.occurrenceOf(f)
				o.Ignored = r.ignored
				s.wt = append(s.wt, o)
			}
			s.c.findings.Add(int64(len(r.findings)))
			s.rep.tick(PhaseWorktree, false)
		}
	}()
	for _, fe := range files {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r := s.scanFile(gctx, fe)
			s.c.files.Add(1)
			select {
			case results <- r:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}
	err := g.Wait()
	close(results)
	<-done
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.rep.tick(PhaseWorktree, true)
	return nil
}

// scanFile reads and scans one file.
func (s *scan) scanFile(ctx context.Context, fe fileEntry) fileResult {
	res := fileResult{path: fe.path, ignored: fe.ignored}
	if s.opts.Detector.PathAllowed(fe.path) {
		return res // the allowlists exclude it for every detector
	}
	content, skip, err := readFile(fe.abs, s.opts.maxFileSize())
	if err != nil {
		s.c.unreadable.Add(1)
		res.problem = err.Error()
		return res
	}
	if skip != scanIt {
		s.c.skip(skip)
		return res
	}
	s.c.bytes.Add(int64(len(content)))
	fs, problem := s.detectFile(ctx, fe.path, content, true)
	res.findings, res.problem = fs, problem
	return res
}

// detectFile runs the content rules and the file detectors on one file's
// content. withCI keeps CI references (working tree and index, not
// history).
func (s *scan) detectFile(ctx context.Context, path string, content []byte, withCI bool) ([]detectors.Finding, string) {
	var out []detectors.Finding
	var problems []string
	if !s.opts.Detector.PathAllowed(path) {
		fs, err := s.detectContent(ctx, path, content)
		if err != nil {
			problems = append(problems, err.Error())
		}
		out = append(out, fs...)
	}
	fs, probs := fileDetections(ctx, s.opts.FileDetectors, path, content, withCI)
	if len(probs) > 0 {
		s.c.invalid.Add(1)
		problems = append(problems, probs...)
	}
	out = reconcile(content, append(out, fs...))
	return out, strings.Join(problems, "; ")
}

// detectContent matches the content rules: the whole file, or after a
// history scan only its lines the history did not hold.
func (s *scan) detectContent(ctx context.Context, path string, content []byte) ([]detectors.Finding, error) {
	if s.hist == nil {
		return s.eng.detectWhole(ctx, path, "", content)
	}
	l := splitLines(content)
	isNew := make([]bool, len(l.hashes))
	var out []detectors.Finding
	for i, h := range l.hashes {
		isNew[i] = !s.hist.lines.Has(h)
		if !isNew[i] {
			out = append(out, s.hist.mem.lookup(&l, i, path)...)
		}
	}
	fs, err := s.eng.detectNew(ctx, path, "", &l, isNew)
	return append(out, fs...), err
}

// readFile reads a file unless it is too large, binary or an LFS pointer.
func readFile(p string, maxSize int64) ([]byte, skipReason, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, scanIt, fmt.Errorf("open %q: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, scanIt, fmt.Errorf("stat %q: %w", p, err)
	}
	if maxSize > 0 && fi.Size() > maxSize {
		return nil, skipTooBig, nil
	}
	head := make([]byte, sniffLength)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, scanIt, fmt.Errorf("read %q: %w", p, err)
	}
	head = head[:n]
	if r := classifyContent(head, fi.Size(), maxSize); r != scanIt {
		return nil, r, nil
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + 1)
	buf.Write(head)
	// The file may have grown since Stat: never read past the limit.
	limit := maxSize
	if limit <= 0 {
		limit = 1 << 40
	}
	if _, err := io.Copy(&buf, io.LimitReader(f, limit-int64(n)+1)); err != nil {
		return nil, scanIt, fmt.Errorf("read %q: %w", p, err)
	}
	if maxSize > 0 && int64(buf.Len()) > maxSize {
		return nil, skipTooBig, nil
	}
	return buf.Bytes(), scanIt, nil
}

func (s *scan) occurrenceOf(f detectors.Finding) Occurrence {
	where := WhereWorktree
	if f.Kind == detectors.KindCIReference {
		where = WhereCIReference
	}
	return Occurrence{Path: f.Path, Line: f.Line, Column: f.Column, EndLine: max(f.EndLine, f.Line), Where: where, Finding: f}
}

// targetPath is how the report names the target: the path as given.
func (s *scan) targetPath() string {
	return filepath.ToSlash(filepath.Clean(s.opts.Root))
}
