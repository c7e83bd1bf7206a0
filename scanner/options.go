package scanner

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/sessionize/sessionize/detectors"
)

// Options configures a scan. Detector is required; the zero value of every
// other field means the default.
type Options struct {
	// Root is the directory to scan: a git work tree (working tree and full
	// history), a bare repository (history), or a plain directory.
	Root string
	// NoHistory scans only the working tree; HistoryOnly only the history.
	NoHistory   bool
	HistoryOnly bool
	// Since bounds history: commits reachable from this revision are left
	// out, as in "git log SINCE..--all".
	Since string
	// IncludeIgnored adds files git ignores to a working-tree scan.
	IncludeIgnored bool
	// MaxFileSize skips files and blobs larger than this many bytes; 0 means
	// DefaultMaxFileSize, a negative value no limit.
	MaxFileSize int64
	// IndexFile is the index [ScanStaged] reads instead of the repository's
	// own (.git/index): git hands hooks of "git commit -a" and
	// "git commit PATH..." a temporary index in GIT_INDEX_FILE. A relative
	// path is relative to the current directory. Other scans ignore it.
	IndexFile string

	// Detector matches content rules.
	Detector *detectors.Detector
	// FileDetectors examine whole files they understand (CI definitions,
	// configuration files). In history, their CI references are not kept:
	// only the current definitions wire secrets into jobs.
	FileDetectors []detectors.FileDetector

	// SkipCommit, when set, reports commits whose changes an earlier run
	// already scanned (incremental audits): they are walked for ordering but
	// their changes are not read again. It may be called more than once per
	// commit and from several goroutines, and must answer the same each
	// time.
	SkipCommit func(hash string) bool

	// Repository identifies the repository for CI-reference fingerprints
	// (a stored secret's name is distinct per repository), e.g.
	// "github.com/owner/name". Empty means the origin remote's URL, else
	// the root's base name.
	Repository string

	// NoGitBinary makes history scans read the repository with go-git only,
	// even where the git binary is installed (which is faster for bulk
	// reads of large histories).
	NoGitBinary bool

	// NoLineDedup matches every line of every new blob instead of only the
	// lines new to the history (benchmarks: what line de-duplication buys).
	NoLineDedup bool

	// Workers bounds concurrent detection; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, receives progress events from the goroutine that
	// collects results, at most every ProgressInterval and once at the end of
	// each phase. It must not block for long.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Clock returns the current time (durations); nil means time.Now.
	Clock func() time.Time
	// ToolVersion is written into the report.
	ToolVersion string
}

func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o *Options) maxFileSize() int64 {
	switch {
	case o.MaxFileSize == 0:
		return DefaultMaxFileSize
	case o.MaxFileSize < 0:
		return 0
	}
	return o.MaxFileSize
}

func (o *Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o *Options) now() time.Time {
	if o.Clock == nil {
		return time.Now()
	}
	return o.Clock()
}
