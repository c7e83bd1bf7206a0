package ci_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/ci"
	"github.com/sessionize/sessionize/rules"
)

func kb(t testing.TB) *rules.KB {
	t.Helper()
	k, err := rules.DefaultKB()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// detectorFor returns the detector that matches path, failing if none or
// several do.
func detectorFor(t *testing.T, path string) detectors.FileDetector {
	t.Helper()
	var found detectors.FileDetector
	for _, d := range ci.Detectors(kb(t)) {
		if d.Match(path) {
			if found != nil {
				t.Fatalf("%s matched by %s and %s", path, found.Name(), d.Name())
			}
			found = d
		}
	}
	return found
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want string
	}{
		{".github/workflows/ci.yml", "github-actions"},
		{".github/workflows/nested/ci.yml", ""},
		{"sub/.github/workflows/ci.yml", ""},
		{".github/actions/setup/action.yaml", "github-actions"},
		{".gitlab-ci.yml", "gitlab-ci"},
		{"ci/deploy.gitlab-ci.yml", "gitlab-ci"},
		{".circleci/config.yml", "circleci"},
		{"azure-pipelines.yml", "azure-pipelines"},
		{"build/release.azure-pipelines.yml", "azure-pipelines"},
		{"bitbucket-pipelines.yml", "bitbucket-pipelines"},
		{".travis.yml", "travis"},
		{".buildkite/pipeline.yml", "buildkite"},
		{"Jenkinsfile", "jenkins"},
		{"ci/Jenkinsfile.release", "jenkins"},
		{"jenkins/deploy.groovy", "jenkins"},
		{"src/main/groovy/App.groovy", ""},
		{"docker-compose.yml", ""},
		{"testdata/corpus/ci/gitlab.txtar", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			got := ""
			if d := detectorFor(t, tt.path); d != nil {
				got = d.Name()
			}
			if got != tt.want {
				t.Errorf("Match(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

// summary is the part of a finding these tests compare.
type summary struct {
	Line     int
	Secret   string
	Rule     string
	Type     string
	Provider string
	Lifetime rules.Lifetime
	Session  bool
	Fixer    string
	CI       detectors.CIRef
}

func summarize(fs []detectors.Finding) []summary {
	var out []summary
	for _, f := range fs {
		out = append(out, summary{f.Line, f.Secret.Reveal(), f.RuleID, f.Type, f.Provider, f.Lifetime, f.Session, f.Fixer, *f.CI})
	}
	return out
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, content string
		want                []summary
	}{
		{
			name: "aws keys to configure-aws-credentials",
			path: ".github/workflows/deploy.yml",
			content: `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          role-to-assume: ${{ secrets.AWS_ROLE_ARN }}
          aws-region: us-east-1
`,
			want: []summary{
				{
					8, "secrets.AWS_ACCESS_KEY_ID", "gha-aws-keys", "aws-access-key", "aws", rules.Standing, false, "gha-aws-oidc",
					detectors.CIRef{System: "github-actions", Store: "secrets", Name: "AWS_ACCESS_KEY_ID", Job: "deploy", Key: "aws-access-key-id", Action: "aws-actions/configure-aws-credentials"},
				},
				{
					9, "secrets.AWS_SECRET_ACCESS_KEY", "gha-aws-keys", "aws-access-key", "aws", rules.Standing, false, "gha-aws-oidc",
					detectors.CIRef{System: "github-actions", Store: "secrets", Name: "AWS_SECRET_ACCESS_KEY", Job: "deploy", Key: "aws-secret-access-key", Action: "aws-actions/configure-aws-credentials"},
				},
			},
		},
		{
			name: "oidc role",
			path: ".github/workflows/deploy.yml",
			content: `on: push
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/deploy
          aws-region: us-east-1
`,
			want: []summary{
				{
					8, "oidc:github-actions:aws:.github/workflows/deploy.yml:deploy", "gha-oidc", "ci-oidc-federation", "aws", rules.Session, true, "",
					detectors.CIRef{System: "github-actions", Store: "oidc", Name: "aws", Job: "deploy", Key: "uses", Action: "aws-actions/configure-aws-credentials"},
				},
			},
		},
		{
			name: "gitlab variable in a script",
			path: ".gitlab-ci.yml",
			content: `deploy:
  script:
    - export VAULT_TOKEN=$VAULT_STATIC_TOKEN
    - echo $CI_JOB_TOKEN
`,
			want: []summary{
				{
					3, "$VAULT_STATIC_TOKEN", "gitlab-vault-token", "vault-service-token", "vault", rules.Bounded, false, "gitlab-id-tokens",
					detectors.CIRef{System: "gitlab-ci", Store: "variables", Name: "VAULT_STATIC_TOKEN", Job: "deploy", Key: "script"},
				},
			},
		},
		{
			name: "jenkins binding",
			path: "Jenkinsfile",
			content: `node {
  withCredentials([string(credentialsId: 'npm-publish', variable: 'NPM_TOKEN')]) { sh 'npm publish' }
}
`,
			want: []summary{
				{
					2, "credentials('npm-publish')", "jenkins-npm-token", "npm-token", "npm", rules.Standing, false, "",
					detectors.CIRef{System: "jenkins", Store: "jenkins-credentials", Name: "npm-publish", Key: "NPM_TOKEN", Action: "string"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := detectorFor(t, tt.path)
			fs, err := d.Detect(t.Context(), tt.path, []byte(tt.content))
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(fs)); diff != "" {
				t.Errorf("Detect(%s) mismatch (-want +got):\n%s", tt.name, diff)
			}
			for _, f := range fs {
				if f.Kind != detectors.KindCIReference || f.Family != "ci:"+f.CI.System {
					t.Errorf("Detect(%s): finding kind %q family %q", tt.name, f.Kind, f.Family)
				}
			}
		})
	}
}

func TestDetect_Invalid(t *testing.T) {
	t.Parallel()
	content := "on: push\njobs:\n  a:\n    steps:\n      - run: x\n     - run: y\n"
	d := detectorFor(t, ".github/workflows/x.yml")
	_, err := d.Detect(t.Context(), ".github/workflows/x.yml", []byte(content))
	var se *ci.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Detect(invalid) error = %v, want *ci.SyntaxError", err)
	}
	if se.Path != ".github/workflows/x.yml" || se.Line != 3 {
		t.Errorf("Detect(invalid) error at %s:%d, want .github/workflows/x.yml:3, where go-yaml places it (%v)", se.Path, se.Line, err)
	}
}

func TestDetect_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	d := detectorFor(t, ".gitlab-ci.yml")
	if _, err := d.Detect(ctx, ".gitlab-ci.yml", []byte("a: 1\n")); !errors.Is(err, context.Canceled) {
		t.Errorf("Detect(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestDetect_AliasBomb(t *testing.T) {
	t.Parallel()
	content := "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n"
	d := detectorFor(t, ".travis.yml")
	// Must return promptly; an error for the exhausted budget is fine.
	_, _ = d.Detect(t.Context(), ".travis.yml", []byte(content))
}

func Example() {
	k, _ := rules.DefaultKB()
	workflow := []byte(`on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
`)
	for _, d := range ci.Detectors(k) {
		if !d.Match(".github/workflows/publish.yml") {
			continue
		}
		fs, _ := d.Detect(context.Background(), ".github/workflows/publish.yml", workflow)
		for _, f := range fs {
			fmt.Println(f.Line, f.RuleID, f.Secret.Reveal(), f.Type, f.Lifetime, f.Fixer)
		}
	}
	// Output: 8 gha-npm-token secrets.NPM_TOKEN npm-token standing gha-npm-trusted-publishing
}
