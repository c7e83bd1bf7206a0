package gitobj

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrTooLarge is returned for an object above the size limit.
var ErrTooLarge = errors.New("object too large")

// Fallback reads an object that [Store] does not read itself: a go-git
// storer's EncodedObject method.
type Fallback func(plumbing.ObjectType, plumbing.Hash) (plumbing.EncodedObject, error)

// Store reads objects from one objects directory. It keeps pack indexes
// open and packs mapped until [Store.Close]. A Store is not safe for
// concurrent use.
type Store struct {
	dir      string // the objects directory; "" reads everything through fallback
	fallback Fallback
	packs    []*packFile
	// listed reports whether packs has been read from objects/pack.
	listed bool
	zr     io.ReadCloser
	br     *bufio.Reader
	// bases caches delta bases by pack and offset, up to maxBaseBytes.
	bases     map[baseKey]cached
	baseBytes int
}

// cached is a delta base: its type and content.
type cached struct {
	typ  plumbing.ObjectType
	data []byte
}

type baseKey struct {
	pack *packFile
	off  int64
}

// maxBaseBytes bounds the delta bases a Store keeps.
const maxBaseBytes = 16 << 20

// New returns a Store over the objects directory dir (a repository's
// .git/objects, or the common directory's for a linked work tree). "" means
// no directory: everything is read through fallback. A nil fallback finds
// nothing.
func New(dir string, fallback Fallback) *Store {
	return &Store{dir: dir, fallback: fallback, bases: map[baseKey]cached{}}
}

// Close releases the pack indexes and packs kept open.
func (s *Store) Close() {
	for _, p := range s.packs {
		p.close()
	}
	s.packs, s.listed = nil, false
}

// Read returns an object's type and content. An object larger than limit
// bytes (when limit is positive) gives [ErrTooLarge], a missing one
// [plumbing.ErrObjectNotFound]. The content is the caller's.
func (s *Store) Read(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	if s.dir != "" {
		typ, data, err := s.readDirect(h, limit)
		if err == nil || errors.Is(err, ErrTooLarge) {
			return typ, data, err
		}
	}
	return s.readFallback(h, limit)
}

func (s *Store) readFallback(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	if s.fallback == nil {
		return plumbing.InvalidObject, nil, plumbing.ErrObjectNotFound
	}
	obj, err := s.fallback(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	if limit > 0 && obj.Size() > limit {
		return obj.Type(), nil, ErrTooLarge
	}
	r, err := obj.Reader()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return obj.Type(), data, err
}

// readDirect reads a loose object, else a packed one. Anything unexpected
// is an error, and Read falls back.
func (s *Store) readDirect(h plumbing.Hash, limit int64) (typ plumbing.ObjectType, data []byte, err error) {
	defer func() {
		if r := recover(); r != nil { // corrupt data: let the fallback say what is wrong
			typ, data, err = plumbing.InvalidObject, nil, fmt.Errorf("read object %s: %v", h, r)
		}
	}()
	name := h.String()
	if f, err := os.Open(filepath.Join(s.dir, name[:2], name[2:])); err == nil {
		defer f.Close()
		return s.readLoose(f, limit)
	}
	if !s.listed {
		s.listed = true
		s.listPacks()
	}
	for _, p := range s.packs {
		off, ok, err := p.find(h)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if ok {
			return s.readPacked(p, off, limit, 0)
		}
	}
	return plumbing.InvalidObject, nil, plumbing.ErrObjectNotFound
}

// inflate reads size bytes (all of it when size is negative) of the zlib
// stream r, with one decompressor reused across objects.
func (s *Store) inflate(r io.Reader, size int64) ([]byte, error) {
	if s.zr == nil {
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, err
		}
		s.zr = zr
	} else if err := s.zr.(zlib.Resetter).Reset(r, nil); err != nil {
		return nil, err
	}
	if size < 0 {
		return io.ReadAll(s.zr)
	}
	data := make([]byte, size)
	_, err := io.ReadFull(s.zr, data)
	return data, err
}

// readLoose reads a loose object: zlib of "TYPE SIZE\x00CONTENT".
func (s *Store) readLoose(f *os.File, limit int64) (plumbing.ObjectType, []byte, error) {
	br := bufio.NewReaderSize(f, 32<<10)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer zr.Close()
	zb := bufio.NewReader(zr)
	header, err := zb.ReadString(0)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	kind, sizeText, ok := strings.Cut(strings.TrimSuffix(header, "\x00"), " ")
	typ, err := plumbing.ParseObjectType(kind)
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || err != nil || serr != nil || size < 0 {
		return plumbing.InvalidObject, nil, fmt.Errorf("loose object header %q", header)
	}
	if limit > 0 && size > limit {
		return typ, nil, ErrTooLarge
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(zb, data); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	return typ, data, nil
}
