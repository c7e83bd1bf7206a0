package scanner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner/internal/gitobj"
)

// ErrNotRepository is returned by [ScanStaged] and [LocateRepository] for a
// directory outside any git work tree.
var ErrNotRepository = errors.New("not in a git repository")

// ScanStaged scans what the index adds against HEAD: the added lines of
// modified files and the content of new files, never history. It is the
// pre-commit scan. The index is opts.IndexFile when set (git hands hooks of
// "git commit -a" and "git commit PATH..." a temporary index in
// GIT_INDEX_FILE; a hook that read .git/index would miss what they commit),
// else the repository's.
//
// opts.Root may be anywhere in the work tree: the repository is found
// upward and the whole index is scanned, since a commit takes all of it.
// Paths are relative to the work tree's top-level, which Report.Target.Path
// names (opts.Root joined with the way up to the top-level).
//
// What counts as added:
//   - A file whose blob is the same in HEAD costs nothing: directories whose
//     tree, computed from the index, equals HEAD's are not even descended
//     into, so the cost follows the size of the change, not of the
//     repository.
//   - A modified file contributes the lines of its staged blob that its
//     HEAD blob does not hold (a multiset of lines: a line moved within a
//     file is not new, a duplicated one is).
//   - A renamed or moved file or directory whose content is unchanged costs
//     nothing. A file renamed with edits (one new path whose lines are at
//     least half those of one deleted path, as git's rename detection would
//     pair them) contributes only its edits. Deleted files are read only to
//     pair renames, and only when the index has new paths.
//   - During a merge, a cherry-pick or a stopped rebase (MERGE_HEAD,
//     CHERRY_PICK_HEAD, REBASE_HEAD), content that the commit being merged
//     or replayed already holds at the same path is already in history: only
//     lines that neither HEAD nor that commit hold are new (what the
//     resolution itself adds). gitleaks' protect scans the whole diff of the
//     index against HEAD instead, and so blocks merges of branches for what
//     their commits hold. Paths with conflict stages are not scanned (git
//     refuses to commit them) and are listed in Report.Problems.
//   - Binary, too large and LFS pointer blobs are skipped and counted in
//     Summary.Skipped; blobs missing from a partial clone in ObjectsMissing.
//
// Content rules run on each run of consecutive added lines; the rules that
// match across lines get the whole staged file when it has an added line and
// one of their keywords, and keep only what touches an added line. Only the
// rules whose keywords occur in the added content (or in what it decodes to,
// see [detectors.Detector.Restrict]) are compiled. File detectors run on
// whole staged files they match and keep the findings that touch an added
// line. Occurrences are Where "staged", or "ci-reference" for CI references;
// InHead tells whether HEAD's version of the file holds the same credential.
func ScanStaged(ctx context.Context, opts Options) (*Report, error) {
	if opts.Detector == nil {
		return nil, ErrNoDetector
	}
	start := opts.now()
	g, err := openRepo(opts.Root)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("scan staged changes in %q: %w", opts.Root, ErrNotRepository)
	}
	defer g.close()
	if g.top == "" {
		return nil, fmt.Errorf("scan staged changes in %q: a bare repository has no index", opts.Root)
	}
	s := &stagedScan{g: g, obj: newObjectStore(g), opts: &opts, c: &counters{}}
	defer s.obj.Close()
	s.rep = &reporter{fn: opts.Progress, c: s.c, start: start, interval: opts.ProgressInterval, now: opts.now}
	if s.rep.interval == 0 {
		s.rep.interval = 100 * time.Millisecond
	}
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	r := s.report(start)
	s.rep.tick(PhaseDone, true)
	return r, nil
}

// newObjectStore returns the object reader of g: its objects directory read
// directly, with go-git behind it.
func newObjectStore(g *gitRepo) *gitobj.Store {
	dir := ""
	if st, ok := g.repo.Storer.(*filesystem.Storage); ok {
		_, common := gitDirs(st.Filesystem().Root())
		dir = filepath.Join(common, "objects")
	}
	return gitobj.New(dir, g.repo.Storer.EncodedObject)
}

// stagedScan is one run of [ScanIndex].
type stagedScan struct {
	g    *gitRepo
	obj  *gitobj.Store
	opts *Options
	c    *counters
	rep  *reporter

	files    []*stagedFile
	occs     []Occurrence
	problems []Problem
}

// stagedFile is a staged blob with something new in it.
type stagedFile struct {
	path    string
	blob    plumbing.Hash
	head    []byte // HEAD's content at path, nil when none
	lines   lines
	isNew   []bool
	results []detectors.Finding
	err     error
}

func (s *stagedScan) run(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read index of %q: repository is corrupt: %v", s.g.top, r)
		}
	}()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	d := &indexDiff{g: s.g, obj: s.obj, c: s.c}
	if d.head, err = s.headTree(); err != nil {
		return err
	}
	d.others = s.inProgressTrees()
	changes, err := d.run(ctx, idx)
	if err != nil {
		return err
	}
	s.problems = append(s.problems, d.problems...)
	s.c.filesTotal.Store(int64(len(changes)))
	s.rep.tick(PhaseStaged, true)
	if err := s.read(ctx, d, changes); err != nil {
		return err
	}
	return s.detect(ctx)
}

// readIndex reads opts.IndexFile, or the repository's index.
func (s *stagedScan) readIndex() (*index.Index, error) {
	indexFile := s.opts.IndexFile
	if indexFile == "" {
		idx, err := s.g.repo.Storer.Index()
		if err != nil {
			return nil, fmt.Errorf("read index of %q: %w", s.g.top, err)
		}
		return idx, nil
	}
	f, err := os.Open(indexFile)
	if err != nil {
		return nil, fmt.Errorf("read index %q: %w", indexFile, err)
	}
	defer f.Close()
	idx := &index.Index{}
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, fmt.Errorf("read index %q: %w", indexFile, err)
	}
	return idx, nil
}

// inProgressTrees returns the trees of the commits a merge, cherry-pick or
// stopped rebase is bringing in: their content is already in history.
func (s *stagedScan) inProgressTrees() []*object.Tree {
	fs := s.gitDirFS()
	if fs == nil {
		return nil
	}
	var out []*object.Tree
	for _, name := range []string{"MERGE_HEAD", "CHERRY_PICK_HEAD", "REBASE_HEAD"} {
		data, err := util.ReadFile(fs, name)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 40 || !isHex(line[:40]) {
				continue
			}
			if t, err := s.obj.CommitTree(plumbing.NewHash(line[:40])); err == nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// gitDirFS returns the filesystem of this work tree's git directory (with
// the common directory behind it for linked work trees), nil when the
// storage is not on disk.
func (s *stagedScan) gitDirFS() billy.Filesystem {
	st, ok := s.g.repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil
	}
	return st.Filesystem()
}

// read reads each changed blob and the history versions it is compared
// with, and keeps the files with an added line.
func (s *stagedScan) read(ctx context.Context, d *indexDiff, changes []stagedChange) error {
	sources := &renameSources{s: s, deleted: d.deleted}
	for i := range changes {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch := &changes[i]
		s.c.files.Add(1)
		content, skip, err := s.blob(ch.blob)
		if err != nil {
			return err
		}
		if skip != scanIt {
			s.c.skip(skip)
			continue
		}
		s.c.blobs.Add(1)
		s.c.bytes.Add(int64(len(content)))
		f := &stagedFile{path: ch.path, blob: ch.blob, lines: splitLines(content)}
		olds := ch.olds
		if ch.newPath() {
			src, ok, err := sources.match(&f.lines)
			if err != nil {
				return err
			}
			if ok {
				olds = []plumbing.Hash{src}
			}
		}
		anyNew, err := s.markNew(f, olds, ch.head)
		if err != nil {
			return err
		}
		if anyNew {
			s.files = append(s.files, f)
		}
		s.rep.tick(PhaseStaged, false)
	}
	return nil
}

// markNew sets f.isNew: a line is new when the old versions of the file
// (history's, olds) hold fewer copies of it, the most any of them holds. It
// keeps head's content in f.head and reports whether any line is new.
func (s *stagedScan) markNew(f *stagedFile, olds []plumbing.Hash, head plumbing.Hash) (bool, error) {
	budget := map[uint64]int{}
	for _, o := range olds {
		old, skip, err := s.blob(o)
		if err != nil {
			return false, err
		}
		if skip != scanIt {
			continue // every line of a text file replacing a binary one is new
		}
		if o == head {
			f.head = old
		}
		for h, n := range lineCounts(splitLines(old).hashes) {
			budget[h] = max(budget[h], n)
		}
	}
	f.isNew = make([]bool, len(f.lines.hashes))
	anyNew := false
	for i, h := range f.lines.hashes {
		if budget[h] > 0 {
			budget[h]--
			continue
		}
		f.isNew[i], anyNew = true, true
	}
	return anyNew, nil
}

func lineCounts(hashes []uint64) map[uint64]int {
	m := make(map[uint64]int, len(hashes))
	for _, h := range hashes {
		m[h]++
	}
	return m
}

// blob reads a blob whole unless it is too large, binary or an LFS pointer.
// A blob missing from a partial clone is counted and skipped.
func (s *stagedScan) blob(hash plumbing.Hash) ([]byte, skipReason, error) {
	_, content, err := s.obj.Read(hash, s.opts.maxFileSize())
	switch {
	case errors.Is(err, plumbing.ErrObjectNotFound):
		s.c.missing.Add(1)
		return nil, skipMissing, nil
	case errors.Is(err, gitobj.ErrTooLarge):
		return nil, skipTooBig, nil
	case err != nil:
		return nil, scanIt, fmt.Errorf("read blob %s of %q: %w", hash, s.g.top, err)
	}
	return content, classifyContent(content, int64(len(content)), 0), nil
}

// headTree returns HEAD's tree, nil when HEAD does not resolve yet.
func (s *stagedScan) headTree() (*object.Tree, error) {
	ref, err := s.g.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve HEAD of %q: %w", s.g.top, err)
	}
	t, err := s.obj.CommitTree(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read HEAD of %q: %w", s.g.top, err)
	}
	return t, nil
}
