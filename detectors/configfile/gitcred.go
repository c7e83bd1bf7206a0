package configfile

import (
	"context"
	"strings"
)

// Rules of the git-credentials detector.
const (
	ruleGitCredentials = "git-credentials-password"
	ruleGitConfigURL   = "gitconfig-url-credentials"
)

// matchGitCredentials: the store of git's credential-store helper
// (.git-credentials, $XDG_CONFIG_HOME/git/credentials), and git
// configuration files that hold remote URLs (.gitmodules, .gitconfig).
func matchGitCredentials(p string) bool {
	b := baseName(p)
	return equalsAny(b, ".git-credentials", "git-credentials", ".gitmodules", ".gitconfig", "gitconfig") ||
		(strings.EqualFold(b, "credentials") && underDir(p, "git"))
}

// scanGitCredentials reports the password (or token) of every URL with
// credentials: https://user:token@host lines in a credential store, and
// url = / [url "..."] settings in git configuration.
func scanGitCredentials(ctx context.Context, f *file) error {
	rule := ruleGitConfigURL
	if b := baseName(f.path); equalsAny(b, ".git-credentials", "git-credentials", "credentials") {
		rule = ruleGitCredentials
	}
	for i, l := range lines(f.src) {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t := strings.TrimSpace(l.text)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		for from := 0; ; {
			j := strings.Index(l.text[from:], "://")
			if j < 0 {
				break
			}
			j += from
			from = j + 3
			user, secret, idx, host, ok := gitURLSecret(l.text[from:])
			if !ok {
				continue
			}
			e := entry{key: "url", value: secret, off: l.off + from + idx, raw: true}
			c := cand{rule: rule, provider: hostProvider(host), notes: []string{"host " + host}}
			if user != "" && user != secret {
				c.notes = append(c.notes, "user "+user)
			}
			f.addIn(e, secret, -1, c)
		}
	}
	return nil
}

// gitURLSecret finds the credential in the authority at the start of rest:
// the password of user:password@host, or a token used as the user name
// (https://ghp_...@github.com/). idx is the secret's index in rest.
func gitURLSecret(rest string) (user, secret string, idx int, host string, ok bool) {
	rest = rest[:min(len(rest), maxAuthority)]
	end := strings.IndexAny(rest, "/?# \t\"'")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	at := strings.LastIndexByte(auth, '@')
	if at <= 0 {
		return "", "", 0, "", false
	}
	host = auth[at+1:]
	if h, _, found := strings.Cut(host, ":"); found {
		host = h
	}
	info := auth[:at]
	user, pass, hasPass := strings.Cut(info, ":")
	switch {
	case hasPass && acceptable(classPassword, pass):
		return user, pass, len(user) + 1, host, host != ""
	case !hasPass && isTyped(user) && acceptable(classSecret, user):
		return "", user, 0, host, host != ""
	case hasPass && isTyped(user) && acceptable(classSecret, user):
		// https://ghp_...:x-oauth-basic@github.com/
		return "", user, 0, host, host != ""
	}
	return "", "", 0, "", false
}
