package classify_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors/classify"
)

// checkFacts holds for any input: the lifetime is a valid class or empty,
// expiry is not before issue unless the note says so, and no note quotes
// the value.
func checkFacts(t *testing.T, value string, f classify.Facts) {
	t.Helper()
	if f.Lifetime != "" && !f.Lifetime.Valid() {
		t.Errorf("Lifetime = %q, not a class", f.Lifetime)
	}
	for _, n := range f.Notes {
		if len(value) >= 12 && strings.Contains(n, value) {
			t.Errorf("a note quotes the value")
		}
		if strings.ContainsAny(n, "\n\r") {
			t.Errorf("note %q spans lines", n)
		}
	}
}

func FuzzValue(f *testing.F) {
	f.Add("jwt", fakeJWT(map[string]any{"iat": t0, "exp": t0 + 600}))
	f.Add("aws-access-token", "ASIA"+"QYLPMN5HHHFPZAM2")
	f.Add("github-pat", fakeGitHub("ghp_", "x", true))
	f.Add("pypi-upload-token", fakePyPI(`[0,1700000900,1700000000]`))
	f.Add("azure-sas-token", "sv=2022-11-02&se=2024-05-01T16%3A00%3A00Z&st=2024-05-01T08:00:00Z&sig=abc")
	f.Add("aws-presigned-url", "X-Amz-Date=20240102T030405Z&X-Amz-Expires=3600&X-Amz-Signature=00")
	f.Add("vault-service-token", "s.abc")
	f.Add("jwt-base64", "ZXlK")
	f.Fuzz(func(t *testing.T, ruleID, value string) {
		checkFacts(t, value, classify.Value(ruleID, value))
	})
}

func FuzzParseJWT(f *testing.F) {
	f.Add(fakeJWT(map[string]any{"iat": t0, "exp": t0 + 600, "iss": "x"}))
	f.Add(fakeJWT(map[string]any{"exp": 1e300}))
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		c, ok := classify.ParseJWT(token)
		if !ok {
			return
		}
		for _, tm := range []struct {
			name string
			set  bool
			year int
		}{{"exp", c.HasExpiry, c.ExpiresAt.Year()}, {"iat", c.HasIssueAt, c.IssuedAt.Year()}} {
			if tm.set && (tm.year < 1970 || tm.year > 9999) {
				t.Errorf("ParseJWT: %s year %d out of range", tm.name, tm.year)
			}
		}
	})
}

func FuzzParseMacaroonV2(f *testing.F) {
	f.Add(macaroonV2("pypi.org", "id", `[0,1700000900,1700000000]`, `[1,["a"]]`))
	f.Add(macaroonV2("", "id"))
	f.Add([]byte{2, 2, 0x80})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := classify.ParseMacaroonV2(data)
		if err != nil {
			return
		}
		if len(m.Caveats) > 64 {
			t.Errorf("ParseMacaroonV2: %d caveats, want at most 64", len(m.Caveats))
		}
		// Whatever parses also classifies without trouble.
		v := "pypi-" + base64.RawURLEncoding.EncodeToString(data)
		checkFacts(t, v, classify.Value("pypi-upload-token", v))
	})
}

func FuzzSAS(f *testing.F) {
	f.Add("sv=2022-11-02&ss=b&sp=rwdl&se=2024-05-01T16:00:00Z&st=2024-05-01T08:00:00Z&sig=abc%3D")
	f.Add("https://a.blob.core.windows.net/c?sv=2021-06-08&se=2030-01-01&sig=x&si=p")
	f.Add("sv=&sig=&se=%zz")
	f.Fuzz(func(t *testing.T, q string) {
		checkFacts(t, q, classify.Value("azure-sas-token", q))
	})
}

func FuzzPresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20240102&X-Amz-Date=20240102T030405Z&X-Amz-Expires=3600&X-Amz-Signature=00")
	f.Add("X-Goog-Date=20240102T030405Z&X-Goog-Expires=9223372036854775807&X-Goog-Signature=00")
	f.Fuzz(func(t *testing.T, q string) {
		checkFacts(t, q, classify.Value("aws-presigned-url", q))
	})
}

func FuzzGitHubChecksum(f *testing.F) {
	f.Add(fakeGitHub("", "a", true))
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		ok := classify.GitHubChecksumValid(body)
		if ok && len(body) != 36 {
			t.Errorf("GitHubChecksumValid accepted a body of %d bytes", len(body))
		}
		if len(body) >= 30 {
			if sum := classify.GitHubChecksum(body[:30]); len(sum) != 6 {
				t.Errorf("GitHubChecksum returned %d characters, want 6", len(sum))
			}
		}
	})
}
