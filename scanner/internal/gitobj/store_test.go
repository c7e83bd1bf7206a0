package gitobj

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/scanner/scannertest"
)

func randomLine(seed uint64) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, 50)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return "line " + string(b)
}

// packedRepo builds a repository of 40 commits rewriting two growing files,
// packs it (with git's own gc when git is installed: offset deltas, chains,
// the index git writes) and adds a loose blob beside the pack.
func packedRepo(t *testing.T) (*git.Repository, string) {
	t.Helper()
	r := scannertest.New(t, t.TempDir())
	var b strings.Builder
	for i := range 40 {
		b.WriteString(randomLine(uint64(i)) + "\n")
		r.Write("doc/text.txt", b.String())
		r.Write("doc/n.txt", strconv.Itoa(i)+"\n"+b.String()[:len(b.String())/2])
		r.Commit("commit " + strconv.Itoa(i))
	}
	if err := r.Repo.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatalf("RepackObjects() error: %v", err)
	}
	if gitBin, err := exec.LookPath("git"); err == nil {
		cmd := exec.CommandContext(t.Context(), gitBin, "-C", r.Dir, "gc", "-q", "--aggressive")
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git gc: %v\n%s", err, out)
		}
	}
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	obj := repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "a loose blob\n"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Storer.SetEncodedObject(obj); err != nil {
		t.Fatal(err)
	}
	return repo, filepath.Join(r.Dir, ".git", "objects")
}

// TestStore_Read reads every object of a packed repository (deltas of both
// kinds, loose objects beside the pack) directly, as go-git reads it.
func TestStore_Read(t *testing.T) {
	t.Parallel()
	repo, dir := packedRepo(t)
	s := New(dir, repo.Storer.EncodedObject)
	defer s.Close()
	iter, err := repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		t.Fatal(err)
	}
	n, loose := 0, false
	var big plumbing.Hash
	err = iter.ForEach(func(obj plumbing.EncodedObject) error {
		n++
		rd, err := obj.Reader()
		if err != nil {
			return err
		}
		want, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			return err
		}
		loose = loose || string(want) == "a loose blob\n"
		if obj.Type() == plumbing.BlobObject && len(want) > 1000 {
			big = obj.Hash()
		}
		typ, got, err := s.readDirect(obj.Hash(), 0)
		if err != nil {
			t.Errorf("readDirect(%s) error: %v", obj.Hash(), err)
			return nil
		}
		if typ != obj.Type() || !bytes.Equal(got, want) {
			t.Errorf("readDirect(%s) = %s of %d bytes, want %s of %d bytes", obj.Hash(), typ, len(got), obj.Type(), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 || !loose {
		t.Errorf("read %d objects (loose blob among them: %v), want more than 100 and the loose blob", n, loose)
	}
	if _, _, err := s.Read(plumbing.NewHash(strings.Repeat("ab", 20)), 0); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Errorf("Read(unknown) error = %v, want ErrObjectNotFound", err)
	}
	if big.IsZero() {
		t.Fatal("no blob larger than 1,000 bytes")
	}
	if _, _, err := s.readDirect(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("readDirect(big, limit 10) error = %v, want ErrTooLarge", err)
	}
	if _, _, err := s.Read(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read(big, limit 10) error = %v, want ErrTooLarge", err)
	}
}

// TestStore_Tree parses HEAD's tree as go-git does, directly and through the
// fallback alone.
func TestStore_Tree(t *testing.T) {
	t.Parallel()
	repo, dir := packedRepo(t)
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	commit, err := repo.CommitObject(head.Hash())
	if err != nil {
		t.Fatal(err)
	}
	want, err := repo.TreeObject(commit.TreeHash)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    *Store
	}{{"direct", New(dir, nil)}, {"fallback", New("", repo.Storer.EncodedObject)}} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.s.Close()
			got, err := tc.s.CommitTree(head.Hash())
			if err != nil {
				t.Fatalf("CommitTree() error: %v", err)
			}
			if got.Hash != want.Hash {
				t.Errorf("CommitTree() = tree %s, want %s", got.Hash, want.Hash)
			}
			if diff := cmp.Diff(want.Entries, got.Entries); diff != "" {
				t.Errorf("CommitTree() entries mismatch (-want +got):\n%s", diff)
			}
			if _, err := tc.s.Tree(head.Hash()); err == nil {
				t.Error("Tree(a commit) succeeded, want an error")
			}
		})
	}
	s := New("", nil)
	if _, _, err := s.Read(head.Hash(), 0); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Errorf("Read() without directory or fallback error = %v, want ErrObjectNotFound", err)
	}
}
