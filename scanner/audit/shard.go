package audit

import (
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
)

// Shard selects one part of an organisation's repositories so that N
// machines (a GitHub Actions matrix, a Kubernetes indexed Job) share an
// audit. The zero value selects everything.
//
// Repository "owner/name" belongs to shard I of N when the 32-bit FNV-1a hash
// of its lower-cased full name, modulo N, is I. The partition depends only
// on the names: every repository is in exactly one shard whatever the order
// or the machine, and adding a repository moves no other one.
type Shard struct {
	// Index is 0-based, below Count.
	Index int
	// Count is the number of shards; 0 or 1 means no sharding.
	Count int
}

// ParseShard parses "I/N" with 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, e.g. 0/4", s)
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil || cnt < 1 || idx < 0 || idx >= cnt {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 0 <= I < N, e.g. 0/4", s)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// String returns "I/N", or "" for no sharding.
func (s Shard) String() string {
	if !s.Enabled() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Enabled reports whether the shard selects a part only.
func (s Shard) Enabled() bool { return s.Count > 1 }

// Contains reports whether the repository belongs to the shard.
func (s Shard) Contains(fullName string) bool {
	if !s.Enabled() {
		return true
	}
	return ShardOf(fullName, s.Count) == s.Index
}

// ShardOf returns the shard index of a repository among n shards.
func ShardOf(fullName string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(fullName))) // never fails
	return int(h.Sum32() % uint32(n))                 //nolint:gosec // G115: n is a shard count, positive and small
}

// Merge combines reports of one organisation into one: the shards of an
// audit (all of them, each once), or reports of disjoint repository sets.
// The result is what a single machine would have reported: repositories
// sorted by full name, summary and cross-references recomputed, the latest
// generation time. Reports must agree on organisation, rules version and
// filters; a repository may appear in only one of them.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("merge org reports: no report")
	}
	first := reports[0]
	out := &Report{
		Version: ReportVersion, Org: first.Org, Tool: first.Tool, RulesVersion: first.RulesVersion,
		Filters: first.Filters,
	}
	seen := map[string]int{}
	shards := map[int]bool{}
	count := -1
	for i, r := range reports {
		if r.Org != first.Org {
			return nil, fmt.Errorf("merge org reports: report %d is of org %q, report 1 of %q", i+1, r.Org, first.Org)
		}
		if r.RulesVersion != first.RulesVersion {
			return nil, fmt.Errorf("merge org reports: report %d was scanned with rules version %q, report 1 with %q", i+1, r.RulesVersion, first.RulesVersion)
		}
		if r.Filters != first.Filters {
			return nil, fmt.Errorf("merge org reports: report %d selected repositories differently (%+v) from report 1 (%+v)", i+1, r.Filters, first.Filters)
		}
		if err := checkShard(r, i, &count, shards); err != nil {
			return nil, err
		}
		if r.GeneratedAt.After(out.GeneratedAt) {
			out.GeneratedAt = r.GeneratedAt
		}
		for _, repo := range r.Repositories {
			if r.Shard != nil && !r.Shard.Contains(repo.FullName) {
				return nil, fmt.Errorf("merge org reports: report %d is shard %s but holds %q, which belongs to shard %d/%d", i+1, r.Shard, repo.FullName, ShardOf(repo.FullName, r.Shard.Count), r.Shard.Count)
			}
			if j, dup := seen[repo.FullName]; dup {
				return nil, fmt.Errorf("merge org reports: repository %q is in reports %d and %d", repo.FullName, j, i+1)
			}
			seen[repo.FullName] = i + 1
			out.Repositories = append(out.Repositories, repo)
		}
	}
	if count > 0 && len(shards) != count {
		var missing []string
		for i := range count {
			if !shards[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, count))
			}
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("merge org reports: shards %s are missing", strings.Join(missing, ", "))
	}
	out.Finalize()
	return out, nil
}

// checkShard checks that shard reports are all of one split, each once, and
// not mixed with unsharded reports.
func checkShard(r *Report, i int, count *int, shards map[int]bool) error {
	n := 0
	if r.Shard != nil {
		n = r.Shard.Count
	}
	switch {
	case *count == -1:
		*count = n
	case *count != n:
		return fmt.Errorf("merge org reports: report %d is shard %s, not of the same split as report 1", i+1, describeShard(r.Shard))
	}
	if r.Shard == nil {
		return nil
	}
	if shards[r.Shard.Index] {
		return fmt.Errorf("merge org reports: shard %s given twice", r.Shard)
	}
	shards[r.Shard.Index] = true
	return nil
}

func describeShard(s *Shard) string {
	if s == nil {
		return "none (a whole audit)"
	}
	return s.String()
}
