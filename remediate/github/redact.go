package github

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/sessionize/sessionize/scanner"
)

// minSecretLen is the shortest raw value searched for in outgoing text;
// shorter ones would match ordinary words.
const minSecretLen = 6

// knownSecret is a report credential's raw value, held only to redact it
// from outgoing text and to check that none is left.
type knownSecret struct {
	raw, redacted, fingerprint string
}

// secretSet is every raw value a report knows, longest first.
type secretSet []knownSecret

// secretsOf collects the raw values of a report's credentials. CI
// references (a stored secret's name) and session-scoped wiring hold no
// secret and are left out. This is one of the few places a raw value is
// read: only to keep it out of what is sent.
func secretsOf(r *scanner.Report) secretSet {
	if r == nil {
		return nil
	}
	var out secretSet
	for i := range r.Credentials {
		c := &r.Credentials[i]
		if c.Reference != "" || c.Session || c.Secret.IsZero() {
			continue
		}
		raw := c.Secret.Reveal()
		if len(raw) < minSecretLen {
			continue
		}
		out = append(out, knownSecret{raw: raw, redacted: c.RedactedSecret(), fingerprint: c.Fingerprint})
	}
	slices.SortFunc(out, func(a, b knownSecret) int { return cmp.Compare(len(b.raw), len(a.raw)) })
	return out
}

// redact replaces every known raw value in s by its redacted form.
func (ss secretSet) redact(s string) string {
	for _, k := range ss {
		if strings.Contains(s, k.raw) {
			s = strings.ReplaceAll(s, k.raw, k.redacted)
		}
	}
	return s
}

// find returns the fingerprint of a known raw value that s holds.
func (ss secretSet) find(s string) (string, bool) {
	for _, k := range ss {
		if strings.Contains(s, k.raw) {
			return k.fingerprint, true
		}
	}
	return "", false
}

// tokenish matches runs that may be credentials: 20 or more characters of
// the alphabets tokens and base64 use.
var tokenish = regexp.MustCompile(`[A-Za-z0-9+/=_.~-]{20,}`)

// maskTokens hides the token-like runs of a line (at least one letter and
// one digit) but their first four characters.
func maskTokens(line string) string {
	return tokenish.ReplaceAllStringFunc(line, func(t string) string {
		if !strings.ContainsAny(t, "0123456789") || !strings.ContainsAny(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return t
		}
		return t[:4] + strings.Repeat("*", 12)
	})
}

// redactDiff makes a unified diff safe to publish: known raw values are
// replaced everywhere, and token-like runs on removed lines (where a
// literal the detectors did not report would be) are masked.
func redactDiff(diff string, ss secretSet) string {
	var b strings.Builder
	inHunk := false
	for l := range strings.Lines(diff) {
		l = ss.redact(l)
		switch {
		case strings.HasPrefix(l, "@@"):
			inHunk = true
		case inHunk && strings.HasPrefix(l, "-"):
			l = maskTokens(l)
		}
		b.WriteString(l)
	}
	// Values spanning lines (private keys) are only found in the whole.
	return ss.redact(b.String())
}
