package scanner

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/google/go-cmp/cmp"
)

// TestScanStaged_Merge stages a merge of a branch whose commits hold a
// credential: only what the resolution adds is new.
func TestScanStaged_Merge(t *testing.T) {
	t.Parallel()
	pat, pat2 := stagedGitHubPAT(3), stagedGitHubPAT(4)
	r := newStagedRepo(t)
	r.write(map[string]string{"shared.txt": "one\ntwo\n", "main.txt": "m\n"})
	base := r.commit("base")
	// side: adds a credential in a new file and in a shared file.
	if err := r.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("side"), Create: true, Hash: base}); err != nil {
		t.Fatal(err)
	}
	r.write(map[string]string{"side.env": "TOKEN=" + pat + "\n", "shared.txt": "one\ntwo\nTOKEN=" + pat + "\n"})
	side := r.commit("side")
	if err := r.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("master")}); err != nil {
		t.Fatal(err)
	}
	r.write(map[string]string{"main.txt": "m\nmore\n"})
	r.commit("main work")
	// The merge: the side's files, and a resolution adding a new credential.
	r.write(map[string]string{
		"side.env":   "TOKEN=" + pat + "\n",
		"shared.txt": "one\ntwo\nTOKEN=" + pat + "\nRESOLVED=" + pat2 + "\n",
	})
	if err := os.WriteFile(filepath.Join(r.dir, ".git", "MERGE_HEAD"), []byte(side.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := r.scan(r.dir)
	want := []string{"shared.txt:4 github-pat staged"}
	if diff := cmp.Diff(want, stagedFound(rep)); diff != "" {
		t.Errorf("ScanStaged() during a merge mismatch (-want +got):\n%s", diff)
	}
	if rep.Target.BlobsScanned != 1 {
		t.Errorf("ScanStaged() scanned %d blobs, want 1 (side.env is the side's blob)", rep.Target.BlobsScanned)
	}

	// Without MERGE_HEAD, everything the side brought is new against HEAD,
	// as gitleaks' protect sees it.
	if err := os.Remove(filepath.Join(r.dir, ".git", "MERGE_HEAD")); err != nil {
		t.Fatal(err)
	}
	want = []string{"shared.txt:3 github-pat staged", "shared.txt:4 github-pat staged", "side.env:1 github-pat staged"}
	if diff := cmp.Diff(want, stagedFound(r.scan(r.dir))); diff != "" {
		t.Errorf("ScanStaged() without MERGE_HEAD mismatch (-want +got):\n%s", diff)
	}
}

// TestScanStaged_Conflict: unmerged paths are not scanned (git refuses to
// commit them) and are named in Problems; the rest is scanned.
func TestScanStaged_Conflict(t *testing.T) {
	t.Parallel()
	pat := stagedGitHubPAT(5)
	r := newStagedRepo(t)
	r.write(map[string]string{"a.txt": "a\n"})
	r.commit("first")
	r.write(map[string]string{"b.env": "TOKEN=" + pat + "\n"})
	idx, err := r.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	blob := idx.Entries[0].Hash
	for _, st := range []index.Stage{index.AncestorMode, index.OurMode, index.TheirMode} {
		idx.Entries = append(idx.Entries, &index.Entry{Name: "c.txt", Hash: blob, Mode: filemode.Regular, Stage: st})
	}
	if err := r.repo.Storer.SetIndex(idx); err != nil {
		t.Fatal(err)
	}
	rep := r.scan(r.dir)
	if diff := cmp.Diff([]string{"b.env:1 github-pat staged"}, stagedFound(rep)); diff != "" {
		t.Errorf("ScanStaged() mismatch (-want +got):\n%s", diff)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Path != "c.txt" {
		t.Errorf("Problems = %v, want c.txt unmerged", rep.Problems)
	}
}

// TestBuildDir_TreeHash: the tree hashes computed from the index are those
// git writes, so that unchanged directories are recognised without reading
// them.
func TestBuildDir_TreeHash(t *testing.T) {
	t.Parallel()
	r := newStagedRepo(t)
	r.write(map[string]string{
		"README": "top\n", "a/b/c.txt": "c\n", "a/b/d.txt": "d\n", "a/e.txt": "e\n",
		"a-b.txt": "sorts between a and a/\n", "z/y.go": "package y\n",
	})
	commit, err := r.repo.CommitObject(r.commit("first"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	d := buildDir(idx.Entries, 0)
	if !d.valid || d.hash != commit.TreeHash {
		t.Errorf("buildDir() = tree %s (valid %v), want HEAD's tree %s", d.hash, d.valid, commit.TreeHash)
	}
	idx.Entries = append(idx.Entries, &index.Entry{Name: "a/b/c.txt", Hash: idx.Entries[0].Hash, Mode: filemode.Regular, Stage: index.OurMode})
	sort.Slice(idx.Entries, func(i, j int) bool { return entryLess(idx.Entries[i], idx.Entries[j]) })
	if d := buildDir(idx.Entries, 0); d.valid {
		t.Error("buildDir() with a conflict stage is valid, want its hash left uncomputed")
	}
}
