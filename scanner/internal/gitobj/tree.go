package gitobj

import (
	"bytes"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// CommitTree returns the tree of commit h.
func (s *Store) CommitTree(h plumbing.Hash) (*object.Tree, error) {
	typ, data, err := s.Read(h, 0)
	if err != nil {
		return nil, err
	}
	if typ != plumbing.CommitObject || !bytes.HasPrefix(data, []byte("tree ")) || len(data) < 45 {
		return nil, fmt.Errorf("object %s is not a commit", h)
	}
	return s.Tree(plumbing.NewHash(string(data[5:45])))
}

// Tree reads and parses tree h. The tree is not bound to a storer: its
// entries are all it holds.
func (s *Store) Tree(h plumbing.Hash) (*object.Tree, error) {
	typ, data, err := s.Read(h, 0)
	if err != nil {
		return nil, err
	}
	if typ != plumbing.TreeObject {
		return nil, fmt.Errorf("object %s is not a tree", h)
	}
	return parseTree(h, data)
}

// parseTree parses the content of tree h: entries "MODE NAME\x00HASH".
func parseTree(h plumbing.Hash, data []byte) (*object.Tree, error) {
	t := &object.Tree{Hash: h}
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+21 {
			return nil, fmt.Errorf("tree %s is malformed", h)
		}
		mode, err := filemode.New(string(data[:sp]))
		if err != nil {
			return nil, fmt.Errorf("tree %s: %w", h, err)
		}
		var eh plumbing.Hash
		copy(eh[:], data[nul+1:nul+21])
		t.Entries = append(t.Entries, object.TreeEntry{Name: string(data[sp+1 : nul]), Mode: mode, Hash: eh})
		data = data[nul+21:]
	}
	return t, nil
}
