package audit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner/audit"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    audit.Shard
		wantErr bool
	}{
		{in: "0/4", want: audit.Shard{Index: 0, Count: 4}},
		{in: "3/4", want: audit.Shard{Index: 3, Count: 4}},
		{in: " 1 / 2 ", want: audit.Shard{Index: 1, Count: 2}},
		{in: "0/1", want: audit.Shard{Index: 0, Count: 1}},
		{in: "4/4", wantErr: true},
		{in: "-1/4", wantErr: true},
		{in: "1/0", wantErr: true},
		{in: "1", wantErr: true},
		{in: "a/b", wantErr: true},
	}
	for _, tc := range tests {
		got, err := audit.ParseShard(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseShard(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestShard_Partition: every repository is in exactly one shard, and the
// assignment is the documented FNV-1a hash, case-insensitive.
func TestShard_Partition(t *testing.T) {
	const n = 5
	counts := make([]int, n)
	for i := range 500 {
		name := fmt.Sprintf("acme/repo-%d", i)
		in := 0
		for s := range n {
			if (audit.Shard{Index: s, Count: n}).Contains(name) {
				in++
				counts[s]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards", name, in)
		}
		if audit.ShardOf(name, n) != audit.ShardOf(strings.ToUpper(name), n) {
			t.Errorf("ShardOf depends on case for %s", name)
		}
	}
	for s, c := range counts {
		if c < 60 {
			t.Errorf("shard %d has %d of 500 repositories: the hash spreads badly", s, c)
		}
	}
	// Pinned values: shards must not move between versions.
	got := []int{audit.ShardOf("acme/api", 2), audit.ShardOf("acme/docs", 2), audit.ShardOf("acme/lib", 3), audit.ShardOf("acme/ops", 3)}
	if diff := cmp.Diff([]int{0, 1, 2, 0}, got); diff != "" {
		t.Errorf("ShardOf values changed (-want +got):\n%s", diff)
	}
	if !(audit.Shard{}).Contains("acme/x") || (audit.Shard{}).Enabled() {
		t.Errorf("the zero Shard must select everything")
	}
}

func TestMerge_Errors(t *testing.T) {
	shard := func(i, n int, repos ...string) *audit.Report {
		r := &audit.Report{Org: "acme", RulesVersion: "r1"}
		if n > 0 {
			r.Shard = &audit.Shard{Index: i, Count: n}
		}
		for _, name := range repos {
			r.Repositories = append(r.Repositories, audit.Repository{FullName: name, Report: repoReport(name)})
		}
		r.Finalize()
		return r
	}
	// acme/api and acme/web hash to shard 0 of 2, acme/docs and acme/lib to 1.
	tests := []struct {
		name    string
		reports []*audit.Report
		want    string
	}{
		{"none", nil, "no report"},
		{"missing shard", []*audit.Report{shard(0, 2, "acme/api")}, "shards 1/2 are missing"},
		{"twice", []*audit.Report{shard(0, 2, "acme/api"), shard(0, 2, "acme/web"), shard(1, 2)}, "shard 0/2 given twice"},
		{"wrong shard", []*audit.Report{shard(0, 2, "acme/docs"), shard(1, 2)}, `holds "acme/docs", which belongs to shard 1/2`},
		{"mixed splits", []*audit.Report{shard(0, 2), shard(1, 3)}, "not of the same split"},
		{"whole and shard", []*audit.Report{shard(0, 0, "acme/api"), shard(1, 2)}, "not of the same split"},
		{"duplicate repository", []*audit.Report{shard(0, 0, "acme/api"), shard(0, 0, "acme/api")}, `repository "acme/api" is in reports 1 and 2`},
		{"other org", []*audit.Report{shard(0, 2), func() *audit.Report { r := shard(1, 2); r.Org = "beta"; return r }()}, `report 2 is of org "beta"`},
		{"other rules", []*audit.Report{shard(0, 2), func() *audit.Report { r := shard(1, 2); r.RulesVersion = "r2"; return r }()}, "rules version"},
		{"other filters", []*audit.Report{shard(0, 2), func() *audit.Report { r := shard(1, 2); r.Filters.IncludeForks = true; return r }()}, "selected repositories differently"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audit.Merge(tc.reports...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Merge() error = %v, want %q", err, tc.want)
			}
		})
	}
	m, err := audit.Merge(shard(1, 2, "acme/docs", "acme/lib"), shard(0, 2, "acme/web", "acme/api"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Shard != nil || !cmp.Equal(sortedNames(m), []string{"acme/api", "acme/docs", "acme/lib", "acme/web"}) || m.Repositories[0].FullName != "acme/api" {
		t.Errorf("Merge() = shard %v, repositories %v", m.Shard, sortedNames(m))
	}
}
