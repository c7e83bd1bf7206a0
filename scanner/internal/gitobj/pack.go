package gitobj

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/exp/mmap"
)

// packFile is a pack index opened for lookups and its pack, mapped into
// memory: a delta chain is read without a system call per link.
type packFile struct {
	idx      *os.File
	pack     packData
	fanout   [256]uint32
	packSize int64
}

type packData interface {
	io.ReaderAt
	io.Closer
}

func (p *packFile) close() {
	p.idx.Close()
	if p.pack != nil {
		p.pack.Close()
	}
}

// listPacks opens the index of every pack (version 2 only: the others are
// read through the fallback).
func (s *Store) listPacks() {
	names, _ := filepath.Glob(filepath.Join(s.dir, "pack", "pack-*.idx"))
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		var head [8 + 256*4]byte
		if _, err := f.ReadAt(head[:], 0); err != nil || string(head[:4]) != "\xfftOc" || head[7] != 2 {
			f.Close()
			continue
		}
		p := &packFile{idx: f}
		for i := range p.fanout {
			p.fanout[i] = binary.BigEndian.Uint32(head[8+4*i:])
		}
		s.packs = append(s.packs, p)
	}
}

// find looks h up in the pack index: the names of h's first byte are read
// and searched, then its offset.
func (p *packFile) find(h plumbing.Hash) (int64, bool, error) {
	n := int64(p.fanout[255])
	lo, hi := int64(0), int64(p.fanout[h[0]])
	if h[0] > 0 {
		lo = int64(p.fanout[h[0]-1])
	}
	if hi <= lo {
		return 0, false, nil
	}
	names := make([]byte, (hi-lo)*20)
	if _, err := p.idx.ReadAt(names, 8+1024+lo*20); err != nil {
		return 0, false, err
	}
	i := sort.Search(int(hi-lo), func(i int) bool { return bytes.Compare(names[i*20:i*20+20], h[:]) >= 0 })
	if i == int(hi-lo) || !bytes.Equal(names[i*20:i*20+20], h[:]) {
		return 0, false, nil
	}
	pos := lo + int64(i)
	var b [8]byte
	if _, err := p.idx.ReadAt(b[:4], 8+1024+n*24+pos*4); err != nil {
		return 0, false, err
	}
	off := int64(binary.BigEndian.Uint32(b[:4]))
	if off&0x80000000 != 0 { // in the table of 8-byte offsets
		if _, err := p.idx.ReadAt(b[:], 8+1024+n*28+(off&0x7fffffff)*8); err != nil {
			return 0, false, err
		}
		off = int64(binary.BigEndian.Uint32(b[:4]))<<32 | int64(binary.BigEndian.Uint32(b[4:]))
	}
	return off, true, nil
}

// openPack opens the pack beside the index.
func (p *packFile) openPack() error {
	if p.pack != nil {
		return nil
	}
	name := strings.TrimSuffix(p.idx.Name(), ".idx") + ".pack"
	if m, err := mmap.Open(name); err == nil {
		p.pack, p.packSize = m, int64(m.Len())
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	p.pack, p.packSize = f, fi.Size()
	return nil
}

// Pack object types (git's pack format).
const (
	packOFSDelta = 6
	packREFDelta = 7
)

// maxDeltaDepth bounds a delta chain (git's default depth is 50; a
// corrupt pack could loop).
const maxDeltaDepth = 10000

// readPacked reads the object at off, applying deltas.
func (s *Store) readPacked(p *packFile, off, limit int64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaDepth {
		return plumbing.InvalidObject, nil, errors.New("delta chain too deep")
	}
	if err := p.openPack(); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	// One buffered reader serves every link of a chain: each link reads its
	// delta whole before it reads its base.
	if s.br == nil {
		s.br = bufio.NewReaderSize(nil, 1024)
	}
	br := s.br
	br.Reset(io.NewSectionReader(p.pack, off, p.packSize-off))
	c, err := br.ReadByte()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	kind := (c >> 4) & 7
	size := int64(c & 15)
	for shift := 4; c&0x80 != 0; shift += 7 {
		if c, err = br.ReadByte(); err != nil {
			return plumbing.InvalidObject, nil, err
		}
		size |= int64(c&0x7f) << shift
	}
	switch kind {
	case 1, 2, 3, 4: // commit, tree, blob, tag
		if limit > 0 && size > limit {
			return plumbing.ObjectType(kind), nil, ErrTooLarge
		}
		data, err := s.inflate(br, size)
		return plumbing.ObjectType(kind), data, err
	case packOFSDelta, packREFDelta:
	default:
		return plumbing.InvalidObject, nil, fmt.Errorf("pack object type %d", kind)
	}
	var base func() (plumbing.ObjectType, []byte, error)
	if kind == packOFSDelta {
		c, err := br.ReadByte()
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, err = br.ReadByte(); err != nil {
				return plumbing.InvalidObject, nil, err
			}
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		baseOff := off - rel
		base = func() (plumbing.ObjectType, []byte, error) { return s.cachedBase(p, baseOff, depth) }
	} else {
		var bh plumbing.Hash
		if _, err := io.ReadFull(br, bh[:]); err != nil {
			return plumbing.InvalidObject, nil, err
		}
		base = func() (plumbing.ObjectType, []byte, error) { return s.Read(bh, 0) }
	}
	delta, err := s.inflate(br, size)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	typ, src, err := base()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	data, err := applyDelta(src, delta, limit)
	return typ, data, err
}

// cachedBase reads a delta base, keeping it for the next delta of its
// chain. Deltas only read their base, so the cached content is shared.
func (s *Store) cachedBase(p *packFile, off int64, depth int) (plumbing.ObjectType, []byte, error) {
	k := baseKey{p, off}
	if o, ok := s.bases[k]; ok {
		return o.typ, o.data, nil
	}
	typ, data, err := s.readPacked(p, off, 0, depth+1)
	if err != nil {
		return typ, nil, err
	}
	if s.baseBytes+len(data) <= maxBaseBytes {
		s.bases[k] = cached{typ, data}
		s.baseBytes += len(data)
	}
	return typ, data, nil
}
