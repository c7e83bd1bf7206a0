package configfile

import (
	"fmt"
	"regexp"
	"strings"
)

// entry is a key and its value in a key/value scope: an INI section, a .env
// file, a JSON object, a YAML mapping, a Terraform block.
type entry struct {
	key string // the key as written
	ctx string // enclosing keys, dotted ("spring.datasource"), for context
	// value is the value, decoded (quotes removed, escapes resolved).
	value string
	// off and end delimit the value's text in the file (end 0: off +
	// len(value)); raw says the text is the value byte for byte, so that
	// positions inside the value are exact.
	off, end int
	raw      bool
	// expr marks a value the format says is an expression (HCL var.x,
	// file("..."), a YAML alias): never a literal.
	expr bool
}

// span returns the end offset of e's text.
func (e entry) span() int {
	if e.end > e.off {
		return e.end
	}
	return e.off + len(e.value)
}

// scopeRules names the rules a key/value scope reports under, per kind of
// credential, and what every finding of the scope shares.
type scopeRules struct {
	password   string // a password under a password-like key
	secret     string // a token, API key or secret under a credential-like key, or a typed value under any key
	dbPassword string // a password under a database key (spring.datasource.password, POSTGRES_PASSWORD)
	dbURL      string // the password of a database URL or connection string
	urlCreds   string // the password of another URL (https://user:pass@host)
	azureKey   string // AccountKey= / SharedAccessKey= of an Azure connection string
	awsKey     string // an AWS key pair, reported at its access key ID
	awsSecret  string // an AWS secret access key whose ID is not a literal

	// typeFor, when set, forces a knowledge-base type for a key's value
	// (an azurerm client_secret is an Entra client secret).
	typeFor func(key string) string

	fixer    string // the fixer for the scope's findings, if one applies
	provider string // the provider the context names, if any
	// inAWS says short key names (access_key, secret_key, token) are AWS
	// key-pair parts: an AWS profile or an aws provider block.
	inAWS bool
}

// rulesFor returns the scope rules of a detector whose rule IDs are
// prefix-password, prefix-secret, ...
func rulesFor(prefix string) scopeRules {
	return scopeRules{
		password:   prefix + "-password",
		secret:     prefix + "-secret",
		dbPassword: prefix + "-database-password",
		dbURL:      prefix + "-database-url",
		urlCreds:   prefix + "-url-credentials",
		azureKey:   prefix + "-azure-storage-key",
		awsKey:     prefix + "-aws-access-key",
		awsSecret:  prefix + "-aws-secret-key",
	}
}

// scanEntries reports the credentials of one scope: AWS key pairs first
// (one finding per pair, at the access key ID, as the content rule
// aws-access-token reports it), then every other entry on its own.
func (f *file) scanEntries(es []entry, r *scopeRules) {
	used := f.awsPairs(es, r)
	for i, e := range es {
		if !used[i] && !e.expr {
			f.scanEntry(e, r)
		}
	}
}

// scanEntry reports the credential one entry holds, if any.
func (f *file) scanEntry(e entry, r *scopeRules) {
	v := strings.TrimSpace(e.value)
	if v == "" || isReference(v) {
		return
	}
	if creds := urlCredentials(e.value); len(creds) > 0 {
		for _, c := range creds {
			f.addURLCred(e, c, r)
		}
		return
	}
	class := keyClass(e.key)
	if class == classNone {
		if rule, _ := valueRule(v); rule == "gcp-api-key" && hasPublicWord(e.key) {
			// Browser API keys (NEXT_PUBLIC_FIREBASE_API_KEY) are
			// published by design and restricted by referrer.
			return
		}
		if r.secret != "" && isTyped(v) && acceptable(classSecret, v) {
			f.addIn(e, v, -1, cand{rule: r.secret, fixer: r.fixer, provider: r.provider})
		}
		return
	}
	if !acceptable(class, v) {
		return
	}
	rule := r.secret
	if class == classPassword {
		rule = r.password
		if r.dbPassword != "" && (isDatabaseKey(e.ctx+"."+e.key) || isDatabaseKey(f.path)) {
			rule = r.dbPassword
		}
	}
	if rule == "" {
		return
	}
	c := cand{rule: rule, fixer: r.fixer, provider: r.provider}
	if r.typeFor != nil && !isTyped(v) {
		c.typ = r.typeFor(e.key)
	}
	f.addIn(e, v, -1, c)
}

func (f *file) addURLCred(e entry, c urlCred, r *scopeRules) {
	rule, class := r.urlCreds, classPassword
	switch c.kind {
	case credDatabase:
		rule = r.dbURL
	case credAzureKey:
		rule, class = r.azureKey, classSecret
	case credURL:
		if isDatabaseKey(e.ctx + "." + e.key) {
			// A broker's JAAS config, a datasource property.
			rule = r.dbURL
		}
	}
	if rule == "" || !acceptable(class, c.value) {
		return
	}
	f.addIn(e, c.value, c.idx, cand{rule: rule, fixer: r.fixer, provider: r.provider})
}

// addIn records value, found at byte index idx of e's value (-1: unknown,
// search for it), as a finding.
func (f *file) addIn(e entry, value string, idx int, c cand) {
	if !e.raw && strings.HasPrefix(value, "-----BEGIN") && e.off >= 0 && e.span() <= len(f.src) {
		// An escaped PEM key ("-----BEGIN ...\n...") is reported as
		// written, the text the private-key content rule matches.
		value = pemSpan(f.src[e.off:e.span()])
		idx = -1
	}
	c.value = value
	c.off = e.off
	switch {
	case idx >= 0 && e.raw:
		c.off = e.off + idx
	default:
		end := min(e.span(), len(f.src))
		if e.off >= 0 && e.off <= end {
			if j := strings.Index(f.src[e.off:end], value); j >= 0 {
				c.off = e.off + j
				break
			}
		}
		// The text differs from the value (escapes, base64): point at the
		// whole value.
		c.end = e.span()
	}
	f.add(c)
}

var awsKeyIDRE = regexp.MustCompile(`^(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}$`)

// awsPairs reports the AWS key pairs of a scope: each literal access key ID
// is one finding (the credential as AWS and gitleaks identify it), its
// secret and session token are notes; a literal secret whose ID is not
// literal is a finding of its own. It returns the entries it consumed.
func (f *file) awsPairs(es []entry, r *scopeRules) map[int]bool {
	if r.awsKey == "" {
		return nil
	}
	var ids, secrets, sessions []int
	used := map[int]bool{}
	for i, e := range es {
		if e.expr {
			continue
		}
		v := strings.TrimSpace(e.value)
		field := awsKeyField(e.key, r.inAWS)
		switch {
		case awsKeyIDRE.MatchString(v):
			ids = append(ids, i)
		case field == awsKeyID:
			used[i] = true // an ID that is not AWS-shaped: not a secret
		case field == awsSecret:
			secrets = append(secrets, i)
		case field == awsSession:
			sessions = append(sessions, i)
			used[i] = true
		}
	}
	var notes []string
	if len(ids) > 0 {
		notes = f.pairNotes(es, secrets, "secret access key")
		notes = append(notes, f.pairNotes(es, sessions, "session token")...)
		for _, s := range secrets {
			used[s] = true
		}
	}
	for _, i := range ids {
		used[i] = true
		f.addIn(es[i], strings.TrimSpace(es[i].value), -1, cand{rule: r.awsKey, fixer: r.fixer, provider: "aws", notes: notes})
	}
	for _, s := range secrets {
		if used[s] {
			continue
		}
		used[s] = true
		v := strings.TrimSpace(es[s].value)
		if acceptable(classSecret, v) {
			f.addIn(es[s], v, -1, cand{rule: r.awsSecret, fixer: r.fixer, provider: "aws"})
		}
	}
	return used
}

// pairNotes says where the literal parts of a key pair are: "secret access
// key on line 3" (at most the first three).
func (f *file) pairNotes(es []entry, idx []int, what string) []string {
	var notes []string
	for _, i := range idx {
		if len(notes) == 3 {
			break
		}
		if isLiteral(es[i].value) {
			line, _ := f.pos(es[i].off)
			notes = append(notes, fmt.Sprintf("%s on line %d", what, line))
		}
	}
	return notes
}
