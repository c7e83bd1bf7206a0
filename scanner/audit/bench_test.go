package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/audit"
	"github.com/sessionize/sessionize/scanner/audit/state"
	"github.com/sessionize/sessionize/scanner/score"
)

// BenchmarkAudit compares a first audit of the fixture organisation (clone
// and scan every repository) with a re-audit of the unchanged organisation
// using the state database (no fetch, no scan: every stored report is
// reused and scored again). Compare the two ns/op: the re-audit should be at
// least 20 times faster. Scoring is set up as the CLI does (the policy
// parsed once, public repositories weighted).
//
//	go test -run '^$' -bench BenchmarkAudit -benchtime 5x ./scanner/audit
func BenchmarkAudit(b *testing.B) {
	org := newOrg(b)
	detector(b) // compile the rules outside the timings
	bytes := int64(0)
	b.Run(fmt.Sprintf("first/repos=%d", liveRepos), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := newEnv(b)
			res := benchRun(b, options(b, org, e), e.state)
			bytes = totalBytes(res.Report)
		}
		b.SetBytes(bytes)
	})
	b.Run(fmt.Sprintf("rerun/repos=%d", liveRepos), func(b *testing.B) {
		e := newEnv(b)
		opts := options(b, org, e)
		first := benchRun(b, opts, e.state)
		b.SetBytes(totalBytes(first.Report))
		b.ReportAllocs()
		for b.Loop() {
			res := benchRun(b, opts, e.state)
			if res.Stats.Reused != liveRepos+1 || res.Stats.NewCommits != 0 {
				b.Fatalf("re-audit scanned something: %+v", res.Stats)
			}
		}
	})
}

func benchRun(b *testing.B, opts audit.Options, statePath string) *audit.Result {
	b.Helper()
	policy, err := rules.DefaultPolicy()
	if err != nil {
		b.Fatal(err)
	}
	opts.Score = func(r *scanner.Report, repo audit.RepositoryInfo) error {
		return score.Apply(r, score.Options{Now: opts.Now, Policy: policy, PublicRepo: repo.Visibility == "public"})
	}
	db, err := state.Open(context.Background(), statePath)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	opts.State = db
	res, err := audit.Run(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func totalBytes(r *audit.Report) int64 {
	n := int64(0)
	for _, repo := range r.Repositories {
		if repo.Report != nil {
			n += repo.Report.Target.BytesScanned
		}
	}
	return n
}
