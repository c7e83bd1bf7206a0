package state

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

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
