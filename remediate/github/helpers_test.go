package github_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/ci"
	"github.com/sessionize/sessionize/detectors/configfile"
	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/remediate/github"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/score"
)

const (
	owner = "acme"
	name  = "site"
)

// token is a fake installation token, built at run time.
var token = fakeToken("ghs", "FAKEfake")

// fakeToken builds a GitHub-token-shaped fake at run time from a prefix and
// deterministic filler (STYLE §9), so that no token-shaped literal sits in
// the source for the tool's own scan to find.
func fakeToken(prefix, filler string) string {
	return prefix + "_" + strings.Repeat(filler, 36/len(filler)+1)[:36]
}

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const workflowPath = ".github/workflows/deploy.yml"

// deployYML wires AWS keys from stored secrets into a job; its comments
// must survive the rewrite.
const deployYML = `# Deploys the site on every push to main.
name: Deploy
on:
  push:
    branches: [main]   # only main
jobs:
  deploy:
    runs-on: ubuntu-latest
    # the job needs to read the repository
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1   # keep in sync with the bucket
      - run: aws s3 sync ./site s3://my-bucket --delete
`

// npmToken builds an npm-token-shaped fake at run time, so that no
// token-shaped literal sits in the source.
func npmToken() string {
	return "npm_" + strings.Repeat("Xq7Lm2Rv9T", 3) + "k4Pz0w"
}

// fakeClock is the retry policy's clock: sleeping advances it at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func (c *fakeClock) policy() github.RetryPolicy {
	return github.RetryPolicy{Now: c.Now, Sleep: c.Sleep, Jitter: func(time.Duration) time.Duration { return 0 }}
}

// newClient is a client of srv with tok.
func newClient(t *testing.T, srv *githubtest.Server, tok string, clock *fakeClock) *github.Client {
	t.Helper()
	c, err := github.NewClient(github.ClientConfig{APIURL: srv.APIURL(), ServerURL: srv.ServerURL(), Token: github.Token(tok), Retry: clock.policy()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedDetector is built once: building and compiling the rules is the
// slow part of a scan. A Detector is safe for concurrent use.
var sharedDetector = sync.OnceValues(func() (*detectors.Detector, error) { return detectors.New(detectors.Options{}) })

// plan writes files into a directory, scans its working tree, scores the
// report and plans the fixes, as `sessionize pr` does.
func plan(t *testing.T, files map[string]string) (*remediate.Result, *scanner.Report) {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	det, err := sharedDetector()
	if err != nil {
		t.Fatal(err)
	}
	r, err := scanner.Scan(t.Context(), scanner.Options{
		Root: dir, NoHistory: true, Detector: det, Repository: "github.com/" + owner + "/" + name,
		FileDetectors: append(ci.Detectors(det.KB()), configfile.Detectors(det.KB())...),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := score.Apply(r, score.Options{Now: func() time.Time { return epoch }}); err != nil {
		t.Fatal(err)
	}
	res, err := remediate.Plan(t.Context(), dir, r, remediate.Options{Repo: owner + "/" + name})
	if err != nil {
		t.Fatal(err)
	}
	return res, r
}

// request is the delivery request of a plan.
func request(res *remediate.Result, r *scanner.Report) github.Request {
	return github.Request{
		Repo: github.Repository{Owner: owner, Name: name}, Changes: res.Changes, Report: r,
		Fix: remediate.Options{Repo: owner + "/" + name}, ToolVersion: "v0.0.0-test",
		Now: func() time.Time { return epoch },
	}
}

func deliver(t *testing.T, c *github.Client, req github.Request) *github.Result {
	t.Helper()
	res, err := c.Deliver(t.Context(), req)
	if err != nil {
		t.Fatalf("Deliver() error = %v", err)
	}
	return res
}
