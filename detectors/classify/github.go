package classify

import (
	"hash/crc32"
	"strings"

	"github.com/sessionize/sessionize/rules"
)

// githubPrefixes maps GitHub's token prefixes (github.blog, "Behind GitHub's
// new authentication token formats", 2021) to what they say.
var githubPrefixes = []struct {
	prefix, typ string
	lifetime    rules.Lifetime
	note        string
}{
	{"ghp_", "github-classic-pat", rules.Standing, "ghp_ prefix: classic personal access token, may never expire"},
	{"gho_", "github-oauth-token", rules.Standing, "gho_ prefix: OAuth app token, valid until revoked"},
	{"ghu_", "github-user-to-server-token", rules.Short, "ghu_ prefix: GitHub App user-to-server token, expires after 8 h"},
	{"ghs_", "github-installation-token", rules.Session, "ghs_ prefix: GitHub App installation token, expires after 1 h"},
	{"ghr_", "github-refresh-token", rules.Bounded, "ghr_ prefix: GitHub App refresh token, expires after 6 months"},
}

// githubToken classifies GitHub tokens by prefix and validates the checksum
// of the 40-character formats: the last six characters are the CRC-32 (IEEE)
// of the 30 random characters before them, in base 62, left-padded with 0.
// A token whose checksum fails was not issued by GitHub.
func githubToken(_, value string) (Facts, bool) {
	if strings.HasPrefix(value, "github_pat_") {
		return Facts{
			Type: "github-fine-grained-pat", Lifetime: rules.Bounded,
			Notes: []string{"github_pat_ prefix: fine-grained personal access token, expires (at most 1 year by org policy, or as set)"},
		}, true
	}
	for _, p := range githubPrefixes {
		if !strings.HasPrefix(value, p.prefix) {
			continue
		}
		f := Facts{Type: p.typ, Lifetime: p.lifetime, Notes: []string{p.note}}
		body := value[len(p.prefix):]
		if len(body) != 36 || !isBase62(body) {
			return f, true
		}
		if GitHubChecksumValid(body) {
			f.Notes = append(f.Notes, "checksum valid")
		} else {
			f.Invalid = true
			f.Notes = append(f.Notes, "checksum invalid: not a token GitHub issued")
		}
		return f, true
	}
	return Facts{}, false
}

// GitHubChecksumValid reports whether body, the 36 characters after a GitHub
// token prefix (ghp_, gho_, ghu_, ghs_, ghr_), ends with the base-62 CRC-32
// of its first 30 characters.
func GitHubChecksumValid(body string) bool {
	if len(body) != 36 {
		return false
	}
	return body[30:] == base62CRC(body[:30])
}

// GitHubChecksum returns the six-character checksum GitHub appends to the 30
// random characters of a token.
func GitHubChecksum(random string) string { return base62CRC(random) }

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func base62CRC(s string) string {
	n := crc32.ChecksumIEEE([]byte(s))
	var b [6]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = base62Digits[n%62]
		n /= 62
	}
	return string(b[:])
}

func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}
