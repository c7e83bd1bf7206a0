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
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
