package scanner

import "testing"

func TestClassifyContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		max     int64
		want    skipReason
	}{
		{"text", "package main\n", 0, scanIt},
		// Bytes 34-35 "LP" make http.DetectContentType say "font"; text
		// is still text.
		{"text that sniffs as a font", "one\ntwo\naws_access_key_id = AKIA" + "QYLPMN5HHHFPZAM2\n", 0, scanIt},
		{"nul byte", "abc\x00def", 0, skipBinary},
		{"png", "\x89PNG\r\n\x1a\n0000", 0, skipBinary},
		{"lfs pointer", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n", 0, skipLFS},
		{"too large", "0123456789", 5, skipTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := classifyContent([]byte(tt.content), int64(len(tt.content)), tt.max); got != tt.want {
				t.Errorf("classifyContent(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}
