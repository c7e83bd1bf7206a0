package state_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner/audit/state"
)

var (
	day1 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.Add(24 * time.Hour)
	day3 = day2.Add(24 * time.Hour)
)

func open(t *testing.T, p string) *state.DB {
	t.Helper()
	db, err := state.Open(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpen_Schema(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "state.db")
	db := open(t, p)
	if v, err := db.Version(t.Context()); err != nil || v != state.SchemaVersion {
		t.Errorf("Version() = %d, %v; want %d", v, err, state.SchemaVersion)
	}
	db.Close()
	// Reopening keeps the data and the version.
	db = open(t, p)
	if v, _ := db.Version(t.Context()); v != state.SchemaVersion {
		t.Errorf("reopened Version() = %d", v)
	}
	db.Close()

	// A database from a newer sessionize is refused.
	raw, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(t.Context(), "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := state.Open(t.Context(), p); !errors.Is(err, state.ErrNewerSchema) {
		t.Errorf("Open(newer) error = %v, want ErrNewerSchema", err)
	}
}

func TestBeginRun(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := t.Context()
	key := state.RunKey{Org: "acme", Scope: "shard=0/2", RulesVersion: "r1"}
	r1, err := db.BeginRun(ctx, key, day1)
	if err != nil || r1.Resumed {
		t.Fatalf("first BeginRun = %+v, %v", r1, err)
	}
	// Unfinished: the same key resumes it, another scope does not.
	r2, _ := db.BeginRun(ctx, key, day2)
	if !r2.Resumed || r2.ID != r1.ID || !r2.StartedAt.Equal(day1) {
		t.Errorf("BeginRun after an interruption = %+v, want run %d resumed", r2, r1.ID)
	}
	other, _ := db.BeginRun(ctx, state.RunKey{Org: "acme", Scope: "shard=1/2", RulesVersion: "r1"}, day2)
	if other.Resumed {
		t.Errorf("another shard resumed run %d", other.ID)
	}
	// Another rules version abandons the unfinished run.
	r3, _ := db.BeginRun(ctx, state.RunKey{Org: "acme", Scope: "shard=0/2", RulesVersion: "r2"}, day2)
	if r3.Resumed {
		t.Errorf("a run with new rules resumed an old one")
	}
	if err := db.FinishRun(ctx, r3.ID, day3); err != nil {
		t.Fatal(err)
	}
	r4, _ := db.BeginRun(ctx, state.RunKey{Org: "acme", Scope: "shard=0/2", RulesVersion: "r2"}, day3)
	if r4.Resumed {
		t.Errorf("a finished run was resumed")
	}
}

func creds(fps ...string) []state.Credential {
	var out []state.Credential
	for _, fp := range fps {
		out = append(out, state.Credential{Fingerprint: fp, Rule: "r-" + fp, Type: "t", Provider: "p", Redacted: fp[:2] + "**"})
	}
	return out
}

type status map[string]state.Status

func statuses(ts []state.Tracked) status {
	out := status{}
	for _, t := range ts {
		out[t.Fingerprint] = t.Status
	}
	return out
}

func TestSaveRepo_Tracking(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := t.Context()
	save := func(now time.Time, fps ...string) []state.Tracked {
		t.Helper()
		tr, err := db.SaveRepo(ctx, state.Save{
			FullName: "acme/api", RulesVersion: "r1", Tips: map[string]string{"refs/heads/main": "abc"},
			Meta: "m", Report: []byte(`{}`), History: []byte(`{}`), RunID: 1, Now: now, Credentials: creds(fps...),
		})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	steps := []struct {
		name string
		now  time.Time
		fps  []string
		want status
	}{
		{"first audit", day1, []string{"aaaa", "bbbb"}, status{"aaaa": state.StatusNew, "bbbb": state.StatusNew}},
		{"bbbb fixed, cccc new", day2, []string{"aaaa", "cccc"}, status{"aaaa": state.StatusOpen, "bbbb": state.StatusFixed, "cccc": state.StatusNew}},
		{"bbbb back", day3, []string{"aaaa", "bbbb", "cccc"}, status{"aaaa": state.StatusOpen, "bbbb": state.StatusNew, "cccc": state.StatusOpen}},
	}
	var last []state.Tracked
	for _, s := range steps {
		last = save(s.now, s.fps...)
		if diff := cmp.Diff(s.want, statuses(last)); diff != "" {
			t.Errorf("%s: statuses (-want +got):\n%s", s.name, diff)
		}
	}
	// bbbb came back: first seen on day 1, no fixed time any more.
	for _, tr := range last {
		if tr.Fingerprint == "bbbb" && (!tr.FirstSeen.Equal(day1) || !tr.LastSeen.Equal(day3) || tr.FixedAt != nil) {
			t.Errorf("reintroduced credential = %+v", tr)
		}
	}
	all, err := db.Tracking(ctx, "acme/api")
	if err != nil || len(all) != 3 {
		t.Fatalf("Tracking() = %v, %v", all, err)
	}
	repo, ok, err := db.Repo(ctx, "acme/api")
	if err != nil || !ok {
		t.Fatalf("Repo() = %v, %v, %v", repo, ok, err)
	}
	if repo.Tips["refs/heads/main"] != "abc" || !repo.ScannedAt.Equal(day3) || len(repo.Tracking) != 3 {
		t.Errorf("Repo() = %+v", repo)
	}
	if _, ok, _ := db.Repo(ctx, "acme/none"); ok {
		t.Errorf("Repo(unknown) found")
	}
}

func TestScannedCommits(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := t.Context()
	save := func(rv string, reset bool, commits ...string) {
		t.Helper()
		_, err := db.SaveRepo(ctx, state.Save{
			FullName: "acme/api", RulesVersion: rv, Report: []byte("{}"), History: []byte("{}"),
			Now: day1, Commits: commits, ResetCommits: reset,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := func(rv string) map[string]bool {
		t.Helper()
		m, err := db.ScannedCommits(ctx, "acme/api", rv)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	save("r1", false, "c1", "c2")
	save("r1", false, "c2", "c3")
	if diff := cmp.Diff(map[string]bool{"c1": true, "c2": true, "c3": true}, got("r1")); diff != "" {
		t.Errorf("commits add up (-want +got):\n%s", diff)
	}
	save("r1", true, "c3", "c4")
	if diff := cmp.Diff(map[string]bool{"c3": true, "c4": true}, got("r1")); diff != "" {
		t.Errorf("reset forgets the old commits (-want +got):\n%s", diff)
	}
	save("r2", false, "c4")
	if len(got("r1")) != 0 || len(got("r2")) != 1 {
		t.Errorf("a new rules version drops the old one's commits: r1 %v, r2 %v", got("r1"), got("r2"))
	}
}

func TestSaveFailure(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	ctx := context.Background()
	if _, err := db.SaveRepo(ctx, state.Save{FullName: "acme/api", RulesVersion: "r1", Report: []byte(`{"x":1}`), History: []byte("{}"), Now: day1}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFailure(ctx, "acme/api", 2, "clone failed"); err != nil {
		t.Fatal(err)
	}
	repo, _, _ := db.Repo(ctx, "acme/api")
	if string(repo.Report) != `{"x":1}` {
		t.Errorf("a failure lost the stored report: %s", repo.Report)
	}
}
