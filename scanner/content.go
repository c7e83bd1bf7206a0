package scanner

import (
	"bytes"
	"net/http"
)

// DefaultMaxFileSize is the size above which files and blobs are skipped.
const DefaultMaxFileSize = 10 << 20

// skipReason says why content is not scanned; empty means scan it.
type skipReason string

const (
	scanIt      skipReason = ""
	skipBinary  skipReason = "binary"
	skipTooBig  skipReason = "too-large"
	skipLFS     skipReason = "lfs"
	skipMissing skipReason = "missing"
	sniffLength            = 8000
)

var lfsPrefix = []byte("version https://git-lfs.github.com/spec/v1")

// classifyContent decides whether content of the given total size, of which
// head is the beginning (at least the first 8000 bytes when there are that
// many), is scanned. Binary content is what git calls binary (a NUL byte in
// the first 8000 bytes) plus what has an application/* signature that is not
// text (archives, executables, PDF), as gitleaks skips it.
func classifyContent(head []byte, size, maxSize int64) skipReason {
	if maxSize > 0 && size > maxSize {
		return skipTooBig
	}
	if size < 200 && bytes.HasPrefix(head, lfsPrefix) {
		return skipLFS
	}
	if len(head) > sniffLength {
		head = head[:sniffLength]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return skipBinary
	}
	if isBinarySignature(head) {
		return skipBinary
	}
	return scanIt
}

// isBinarySignature recognises formats that are binary without a NUL byte
// early on, by their magic numbers.
func isBinarySignature(head []byte) bool {
	ct := http.DetectContentType(head)
	switch ct {
	case "application/pdf", "application/zip", "application/x-gzip", "application/x-rar-compressed",
		"application/wasm", "application/octet-stream":
		return true
	}
	return len(ct) > 6 && (ct[:6] == "image/" || ct[:6] == "audio/" || ct[:6] == "video/" || ct[:5] == "font/")
}
