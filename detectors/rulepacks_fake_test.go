package detectors_test

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"regexp"
	"strings"
)

// Token-shaped values are made at test time, never committed: fake returns
// a deterministic, well-formed value of the given kind for seed, and
// expandFakes replaces %%FAKE:kind:seed%% markers in corpus files.

// unbreak removes the "¦" that test sources put inside credential-shaped
// samples (postgres:¦//..., Pass¦word=...) so that the test files are no
// finding for secret scanners, ours included.
func unbreak(s string) string { return strings.ReplaceAll(s, "¦", "") }

var fakeMarker = regexp.MustCompile(`%%FAKE:([a-z0-9_.-]+):([\w.-]+)%%`)

func expandFakes(s string) string {
	return fakeMarker.ReplaceAllStringFunc(s, func(m string) string {
		sub := fakeMarker.FindStringSubmatch(m)
		return fake(sub[1], sub[2])
	})
}

// fakeRand is a small deterministic generator (xorshift32 seeded by FNV-1a).
type fakeRand uint32

func newFakeRand(seed string) *fakeRand {
	x := uint32(2166136261)
	for i := 0; i < len(seed); i++ {
		x = (x ^ uint32(seed[i])) * 16777619
	}
	if x == 0 {
		x = 1
	}
	r := fakeRand(x)
	return &r
}

func (r *fakeRand) next() uint32 {
	x := uint32(*r)
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	*r = fakeRand(x)
	return x
}

func (r *fakeRand) from(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.next()%uint32(len(alphabet))]
	}
	return string(b)
}

const (
	alnum   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	wordish = alnum + "_-"
	hexLow  = "0123456789abcdef"
	b64Std  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	base32U = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	digits  = "0123456789"
)

// githubChecksum is written here independently of detectors/classify: the
// base-62 CRC-32 of the token's 30 random characters, padded to 6.
func githubChecksum(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	out := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		out[i] = alnum[n%62]
		n /= 62
	}
	return string(out)
}

func fake(kind, seed string) string {
	r := newFakeRand(kind + "/" + seed)
	switch kind {
	case "ghp", "gho", "ghu", "ghs", "ghr":
		body := r.from(alnum, 30)
		return kind + "_" + body + githubChecksum(body)
	case "github_pat":
		return "github_pat_11" + r.from(alnum, 20) + "_" + r.from(alnum, 59)
	case "akia", "asia":
		return strings.ToUpper(kind) + r.from(base32U, 16)
	case "awssecret":
		return r.from(b64Std, 40)
	case "sk_live":
		return "sk_live_51" + r.from(alnum, 30)
	case "aiza":
		return "AIzaSy" + r.from(wordish, 33)
	case "sendgrid":
		return "SG." + r.from(wordish, 22) + "." + r.from(wordish, 43)
	case "xoxb":
		return "xoxb-" + r.from(digits, 12) + "-" + r.from(digits, 13) + "-" + r.from(alnum, 24)
	case "xoxe.xoxp":
		return "xoxe.xoxp-1-" + r.from(alnum, 150)
	case "xoxe":
		return "xoxe-1-" + r.from(alnum, 146)
	case "slackwebhook":
		return "https://hooks.slack.com/services/T" + r.from(base32U, 10) + "/B" + r.from(base32U, 10) + "/" + r.from(alnum, 24)
	case "npm":
		return "npm_" + r.from(alnum, 36)
	case "azkey":
		return r.from(b64Std, 86) + "=="
	case "sbkey":
		return r.from(b64Std, 42) + "AEIMQUYcgkosw048"[r.next()%16:][:1] + "="
	case "ya29":
		return "ya29.a0" + r.from(wordish, 150)
	case "googlerefresh":
		return "1//0" + r.from(alnum, 1) + r.from(wordish, 98)
	case "gocspx":
		return "GOCSPX-" + r.from(wordish, 28)
	case "telegram":
		return "7" + r.from(digits, 9) + ":AA" + r.from(wordish, 33)
	case "hvs":
		return "hvs.CAESI" + r.from(wordish, 90)
	case "hvb":
		return "hvb.AAAAAQ" + r.from(wordish, 140)
	case "glpat":
		return "glpat-" + r.from(wordish, 20)
	case "twilio":
		return r.from(hexLow, 32)
	case "privkey":
		var b strings.Builder
		b.WriteString(`-----BEGIN ` + `PRIVATE KEY-----\n`)
		for range 6 {
			b.WriteString(r.from(b64Std, 64))
			b.WriteString(`\n`)
		}
		b.WriteString(`-----END ` + `PRIVATE KEY-----\n`)
		return b.String()
	case "pypi":
		return fakePyPI(r, `[3,"`+r.from(hexLow, 8)+`"]`)
	case "pypi-oidc":
		return fakePyPI(r, `[4,"`+r.from(hexLow, 8)+`"]`, `[0,1717243800,1717242900]`)
	}
	panic(fmt.Sprintf("fake: unknown kind %q", kind))
}

// fakePyPI builds "pypi-" + a base64url macaroon (libmacaroons v2 binary).
func fakePyPI(r *fakeRand, caveats ...string) string {
	out := []byte{2}
	packet := func(typ byte, v string) {
		out = append(out, typ)
		out = binary.AppendUvarint(out, uint64(len(v)))
		out = append(out, v...)
	}
	packet(1, "pypi.org")
	packet(2, r.from(hexLow, 8)+"-"+r.from(hexLow, 4)+"-4"+r.from(hexLow, 3)+"-8"+r.from(hexLow, 3)+"-"+r.from(hexLow, 12))
	out = append(out, 0)
	for _, c := range caveats {
		packet(2, c)
		out = append(out, 0)
	}
	out = append(out, 0)
	packet(6, r.from(alnum, 32))
	return "pypi-" + base64.RawURLEncoding.EncodeToString(out)
}
