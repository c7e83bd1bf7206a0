package configfile

import (
	"context"
	"strings"
)

// ruleNetrcPassword is a password in a .netrc file.
const ruleNetrcPassword = "netrc-password"

// matchNetrc: .netrc, and _netrc as Windows (curl, git) names it.
func matchNetrc(p string) bool { return equalsAny(baseName(p), ".netrc", "_netrc", "netrc") }

// netrcToken is one token of a .netrc file.
type netrcToken struct {
	text string
	off  int // offset of the token's text (inside quotes, if quoted)
	raw  bool
}

// netrcTokens splits a .netrc file into tokens: white-space separated,
// "quoted" strings with backslash escapes (as curl reads them), # comments
// to the end of the line, and macdef bodies (up to an empty line) skipped.
func netrcTokens(ctx context.Context, src string) ([]netrcToken, error) {
	var out []netrcToken
	i := 0
	if strings.HasPrefix(src, "\ufeff") {
		i = 3
	}
	for i < len(src) {
		if len(out)%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			i++
			continue
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			raw := b.Len() == j-i-1
			out = append(out, netrcToken{text: b.String(), off: i + 1, raw: raw})
			i = j + 1
			continue
		}
		j := i
		for j < len(src) && !strings.ContainsRune(" \t\n\r\f\v", rune(src[j])) {
			j++
		}
		tok := netrcToken{text: src[i:j], off: i, raw: true}
		out = append(out, tok)
		i = j
		if tok.text == "macdef" {
			i = skipMacdef(src, i)
		}
	}
	return out, nil
}

// skipMacdef skips a macro definition: its name line, then lines up to the
// first empty one.
func skipMacdef(src string, i int) int {
	nl := strings.IndexByte(src[i:], '\n')
	if nl < 0 {
		return len(src)
	}
	i += nl + 1
	for i < len(src) {
		nl := strings.IndexByte(src[i:], '\n')
		if nl < 0 {
			return len(src)
		}
		if strings.TrimSpace(src[i:i+nl]) == "" {
			return i + nl + 1
		}
		i += nl + 1
	}
	return i
}

// scanNetrc reports each machine's password.
func scanNetrc(ctx context.Context, f *file) error {
	toks, err := netrcTokens(ctx, f.src)
	machine, login := "", ""
	for i := 0; i < len(toks); i++ {
		switch toks[i].text {
		case "machine":
			if i+1 < len(toks) {
				machine, login = toks[i+1].text, ""
				i++
			}
		case "default":
			machine, login = "default", ""
		case "login":
			if i+1 < len(toks) {
				login = toks[i+1].text
				i++
			}
		case "password":
			if i+1 >= len(toks) {
				break
			}
			i++
			t := toks[i]
			if equalsAny(login, "anonymous", "ftp") || !acceptable(classPassword, t.text) {
				// Anonymous FTP takes any password, by convention an
				// e-mail address.
				continue
			}
			e := entry{key: "password", value: t.text, off: t.off, raw: t.raw}
			c := cand{rule: ruleNetrcPassword, provider: hostProvider(machine)}
			if machine != "" {
				c.notes = []string{"machine " + machine}
			}
			f.addIn(e, t.text, -1, c)
		}
	}
	return err
}

// hostProvider names the provider of well-known hosts, "" otherwise.
func hostProvider(host string) string {
	h := strings.ToLower(host)
	for _, p := range []struct{ suffix, provider string }{
		{"github.com", "github"},
		{"githubusercontent.com", "github"},
		{"ghcr.io", "github"},
		{"gitlab.com", "gitlab"},
		{"bitbucket.org", "bitbucket"},
		{"heroku.com", "heroku"},
		{"amazonaws.com", "aws"},
		{"pypi.org", "pypi"},
		{"npmjs.org", "npm"},
		{"docker.io", "container-registry"},
		{"docker.com", "container-registry"},
		{"azurecr.io", "azure"},
		{"dev.azure.com", "azure"},
		{"visualstudio.com", "azure"},
		{"pkg.dev", "gcp"},
		{"gcr.io", "gcp"},
		{"googleapis.com", "gcp"},
	} {
		if h == p.suffix || strings.HasSuffix(h, "."+p.suffix) {
			return p.provider
		}
	}
	return ""
}
