package score_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/classify"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/score"
)

const repo = "github.com/acme/app"

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// filler returns n deterministic characters of alphabet, so that test
// tokens have the right shape without being real credentials.
func filler(n, seed int, alphabet string) string {
	var b strings.Builder
	for i := range n {
		b.WriteByte(alphabet[(i*7+seed*13+3)%len(alphabet)])
	}
	return b.String()
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func jwt(iat, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload := enc.EncodeToString(fmt.Appendf(nil, `{"sub":"svc","iat":%d,"exp":%d}`, iat.Unix(), exp.Unix()))
	return header + "." + payload + "." + filler(43, 5, alnum)
}

func kb(t *testing.T) *rules.KB {
	t.Helper()
	k, err := rules.DefaultKB()
	if err != nil {
		t.Fatalf("DefaultKB() error: %v", err)
	}
	return k
}

// literal builds a content finding as the detector would: rule, value,
// place, then classified by the knowledge base. set adjusts what the value
// itself reveals (lifetime, expiry) before classification keeps it.
func literal(k *rules.KB, rule, value, path string, line int, set func(*detectors.Finding)) detectors.Finding {
	f := detectors.Finding{
		RuleID: rule, Kind: detectors.KindContent, Secret: detectors.NewSecret(value),
		Path: path, Line: line, Column: 12, EndLine: line, EndColumn: 12 + len(value),
	}
	if set != nil {
		set(&f)
	}
	detectors.Classify(k, &f)
	return f
}

// ciRef builds a CI reference as the GitHub Actions detector reports it
// (detectors/ci): the stored secret by name, typed as the credential it
// holds and classified from the knowledge base, with the fixer that rewrites
// the step; or, with session, the OIDC role assumption kept as inventory.
// Every case uses an AWS access key pair wired in .github/workflows/deploy.yml.
func ciRef(t *testing.T, k *rules.KB, name string, line int, session bool) detectors.Finding {
	t.Helper()
	typ, path := "aws-access-key", ".github/workflows/deploy.yml"
	f := detectors.Finding{
		RuleID: "gha-aws-keys", Kind: detectors.KindCIReference, Secret: detectors.NewSecret("secrets." + name),
		Family: "ci:github-actions", Path: path, Line: line, Column: 30, EndLine: line,
		Type: typ, Provider: "aws", Fixer: "gha-aws-oidc",
		CI: &detectors.CIRef{
			System: "github-actions", Store: "secrets", Name: name, Job: "deploy",
			Key: "aws-access-key-id", Action: "aws-actions/configure-aws-credentials",
		},
	}
	if ct, ok := k.Type(typ); ok {
		f.Lifetime, f.Privilege = ct.Lifetime, ct.Privilege
	}
	if session {
		f.RuleID, f.Type, f.Fixer = "gha-oidc", "ci-oidc-federation", ""
		f.Secret = detectors.NewSecret("oidc:github-actions:aws:" + path + ":deploy")
		f.Session, f.Lifetime = true, rules.Session
		f.CI.Key, f.CI.Store, f.CI.Name = "uses", "oidc", "aws"
	}
	detectors.Classify(k, &f)
	return f
}

func occ(f detectors.Finding, where scanner.Where, date time.Time) scanner.Occurrence {
	o := scanner.Occurrence{
		Path: f.Path, Line: f.Line, Column: f.Column, EndLine: f.EndLine, Where: where,
		InHead: where != scanner.WhereHistory, Finding: f, Date: date,
	}
	if !date.IsZero() {
		o.Commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
		o.Author = "Dev <dev@example.com>"
	}
	return o
}

func report(occs ...scanner.Occurrence) *scanner.Report {
	r := &scanner.Report{Version: scanner.ReportVersion, Credentials: scanner.Group(occs, repo)}
	r.Finalize()
	return r
}

// result is what the table test checks of a scored credential.
type result struct {
	Score      int
	Severity   scanner.Severity
	Fixer      string
	Components []string
}

func summarize(c *scanner.Credential) result {
	r := result{Score: c.Score, Severity: c.Severity, Fixer: c.Fixer}
	for _, p := range c.Components {
		r.Components = append(r.Components, fmt.Sprintf("%s %+d", p.Name, p.Points))
	}
	return r
}

func find(r *scanner.Report, rule string) *scanner.Credential {
	for i := range r.Credentials {
		if r.Credentials[i].Rule == rule {
			return &r.Credentials[i]
		}
	}
	return nil
}

// TestApply_SpecExamples holds the examples of SPEC §5.
func TestApply_SpecExamples(t *testing.T) {
	t.Parallel()
	k := kb(t)
	keyID := "AKIA" + filler(16, 1, upperDigits)
	secretKey := filler(40, 2, alnum)
	recent := now.Add(-2 * time.Hour)
	tests := []struct {
		name         string
		report       *scanner.Report
		opts         score.Options
		rule         string
		want         result
		wantExpected string
	}{
		{
			name: "akia pair committed in source",
			report: report(
				occ(literal(k, "aws-access-token", keyID, "deploy/aws.go", 10, nil), scanner.WhereWorktree, recent),
				occ(literal(k, "generic-api-key", secretKey, "deploy/aws.go", 11, nil), scanner.WhereWorktree, recent),
			),
			rule: "aws-access-token",
			want: result{Score: 85, Severity: scanner.SeverityCritical, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "privilege +15",
			}},
			wantExpected: "AWS SDK default credential chain with a role session, ≤ 1 h",
		},
		{
			name: "akia pair referenced from actions secrets",
			report: report(
				occ(ciRef(t, k, "AWS_ACCESS_KEY_ID", 20, false), scanner.WhereCIReference, recent),
				occ(ciRef(t, k, "AWS_SECRET_ACCESS_KEY", 21, false), scanner.WhereCIReference, recent),
			),
			rule: "gha-aws-keys",
			want: result{Score: 65, Severity: scanner.SeverityHigh, Fixer: "gha-aws-oidc", Components: []string{
				"lifetime +40", "exposure +10", "privilege +15",
			}},
			wantExpected: "AWS OIDC role, 1 h",
		},
		{
			name: "asia key with an expired session",
			report: report(occ(literal(k, "aws-access-token", "ASIA"+filler(16, 3, upperDigits), "deploy/aws.go", 10, func(f *detectors.Finding) {
				f.Type, f.Lifetime = "aws-sts-session-key", rules.Session
				f.ExpiresAt = now.Add(-time.Hour)
			}), scanner.WhereWorktree, recent)),
			rule: "aws-access-token",
			// Components unchecked: the session key's privilege comes from
			// the knowledge base's aws-sts-session-key type.
			want:         result{Score: 20, Severity: scanner.SeverityLow, Fixer: "source-env"},
			wantExpected: "AWS SDK default credential chain",
		},
		{
			name: "ghs token in source",
			report: report(occ(literal(k, "github-app-token", ghToken("ghs_", filler(30, 4, alnum)), "scripts/release.py", 3, nil),
				scanner.WhereWorktree, recent)),
			rule: "github-app-token",
			want: result{Score: 35, Severity: scanner.SeverityLow, Fixer: "source-env", Components: []string{
				"lifetime +0", "exposure +30", "privilege +5",
			}},
			wantExpected: "GitHub App installation token minted at runtime, 1 h",
		},
		{
			name: "ghs token in a public repository",
			report: report(occ(literal(k, "github-app-token", ghToken("ghs_", filler(30, 4, alnum)), "scripts/release.py", 3, nil),
				scanner.WhereWorktree, recent)),
			opts: score.Options{PublicRepo: true},
			rule: "github-app-token",
			want: result{Score: 39, Severity: scanner.SeverityLow, Fixer: "source-env", Components: []string{
				"lifetime +0", "exposure +30", "public +15", "privilege +5", "ceiling -11",
			}},
			wantExpected: "GitHub App installation token",
		},
		{
			name: "jwt living ten minutes, expired",
			report: report(occ(literal(k, "jwt", jwt(now.Add(-time.Hour), now.Add(-50*time.Minute)), "config/app.yaml", 7, func(f *detectors.Finding) {
				f.Lifetime = rules.Session
				f.IssuedAt, f.ExpiresAt = now.Add(-time.Hour), now.Add(-50*time.Minute)
			}), scanner.WhereWorktree, recent)),
			rule: "jwt",
			want: result{Score: 20, Severity: scanner.SeverityLow, Components: []string{
				"lifetime +0", "exposure +30", "privilege +5", "expired -15",
			}},
			wantExpected: "Placeholder filled at runtime",
		},
		{
			name: "jwt living ten minutes, still valid",
			report: report(occ(literal(k, "jwt", jwt(now.Add(-time.Minute), now.Add(9*time.Minute)), "config/app.yaml", 7, func(f *detectors.Finding) {
				f.Lifetime = rules.Session
				f.IssuedAt, f.ExpiresAt = now.Add(-time.Minute), now.Add(9*time.Minute)
			}), scanner.WhereWorktree, time.Time{})),
			rule: "jwt",
			want: result{Score: 35, Severity: scanner.SeverityLow, Components: []string{
				"lifetime +0", "exposure +30", "privilege +5",
			}},
			wantExpected: "Placeholder filled at runtime",
		},
		{
			name:   "oidc role-to-assume step",
			report: report(occ(ciRef(t, k, "", 25, true), scanner.WhereCIReference, recent)),
			rule:   "gha-oidc",
			want: result{Score: 0, Severity: scanner.SeverityInfo, Components: []string{
				"session +0",
			}},
			wantExpected: "AWS OIDC role, 1 h",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			opts.Now = clock
			if err := score.Apply(tt.report, opts); err != nil {
				t.Fatalf("Apply() error: %v", err)
			}
			c := find(tt.report, tt.rule)
			if c == nil {
				t.Fatalf("Apply() lost the %s credential", tt.rule)
			}
			got := summarize(c)
			if tt.want.Components == nil {
				got.Components = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Apply(%s) mismatch (-want +got):\n%s\nreasons:\n%s", tt.name, diff, strings.Join(c.Reasons, "\n"))
			}
			if !strings.Contains(c.Expected, tt.wantExpected) {
				t.Errorf("Apply(%s) expected = %q, want it to contain %q", tt.name, c.Expected, tt.wantExpected)
			}
		})
	}
}

// TestApply_Pair checks the report-level outcome of the two AWS examples:
// the key pair's most severe credential.
func TestApply_Pair(t *testing.T) {
	t.Parallel()
	k := kb(t)
	keyID := "AKIA" + filler(16, 1, upperDigits)
	secretKey := filler(40, 2, alnum)
	r := report(
		occ(literal(k, "aws-access-token", keyID, "deploy/aws.go", 10, nil), scanner.WhereWorktree, now),
		occ(literal(k, "generic-api-key", secretKey, "deploy/aws.go", 11, nil), scanner.WhereWorktree, now),
	)
	if err := score.Apply(r, score.Options{Now: clock}); err != nil {
		t.Fatalf("Apply() error: %v", err)
	}
	got, _ := r.MaxSeverity()
	if got != scanner.SeverityCritical {
		t.Errorf("Apply(akia pair in source) max severity = %s, want critical", got)
	}
	want := map[scanner.Severity]int{scanner.SeverityCritical: 1, scanner.SeverityHigh: 1, scanner.SeverityMedium: 0, scanner.SeverityLow: 0, scanner.SeverityInfo: 0}
	if diff := cmp.Diff(want, r.Summary.BySeverity); diff != "" {
		t.Errorf("Apply(akia pair in source) by severity mismatch (-want +got):\n%s", diff)
	}
}

// TestApply_Contexts checks how occurrences map to contexts and exposure.
func TestApply_Contexts(t *testing.T) {
	t.Parallel()
	k := kb(t)
	key := func(seed int) string { return "AKIA" + filler(16, seed, upperDigits) }
	tests := []struct {
		name     string
		occ      scanner.Occurrence
		ignored  bool
		want     []string
		expected string
	}{
		{
			"source", occ(literal(k, "aws-access-token", key(1), "main.go", 1, nil), scanner.WhereWorktree, time.Time{}),
			false,
			[]string{"lifetime +40", "exposure +30", "privilege +15"},
			"AWS SDK default credential chain",
		},
		{
			"staged", occ(literal(k, "aws-access-token", key(1), "main.go", 1, nil), scanner.WhereStaged, time.Time{}),
			false,
			[]string{"lifetime +40", "exposure +30", "privilege +15"},
			"AWS SDK default credential chain",
		},
		{
			"config file", occ(literal(k, "aws-access-token", key(1), "deploy/values.yaml", 1, nil), scanner.WhereWorktree, time.Time{}),
			false,
			[]string{"lifetime +35", "exposure +30", "privilege +15"},
			"AWS role session from the environment",
		},
		{
			"aws credentials file", occ(literal(k, "aws-access-token", key(1), "ops/.aws/credentials", 2, nil), scanner.WhereWorktree, time.Time{}),
			false,
			[]string{"lifetime +35", "exposure +30", "privilege +15"},
			"AWS IAM Identity Center session",
		},
		{
			"terraform", occ(literal(k, "aws-access-token", key(1), "infra/main.tf", 4, nil), scanner.WhereWorktree, time.Time{}),
			false,
			[]string{"lifetime +35", "exposure +30", "privilege +15"},
			"Ambient provider credentials",
		},
		{
			"literal in a workflow", occ(literal(k, "aws-access-token", key(1), ".github/workflows/ci.yml", 9, nil), scanner.WhereWorktree, time.Time{}),
			false,
			[]string{"lifetime +40", "exposure +30", "privilege +15"},
			"AWS OIDC role, 1 h",
		},
		{
			"history only", occ(literal(k, "aws-access-token", key(1), "old.py", 3, nil), scanner.WhereHistory, now.Add(-400*24*time.Hour)),
			false,
			[]string{"lifetime +40", "exposure +20", "privilege +15", "age +8"},
			"Key deactivated and deleted",
		},
		{"history still in head", func() scanner.Occurrence {
			o := occ(literal(k, "aws-access-token", key(1), "app.py", 3, nil), scanner.WhereHistory, now.Add(-10*24*time.Hour))
			o.InHead = true
			return o
		}(), false, []string{"lifetime +40", "exposure +30", "privilege +15"}, "AWS SDK default credential chain"},
		{
			"ignored file", occ(literal(k, "aws-access-token", key(1), ".env", 1, nil), scanner.WhereWorktree, time.Time{}),
			true,
			[]string{"lifetime +35", "exposure +5", "privilege +15"},
			"AWS IAM Identity Center session",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := report(tt.occ)
			opts := score.Options{Now: clock, Ignored: func(string) bool { return tt.ignored }}
			if err := score.Apply(r, opts); err != nil {
				t.Fatalf("Apply() error: %v", err)
			}
			got := summarize(&r.Credentials[0]).Components
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Apply(%s) components mismatch (-want +got):\n%s", tt.name, diff)
			}
			if !strings.Contains(r.Credentials[0].Expected, tt.expected) {
				t.Errorf("Apply(%s) expected = %q, want it to contain %q", tt.name, r.Credentials[0].Expected, tt.expected)
			}
		})
	}
}

// TestApply_Components covers sprawl, age, public, verification and the
// cap at 100.
func TestApply_Components(t *testing.T) {
	t.Parallel()
	k := kb(t)
	key := "AKIA" + filler(16, 7, upperDigits)
	old := now.Add(-100 * 24 * time.Hour)
	many := func() *scanner.Report {
		var occs []scanner.Occurrence
		for i, p := range []string{"a.go", "b.go", "c.go", "d.go", "e.go"} {
			occs = append(occs, occ(literal(k, "aws-access-token", key, p, i+1, nil), scanner.WhereWorktree, old))
		}
		return report(occs...)
	}
	tests := []struct {
		name     string
		report   *scanner.Report
		opts     score.Options
		verified string
		want     result
	}{
		{
			name: "sprawl and age", report: many(),
			want: result{Score: 99, Severity: scanner.SeverityCritical, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "privilege +15", "sprawl +9", "age +5",
			}},
		},
		{
			name: "capped at 100", report: many(), opts: score.Options{PublicRepo: true},
			want: result{Score: 100, Severity: scanner.SeverityCritical, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "public +15", "privilege +15", "sprawl +9", "age +5", "cap -14",
			}},
		},
		{
			name: "repositories", report: report(occ(literal(k, "generic-api-key", filler(32, 8, alnum), "a.go", 1, nil), scanner.WhereWorktree, time.Time{})),
			opts: score.Options{RepoCount: func(string) int { return 3 }},
			want: result{Score: 85, Severity: scanner.SeverityCritical, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "privilege +5", "sprawl +10",
			}},
		},
		{
			name: "live", verified: "live",
			report: report(occ(literal(k, "slack-webhook-url", "https://hooks.slack.com/services/"+filler(30, 9, alnum), "notify.sh", 2, nil), scanner.WhereHistory, time.Time{})),
			want: result{Score: 75, Severity: scanner.SeverityHigh, Components: []string{
				"lifetime +40", "exposure +20", "privilege +0", "verified +15",
			}},
		},
		{
			name: "revoked", verified: "revoked",
			report: report(occ(literal(k, "aws-access-token", key, "a.go", 1, nil), scanner.WhereWorktree, time.Time{})),
			want: result{Score: 20, Severity: scanner.SeverityLow, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "privilege +15", "revoked -65",
			}},
		},
		{
			name: "public history", opts: score.Options{PublicRepo: true},
			report: report(occ(literal(k, "github-pat", ghToken("ghp_", filler(30, 10, alnum)), "old.sh", 1, nil), scanner.WhereHistory, time.Time{})),
			want: result{Score: 85, Severity: scanner.SeverityCritical, Components: []string{
				"lifetime +40", "exposure +20", "public +15", "privilege +10",
			}},
		},
		{
			name:   "checksum fails",
			report: report(occ(literal(k, "github-pat", "ghp_"+filler(36, 10, alnum), "old.sh", 1, nil), scanner.WhereWorktree, time.Time{})),
			want: result{Score: 25, Severity: scanner.SeverityLow, Fixer: "source-env", Components: []string{
				"lifetime +40", "exposure +30", "privilege +10", "invalid -55",
			}},
		},
		{
			name:   "short-lived committed long ago",
			report: report(occ(literal(k, "slack-config-access-token", "xoxe.xoxp-1-"+filler(40, 11, alnum), "tool.go", 1, nil), scanner.WhereWorktree, old)),
			want: result{Score: 20, Severity: scanner.SeverityLow, Fixer: "source-env", Components: []string{
				"lifetime +10", "exposure +30", "privilege +10", "age +5", "expired -35",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.verified != "" {
				tt.report.Credentials[0].Verified = tt.verified
			}
			opts := tt.opts
			opts.Now = clock
			if err := score.Apply(tt.report, opts); err != nil {
				t.Fatalf("Apply() error: %v", err)
			}
			got := summarize(&tt.report.Credentials[0])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Apply(%s) mismatch (-want +got):\n%s\nreasons:\n%s", tt.name, diff, strings.Join(tt.report.Credentials[0].Reasons, "\n"))
			}
		})
	}
}

// TestApply_Invariants checks, over many combinations, that components add
// up to the score, that the score stays in 0-100 with its severity, and
// that reasons mirror components.
func TestApply_Invariants(t *testing.T) {
	t.Parallel()
	k := kb(t)
	rulesByValue := []struct{ rule, value string }{
		{"aws-access-token", "AKIA" + filler(16, 1, upperDigits)},
		{"github-app-token", ghToken("ghs_", filler(30, 2, alnum))},
		{"github-fine-grained-pat", "github_pat_" + filler(82, 3, alnum)},
		{"slack-webhook-url", "https://hooks.slack.com/services/" + filler(30, 4, alnum)},
		{"no-such-rule", filler(24, 5, alnum)},
	}
	wheres := []scanner.Where{scanner.WhereWorktree, scanner.WhereStaged, scanner.WhereHistory}
	for i, rv := range rulesByValue {
		for j, where := range wheres {
			for _, public := range []bool{false, true} {
				for _, verified := range []string{"unknown", "live", "revoked"} {
					date := now.Add(-time.Duration(i*j*97) * 24 * time.Hour)
					r := report(
						occ(literal(k, rv.rule, rv.value, "src/a.go", 1, nil), where, date),
						occ(literal(k, rv.rule, rv.value, "conf/b.yaml", 2, nil), scanner.WhereWorktree, time.Time{}),
					)
					r.Credentials[0].Verified = verified
					if err := score.Apply(r, score.Options{Now: clock, PublicRepo: public}); err != nil {
						t.Fatalf("Apply() error: %v", err)
					}
					checkInvariants(t, &r.Credentials[0])
				}
			}
		}
	}
}

func checkInvariants(t *testing.T, c *scanner.Credential) {
	t.Helper()
	sum := 0
	var reasons []string
	for _, p := range c.Components {
		sum += p.Points
		reasons = append(reasons, p.Reason)
	}
	if sum != c.Score || c.Score < 0 || c.Score > 100 {
		t.Errorf("credential %s: components add up to %d, score %d", c.Fingerprint, sum, c.Score)
	}
	if c.Severity != scanner.SeverityOf(c.Score) {
		t.Errorf("credential %s: severity %s for score %d", c.Fingerprint, c.Severity, c.Score)
	}
	if diff := cmp.Diff(reasons, c.Reasons); diff != "" {
		t.Errorf("credential %s: reasons do not mirror components (-want +got):\n%s", c.Fingerprint, diff)
	}
}

// TestApply_Deterministic scores the same credentials given in two orders.
func TestApply_Deterministic(t *testing.T) {
	t.Parallel()
	k := kb(t)
	key := "AKIA" + filler(16, 1, upperDigits)
	occs := []scanner.Occurrence{
		occ(literal(k, "aws-access-token", key, "z.go", 1, nil), scanner.WhereWorktree, now.Add(-time.Hour)),
		occ(literal(k, "aws-access-token", key, "a.yaml", 1, nil), scanner.WhereWorktree, now.Add(-40*24*time.Hour)),
		occ(literal(k, "aws-access-token", key, "m.go", 1, nil), scanner.WhereHistory, now.Add(-400*24*time.Hour)),
		occ(literal(k, "github-app-token", ghToken("ghs_", filler(30, 2, alnum)), "x.go", 1, nil), scanner.WhereWorktree, time.Time{}),
	}
	reversed := make([]scanner.Occurrence, len(occs))
	for i, o := range occs {
		reversed[len(occs)-1-i] = o
	}
	a, b := report(occs...), report(reversed...)
	for _, r := range []*scanner.Report{a, b} {
		if err := score.Apply(r, score.Options{Now: clock}); err != nil {
			t.Fatalf("Apply() error: %v", err)
		}
	}
	view := func(r *scanner.Report) []string {
		var out []string
		for _, c := range r.Credentials {
			out = append(out, fmt.Sprintf("%s %d %s %s %s", c.Fingerprint, c.Score, c.Severity, c.Expected, c.Fixer))
			out = append(out, c.Reasons...)
		}
		return out
	}
	if diff := cmp.Diff(view(a), view(b)); diff != "" {
		t.Errorf("Apply() depends on occurrence order (-first +second):\n%s", diff)
	}
}

// TestApply_Reasons pins the wording of the reasons of the SPEC examples.
func TestApply_Reasons(t *testing.T) {
	t.Parallel()
	k := kb(t)
	recent := now.Add(-2 * time.Hour)
	r := report(
		occ(literal(k, "aws-access-token", "AKIA"+filler(16, 1, upperDigits), "deploy/aws.go", 10, nil), scanner.WhereWorktree, now.Add(-500*24*time.Hour)),
		occ(literal(k, "aws-access-token", "AKIA"+filler(16, 1, upperDigits), "old/aws.py", 4, nil), scanner.WhereHistory, now.Add(-600*24*time.Hour)),
		occ(ciRef(t, k, "AWS_SECRET_ACCESS_KEY", 21, false), scanner.WhereCIReference, recent),
		occ(literal(k, "github-app-token", ghToken("ghs_", filler(30, 4, alnum)), "scripts/release.py", 3, nil), scanner.WhereStaged, time.Time{}),
		occ(literal(k, "aws-access-token", "ASIA"+filler(16, 3, upperDigits), "deploy/session.go", 10, func(f *detectors.Finding) {
			f.Type, f.Lifetime, f.ExpiresAt = "aws-sts-session-key", rules.Session, now.Add(-time.Hour)
		}), scanner.WhereWorktree, recent),
		occ(ciRef(t, k, "", 25, true), scanner.WhereCIReference, recent),
	)
	if err := score.Apply(r, score.Options{Now: clock, PublicRepo: true}); err != nil {
		t.Fatalf("Apply() error: %v", err)
	}
	var b strings.Builder
	for _, c := range r.Credentials {
		fmt.Fprintf(&b, "%s %s %d %s\n  expected: %s\n  fixer: %s\n", c.Rule, c.Type, c.Score, c.Severity, c.Expected, c.Fixer)
		for _, reason := range c.Reasons {
			fmt.Fprintf(&b, "  - %s\n", reason)
		}
	}
	golden.RequireEqual(t, b.String())
}

// TestApply_PolicyOverride scores with a policy merged from a
// .sessionize.toml [policy] section.
func TestApply_PolicyOverride(t *testing.T) {
	t.Parallel()
	k := kb(t)
	cfg := `
[extend]
useDefault = true

[[policy.expect]]
context = "source"
provider = "aws"
mechanism = "Role from the platform's credential broker"
duration = "15 min"

[policy.weights]
privilege = { critical = 5 }
`
	p, err := rules.LoadPolicy(".sessionize.toml", []byte(cfg))
	if err != nil {
		t.Fatalf("LoadPolicy() error: %v", err)
	}
	r := report(occ(literal(k, "aws-access-token", "AKIA"+filler(16, 1, upperDigits), "main.go", 1, nil), scanner.WhereWorktree, time.Time{}))
	if err := score.Apply(r, score.Options{Now: clock, Policy: p}); err != nil {
		t.Fatalf("Apply() error: %v", err)
	}
	c := r.Credentials[0]
	want := result{Score: 75, Severity: scanner.SeverityHigh, Components: []string{"lifetime +40", "exposure +30", "privilege +5"}}
	if diff := cmp.Diff(want, summarize(&c)); diff != "" {
		t.Errorf("Apply(override) mismatch (-want +got):\n%s", diff)
	}
	if c.Expected != "Role from the platform's credential broker, 15 min" {
		t.Errorf("Apply(override) expected = %q", c.Expected)
	}
}

func FuzzApply(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(0), uint8(1), uint16(0), false, uint8(0), int16(0))
	f.Add(uint8(3), uint8(2), uint8(1), uint8(5), uint16(400), true, uint8(1), int16(-5))
	f.Add(uint8(1), uint8(1), uint8(3), uint8(2), uint16(30), true, uint8(2), int16(48))
	k, err := rules.DefaultKB()
	if err != nil {
		f.Fatal(err)
	}
	policy, err := rules.DefaultPolicy()
	if err != nil {
		f.Fatal(err)
	}
	lifetimes := []rules.Lifetime{rules.Session, rules.Short, rules.Bounded, rules.Standing, "bogus"}
	wheres := []scanner.Where{scanner.WhereWorktree, scanner.WhereStaged, scanner.WhereHistory, scanner.WhereCIReference}
	privs := []string{rules.PrivilegeCritical, rules.PrivilegeHigh, rules.PrivilegeMedium, rules.PrivilegeLow, ""}
	paths := []string{"a.go", "conf/x.yaml", ".github/workflows/ci.yml", ".env"}
	verified := []string{"unknown", "live", "revoked"}
	f.Fuzz(func(t *testing.T, life, where, priv, places uint8, days uint16, public bool, ver uint8, expiresHours int16) {
		var occs []scanner.Occurrence
		for i := range int(places%8) + 1 {
			fd := literal(k, "aws-access-token", "AKIA"+filler(16, 1, upperDigits), paths[i%len(paths)], i+1, func(fd *detectors.Finding) {
				fd.Lifetime = lifetimes[int(life)%len(lifetimes)]
				fd.Privilege = privs[int(priv)%len(privs)]
				if expiresHours != 0 {
					fd.ExpiresAt = now.Add(time.Duration(expiresHours) * time.Hour)
				}
			})
			w := wheres[(int(where)+i)%len(wheres)]
			if w == scanner.WhereCIReference {
				fd.Kind = detectors.KindCIReference
			}
			occs = append(occs, occ(fd, w, now.Add(-time.Duration(days)*24*time.Hour)))
		}
		r := report(occs...)
		for i := range r.Credentials {
			r.Credentials[i].Verified = verified[int(ver)%len(verified)]
		}
		opts := score.Options{Now: clock, Policy: policy, PublicRepo: public, Ignored: func(p string) bool { return p == ".env" }}
		if err := score.Apply(r, opts); err != nil {
			t.Fatal(err)
		}
		for i := range r.Credentials {
			checkInvariants(t, &r.Credentials[i])
		}
	})
}

// ghToken builds a GitHub token with a valid checksum from 30 random
// characters.
func ghToken(prefix, random string) string {
	return prefix + random + classify.GitHubChecksum(random)
}
