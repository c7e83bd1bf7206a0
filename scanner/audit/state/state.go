// Package state keeps what an org audit remembers between runs in an
// embedded SQLite database (modernc.org/sqlite, pure Go): per repository the
// ref tips and rules version of the last scan, its report, the commits
// already scanned per rules version, and every credential's first-seen,
// last-seen and fixed times; per run, whether it finished, so that an
// interrupted audit resumes.
//
// The database never holds a raw secret: reports are stored in their
// redacted JSON form (SPEC §3), credentials by fingerprint.
//
// state imports no other sessionize package.
package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SchemaVersion is the version of the database schema this package writes,
// kept in SQLite's user_version. Version history:
//
//   - 1: runs, repositories, scanned_commits, credentials.
//
// Opening a database of an older version migrates it; a newer version is an
// error ([ErrNewerSchema]).
const SchemaVersion = 1

// ErrNewerSchema is returned by [Open] for a database written by a newer
// sessionize.
var ErrNewerSchema = errors.New("state database schema is newer than this sessionize")

// timeFormat is how times are stored: RFC 3339 in UTC with nanoseconds, so
// that stored values sort as they compare.
const timeFormat = time.RFC3339Nano

// migrations[i] brings a database from version i to i+1.
var migrations = []string{
	0: `
CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	org           TEXT NOT NULL,
	scope         TEXT NOT NULL,
	rules_version TEXT NOT NULL,
	started_at    TEXT NOT NULL,
	finished_at   TEXT
);
CREATE INDEX runs_open ON runs (org, scope, finished_at);
CREATE TABLE repositories (
	full_name     TEXT PRIMARY KEY,
	rules_version TEXT NOT NULL,
	tips          TEXT NOT NULL,
	pushed_at     TEXT NOT NULL,
	meta          TEXT NOT NULL,
	report        BLOB NOT NULL,
	history       BLOB NOT NULL,
	tracking      BLOB NOT NULL,
	run_id        INTEGER NOT NULL,
	scanned_at    TEXT NOT NULL,
	last_error    TEXT,
	error_run_id  INTEGER
);
CREATE TABLE scanned_commits (
	full_name     TEXT NOT NULL,
	rules_version TEXT NOT NULL,
	commit_hash   TEXT NOT NULL,
	PRIMARY KEY (full_name, rules_version, commit_hash)
) WITHOUT ROWID;
CREATE TABLE credentials (
	full_name   TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	rule        TEXT NOT NULL,
	type        TEXT NOT NULL,
	provider    TEXT NOT NULL,
	redacted    TEXT NOT NULL,
	first_seen  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	fixed_at    TEXT,
	PRIMARY KEY (full_name, fingerprint)
) WITHOUT ROWID;
`,
}

// DB is an open state database. Its methods are safe for concurrent use;
// writes are serialised by SQLite (callers should still write from one
// goroutine, the audit's collector).
type DB struct {
	db   *sql.DB
	path string
}

// Open opens or creates the state database at path, creating its directory,
// and migrates it to [SchemaVersion].
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open state %q: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(normal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open state %q: %w", path, err)
	}
	d := &DB{db: db, path: path}
	if err := d.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Version returns the schema version of the open database.
func (d *DB) Version(ctx context.Context) (int, error) {
	var v int
	if err := d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version of state %q: %w", d.path, err)
	}
	return v, nil
}

func (d *DB) migrate(ctx context.Context) error {
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	if v > SchemaVersion {
		return fmt.Errorf("open state %q: %w (version %d, this build knows %d)", d.path, ErrNewerSchema, v, SchemaVersion)
	}
	for ; v < SchemaVersion; v++ {
		tx, err := d.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate state %q: %w", d.path, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate state %q to version %d: %w", d.path, v+1, err)
		}
		// PRAGMA takes no parameters; v+1 is an integer we control.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate state %q to version %d: %w", d.path, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate state %q to version %d: %w", d.path, v+1, err)
		}
	}
	return nil
}

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

// Credential names a credential of a repository's new report for tracking.
type Credential struct {
	Fingerprint, Rule, Type, Provider, Redacted string
}

// Status is a tracked credential's change since the repository's previous
// audit.
type Status string

// The statuses.
const (
	// StatusNew: not in the previous report (first seen, or back after a fix).
	StatusNew Status = "new"
	// StatusOpen: in the previous report and still there.
	StatusOpen Status = "open"
	// StatusFixed: in the previous report, gone from this one.
	StatusFixed Status = "fixed"
)

// Tracked is a credential of a repository with its tracking times.
type Tracked struct {
	Fingerprint string     `json:"fingerprint"`
	Status      Status     `json:"status"`
	Rule        string     `json:"rule"`
	Type        string     `json:"type"`
	Provider    string     `json:"provider"`
	Redacted    string     `json:"redacted"`
	FirstSeen   time.Time  `json:"first_seen"`
	LastSeen    time.Time  `json:"last_seen"`
	FixedAt     *time.Time `json:"fixed_at"`
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

// track updates the credentials table for a repository's new report.
func track(ctx context.Context, tx *sql.Tx, s Save) ([]Tracked, error) {
	prev := map[string]Tracked{}
	rows, err := tx.QueryContext(ctx, `SELECT fingerprint, rule, type, provider, redacted, first_seen, last_seen, fixed_at FROM credentials WHERE full_name = ?`, s.FullName)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t Tracked
		var first, last string
		var fixed sql.NullString
		if err := rows.Scan(&t.Fingerprint, &t.Rule, &t.Type, &t.Provider, &t.Redacted, &first, &last, &fixed); err != nil {
			_ = rows.Close()
			return nil, err
		}
		t.FirstSeen, t.LastSeen = parseTime(first), parseTime(last)
		if fixed.Valid {
			ft := parseTime(fixed.String)
			t.FixedAt = &ft
		}
		prev[t.Fingerprint] = t
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := s.Now.UTC()
	var out []Tracked
	current := map[string]bool{}
	for _, c := range s.Credentials {
		if current[c.Fingerprint] {
			continue
		}
		current[c.Fingerprint] = true
		t := Tracked{Fingerprint: c.Fingerprint, Status: StatusNew, Rule: c.Rule, Type: c.Type, Provider: c.Provider, Redacted: c.Redacted, FirstSeen: now, LastSeen: now}
		if p, ok := prev[c.Fingerprint]; ok {
			t.FirstSeen = p.FirstSeen
			if p.FixedAt == nil {
				t.Status = StatusOpen
			}
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO credentials (full_name, fingerprint, rule, type, provider, redacted, first_seen, last_seen, fixed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
ON CONFLICT (full_name, fingerprint) DO UPDATE SET rule = excluded.rule, type = excluded.type,
	provider = excluded.provider, redacted = excluded.redacted, last_seen = excluded.last_seen, fixed_at = NULL`,
			s.FullName, c.Fingerprint, c.Rule, c.Type, c.Provider, c.Redacted, fmtTime(t.FirstSeen), fmtTime(now))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	for fp, p := range prev {
		if current[fp] || p.FixedAt != nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credentials SET fixed_at = ? WHERE full_name = ? AND fingerprint = ?`, fmtTime(now), s.FullName, fp); err != nil {
			return nil, err
		}
		p.Status, p.FixedAt = StatusFixed, &now
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out, nil
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

// Tracking returns every credential the state tracks for a repository,
// fixed ones included, sorted by fingerprint. Status is empty.
func (d *DB) Tracking(ctx context.Context, fullName string) ([]Tracked, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT fingerprint, rule, type, provider, redacted, first_seen, last_seen, fixed_at FROM credentials WHERE full_name = ? ORDER BY fingerprint`, fullName)
	if err != nil {
		return nil, fmt.Errorf("read tracking of %q: %w", fullName, err)
	}
	defer rows.Close()
	var out []Tracked
	for rows.Next() {
		var t Tracked
		var first, last string
		var fixed sql.NullString
		if err := rows.Scan(&t.Fingerprint, &t.Rule, &t.Type, &t.Provider, &t.Redacted, &first, &last, &fixed); err != nil {
			return nil, fmt.Errorf("read tracking of %q: %w", fullName, err)
		}
		t.FirstSeen, t.LastSeen = parseTime(first), parseTime(last)
		if fixed.Valid {
			ft := parseTime(fixed.String)
			t.FixedAt = &ft
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tracking of %q: %w", fullName, err)
	}
	return out, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
