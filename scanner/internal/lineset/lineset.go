// Package lineset is a compact set of 64-bit line hashes: the memory of every
// line a history scan has already seen, so that each line is matched against
// the rules once however many commits, branches and files carry it.
package lineset

// Set is an open-addressing hash set of non-zero uint64 keys with linear
// probing. It uses 8 bytes per slot and keeps the load below 3/4, about 11-16
// bytes per key, several times less than a Go map. The zero value is ready to
// use. A Set is not safe for concurrent writes; concurrent reads of a set no
// longer written are safe.
type Set struct {
	slots []uint64
	n     int
	zero  bool // whether key 0, which marks empty slots, is present
}

// Add inserts k and reports whether it was absent.
func (s *Set) Add(k uint64) bool {
	if k == 0 {
		if s.zero {
			return false
		}
		s.zero = true
		s.n++
		return true
	}
	if len(s.slots) == 0 || (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1) //nolint:gosec // G115: slots is a non-empty power of two here
	for i := mix(k) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case 0:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

// Has reports whether k is in the set.
func (s *Set) Has(k uint64) bool {
	if k == 0 {
		return s.zero
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1) //nolint:gosec // G115: slots is a non-empty power of two here
	for i := mix(k) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// Len returns the number of keys.
func (s *Set) Len() int { return s.n }

// Bytes returns the memory the slots take.
func (s *Set) Bytes() int { return len(s.slots) * 8 }

func (s *Set) grow() {
	size := 1 << 16
	if len(s.slots) > 0 {
		size = len(s.slots) * 2
	}
	old := s.slots
	s.slots = make([]uint64, size)
	mask := uint64(size - 1) //nolint:gosec // G115: size is a positive power of two
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := mix(k) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
}

// mix scrambles the key's bits so that keys that differ only in high bits
// spread over the table (finalizer of MurmurHash3).
func mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
