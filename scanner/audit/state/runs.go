package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RunKey identifies what an audit run covers: runs with equal keys continue
// each other after an interruption.
type RunKey struct {
	Org string
	// Scope describes the selection (shard, filters), so that a shard does not
	// resume another shard's run.
	Scope        string
	RulesVersion string
}

// Run is an audit run.
type Run struct {
	ID int64
	// Resumed reports that the run continues an interrupted one: the
	// repositories it completed are not done again.
	Resumed   bool
	StartedAt time.Time
}

// BeginRun resumes the latest unfinished run with the same key, or starts a
// new one at now. Unfinished runs with another rules version are closed.
func (d *DB) BeginRun(ctx context.Context, key RunKey, now time.Time) (Run, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit: a no-op
	var id int64
	var started, rv string
	err = tx.QueryRowContext(ctx,
		`SELECT id, started_at, rules_version FROM runs WHERE org = ? AND scope = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1`,
		key.Org, key.Scope).Scan(&id, &started, &rv)
	switch {
	case err == nil && rv == key.RulesVersion:
		t, _ := time.Parse(timeFormat, started)
		if err := tx.Commit(); err != nil {
			return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
		}
		return Run{ID: id, Resumed: true, StartedAt: t}, nil
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ? WHERE id = ?`, fmtTime(now), id); err != nil {
			return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (org, scope, rules_version, started_at) VALUES (?, ?, ?, ?)`,
		key.Org, key.Scope, key.RulesVersion, fmtTime(now))
	if err != nil {
		return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
	}
	if id, err = res.LastInsertId(); err != nil {
		return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
	}
	if err := tx.Commit(); err != nil {
		return Run{}, fmt.Errorf("begin run in state %q: %w", d.path, err)
	}
	return Run{ID: id, StartedAt: now.UTC()}, nil
}

// FinishRun marks a run finished: the next run starts afresh.
func (d *DB) FinishRun(ctx context.Context, id int64, now time.Time) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE runs SET finished_at = ? WHERE id = ?`, fmtTime(now), id); err != nil {
		return fmt.Errorf("finish run in state %q: %w", d.path, err)
	}
	return nil
}
