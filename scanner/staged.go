package scanner

import (
	"context"
	"errors"
)

// ScanStaged scans what the index adds against HEAD.
func ScanStaged(ctx context.Context, opts Options) (*Report, error) {
	return nil, errors.New("staged scanning is not implemented yet")
}
