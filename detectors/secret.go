package detectors

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Secret is a matched credential value. Every way of printing it (String,
// Format with any verb, JSON and text marshalling) yields the redacted form;
// the raw value comes only from [Secret.Reveal], so that each use stands out
// in review. The zero Secret is empty.
type Secret struct {
	raw string
}

// NewSecret wraps a raw value.
func NewSecret(raw string) Secret { return Secret{raw: raw} }

// Reveal returns the raw value. Only --show-secrets, the TUI's reveal action,
// fingerprinting and the matching code that needs the bytes may call it.
func (s Secret) Reveal() string { return s.raw }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.raw == "" }

// Len returns the length of the raw value in bytes.
func (s Secret) Len() int { return len(s.raw) }

// Redacted returns the redacted form: the first and last few characters of
// the value (at most 4 each, none for short values) around asterisks, as in
// "AKIA************MPLE". At most 32 asterisks are shown, so the length of a
// long value is not revealed exactly; control characters never appear.
func (s Secret) Redacted() string { return Redact(s.raw) }

// String implements fmt.Stringer with the redacted form.
func (s Secret) String() string { return s.Redacted() }

// GoString implements fmt.GoStringer with the redacted form.
func (s Secret) GoString() string { return fmt.Sprintf("detectors.Secret(%q)", s.Redacted()) }

// Format implements fmt.Formatter: every verb prints the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.Redacted())
		return
	}
	_, _ = f.Write([]byte(s.Redacted()))
}

// MarshalText implements encoding.TextMarshaler with the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Redacted()), nil }

// Fingerprint returns the credential fingerprint of SPEC §1: the hex SHA-256
// of family + ":" + value.
func (s Secret) Fingerprint(family string) string {
	sum := sha256.Sum256([]byte(family + ":" + s.raw))
	return hex.EncodeToString(sum[:])
}

// Redact returns the redacted form of a raw value (see [Secret.Redacted]).
func Redact(raw string) string {
	n := len(raw)
	if n == 0 {
		return ""
	}
	keep := min(n/5, 4)
	stars := min(n-2*keep, 32)
	var b strings.Builder
	b.Grow(2*keep + stars)
	writeVisible(&b, raw[:keep])
	b.WriteString(strings.Repeat("*", stars))
	writeVisible(&b, raw[n-keep:])
	return b.String()
}

// writeVisible writes s with every byte that is not printable ASCII replaced
// by '*', so that redacted forms never carry newlines, escapes or fragments
// of multi-byte characters.
func writeVisible(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			c = '*'
		}
		b.WriteByte(c)
	}
}
