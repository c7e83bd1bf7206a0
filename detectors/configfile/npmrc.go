package configfile

import (
	"context"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Rules of the npmrc detector.
const (
	ruleNPMToken     = "npmrc-auth-token"
	ruleNPMBasicAuth = "npmrc-basic-auth"
	ruleNPMPassword  = "npmrc-password"
)

// matchNPMRC: project and user .npmrc files (.npmrc, .npmrc.ci, ...), and
// the global npmrc.
func matchNPMRC(p string) bool {
	b := baseName(p)
	return equalsAny(b, ".npmrc", "npmrc") || hasPrefixFold(b, ".npmrc.")
}

// scanNPMRC reports literal _authToken, _auth and _password settings,
// global or scoped to a registry (//registry.npmjs.org/:_authToken=...).
// npm reads ${VAR} from the environment: those are references.
func scanNPMRC(ctx context.Context, f *file) error {
	ls, err := iniLines(ctx, f.src, iniOptions{seps: "=", npmComments: true})
	for _, l := range ls {
		key := l.key
		registry := ""
		if i := strings.LastIndex(key, ":"); i >= 0 {
			registry, key = key[:i], key[i+1:]
		}
		e := entryOf(l, "")
		v := strings.TrimSpace(e.value)
		c := cand{fixer: "npmrc-env", provider: "npm"}
		if registry != "" {
			c.notes = []string{"registry " + registry}
		}
		switch strings.ToLower(key) {
		case "_authtoken":
			if acceptable(classSecret, v) {
				c.rule = ruleNPMToken
				f.addIn(e, v, -1, c)
			}
		case "_auth":
			// base64 of user:password; the password is the credential.
			if isReference(v) || isPlaceholder(v) {
				continue
			}
			c.rule = ruleNPMBasicAuth
			f.addDecoded(e, v, c, true)
		case "_password":
			// base64 of the password.
			if isReference(v) || isPlaceholder(v) {
				continue
			}
			c.rule = ruleNPMPassword
			f.addDecoded(e, v, c, false)
		}
	}
	return err
}

// addDecoded reports a base64-encoded credential: user:password (pair) or a
// bare password. The finding's secret is the decoded password, so that the
// same password or token found elsewhere in clear is the same credential;
// its position is the encoded text. A value that does not decode is
// reported as it is.
func (f *file) addDecoded(e entry, v string, c cand, pair bool) {
	dec, ok := decodeBase64(v)
	if !ok {
		if acceptable(classSecret, v) {
			f.addIn(e, v, -1, c)
		}
		return
	}
	secret := dec
	if pair {
		if user, pass, found := strings.Cut(dec, ":"); found {
			secret = pass
			if user != "" {
				c.notes = append(c.notes, "user "+user)
			}
		}
	}
	if !acceptable(classPassword, secret) {
		return
	}
	c.value, c.off, c.end = secret, e.off, e.span()
	f.add(c)
}

// decodeBase64 decodes standard or URL base64, padded or not, into
// printable UTF-8 text.
func decodeBase64(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(v)
		if err == nil && printable(b) {
			return string(b), true
		}
	}
	return "", false
}

func printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}
