package gitobj

import (
	"errors"
	"testing"
)

// varint encodes a delta size.
func varint(n int) []byte {
	var out []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func deltaOf(src, dst int, ops ...[]byte) []byte {
	d := append(varint(src), varint(dst)...)
	for _, op := range ops {
		d = append(d, op...)
	}
	return d
}

func TestApplyDelta(t *testing.T) {
	t.Parallel()
	src := []byte("0123456789abcdef")
	tests := []struct {
		name    string
		delta   []byte
		limit   int64
		want    string
		wantErr error // nil: any error when want is ""
	}{
		{"copy and insert", deltaOf(16, 9, []byte{0x91, 2, 4}, []byte{5}, []byte("XYZab")), 0, "2345XYZab", nil},
		{"copy whole", deltaOf(16, 16, []byte{0x90, 16}), 0, "0123456789abcdef", nil},
		{"too large", deltaOf(16, 16, []byte{0x90, 16}), 8, "", ErrTooLarge},
		{"base size mismatch", deltaOf(15, 1, []byte{1, 'x'}), 0, "", nil},
		{"copy past base", deltaOf(16, 8, []byte{0x91, 12, 8}), 0, "", nil},
		{"truncated insert", deltaOf(16, 5, []byte{5, 'a'}), 0, "", errBadDelta},
		{"truncated copy", deltaOf(16, 5, []byte{0x91, 2}), 0, "", errBadDelta},
		{"truncated size", []byte{0x90}, 0, "", errBadDelta},
		{"result size mismatch", deltaOf(16, 4, []byte{1, 'x'}), 0, "", nil},
		{"opcode 0", deltaOf(16, 1, []byte{0}), 0, "", nil},
		{"impossible size", deltaOf(16, 1<<40, []byte{1, 'x'}), 0, "", errBadDelta},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := applyDelta(src, tt.delta, tt.limit)
			if tt.want != "" {
				if err != nil || string(got) != tt.want {
					t.Errorf("applyDelta() = %q, %v, want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("applyDelta() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// FuzzApplyDelta: no panic on any delta, and a result has the size the
// delta declares.
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), deltaOf(16, 9, []byte{0x91, 2, 4}, []byte{5}, []byte("XYZab")))
	f.Add([]byte("abc"), deltaOf(3, 3, []byte{0x90, 3}))
	f.Add([]byte(""), []byte{0x80, 0x80})
	f.Fuzz(func(t *testing.T, src, delta []byte) {
		got, err := applyDelta(src, delta, 1<<20)
		if err != nil {
			return
		}
		d := deltaReader{b: delta}
		d.varint()
		if want := d.varint(); int64(len(got)) != want {
			t.Errorf("applyDelta() gave %d bytes, the delta declares %d", len(got), want)
		}
	})
}
