package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Repo is what the state remembers of a repository's last successful audit.
type Repo struct {
	FullName     string
	RulesVersion string
	// Tips maps reference names (and "HEAD" to the branch it names) to
	// object hashes, as the remote advertised them.
	Tips map[string]string
	// PushedAt is the repository's pushed_at as the API listed it at that
	// audit ("" when unknown): GitHub moves it on every push, so an
	// unchanged value spares listing the references.
	PushedAt string
	// Meta is a digest of the repository's metadata that scoring depends on
	// (visibility): a change forces a new report.
	Meta string
	// Report is the repository's unscored report and History its
	// history-only report (each credential's earliest occurrence per path in
	// the commits already scanned), which the next incremental scan starts
	// from; both are opaque to this package, written by the audit in a
	// redacted form that holds no secret.
	Report  []byte
	History []byte
	// Tracking is the tracking list written with the report (JSON of
	// []Tracked).
	Tracking []Tracked
	// RunID is the run that completed it; ScannedAt when.
	RunID     int64
	ScannedAt time.Time
}

// Repo returns the repository's stored state; false when there is none.
func (d *DB) Repo(ctx context.Context, fullName string) (*Repo, bool, error) {
	r := &Repo{FullName: fullName}
	var tips, tracking, scanned string
	err := d.db.QueryRowContext(ctx,
		`SELECT rules_version, tips, pushed_at, meta, report, history, tracking, run_id, scanned_at FROM repositories WHERE full_name = ?`,
		fullName).Scan(&r.RulesVersion, &tips, &r.PushedAt, &r.Meta, &r.Report, &r.History, &tracking, &r.RunID, &scanned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read state of %q: %w", fullName, err)
	}
	if err := json.Unmarshal([]byte(tips), &r.Tips); err != nil {
		return nil, false, fmt.Errorf("read state of %q: tips: %w", fullName, err)
	}
	if err := json.Unmarshal([]byte(tracking), &r.Tracking); err != nil {
		return nil, false, fmt.Errorf("read state of %q: tracking: %w", fullName, err)
	}
	r.ScannedAt, _ = time.Parse(timeFormat, scanned)
	return r, true, nil
}

// ScannedCommits returns the commits of the repository already scanned with
// the rules version.
func (d *DB) ScannedCommits(ctx context.Context, fullName, rulesVersion string) (map[string]bool, error) {
	rows, err := d.db.QueryContext(ctx,
		`SELECT commit_hash FROM scanned_commits WHERE full_name = ? AND rules_version = ?`, fullName, rulesVersion)
	if err != nil {
		return nil, fmt.Errorf("read scanned commits of %q: %w", fullName, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("read scanned commits of %q: %w", fullName, err)
		}
		out[h] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read scanned commits of %q: %w", fullName, err)
	}
	return out, nil
}

// Save records a repository's successful audit.
type Save struct {
	FullName, RulesVersion string
	Tips                   map[string]string
	PushedAt               string
	Meta                   string
	Report, History        []byte
	RunID                  int64
	Now                    time.Time
	// Credentials are the new report's credentials.
	Credentials []Credential
	// Commits are commits now scanned with the rules version; ResetCommits
	// first forgets those stored for it (history rewritten).
	Commits      []string
	ResetCommits bool
}

// SaveRepo stores a repository's new report in one transaction, updates the
// tracking of its credentials (a credential absent from the new report is
// fixed now) and returns the tracking list: the report's credentials as new
// or open, plus those fixed now, sorted by fingerprint.
func (d *DB) SaveRepo(ctx context.Context, s Save) ([]Tracked, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("save state of %q: %w", s.FullName, err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit: a no-op
	tracked, err := track(ctx, tx, s)
	if err != nil {
		return nil, fmt.Errorf("save state of %q: %w", s.FullName, err)
	}
	if err := saveCommits(ctx, tx, s); err != nil {
		return nil, fmt.Errorf("save state of %q: %w", s.FullName, err)
	}
	tips, _ := json.Marshal(s.Tips)
	tr, _ := json.Marshal(tracked)
	_, err = tx.ExecContext(ctx, `
INSERT INTO repositories (full_name, rules_version, tips, pushed_at, meta, report, history, tracking, run_id, scanned_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (full_name) DO UPDATE SET rules_version = excluded.rules_version, tips = excluded.tips,
	pushed_at = excluded.pushed_at, meta = excluded.meta, report = excluded.report, history = excluded.history, tracking = excluded.tracking,
	run_id = excluded.run_id, scanned_at = excluded.scanned_at, last_error = NULL, error_run_id = NULL`,
		s.FullName, s.RulesVersion, string(tips), s.PushedAt, s.Meta, s.Report, s.History, string(tr), s.RunID, fmtTime(s.Now))
	if err != nil {
		return nil, fmt.Errorf("save state of %q: %w", s.FullName, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("save state of %q: %w", s.FullName, err)
	}
	return tracked, nil
}

func saveCommits(ctx context.Context, tx *sql.Tx, s Save) error {
	if s.ResetCommits {
		if _, err := tx.ExecContext(ctx, `DELETE FROM scanned_commits WHERE full_name = ? AND rules_version = ?`, s.FullName, s.RulesVersion); err != nil {
			return err
		}
	}
	// Commits of other rules versions are of no use any more.
	if _, err := tx.ExecContext(ctx, `DELETE FROM scanned_commits WHERE full_name = ? AND rules_version <> ?`, s.FullName, s.RulesVersion); err != nil {
		return err
	}
	if len(s.Commits) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO scanned_commits (full_name, rules_version, commit_hash) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range s.Commits {
		if _, err := st.ExecContext(ctx, s.FullName, s.RulesVersion, c); err != nil {
			return err
		}
	}
	return nil
}

// SaveFailure records that auditing the repository failed in a run; what
// was stored for it before is kept.
func (d *DB) SaveFailure(ctx context.Context, fullName string, runID int64, msg string) error {
	_, err := d.db.ExecContext(ctx, `UPDATE repositories SET last_error = ?, error_run_id = ? WHERE full_name = ?`, msg, runID, fullName)
	if err != nil {
		return fmt.Errorf("save state of %q: %w", fullName, err)
	}
	return nil
}
