package classify_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/sessionize/sessionize/detectors/classify"
)

// Token-shaped values are built here at test time from pieces, so that no
// credential shape is committed to the repository.

// fakeJWT builds an unsigned-looking HS256 JWT with the given claims and a
// filler signature.
func fakeJWT(claims map[string]any) string {
	head := b64url(`{"alg":"HS256","typ":"JWT"}`)
	body, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return head + "." + b64url(string(body)) + "." + strings.Repeat("Sig0", 10) + "abc"
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// fakeGitHub builds a GitHub token with prefix p (e.g. "ghp_"), a 30
// character body derived from seed, and a valid checksum when valid is true.
func fakeGitHub(p, seed string, valid bool) string {
	body := filler(seed, 30)
	sum := classify.GitHubChecksum(body)
	if !valid {
		sum = flip(sum)
	}
	return p + body + sum
}

// filler returns n deterministic base62 characters derived from seed.
func filler(seed string, n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	x := uint32(2166136261)
	for i := 0; i < len(seed); i++ {
		x = (x ^ uint32(seed[i])) * 16777619
	}
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(digits[x%62])
	}
	return b.String()
}

func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// macaroonV2 serializes a macaroon in the libmacaroons v2 binary format, the
// way pymacaroons does, with first-party caveats and a filler signature.
func macaroonV2(location, id string, caveats ...string) []byte {
	out := []byte{2}
	packet := func(typ byte, v string) {
		out = append(out, typ)
		out = binary.AppendUvarint(out, uint64(len(v)))
		out = append(out, v...)
	}
	if location != "" {
		packet(1, location)
	}
	packet(2, id)
	out = append(out, 0)
	for _, c := range caveats {
		packet(2, c)
		out = append(out, 0)
	}
	out = append(out, 0)
	packet(6, strings.Repeat("s", 32))
	return out
}

func fakePyPI(caveats ...string) string {
	return "pypi-" + base64.RawURLEncoding.EncodeToString(macaroonV2("pypi.org", "5a1b2c3d-0000-4000-8000-000000000001", caveats...))
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
