package classify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/sessionize/sessionize/rules"
)

// JWTClaims are the registered claims of a JSON Web Token that classify
// reads. Zero times are absent or unusable claims.
type JWTClaims struct {
	Alg                   string
	Issuer                string
	IssuedAt, NotBefore   time.Time
	ExpiresAt             time.Time
	HasExpiry, HasIssueAt bool
}

// ParseJWT decodes the header and claims of a compact JWS (header.payload.
// signature, base64url, RFC 7515/7519) without checking the signature. It
// reports false for anything else, including encrypted JWE tokens, whose
// claims cannot be read.
func ParseJWT(token string) (JWTClaims, bool) {
	if len(token) > MaxValueLen {
		return JWTClaims{}, false
	}
	head, rest, ok := strings.Cut(token, ".")
	if !ok {
		return JWTClaims{}, false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") {
		return JWTClaims{}, false
	}
	var h struct {
		Alg string `json:"alg"`
		Enc string `json:"enc"`
	}
	if !decodeJSONSegment(head, &h) || h.Alg == "" || h.Enc != "" {
		return JWTClaims{}, false
	}
	var c struct {
		Iss json.RawMessage `json:"iss"`
		Iat json.RawMessage `json:"iat"`
		Nbf json.RawMessage `json:"nbf"`
		Exp json.RawMessage `json:"exp"`
	}
	if !decodeJSONSegment(payload, &c) {
		return JWTClaims{}, false
	}
	out := JWTClaims{Alg: h.Alg}
	_ = json.Unmarshal(c.Iss, &out.Issuer)
	out.IssuedAt, out.HasIssueAt = numericDate(c.Iat)
	out.NotBefore, _ = numericDate(c.Nbf)
	out.ExpiresAt, out.HasExpiry = numericDate(c.Exp)
	return out, true
}

// numericDate reads a JWT NumericDate (seconds since the epoch, possibly
// fractional, RFC 7519 §2).
func numericDate(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 {
		return time.Time{}, false
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return time.Time{}, false
	}
	return unixTime(n)
}

// decodeJSONSegment base64url-decodes one segment (padded or not, or in the
// standard alphabet) and unmarshals the JSON object it holds into v.
func decodeJSONSegment(seg string, v any) bool {
	b, ok := decodeBase64(seg)
	if !ok {
		return false
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// decodeBase64 decodes s in any of the four usual base64 variants.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// jwtToken classifies JSON Web Tokens by their claims: the validity window
// is exp minus iat (or nbf when iat is absent); a token without exp never
// expires. Values gitleaks' jwt-base64 rule finds are decoded first.
func jwtToken(ruleID, value string) (Facts, bool) {
	token := value
	if ruleID == "jwt-base64" || strings.HasPrefix(value, "ZXlK") {
		b, ok := decodeBase64(strings.Map(dropSpace, value))
		if !ok {
			return Facts{}, false
		}
		token = strings.TrimSpace(string(b))
	}
	if !strings.HasPrefix(token, "eyJ") && !strings.HasPrefix(ruleID, "jwt") {
		return Facts{}, false
	}
	c, ok := ParseJWT(token)
	if !ok {
		if strings.HasPrefix(ruleID, "jwt") && strings.Count(token, ".") >= 2 {
			return Facts{Invalid: true, Notes: []string{"does not decode as a JWT"}}, true
		}
		return Facts{}, false
	}
	f := Facts{Type: "jwt"}
	if c.Issuer != "" && len(c.Issuer) <= 200 {
		f.Notes = append(f.Notes, "JWT issuer: "+strings.Map(printable, c.Issuer))
	}
	if !c.HasExpiry {
		f.Lifetime = rules.Standing
		f.IssuedAt = c.IssuedAt
		f.Notes = append(f.Notes, "JWT has no exp claim: it never expires")
		return f, true
	}
	issued := c.IssuedAt
	if issued.IsZero() {
		issued = c.NotBefore
	}
	f.withValidity("JWT", issued, c.ExpiresAt)
	return f, true
}

func dropSpace(r rune) rune {
	if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
		return -1
	}
	return r
}

// printable keeps notes on one line of printable text.
func printable(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return '?'
	}
	return r
}
