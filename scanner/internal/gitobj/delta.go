package gitobj

import "errors"

var errBadDelta = errors.New("malformed delta")

// applyDelta applies a git delta to src. A result larger than limit bytes
// (when limit is positive) gives ErrTooLarge.
func applyDelta(src, delta []byte, limit int64) ([]byte, error) {
	d := deltaReader{b: delta}
	srcSize, dstSize := d.varint(), d.varint()
	if d.bad {
		return nil, errBadDelta
	}
	if srcSize != int64(len(src)) {
		return nil, errors.New("delta base size mismatch")
	}
	if limit > 0 && dstSize > limit {
		return nil, ErrTooLarge
	}
	if dstSize > int64(len(src))+int64(len(delta))*0x10000 {
		return nil, errBadDelta // more than its opcodes could write
	}
	out := make([]byte, 0, dstSize)
	for len(d.b) > 0 {
		op := d.byte()
		switch {
		case op&0x80 != 0:
			var off, n int64
			for i := range 4 {
				if op&(1<<i) != 0 {
					off |= int64(d.byte()) << (8 * i)
				}
			}
			for i := range 3 {
				if op&(0x10<<i) != 0 {
					n |= int64(d.byte()) << (8 * i)
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if d.bad {
				return nil, errBadDelta
			}
			if off+n > int64(len(src)) {
				return nil, errors.New("delta copies past its base")
			}
			out = append(out, src[off:off+n]...)
		case op != 0:
			if int(op) > len(d.b) {
				return nil, errBadDelta
			}
			out = append(out, d.b[:op]...)
			d.b = d.b[op:]
		default:
			return nil, errors.New("delta opcode 0")
		}
	}
	if int64(len(out)) != dstSize {
		return nil, errors.New("delta result size mismatch")
	}
	return out, nil
}

// deltaReader reads a delta's bytes; reading past its end sets bad.
type deltaReader struct {
	b   []byte
	bad bool
}

func (d *deltaReader) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// varint reads a size: 7 bits a byte, least significant first.
func (d *deltaReader) varint() int64 {
	var v int64
	for shift := 0; ; shift += 7 {
		if shift > 56 {
			d.bad = true
			return 0
		}
		c := d.byte()
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 || d.bad {
			return v
		}
	}
}
