package scanner

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
)

// stagedDetector is built once per test binary: parsing the rules takes
// tens of milliseconds.
var stagedDetector = sync.OnceValues(func() (*detectors.Detector, error) {
	return detectors.New(detectors.Options{})
})

func stagedDet(t testing.TB) *detectors.Detector {
	t.Helper()
	d, err := stagedDetector()
	if err != nil {
		t.Fatalf("detectors.New() error: %v", err)
	}
	return d
}

// Token-shaped values are built at test time so that no credential shape is
// committed.
func stagedAWSKeyID() string { return "AKIA" + "QYLPMN5HHHFPZAM2" }

func stagedToken(prefix string, n int, seed uint64) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return prefix + string(b)
}

func stagedGitHubPAT(seed uint64) string { return stagedToken("ghp"+"_", 36, seed) }

// stagedPrivateKey is a PEM-shaped block of deterministic filler.
func stagedPrivateKey() string {
	var b strings.Builder
	b.WriteString("-----BEGIN RSA " + "PRIVATE KEY-----\n")
	for i := range 6 {
		b.WriteString(stagedToken("", 64, uint64(100+i)) + "\n")
	}
	b.WriteString("-----END RSA " + "PRIVATE KEY-----\n")
	return b.String()
}

// stagedRepo is a work tree built with go-git in a temporary directory.
type stagedRepo struct {
	t    testing.TB
	dir  string
	repo *git.Repository
	wt   *git.Worktree
	when time.Time
}

func newStagedRepo(t testing.TB) *stagedRepo {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatalf("PlainInit() error: %v", err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatalf("Worktree() error: %v", err)
	}
	return &stagedRepo{t: t, dir: dir, repo: r, wt: wt, when: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// write writes files (path: content) into the work tree and stages them.
func (r *stagedRepo) write(files map[string]string) {
	r.t.Helper()
	for p, content := range files {
		abs := filepath.Join(r.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	if len(files) > 20 { // one pass over the work tree rather than one per file
		if err := r.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
			r.t.Fatalf("Add(all) error: %v", err)
		}
		return
	}
	for p := range files {
		if _, err := r.wt.Add(p); err != nil {
			r.t.Fatalf("Add(%q) error: %v", p, err)
		}
	}
}

func (r *stagedRepo) move(from, to string) {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.dir, to)), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.wt.Move(from, to); err != nil {
		r.t.Fatalf("Move(%q, %q) error: %v", from, to, err)
	}
}

func (r *stagedRepo) commit(msg string) plumbing.Hash {
	r.t.Helper()
	r.when = r.when.Add(time.Hour)
	sig := &object.Signature{Name: "Alice", Email: "alice@example.com", When: r.when}
	h, err := r.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatalf("Commit() error: %v", err)
	}
	return h
}

func (r *stagedRepo) scan(root string) *Report {
	r.t.Helper()
	rep, err := ScanStaged(r.t.Context(), Options{Root: root, Detector: stagedDet(r.t)})
	if err != nil {
		r.t.Fatalf("ScanStaged(%q) error: %v", root, err)
	}
	return rep
}

// found lists "path:line rule where" for every occurrence of a report.
func stagedFound(r *Report) []string {
	var out []string
	for _, c := range r.Credentials {
		for _, o := range c.Occurrences {
			out = append(out, o.Path+":"+strconv.Itoa(o.Line)+" "+c.Rule+" "+string(o.Where))
		}
	}
	sort.Strings(out)
	return out
}

func TestScanStaged(t *testing.T) {
	id := stagedAWSKeyID()
	pat, pat2 := stagedGitHubPAT(1), stagedGitHubPAT(2)
	lines := func(n int, extra map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := extra[i]; ok {
				b.WriteString(s + "\n")
				continue
			}
			b.WriteString("line " + strconv.Itoa(i) + " of plain text\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		// setup builds the repository and stages the change; it returns the
		// directory to scan, relative to the work tree.
		setup     func(r *stagedRepo) string
		want      []string
		wantBlobs int64
		check     func(t *testing.T, rep *Report)
	}{{
		name: "no head",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"config/aws.ini": "[default]\naws_access_key_id = " + id + "\n", "README": "hello\n"})
			return "."
		},
		want:      []string{"config/aws.ini:2 aws-access-token staged"},
		wantBlobs: 2,
	}, {
		name: "added line only",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"app.env": lines(40, map[int]string{5: "GITHUB_TOKEN=" + pat})})
			r.commit("first")
			r.write(map[string]string{"app.env": lines(41, map[int]string{5: "GITHUB_TOKEN=" + pat, 41: "BACKUP_TOKEN=" + pat2})})
			return "."
		},
		want:      []string{"app.env:41 github-pat staged"},
		wantBlobs: 1,
	}, {
		name: "old secret moved within the file",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"app.env": lines(10, map[int]string{2: "GITHUB_TOKEN=" + pat})})
			r.commit("first")
			r.write(map[string]string{"app.env": lines(10, map[int]string{9: "GITHUB_TOKEN=" + pat})})
			return "."
		},
		want:      nil,
		wantBlobs: 1,
	}, {
		name: "nothing staged",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"a/b/c.txt": "token " + pat + "\n", "d.txt": "x\n"})
			r.commit("first")
			return "."
		},
		want:      nil,
		wantBlobs: 0,
	}, {
		name: "rename costs nothing",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"old/creds.txt": "token " + pat + "\n", "keep.txt": "x\n"})
			r.commit("first")
			r.move("old/creds.txt", "new/place/creds.txt")
			return "."
		},
		want:      nil,
		wantBlobs: 0,
	}, {
		name: "directory moved whole",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"lib/a.txt": "token " + pat + "\n", "lib/sub/b.txt": "y\n", "main.txt": "m\n"})
			r.commit("first")
			r.move("lib/a.txt", "pkg/lib/a.txt")
			r.move("lib/sub/b.txt", "pkg/lib/sub/b.txt")
			return "."
		},
		want:      nil,
		wantBlobs: 0,
	}, {
		name: "rename with an edit scans the edit",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"cfg/settings.env": lines(20, map[int]string{3: "GITHUB_TOKEN=" + pat})})
			r.commit("first")
			r.move("cfg/settings.env", "conf/settings.env")
			r.write(map[string]string{"conf/settings.env": lines(21, map[int]string{3: "GITHUB_TOKEN=" + pat, 21: "OTHER_TOKEN=" + pat2})})
			return "."
		},
		want:      []string{"conf/settings.env:21 github-pat staged"},
		wantBlobs: 1,
	}, {
		name: "binary file skipped and counted",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"blob.bin": "\x00\x01\x02 token " + pat + "\n", "ok.txt": "fine\n"})
			return "."
		},
		want:      nil,
		wantBlobs: 1,
		check: func(t *testing.T, rep *Report) {
			if got := rep.Summary.Skipped.Binary; got != 1 {
				t.Errorf("Summary.Skipped.Binary = %d, want 1", got)
			}
		},
	}, {
		name: "from a subdirectory",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"sub/dir/x.txt": "x\n", "other/creds.ini": "aws_access_key_id = " + id + "\n"})
			return "sub/dir"
		},
		want:      []string{"other/creds.ini:1 aws-access-token staged"},
		wantBlobs: 2,
	}, {
		name: "lines removed from a key",
		setup: func(r *stagedRepo) string {
			key := stagedPrivateKey()
			r.write(map[string]string{"id_rsa": strings.Replace(key, "\n", "\n"+stagedToken("", 64, 7)+"\n", 1)})
			r.commit("first")
			r.write(map[string]string{"id_rsa": key})
			return "."
		},
		want:      nil, // only lines were removed
		wantBlobs: 1,
	}, {
		name: "private key added",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"notes.txt": "notes\n"})
			r.commit("first")
			r.write(map[string]string{"notes.txt": "notes\n" + stagedPrivateKey()})
			return "."
		},
		want:      []string{"notes.txt:2 private-key staged"},
		wantBlobs: 1,
	}, {
		name: "encoded secret on an added line",
		setup: func(r *stagedRepo) string {
			enc := base64.StdEncoding.EncodeToString([]byte("aws_access_key_id = " + id))
			r.write(map[string]string{"values.yaml": "data:\n  creds: " + enc + "\n"})
			return "."
		},
		want:      []string{"values.yaml:2 aws-access-token staged", "values.yaml:2 generic-api-key staged"},
		wantBlobs: 1,
	}, {
		// Only the decoded form holds the keyword ("ghp_"): the rule must
		// still be compiled.
		name: "hex-encoded token on an added line",
		setup: func(r *stagedRepo) string {
			r.write(map[string]string{"seed.sql": "-- seed\n"})
			r.commit("first")
			r.write(map[string]string{"seed.sql": "-- seed\nINSERT INTO t VALUES ('" + hex.EncodeToString([]byte(pat)) + "');\n"})
			return "."
		},
		want:      []string{"seed.sql:2 github-pat staged"},
		wantBlobs: 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newStagedRepo(t)
			sub := tt.setup(r)
			rep := r.scan(filepath.Join(r.dir, filepath.FromSlash(sub)))
			if diff := cmp.Diff(tt.want, stagedFound(rep)); diff != "" {
				t.Errorf("ScanStaged() findings mismatch (-want +got):\n%s", diff)
			}
			if rep.Target.BlobsScanned != tt.wantBlobs {
				t.Errorf("ScanStaged() scanned %d blobs, want %d", rep.Target.BlobsScanned, tt.wantBlobs)
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

func TestScanStaged_TargetPath(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{"sub/dir/x.txt": "x\n"})
	rep := r.scan(filepath.Join(r.dir, "sub", "dir"))
	if got, want := filepath.Clean(rep.Target.Path), filepath.Clean(r.dir); got != want {
		t.Errorf("Target.Path = %q, want the top-level %q", got, want)
	}
}

// TestScanStaged_IndexFile reads another index file, as hooks of
// "git commit -a" get in GIT_INDEX_FILE.
func TestScanStaged_IndexFile(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{"a.txt": "a\n"})
	r.commit("first")
	real := filepath.Join(r.dir, ".git", "index")
	saved, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	r.write(map[string]string{"a.txt": "a\naws_access_key_id = " + stagedAWSKeyID() + "\n"})
	tmp := filepath.Join(r.dir, ".git", "index.lock")
	if err := os.Rename(real, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: r.dir, Detector: stagedDet(t)}
	rep, err := ScanStaged(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := stagedFound(rep); len(got) != 0 {
		t.Errorf("ScanStaged() of the unchanged index = %v, want nothing", got)
	}
	opts.IndexFile = tmp
	rep, err = ScanStaged(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.txt:2 aws-access-token staged"}, stagedFound(rep)); diff != "" {
		t.Errorf("ScanStaged(IndexFile) mismatch (-want +got):\n%s", diff)
	}
	opts.IndexFile = filepath.Join(r.dir, ".git", "no-such-index")
	if _, err := ScanStaged(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "no-such-index") {
		t.Errorf("ScanStaged(missing IndexFile) error = %v, want one naming the file", err)
	}
}

// TestScanStaged_SameAsWorktree: on a first commit, the staged scan finds
// what a working-tree scan of the same files finds, although it compiles
// only the rules the content needs.
func TestScanStaged_SameAsWorktree(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{
		"aws.ini":     "[default]\naws_access_key_id = " + stagedAWSKeyID() + "\n",
		"gh.env":      "GITHUB_TOKEN=" + stagedGitHubPAT(9) + "\n",
		"key.pem":     stagedPrivateKey(),
		"slack.txt":   "hook " + "https://hooks.slack.com/services/" + stagedToken("T", 8, 1) + "/" + stagedToken("B", 8, 2) + "/" + stagedToken("", 24, 3) + "\n",
		"db.txt":      "DATABASE_URL=postgres://admin:" + stagedToken("", 16, 4) + "@db.internal:5432/app\n",
		"encoded.txt": "v: " + base64.StdEncoding.EncodeToString([]byte("token = "+stagedGitHubPAT(10))) + "\n",
		"clean.go":    "package main\n\nfunc main() {}\n",
	})
	staged := r.scan(r.dir)
	wt, err := Scan(t.Context(), Options{Root: r.dir, NoHistory: true, Detector: stagedDet(t)})
	if err != nil {
		t.Fatal(err)
	}
	fps := func(rep *Report) []string {
		var out []string
		for _, c := range rep.Credentials {
			out = append(out, c.Fingerprint+" "+c.Rule)
		}
		sort.Strings(out)
		return out
	}
	if diff := cmp.Diff(fps(wt), fps(staged)); diff != "" {
		t.Errorf("ScanStaged() credentials differ from Scan(NoHistory) (-worktree +staged):\n%s", diff)
	}
	if len(wt.Credentials) < 4 {
		t.Errorf("Scan(NoHistory) found %d credentials, want at least 4: %v", len(wt.Credentials), fps(wt))
	}
}

// stagedLineDetector is a file detector that reports a config finding on every
// line holding "password".
type stagedLineDetector struct{}

func (stagedLineDetector) Name() string           { return "test" }
func (stagedLineDetector) Match(path string) bool { return strings.HasSuffix(path, ".cfg") }
func (stagedLineDetector) Detect(_ context.Context, path string, content []byte) ([]detectors.Finding, error) {
	var out []detectors.Finding
	for i, l := range strings.Split(string(content), "\n") {
		if v, ok := strings.CutPrefix(l, "password="); ok {
			out = append(out, detectors.Finding{RuleID: "test-password", Kind: detectors.KindConfig, Secret: detectors.NewSecret(v), Line: i + 1, Column: 10, EndLine: i + 1})
		}
	}
	return out, nil
}

var _ detectors.FileDetector = stagedLineDetector{}

func TestScanStaged_FileDetectors(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{"app.cfg": "[db]\npassword=old-one-in-history\n"})
	r.commit("first")
	r.write(map[string]string{"app.cfg": "[db]\npassword=old-one-in-history\n[cache]\npassword=new-one\n"})
	rep, err := ScanStaged(t.Context(), Options{Root: r.dir, Detector: stagedDet(t), FileDetectors: []detectors.FileDetector{stagedLineDetector{}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"app.cfg:4 test-password staged"}, stagedFound(rep)); diff != "" {
		t.Errorf("ScanStaged() mismatch (-want +got):\n%s", diff)
	}
}

func TestScanStaged_Errors(t *testing.T) {
	t.Parallel()
	_, err := ScanStaged(t.Context(), Options{Root: t.TempDir(), Detector: stagedDet(t)})
	if !errors.Is(err, ErrNotRepository) {
		t.Errorf("ScanStaged(plain directory) error = %v, want ErrNotRepository", err)
	}
	if _, err := ScanStaged(t.Context(), Options{Root: t.TempDir()}); !errors.Is(err, ErrNoDetector) {
		t.Errorf("ScanStaged(no detector) error = %v, want ErrNoDetector", err)
	}
}
