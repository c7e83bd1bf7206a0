package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner"
)

// Compile-time check: fakeOpener satisfies the seam remediate/github will
// implement.
var _ PROpener = (*fakeOpener)(nil)

type fakeOpener struct {
	calls []string
	max   []int
	fail  map[string]error
}

func (f *fakeOpener) OpenPRs(_ context.Context, dir string, repo RepositoryInfo, r *scanner.Report, max int) ([]string, error) {
	f.calls = append(f.calls, repo.FullName+" "+dir)
	f.max = append(f.max, max)
	if err := f.fail[repo.FullName]; err != nil {
		return nil, err
	}
	var urls []string
	for i := range r.Credentials {
		if max > 0 && len(urls) == max {
			break
		}
		if r.Credentials[i].Fixer != "" {
			urls = append(urls, "https://github.example/"+repo.FullName+"/pull/"+r.Credentials[i].Fingerprint)
		}
	}
	return urls, nil
}

func fixableReport(fps ...string) *scanner.Report {
	r := &scanner.Report{}
	for _, fp := range fps {
		r.Credentials = append(r.Credentials, scanner.Credential{Fingerprint: fp, Fixer: "gha-aws-oidc"})
	}
	return r
}

func TestOpenPRs(t *testing.T) {
	f := &fakeOpener{fail: map[string]error{"acme/c": errors.New("push refused")}}
	a := &auditor{opts: &Options{PROpener: f, MaxPRs: 3}}
	outs := []outcome{
		{entry: Repository{FullName: "acme/d", Report: fixableReport("d1")}, dir: "/cache/d"},
		{entry: Repository{FullName: "acme/a", Report: fixableReport("a1", "a2")}, dir: "/cache/a"},
		{entry: Repository{FullName: "acme/b", Report: &scanner.Report{Credentials: []scanner.Credential{{Fingerprint: "b1"}}}}, dir: "/cache/b"},
		{entry: Repository{FullName: "acme/c", Report: fixableReport("c1")}, dir: "/cache/c"},
		{entry: Repository{FullName: "acme/e", Error: "clone failed"}},
	}
	if err := a.openPRs(t.Context(), outs); err != nil {
		t.Fatal(err)
	}
	// Name order, only fixable repositories, within the budget of 3.
	if diff := cmp.Diff([]string{"acme/a /cache/a", "acme/c /cache/c", "acme/d /cache/d"}, f.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 1, 1}, f.max); diff != "" {
		t.Errorf("budgets passed (-want +got):\n%s", diff)
	}
	got := map[string][]string{}
	for _, o := range outs {
		got[o.entry.FullName] = o.entry.PullRequests
	}
	if len(got["acme/a"]) != 2 || len(got["acme/d"]) != 1 {
		t.Errorf("pull requests recorded = %v", got)
	}
	for _, o := range outs {
		if o.entry.FullName == "acme/c" && (o.err == nil || o.entry.Report == nil) {
			t.Errorf("a PR failure must be recorded and keep the report: %+v", o)
		}
	}

	// Budget exhausted: nothing more is asked.
	f2 := &fakeOpener{}
	a2 := &auditor{opts: &Options{PROpener: f2, MaxPRs: 2}}
	outs2 := []outcome{
		{entry: Repository{FullName: "acme/a", Report: fixableReport("a1", "a2")}, dir: "/a"},
		{entry: Repository{FullName: "acme/b", Report: fixableReport("b1")}, dir: "/b"},
	}
	if err := a2.openPRs(t.Context(), outs2); err != nil {
		t.Fatal(err)
	}
	if len(f2.calls) != 1 {
		t.Errorf("calls after the budget ran out: %v", f2.calls)
	}
}

func TestMatchAny(t *testing.T) {
	tests := []struct {
		globs string
		name  string
		want  bool
	}{
		{"", "acme/api", true},
		{"api", "acme/api", true},
		{"API", "acme/api", true},
		{"a*", "acme/api", true},
		{"acme/a*", "acme/api", true},
		{"other/*", "acme/api", false},
		{"web, api", "acme/api", true},
		{"web", "acme/api", false},
	}
	for _, tc := range tests {
		if got := matchAny(splitGlobs(tc.globs), tc.name); got != tc.want {
			t.Errorf("matchAny(%q, %q) = %v, want %v", tc.globs, tc.name, got, tc.want)
		}
	}
}
