package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy() error: %v", err)
	}
	type want struct {
		Summary, Fixer string
	}
	tests := []struct {
		name string
		q    ExpectQuery
		want want
	}{
		{
			"ci aws actions",
			ExpectQuery{Context: ContextCI, Provider: "aws", CI: "github-actions", Path: ".github/workflows/d.yml"},
			want{"AWS OIDC role, 1 h", "gha-aws-oidc"},
		},
		{"ci aws gitlab", ExpectQuery{Context: ContextCI, Provider: "aws", CI: "gitlab-ci"}, want{"AWS OIDC role, 1 h", "gitlab-id-tokens"}},
		{"ci aws jenkins", ExpectQuery{Context: ContextCI, Provider: "aws", CI: "jenkins"}, want{"AWS OIDC role, 1 h", ""}},
		{"ci gcp actions", ExpectQuery{Context: ContextCI, Provider: "gcp", CI: "github-actions"}, want{"GCP workload identity federation, ≤ 1 h", "gha-gcp-wif"}},
		{
			"ci unknown provider",
			ExpectQuery{Context: ContextCI, Provider: "stripe", CI: "github-actions"},
			want{"Fetched at job start from a secret manager through the CI system's OIDC token, job-scoped", ""},
		},
		{
			"source any",
			ExpectQuery{Context: ContextSource, Provider: "stripe", Path: "pay.go"},
			want{"Read at runtime from a secret manager with workload identity, session", "source-env"},
		},
		{
			"config npmrc",
			ExpectQuery{Context: ContextConfig, Provider: "npm", Path: "web/.npmrc"},
			want{"npm token from the environment or trusted publishing, per publish", "npmrc-env"},
		},
		{
			"config kubeconfig dir",
			ExpectQuery{Context: ContextConfig, Provider: "kubernetes", Path: "ops/.kube/config"},
			want{"kubeconfig exec credential plugin, 15 min to 1 h", "kubeconfig-exec"},
		},
		{
			"config terraform",
			ExpectQuery{Context: ContextConfig, Provider: "aws", Path: "infra/main.tf"},
			want{"Ambient provider credentials, 1 h", "terraform-ambient"},
		},
		{
			"config tf lookalike",
			ExpectQuery{Context: ContextConfig, Provider: "aws", Path: "infra/main.tf.json"},
			want{"AWS role session from the environment or credential_process, ≤ 1 h", ""},
		},
		{"history", ExpectQuery{Context: ContextHistory, Provider: "aws"}, want{"Key deactivated and deleted; replaced by an AWS role session, ≤ 1 h", ""}},
		{"local", ExpectQuery{Context: ContextLocal, Provider: "slack"}, want{"Kept in the OS keychain or fetched by a credential helper, ≤ 24 h", ""}},
		{"unknown context", ExpectQuery{Context: "moon", Provider: "aws"}, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := p.Expect(tt.q)
			if diff := cmp.Diff(tt.want, want{e.Summary(), e.Fixer}); diff != "" {
				t.Errorf("Expect(%+v) mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
	gotMax := map[Context]Lifetime{}
	for _, c := range Contexts {
		gotMax[c] = p.Context(c).MaxLifetime
	}
	wantMax := map[Context]Lifetime{ContextCI: Session, ContextSource: Session, ContextConfig: Short, ContextHistory: Session, ContextLocal: Short}
	if diff := cmp.Diff(wantMax, gotMax); diff != "" {
		t.Errorf("DefaultPolicy() max lifetimes mismatch (-want +got):\n%s", diff)
	}
}

// TestDefaultPolicy_Fixers checks that the policy names only the fixers of
// docs/DESIGN.md.
func TestDefaultPolicy_Fixers(t *testing.T) {
	t.Parallel()
	known := []string{
		"gha-aws-oidc", "gha-gcp-wif", "gha-azure-oidc", "gha-pypi-trusted-publishing", "gha-npm-trusted-publishing",
		"gha-github-token", "gha-vault-jwt", "gitlab-id-tokens", "circleci-oidc", "bitbucket-oidc", "npmrc-env",
		"docker-credential-helper", "kubeconfig-exec", "terraform-ambient", "source-env",
	}
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy() error: %v", err)
	}
	for _, e := range p.Expectations() {
		if e.Fixer != "" && !slices.Contains(known, e.Fixer) {
			t.Errorf("DefaultPolicy() expectation %s/%s names unknown fixer %q", e.Context, e.Provider, e.Fixer)
		}
		if e.Summary() == "" || strings.HasSuffix(e.Summary(), ".") {
			t.Errorf("DefaultPolicy() expectation %s/%s summary %q: want a phrase without a full stop", e.Context, e.Provider, e.Summary())
		}
	}
}

func TestDefaultPolicy_Weights(t *testing.T) {
	t.Parallel()
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy() error: %v", err)
	}
	w := p.Weights()
	// Standing where session is expected weighs most of every component.
	most := w.Gap(Standing, Session)
	for _, v := range []int{w.Gap(Standing, Short), w.Gap(Bounded, Session), w.Exposure[ExposureTree], w.Privilege[PrivilegeCritical], w.Live} {
		if v >= most {
			t.Errorf("a component worth %d weighs as much as standing-where-session (%d)", v, most)
		}
	}
	// Exposure: tree > history > ci > local.
	if !(w.Exposure[ExposureTree] > w.Exposure[ExposureHistory] && w.Exposure[ExposureHistory] > w.Exposure[ExposureCI] && w.Exposure[ExposureCI] > w.Exposure[ExposureLocal]) {
		t.Errorf("exposure weights %v are not ordered tree > history > ci > local", w.Exposure)
	}
	ages := []struct{ days, want int }{{0, 0}, {29, 0}, {30, 2}, {89, 2}, {90, 5}, {364, 5}, {365, 8}, {5000, 8}}
	for _, a := range ages {
		if got := w.AgePoints(a.days); got != a.want {
			t.Errorf("AgePoints(%d) = %d, want %d", a.days, got, a.want)
		}
	}
	// Weights returns a copy.
	w.Exposure[ExposureTree] = 99
	if p.Weights().Exposure[ExposureTree] == 99 {
		t.Error("Weights() shares its maps with the policy")
	}
}

func TestParsePolicy_Errors(t *testing.T) {
	t.Parallel()
	valid := string(policyTOML)
	unknownKey := strings.Replace(valid, "max_lifetime = \"session\"\n", "max_lifetime = \"session\"\nmaxlifetime = 3\n", 1)
	badLifetime := strings.Replace(valid, "max_lifetime = \"short\"", "max_lifetime = \"weekly\"", 1)
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{
			"unknown key", unknownKey,
			[]string{lineOf(unknownKey, "maxlifetime = 3") + `:1: unknown key "context.ci.maxlifetime"`},
		},
		{
			"bad lifetime", badLifetime,
			[]string{lineOf(badLifetime, "weekly") + `:1: context "config": unknown lifetime class "weekly"`},
		},
		{
			"unknown context", valid + "\n[context.moon]\nmax_lifetime = \"session\"\n",
			[]string{`unknown context "moon"`},
		},
		{
			"bad expectation", valid + "\n[[expect]]\ncontext = \"source\"\nci = \"github-actions\"\nfiles = [\"[\"]\nfixer = \"Bad Name\"\n",
			[]string{"no provider", "a CI system applies only to the ci context", `bad file pattern "["`, "no mechanism", `bad fixer name "Bad Name"`},
		},
		{
			"duplicate expectation", valid + "\n[[expect]]\ncontext = \"ci\"\nprovider = \"aws\"\nmechanism = \"x\"\n",
			[]string{"repeats expectation 2"},
		},
		{
			"weights out of range", strings.Replace(valid, "live = 15", "live = 150", 1),
			[]string{"weights.live: 150 is out of range"},
		},
		{
			"gap without gap", strings.Replace(valid, "short = { session = 10 }", "short = { session = 10, short = 3 }", 1),
			[]string{"weights.lifetime_gap.short.short: no gap"},
		},
		{
			"missing weight", strings.Replace(valid, "sprawl_per_place = 3\n", "", 1),
			[]string{"weights: missing sprawl_per_place"},
		},
		{
			"missing context", strings.Replace(valid, "[context.local]", "[context.ignored_files_here]", 1),
			[]string{`unknown context "ignored_files_here"`, `context "local" is not defined`},
		},
		{
			"missing default expectation", strings.Replace(valid, "context = \"history\"\nprovider = \"*\"", "context = \"history\"\nprovider = \"any\"", 1),
			[]string{`context "history" has no expectation for provider "*"`},
		},
		{"not toml", "[context\n", []string{"policy.toml:1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePolicy("policy.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("ParsePolicy(%s) succeeded", tt.name)
			}
			var l ErrorList
			if !errors.As(err, &l) {
				t.Errorf("ParsePolicy(%s) error %T, want ErrorList", tt.name, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParsePolicy(%s) error = %q, want it to contain %q", tt.name, err, w)
				}
			}
		})
	}
}

// lineOf returns "policy.toml:N", N the line of the first occurrence of
// needle in doc.
func lineOf(doc, needle string) string {
	i := strings.Index(doc, needle)
	return fmt.Sprintf("policy.toml:%d", strings.Count(doc[:max(i, 0)], "\n")+1)
}

const overrideDoc = `title = "acme"

[extend]
useDefault = true

[[rules]]
id = "acme-token"
regex = '''acme_[a-z0-9]{32}'''

[policy.context.config]
max_lifetime = "session"

[[policy.expect]]
context = "ci"
provider = "aws"
ci = "github-actions"
mechanism = "AWS role from the platform broker"
duration = "15 min"
fixer = "gha-aws-oidc"

[[policy.expect]]
context = "source"
provider = "acme"
mechanism = "Acme session token from the sidecar"

[policy.weights]
exposure = { history = 25 }
live = 20

[[policy.weights.age]]
days = 7
points = 1

[fix]
role-arn = "arn:aws:iam::123456789012:role/deploy"
`

func TestParsePolicyOverride(t *testing.T) {
	t.Parallel()
	base, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy() error: %v", err)
	}
	o, err := ParsePolicyOverride(".sessionize.toml", []byte(overrideDoc))
	if err != nil {
		t.Fatalf("ParsePolicyOverride() error: %v", err)
	}
	p := base.Merge(o)
	type view struct {
		ConfigMax     Lifetime
		ConfigDesc    string
		CIAWS         string
		CIAWSGitLab   string
		SourceAcme    string
		SourceAWS     string
		Exposure      map[Exposure]int
		Live          int
		Age           []AgeStep
		Expectations  int
		BaseConfigMax Lifetime
		BaseCIAWS     string
		BaseLive      int
	}
	got := view{
		ConfigMax:     p.Context(ContextConfig).MaxLifetime,
		ConfigDesc:    p.Context(ContextConfig).Description,
		CIAWS:         p.Expect(ExpectQuery{Context: ContextCI, Provider: "aws", CI: "github-actions"}).Summary(),
		CIAWSGitLab:   p.Expect(ExpectQuery{Context: ContextCI, Provider: "aws", CI: "gitlab-ci"}).Summary(),
		SourceAcme:    p.Expect(ExpectQuery{Context: ContextSource, Provider: "acme"}).Summary(),
		SourceAWS:     p.Expect(ExpectQuery{Context: ContextSource, Provider: "aws"}).Summary(),
		Exposure:      p.Weights().Exposure,
		Live:          p.Weights().Live,
		Age:           p.Weights().Age,
		Expectations:  len(p.Expectations()) - len(base.Expectations()),
		BaseConfigMax: base.Context(ContextConfig).MaxLifetime,
		BaseCIAWS:     base.Expect(ExpectQuery{Context: ContextCI, Provider: "aws", CI: "github-actions"}).Summary(),
		BaseLive:      base.Weights().Live,
	}
	want := view{
		ConfigMax:     Session,
		ConfigDesc:    base.Context(ContextConfig).Description,
		CIAWS:         "AWS role from the platform broker, 15 min",
		CIAWSGitLab:   "AWS OIDC role, 1 h",
		SourceAcme:    "Acme session token from the sidecar",
		SourceAWS:     "AWS SDK default credential chain with a role session, ≤ 1 h",
		Exposure:      map[Exposure]int{ExposureTree: 30, ExposureHistory: 25, ExposureCI: 10, ExposureLocal: 5},
		Live:          20,
		Age:           []AgeStep{{Days: 7, Points: 1}},
		Expectations:  1,
		BaseConfigMax: Short,
		BaseCIAWS:     "AWS OIDC role, 1 h",
		BaseLive:      15,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge(ParsePolicyOverride()) mismatch (-want +got):\n%s", diff)
	}
}

func TestParsePolicyOverride_Empty(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "[extend]\nuseDefault = true\n", "[policy]\n"} {
		o, err := ParsePolicyOverride("c.toml", []byte(doc))
		if err != nil {
			t.Fatalf("ParsePolicyOverride(%q) error: %v", doc, err)
		}
		if !o.IsZero() {
			t.Errorf("ParsePolicyOverride(%q) is not empty", doc)
		}
		base, _ := DefaultPolicy()
		if base.Merge(o) != base {
			t.Errorf("Merge(empty override of %q) made a new policy", doc)
		}
	}
}

func TestParsePolicyOverride_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{
			"unknown key in policy", "[extend]\nuseDefault = true\n\n[policy.context.ci]\nmax_lifetim = \"session\"\nbogus = 1\n",
			[]string{`.sessionize.toml:5:1: unknown key "policy.context.ci.max_lifetim"`, `.sessionize.toml:6:1: unknown key "policy.context.ci.bogus"`},
		},
		{
			"bad values with positions", "[policy.context.source]\nmax_lifetime = \"forever\"\n\n[[policy.expect]]\ncontext = \"ci\"\nprovider = \"aws\"\nci = \"teamcity\"\nmechanism = \"x\"\n\n[policy.weights]\nprivilege = { root = 3 }\nexpired_cap = -1\n",
			[]string{
				`.sessionize.toml:2:1: context "source": unknown lifetime class "forever"`,
				`.sessionize.toml:7:1: expectation 1: unknown CI system "teamcity"`,
				`.sessionize.toml:11:1: weights.privilege: unknown key "root"`,
				`.sessionize.toml:12:1: weights.expired_cap: -1 is out of range`,
			},
		},
		{"wrong type", "[policy.weights]\nlive = \"high\"\n", []string{".sessionize.toml:2:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePolicyOverride(".sessionize.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("ParsePolicyOverride(%s) succeeded", tt.name)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParsePolicyOverride(%s) error = %q, want it to contain %q", tt.name, err, w)
				}
			}
		})
	}
}

func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy("none", nil)
	if err != nil {
		t.Fatalf("LoadPolicy(nil) error: %v", err)
	}
	if got := p.Context(ContextCI).MaxLifetime; got != Session {
		t.Errorf("LoadPolicy(nil) ci max lifetime = %s, want session", got)
	}
	if _, err := LoadPolicy(".sessionize.toml", []byte("[policy.weights]\nlive = 101\n")); err == nil {
		t.Error("LoadPolicy(live = 101) succeeded")
	}
}

func TestMatchFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		patterns []string
		path     string
		want     bool
	}{
		{[]string{".npmrc"}, ".npmrc", true},
		{[]string{".npmrc"}, "web/.npmrc", true},
		{[]string{"*.tf"}, "infra/prod/main.tf", true},
		{[]string{"*.tf"}, "infra/main.tfvars", false},
		{[]string{".kube/config"}, ".kube/config", true},
		{[]string{".kube/config"}, "home/me/.kube/config", true},
		{[]string{".kube/config"}, "home/me/x.kube/config", false},
		{[]string{".aws/credentials"}, "credentials", false},
		{[]string{"a", "b"}, "dir/b", true},
	}
	for _, tt := range tests {
		if got := matchFiles(tt.patterns, tt.path); got != tt.want {
			t.Errorf("matchFiles(%q, %q) = %v, want %v", tt.patterns, tt.path, got, tt.want)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(policyTOML)
	f.Add([]byte("[context.ci]\nmax_lifetime = 'session'\n[[expect]]\ncontext='ci'\nprovider='*'\nmechanism='m'\n"))
	f.Add([]byte("[weights]\nlifetime_gap.standing = { session = 1 }\n[[weights.age]]\ndays = 1\npoints = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.toml", data)
		if err != nil {
			return
		}
		for _, c := range Contexts {
			if p.Expect(ExpectQuery{Context: c, Provider: "aws", CI: "github-actions", Path: "a/b.tf"}).Mechanism == "" {
				t.Errorf("complete policy has no expectation for context %s", c)
			}
		}
	})
}

func FuzzParsePolicyOverride(f *testing.F) {
	f.Add([]byte(overrideDoc))
	f.Add([]byte("[policy.weights]\nceiling = { session = 10 }\n"))
	f.Add([]byte("[[policy.expect]]\ncontext='local'\nprovider='*'\nfiles=['*.env']\nmechanism='m'\n"))
	base, err := DefaultPolicy()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParsePolicyOverride("fuzz.toml", data)
		if err != nil {
			return
		}
		p := base.Merge(o)
		for _, c := range Contexts {
			if p.Expect(ExpectQuery{Context: c, Provider: "aws"}).Mechanism == "" {
				t.Errorf("merged policy has no expectation for context %s", c)
			}
			if !p.Context(c).MaxLifetime.Valid() {
				t.Errorf("merged policy has an invalid max lifetime for context %s", c)
			}
		}
	})
}
