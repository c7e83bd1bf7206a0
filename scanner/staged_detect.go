package scanner

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sessionize/sessionize/detectors"
)

// detect matches the rules compiled for the added content against each file.
func (s *stagedScan) detect(ctx context.Context) error {
	if len(s.files) == 0 {
		return nil
	}
	var added, whole [][]byte
	for _, f := range s.files {
		whole = append(whole, f.lines.content)
		forRuns(f.isNew, func(i, j int) { added = append(added, f.lines.text(i, j)) })
	}
	eng := &engine{det: s.opts.Detector.Restrict(added...)}
	if ml, ok := s.opts.Detector.Restrict(whole...).MultiLine(); ok {
		// Some changed file has a keyword of one of these rules.
		eng.ml = ml
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.workers())
	for _, f := range s.files {
		g.Go(func() error {
			f.results, f.err = s.detectFile(gctx, eng, f)
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, f := range s.files {
		if f.err != nil {
			s.problems = append(s.problems, Problem{Path: f.path, Msg: f.err.Error()})
		}
		for _, fd := range f.results {
			s.occs = append(s.occs, stagedOccurrence(f, fd))
		}
		s.c.findings.Add(int64(len(f.results)))
	}
	s.rep.tick(PhaseStaged, true)
	return nil
}

// forRuns calls fn for each run [i, j) of consecutive new lines.
func forRuns(isNew []bool, fn func(i, j int)) {
	for i := 0; i < len(isNew); {
		if !isNew[i] {
			i++
			continue
		}
		j := i
		for j < len(isNew) && isNew[j] {
			j++
		}
		fn(i, j)
		i = j
	}
}

// detectFile runs the content rules on the added lines of f and the file
// detectors on all of it, keeping what touches an added line.
func (s *stagedScan) detectFile(ctx context.Context, eng *engine, f *stagedFile) ([]detectors.Finding, error) {
	if eng.det.PathAllowed(f.path) {
		return nil, nil // the allowlists exclude it for every detector
	}
	out, err := detectAdded(ctx, eng, f)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, fd := range s.opts.FileDetectors {
		if !fd.Match(f.path) {
			continue
		}
		fs, err := fd.Detect(ctx, f.path, f.lines.content)
		if err != nil {
			s.c.invalid.Add(1)
			errs = append(errs, err)
		}
		for _, x := range fs {
			if x.Path == "" {
				x.Path = f.path
			}
			if x.Line <= 0 || touchesNew(x, f.isNew) {
				out = append(out, x)
			}
		}
	}
	return out, errors.Join(errs...)
}

// detectAdded matches the content rules against each run of added lines of
// f, and the rules that span lines against the whole file, keeping what
// touches an added line. It is [engine.detectNew] without its
// [detectors.Detector.MayMatch] test: on a restricted detector that test
// costs a pass over the content per rule and per file, while Detect looks
// for keywords itself.
func detectAdded(ctx context.Context, eng *engine, f *stagedFile) ([]detectors.Finding, error) {
	var out []detectors.Finding
	var err error
	forRuns(f.isNew, func(i, j int) {
		if err != nil {
			return
		}
		var fs []detectors.Finding
		fs, err = eng.det.Detect(ctx, detectors.Fragment{Path: f.path, Content: string(f.lines.text(i, j)), StartLine: i + 1})
		out = append(out, fs...)
	})
	if err != nil || eng.ml == nil {
		return out, err
	}
	fs, err := eng.ml.Detect(ctx, detectors.Fragment{Path: f.path, Content: string(f.lines.content), StartLine: 1})
	if err != nil {
		return out, err
	}
	for _, x := range fs {
		if touchesNew(x, f.isNew) && !hasFinding(out, x) {
			out = append(out, x)
		}
	}
	return out, nil
}

func stagedOccurrence(f *stagedFile, x detectors.Finding) Occurrence {
	o := Occurrence{Path: f.path, Line: max(x.Line, 1), Column: x.Column, EndLine: max(x.EndLine, x.Line, 1), Where: WhereStaged, Finding: x}
	needle := x.Secret.Reveal()
	if x.Kind == detectors.KindCIReference {
		o.Where = WhereCIReference
		if x.CI != nil {
			needle = x.CI.Name
		}
	}
	o.InHead = f.head != nil && needle != "" && bytes.Contains(f.head, []byte(needle))
	return o
}

// report assembles the occurrences into a report.
func (s *stagedScan) report(start time.Time) *Report {
	r := &Report{
		Version: ReportVersion,
		Tool:    Tool{Name: "sessionize", Version: s.opts.ToolVersion},
		Target: Target{
			Path:         s.targetPath(),
			BlobsScanned: s.c.blobs.Load(),
			BytesScanned: s.c.bytes.Load(),
			DurationMS:   s.opts.now().Sub(start).Milliseconds(),
		},
		Credentials: Group(s.occs, s.repositoryIdentity()),
		Problems:    s.problems,
	}
	r.Summary.Skipped = Skipped{
		Binary: s.c.binary.Load(), TooLarge: s.c.tooLarge.Load(), LFS: s.c.lfs.Load(),
		Unreadable: s.c.unreadable.Load(), Invalid: s.c.invalid.Load(),
	}
	r.Summary.ObjectsMissing = s.c.missing.Load()
	sort.Slice(r.Problems, func(i, j int) bool { return r.Problems[i].Path < r.Problems[j].Path })
	r.Finalize()
	return r
}

// targetPath names the work tree's top-level: opts.Root joined with the way
// up to it, so that it reads like the path given.
func (s *stagedScan) targetPath() string {
	abs, err := filepath.Abs(s.opts.Root)
	if err != nil {
		return filepath.ToSlash(s.g.top)
	}
	rel, err := filepath.Rel(evalSymlinks(abs), evalSymlinks(s.g.top))
	if err != nil {
		return filepath.ToSlash(s.g.top)
	}
	return filepath.ToSlash(filepath.Join(s.opts.Root, rel))
}

// repositoryIdentity names the repository for CI-reference fingerprints.
func (s *stagedScan) repositoryIdentity() string {
	if s.opts.Repository != "" {
		return s.opts.Repository
	}
	if u := s.g.originURL(); u != "" {
		return repositoryIdentity(u)
	}
	return filepath.Base(s.g.top)
}
