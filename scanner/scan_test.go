package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/scanner"
	"github.com/sessionize/sessionize/scanner/scannertest"
)

// Fake secrets, assembled at run time so that no credential-shaped string
// is committed.
var (
	awsKey    = "AKIA" + "QYLPMN5HHHFPZAM2"
	githubPAT = "ghp_" + "8kGxVr0QmXcN4tLb2WzYp7Hs1JdFa6Ue9RiO"
	stripeKey = "sk_live_" + "51Hx9TqLmN3vR7wYp2KdZs8Fj4Gb6Vc0AeQu"
)

var (
	detOnce sync.Once
	det     *detectors.Detector
)

func detector(t *testing.T) *detectors.Detector {
	t.Helper()
	detOnce.Do(func() {
		d, err := detectors.New(detectors.Options{})
		if err != nil {
			panic(err)
		}
		det = d
	})
	return det
}

// backends runs f once per history backend: the git binary (when
// installed) and go-git.
func backends(t *testing.T, f func(t *testing.T, noGit bool)) {
	t.Helper()
	for _, noGit := range []bool{false, true} {
		name := "git"
		if noGit {
			name = "go-git"
		} else if _, err := exec.LookPath("git"); err != nil {
			t.Logf("git binary not installed: only go-git is tested")
			continue
		}
		t.Run(name, func(t *testing.T) { f(t, noGit) })
	}
}

// credential returns the credential holding secret, failing the test
// without printing the secret when there is none.
func credential(t *testing.T, r *scanner.Report, secret string) scanner.Credential {
	t.Helper()
	for _, c := range r.Credentials {
		if c.Secret.Reveal() == secret {
			return c
		}
	}
	var got []string
	for _, c := range r.Credentials {
		got = append(got, c.Rule+" "+c.RedactedSecret())
	}
	t.Fatalf("no credential %s in report; have %v", detectors.Redact(secret), got)
	return scanner.Credential{}
}

type occ struct {
	Path   string
	Line   int
	Where  scanner.Where
	Commit string
	InHead bool
}

func occs(c scanner.Credential) []occ {
	var out []occ
	for _, o := range c.Occurrences {
		out = append(out, occ{o.Path, o.Line, o.Where, o.Commit, o.InHead})
	}
	return out
}

func TestScan_History(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		t.Parallel()
		r := scannertest.New(t, t.TempDir())
		r.Write("README.md", "# demo\n")
		r.Commit("init")
		r.Write("config.ini", "[default]\naws_access_key_id = "+awsKey+"\n")
		added := r.Commit("add config")
		r.Write("README.md", "# demo\nmore\n")
		r.Commit("docs")
		r.Remove("config.ini")
		r.Commit("remove config")
		// A secret only on a side branch.
		r.Branch("feature")
		r.Write("side.txt", "token: "+githubPAT+"\n")
		side := r.Commit("side work")
		// A secret only reachable through a tag.
		r.Checkout("main").Branch("tmp")
		r.Write("billing/keys.py", "STRIPE = \""+stripeKey+"\"\n")
		tagged := r.Commit("release keys")
		r.Tag("v1-leak").Checkout("main").DeleteBranch("tmp")
		// The same secret in two working-tree files.
		r.Write("a.txt", "key = "+awsKey+"\n")
		r.Write("dir/b.txt", "\n\nid: "+awsKey+"\n")

		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit})
		if err != nil {
			t.Fatalf("Scan() error: %v", err)
		}
		if rep.Target.CommitsScanned != 6 {
			t.Errorf("CommitsScanned = %d, want 6", rep.Target.CommitsScanned)
		}
		want := []occ{
			{"a.txt", 1, scanner.WhereWorktree, "", false},
			{"config.ini", 2, scanner.WhereHistory, added, false},
			{"dir/b.txt", 3, scanner.WhereWorktree, "", false},
		}
		if diff := cmp.Diff(want, occs(credential(t, rep, awsKey))); diff != "" {
			t.Errorf("AWS key occurrences mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]occ{{"side.txt", 1, scanner.WhereHistory, side, false}}, occs(credential(t, rep, githubPAT))); diff != "" {
			t.Errorf("side-branch PAT occurrences mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]occ{{"billing/keys.py", 1, scanner.WhereHistory, tagged, false}}, occs(credential(t, rep, stripeKey))); diff != "" {
			t.Errorf("tag-only Stripe key occurrences mismatch (-want +got):\n%s", diff)
		}
		o := credential(t, rep, awsKey).Occurrences[1]
		if o.Author != "Alice" || !o.Date.Equal(scannertest.Start.Add(time.Hour)) {
			t.Errorf("history occurrence author/date = %q %v, want Alice %v", o.Author, o.Date, scannertest.Start.Add(time.Hour))
		}
	})
}

// TestScan_HistoryAndWorktree checks that a secret committed and still
// present is one occurrence, in the working tree, with its commit.
func TestScan_HistoryAndWorktree(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		t.Parallel()
		r := scannertest.New(t, t.TempDir())
		r.Write("app/settings.py", "DEBUG = False\nSTRIPE_KEY = \""+stripeKey+"\"\n")
		c1 := r.Commit("settings")
		r.Write("app/settings.py", "# moved down\nDEBUG = False\nSTRIPE_KEY = \""+stripeKey+"\"\n")
		r.Commit("comment")
		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit})
		if err != nil {
			t.Fatalf("Scan() error: %v", err)
		}
		want := []occ{{"app/settings.py", 3, scanner.WhereWorktree, c1, true}}
		if diff := cmp.Diff(want, occs(credential(t, rep, stripeKey))); diff != "" {
			t.Errorf("occurrences mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestScan_SkippedContent(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		t.Parallel()
		r := scannertest.New(t, t.TempDir())
		r.Write("bin/blob.dat", "\x00\x01binary "+awsKey+"\n")
		r.Write("big.txt", strings.Repeat("filler line of text\n", 200)+"key = "+awsKey+"\n")
		r.Write("data/model.pt", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
		r.Write("ok.txt", "nothing here\n")
		r.Commit("content of all kinds")
		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, MaxFileSize: 2048})
		if err != nil {
			t.Fatalf("Scan() error: %v", err)
		}
		if len(rep.Credentials) != 0 {
			t.Errorf("found %d credentials in skipped content, want 0", len(rep.Credentials))
		}
		// Each is skipped once in history and once in the working tree.
		want := scanner.Skipped{Binary: 2, TooLarge: 2, LFS: 2}
		if diff := cmp.Diff(want, rep.Summary.Skipped); diff != "" {
			t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestScan_CorruptRepository(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		corrupt func(t *testing.T, gitDir string)
	}{
		{"garbled object", func(t *testing.T, gitDir string) {
			for _, p := range looseObjects(t, gitDir) {
				if err := os.WriteFile(p, []byte("not zlib at all"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"missing objects database", func(t *testing.T, gitDir string) {
			if err := os.RemoveAll(filepath.Join(gitDir, "objects")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			backends(t, func(t *testing.T, noGit bool) {
				r := scannertest.New(t, t.TempDir())
				r.Write("a.txt", "key = "+awsKey+"\n")
				r.Commit("one")
				tt.corrupt(t, filepath.Join(r.Dir, ".git"))
				_, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true})
				if err == nil {
					t.Fatal("Scan() of a corrupt repository succeeded")
				}
				if !strings.Contains(err.Error(), r.Dir) {
					t.Errorf("Scan() error %q does not name the repository %q", err, r.Dir)
				}
				if strings.Contains(err.Error(), awsKey) {
					t.Error("the error carries the raw secret")
				}
			})
		})
	}
}

func looseObjects(t *testing.T, gitDir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(gitDir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(filepath.Base(filepath.Dir(p))) == 2 {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatal("no loose objects to corrupt")
	}
	return out
}

// TestScan_MissingBlob checks that a blob missing from the object database
// (as in a partial clone) is counted, not an error.
func TestScan_MissingBlob(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		r := scannertest.New(t, t.TempDir())
		r.Write("gone.txt", "key = "+awsKey+"\n")
		r.Write("kept.txt", "token: "+githubPAT+"\n")
		r.Commit("one")
		blob := blobHash(t, r.Dir, "gone.txt")
		if err := os.Remove(filepath.Join(r.Dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
			t.Fatal(err)
		}
		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true})
		if err != nil {
			t.Fatalf("Scan() error: %v", err)
		}
		if rep.Summary.ObjectsMissing != 1 {
			t.Errorf("ObjectsMissing = %d, want 1", rep.Summary.ObjectsMissing)
		}
		credential(t, rep, githubPAT)
	})
}

func blobHash(t *testing.T, dir, path string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "git", "-C", dir, "rev-parse", "HEAD:"+path).Output()
	if err != nil {
		t.Skipf("git binary needed to locate a blob: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestScan_Cancel checks that cancelling the context stops a history scan
// within a second.
func TestScan_Cancel(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		r := scannertest.New(t, t.TempDir())
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range 60 {
			var b strings.Builder
			for range 4000 {
				fmt.Fprintf(&b, "api_key_%d = %q # token secret password\n", rng.IntN(1e9), fmt.Sprint(rng.Uint64(), rng.Uint64()))
			}
			r.Write(fmt.Sprintf("data/file%02d.txt", i), b.String())
			r.Commit(fmt.Sprint("commit ", i))
		}
		ctx, cancel := context.WithCancel(t.Context())
		started := make(chan struct{})
		var once sync.Once
		done := make(chan error, 1)
		go func() {
			_, err := scanner.Scan(ctx, scanner.Options{
				Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true,
				ProgressInterval: time.Millisecond,
				Progress: func(p scanner.Progress) {
					if p.Blobs > 0 {
						once.Do(func() { close(started) })
					}
				},
			})
			done <- err
		}()
		select {
		case <-started:
		case err := <-done:
			t.Fatalf("Scan() finished before it could be cancelled: %v", err)
		}
		cancel()
		cancelled := time.Now()
		select {
		case err := <-done:
			t.Logf("stopped %v after cancel", time.Since(cancelled))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Scan() after cancel = %v, want context.Canceled", err)
			}
		case <-time.After(time.Second):
			t.Fatal("Scan() still running a second after cancel")
		}
	})
}

// TestScan_BackendsAgree checks that the git binary and go-git give the same
// report over a history with branches, a merge, renames and copies.
func TestScan_BackendsAgree(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	r := scannertest.New(t, t.TempDir())
	r.Write("src/main.go", "package main\n\nconst token = \""+githubPAT+"\"\n")
	r.Commit("one")
	r.Branch("feature")
	r.Write("src/other.go", "package main\n\nvar stripe = \""+stripeKey+"\"\n")
	r.Commit("feature")
	r.Checkout("main")
	r.Write("conf/copy.go", "package main\n\nconst token = \""+githubPAT+"\"\n")
	r.Write("README.md", "aws: "+awsKey+"\n")
	r.Commit("copy and readme")
	r.Remove("src/main.go")
	r.Commit("remove")
	var reports []string
	for _, noGit := range []bool{false, true} {
		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit})
		if err != nil {
			t.Fatalf("Scan(noGit=%v) error: %v", noGit, err)
		}
		reports = append(reports, describe(rep))
	}
	if diff := cmp.Diff(reports[0], reports[1]); diff != "" {
		t.Errorf("git binary vs go-git mismatch (-git +go-git):\n%s", diff)
	}
}

func describe(r *scanner.Report) string {
	var lines []string
	for _, c := range r.Credentials {
		for _, o := range c.Occurrences {
			lines = append(lines, fmt.Sprintf("%s %s %s:%d:%d %s %s %v", c.Fingerprint, c.Rule, o.Path, o.Line, o.Column, o.Where, o.Commit, o.InHead))
		}
	}
	sort.Strings(lines)
	return fmt.Sprintf("commits=%d blobs=%d\n%s", r.Target.CommitsScanned, r.Target.BlobsScanned, strings.Join(lines, "\n"))
}

// TestScan_Since checks that --since leaves out what the revision reaches.
func TestScan_Since(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, noGit bool) {
		t.Parallel()
		r := scannertest.New(t, t.TempDir())
		r.Write("old.txt", "key = "+awsKey+"\n")
		old := r.Commit("old")
		r.Write("new.txt", "token: "+githubPAT+"\n")
		r.Commit("new")
		rep, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true, Since: old})
		if err != nil {
			t.Fatalf("Scan() error: %v", err)
		}
		if rep.Target.CommitsScanned != 1 || len(rep.Credentials) != 1 || rep.Credentials[0].Secret.Reveal() != githubPAT {
			t.Errorf("Scan(since) = %d commits, %d credentials; want 1 commit and only the newer secret", rep.Target.CommitsScanned, len(rep.Credentials))
		}
		if _, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true, Since: "no-such-rev"}); err == nil || !strings.Contains(err.Error(), "no-such-rev") {
			t.Errorf("Scan(since unknown) error = %v, want one naming the revision", err)
		}
	})
}

// TestClone checks that a remote is cloned with every branch and tag.
func TestClone(t *testing.T) {
	t.Parallel()
	src := scannertest.New(t, t.TempDir())
	src.Write("a.txt", "key = "+awsKey+"\n")
	src.Commit("one")
	src.Branch("side")
	src.Write("b.txt", "token: "+githubPAT+"\n")
	src.Commit("side")
	src.Checkout("main")
	dir := t.TempDir()
	if err := scanner.Clone(t.Context(), "file://"+src.Dir, dir, scanner.CloneOptions{}); err != nil {
		t.Fatalf("Clone() error: %v", err)
	}
	rep, err := scanner.Scan(t.Context(), scanner.Options{Root: dir, Detector: detector(t), HistoryOnly: true})
	if err != nil {
		t.Fatalf("Scan(clone) error: %v", err)
	}
	credential(t, rep, awsKey)
	credential(t, rep, githubPAT) // only on the remote's side branch
	if err := scanner.Clone(t.Context(), "file://"+filepath.Join(t.TempDir(), "missing"), t.TempDir(), scanner.CloneOptions{}); err == nil {
		t.Error("Clone() of a missing repository succeeded")
	}
}

// TestScan_MissingPack checks that a pack file gone from under its index is
// an error naming the repository.
func TestScan_MissingPack(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary needed to repack")
	}
	backends(t, func(t *testing.T, noGit bool) {
		r := scannertest.New(t, t.TempDir())
		r.Write("a.txt", "key = "+awsKey+"\n")
		r.Commit("one")
		if out, err := exec.CommandContext(t.Context(), "git", "-C", r.Dir, "repack", "-adq").CombinedOutput(); err != nil {
			t.Fatalf("git repack: %v: %s", err, out)
		}
		packs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.pack"))
		if len(packs) == 0 {
			t.Fatal("no pack after repack")
		}
		for _, p := range packs {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		_, err := scanner.Scan(t.Context(), scanner.Options{Root: r.Dir, Detector: detector(t), NoGitBinary: noGit, HistoryOnly: true})
		if err == nil || !strings.Contains(err.Error(), r.Dir) {
			t.Errorf("Scan() with a missing pack error = %v, want one naming %q", err, r.Dir)
		}
	})
}
