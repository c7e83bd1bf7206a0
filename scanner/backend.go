package scanner

import (
	"context"
	"os/exec"

	"github.com/go-git/go-git/v5/plumbing"
)

// backend is where a history scan reads commits, tree differences and
// blobs: go-git, or the git binary for bulk reads when it is installed
// (several times faster on large histories; see bench/RESULTS.md). Both give
// the same results.
type backend interface {
	// commits returns every commit reachable from a reference (branches,
	// tags, remotes, notes, stash, HEAD), minus those reachable from since.
	commits(ctx context.Context, since string) (map[plumbing.Hash]*commitInfo, error)
	// changes sends, for each commit in order (those skip accepts only
	// counted), the regular files added or modified against its first
	// parent.
	changes(ctx context.Context, commits []*commitInfo, skip func(*commitInfo) bool, out chan<- commitChanges) error
	// blobs reads the requested blobs and sends them in request order.
	blobs(ctx context.Context, reqs <-chan plumbing.Hash, out chan<- blobData) error
	close()
}

type commitChanges struct {
	commit  *commitInfo
	changes []change
}

type change struct {
	path string
	blob plumbing.Hash
}

// blobData is a blob read for the scan: its content, or why it is skipped
// (too large, binary, LFS pointer, missing), or a read error.
type blobData struct {
	hash    plumbing.Hash
	content []byte
	skip    skipReason
	err     error
}

// newBackend picks the git binary when it is installed and usable for this
// repository, go-git otherwise.
func newBackend(g *gitRepo, opts *Options, c *counters) backend {
	if !opts.NoGitBinary && !g.partial() {
		if bin, err := exec.LookPath("git"); err == nil {
			be, err := newCLIBackend(bin, g, opts, c)
			if err == nil {
				return be
			}
			opts.logger().Debug("git binary unusable, reading with go-git", "error", err)
		}
	}
	return newGoGitBackend(g, opts, c)
}
