package scanner

import (
	"sync/atomic"
	"time"
)

// Phase is the stage a scan is in.
type Phase string

// The phases of a scan.
const (
	PhaseListing  Phase = "listing"
	PhaseHistory  Phase = "history"
	PhaseWorktree Phase = "worktree"
	PhaseStaged   Phase = "staged"
	PhaseDone     Phase = "done"
)

// Progress is a snapshot of a running scan's counters. Totals are zero while
// unknown.
type Progress struct {
	Phase        Phase
	Files        int64
	FilesTotal   int64
	Commits      int64
	CommitsTotal int64
	Blobs        int64
	Bytes        int64
	Findings     int64
	Elapsed      time.Duration
}

// counters are the live values behind Progress; workers add to them.
type counters struct {
	files, filesTotal     atomic.Int64
	commits, commitsTotal atomic.Int64
	blobs, bytes          atomic.Int64
	findings              atomic.Int64
	binary, tooLarge, lfs atomic.Int64
	unreadable, invalid   atomic.Int64
	missing               atomic.Int64
}

func (c *counters) snapshot(p Phase, elapsed time.Duration) Progress {
	return Progress{
		Phase:        p,
		Files:        c.files.Load(),
		FilesTotal:   c.filesTotal.Load(),
		Commits:      c.commits.Load(),
		CommitsTotal: c.commitsTotal.Load(),
		Blobs:        c.blobs.Load(),
		Bytes:        c.bytes.Load(),
		Findings:     c.findings.Load(),
		Elapsed:      elapsed,
	}
}

func (c *counters) skip(r skipReason) {
	switch r {
	case skipBinary:
		c.binary.Add(1)
	case skipTooBig:
		c.tooLarge.Add(1)
	case skipLFS:
		c.lfs.Add(1)
	}
}

// reporter rate-limits progress callbacks.
type reporter struct {
	fn       func(Progress)
	c        *counters
	start    time.Time
	interval time.Duration
	last     time.Time
	now      func() time.Time
}

func (r *reporter) tick(p Phase, force bool) {
	if r.fn == nil {
		return
	}
	t := r.now()
	if !force && t.Sub(r.last) < r.interval {
		return
	}
	r.last = t
	r.fn(r.c.snapshot(p, t.Sub(r.start)))
}
