package configfile

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// referenceMarkers anywhere in a value make it a template or an
// interpolation: ${X}, ${X:-default}, $(X), ${{ secrets.X }},
// {{ .Values.x }}, %(X)s, #{X}, %{ }, ((X)), <%= X %>, @{X}.
var referenceMarkers = []string{"${", "$(", "{{", "}}", "%(", "#{", "%{", "((", "<%", "@{"}

// referencePrefixes (matched ignoring case) start values that name a
// secret store or hold an encrypted value: env(X), op://, vault:,
// arn:aws:secretsmanager:, SOPS ENC[...], jasypt ENC(...), Spring {cipher},
// Ansible vault.
var referencePrefixes = []string{
	"$env:", "{env:", "env:", "env.", "env(", "env[", "process.env", "os.environ", "os.getenv", "system.getenv",
	"op://", "vault://", "sm://", "secret://", "secrets://", "awssm://", "gcpsm://", "azkv://", "bws://", "doppler://",
	"infisical://", "keyring://", "ssm://", "kms://", "akv://", "gsm://", "vault:", "arn:aws:secretsmanager:",
	"arn:aws:ssm:", "arn:aws:kms:", "@microsoft.keyvault(", "enc[", "enc(", "{cipher}", "!vault", "$ansible_vault",
}

// referenceRE matches whole-value references: $X, %X%, @X@ (build-time
// filtering), __X__ (replacement tokens), GCP Secret Manager names.
var referenceRE = regexp.MustCompile(`^(?:\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|@[A-Za-z_][\w.-]*@|__[\w.-]+__|projects/[^/]+/secrets/.*)$`)

// isReference reports whether v refers to a value instead of being one.
func isReference(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	for _, m := range referenceMarkers {
		if strings.Contains(v, m) {
			return true
		}
	}
	switch v[0] {
	case '$', '%', '@', '_', 'p':
		if referenceRE.MatchString(v) {
			return true
		}
	}
	for _, p := range referencePrefixes {
		if hasPrefixFold(v, p) {
			return true
		}
	}
	return false
}

// placeholderWords (lower case) anywhere in a value mark it as written to be
// replaced.
var placeholderWords = []string{
	"example", "sample", "placeholder", "changeme", "change_me", "change-me", "changeit", "replace", "your",
	"insert", "fill_in", "fill-in", "fillin", "redacted", "dummy", "fixme", "...", "…",
}

// placeholderValues (lower case) are whole values that are no secret.
var placeholderValues = set("none", "null", "nil", "undefined", "false", "true", "n/a", "na", "unset", "empty",
	"default", "required", "optional", "secret", "password", "passwd", "pass", "pwd", "token", "apikey", "api_key",
	"api-key", "key", "test", "testing", "foo", "bar", "baz", "foobar", "abc", "abc123", "string", "value", "values",
	"my_token", "my-token", "mytoken", "my_secret", "my-secret", "mysecret", "my_password", "my-password",
	"mypassword", "my_key", "my-key", "mykey", "xyz")

// placeholderRE matches the placeholder shapes the word lists cannot
// (on the lower-cased value): <token>, [token], a TODO, "token-goes-here".
var placeholderRE = regexp.MustCompile(`<[^>]*>|\[[a-z _-]+\]|(?:^|[^a-z])(?:todo|tbd)(?:[^a-z]|$)|(?:token|key|secret|password|pass|value|it|goes)[_ -]?here`)

// isPlaceholder reports whether v is a placeholder rather than a value.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || sameChar(v) {
		return true
	}
	l := strings.ToLower(v)
	if placeholderValues[l] || fillerRun(l) {
		return true
	}
	for _, w := range placeholderWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	if strings.ContainsAny(l, "<[") || strings.Contains(l, "todo") || strings.Contains(l, "tbd") || strings.Contains(l, "here") {
		return placeholderRE.MatchString(l)
	}
	return false
}

// fillerRun reports a run of filler: xxxx, ***, ####, 00000000, 99999999.
func fillerRun(l string) bool {
	run, prev := 0, byte(0)
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c == prev {
			run++
		} else {
			run, prev = 1, c
		}
		switch {
		case c == 'x' && run >= 4, c == '*' && run >= 3, c == '#' && run >= 4, (c == '0' || c == '9') && run >= 8:
			return true
		}
	}
	return false
}

// typedPlaceholderRE matches the placeholders written in a token's format
// (ghp_xxxxxxxx..., AKIA...EXAMPLE); the looser word list would reject
// random tokens that happen to contain "todo".
var typedPlaceholderRE = regexp.MustCompile(`(?i)x{6,}|<|>|\.\.\.|example|0{12,}|(?:abcdef|123456){2}`)

// isLiteral reports whether v is a literal value: not empty, not a
// reference, not a placeholder.
func isLiteral(v string) bool {
	return !isReference(v) && !isPlaceholder(v)
}

func sameChar(v string) bool {
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return true
}

// weakPasswords are development defaults: a literal "postgres" in a
// docker-compose file or a local datasource is not a leaked credential
// anyone can act on, and reporting it trains people to ignore the tool.
var weakPasswords = map[string]bool{
	"admin": true, "administrator": true, "root": true, "toor": true, "postgres": true, "postgresql": true,
	"mysql": true, "mariadb": true, "sa": true, "guest": true, "user": true, "demo": true, "dev": true,
	"development": true, "local": true, "localhost": true, "docker": true, "qwerty": true, "letmein": true,
	"123456": true, "1234567": true, "12345678": true, "123456789": true, "1234567890": true, "password1": true,
	"password123": true, "passw0rd": true, "p@ssw0rd": true, "p@ssword": true, "pa55word": true, "admin123": true,
	"secret123": true, "s3cr3t": true, "rabbitmq": true, "redis": true, "mongo": true, "mongodb": true,
	"oracle": true, "welcome": true, "welcome1": true, "changeme123": true, "test123": true, "testing123": true,
	"pass123": true, "root123": true, "default": true, "keycloak": true, "minioadmin": true, "minio123": true,
	"elastic": true, "kibana": true, "jenkins": true, "sonar": true, "airflow": true, "superset": true,
	"grafana": true, "nexus": true, "admin1": true, "user123": true, "qwerty123": true, "abcd1234": true,
}

// isWeakPassword reports whether v is a common development default.
func isWeakPassword(v string) bool {
	l := strings.ToLower(v)
	return weakPasswords[l] || strings.Contains(l, "password") || strings.Contains(l, "passwd")
}

// entropy returns the Shannon entropy of v in bits per byte.
func entropy(v string) float64 {
	if v == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(v); i++ {
		counts[v[i]]++
	}
	var h float64
	n := float64(len(v))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// charClasses counts the classes (lower, upper, digit, other) present in v;
// '-', '_' and '.' are separators, not symbols.
func charClasses(v string) int {
	var lower, upper, digit, other int
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= '0' && r <= '9':
			digit = 1
		case r == '-' || r == '_' || r == '.':
		case unicode.IsSpace(r):
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// looksLikeNonSecret reports values that have the form of something other
// than a secret: paths, file names, URLs without credentials, e-mail
// addresses, dotted identifiers, numbers, durations, booleans.
func looksLikeNonSecret(v string) bool {
	switch {
	case strings.HasPrefix(v, "/"), strings.HasPrefix(v, "./"), strings.HasPrefix(v, "../"), strings.HasPrefix(v, "~/"),
		len(v) > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/'):
		return true
	case strings.Contains(v, "://") && !strings.Contains(v, "@"):
		return true
	case fileNameRE.MatchString(v), emailRE.MatchString(v), dottedIdentRE.MatchString(v), numericRE.MatchString(v):
		return true
	case strings.ContainsAny(v, " \t") && len(strings.Fields(v)) > 2:
		// Prose: a sentence or a command line.
		return true
	}
	return false
}

var (
	fileNameRE    = regexp.MustCompile(`(?i)^[\w./\\-]*\.(?:pem|key|crt|cer|p12|pfx|jks|keystore|json|ya?ml|txt|gpg|asc|der|pub|ppk|env|conf|cfg|ini|properties|xml|toml)$`)
	emailRE       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	dottedIdentRE = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[.-][a-z][a-z0-9]*){2,}$`)
	numericRE     = regexp.MustCompile(`^[0-9.,:+-]+[smhdkKMGb]?$`)
)

// secretClass is what a key says its value is.
type secretClass int

const (
	classNone     secretClass = iota
	classPassword             // passwords and passphrases: may be short
	classSecret               // tokens, API keys, client secrets
)

// acceptable reports whether literal v is worth reporting as a credential
// of class c: a value of a telling shape always is (unless it is a
// placeholder); other values must not be references, placeholders or
// development defaults, and must look random enough for their class.
func acceptable(c secretClass, v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || isReference(v) {
		return false
	}
	if isTyped(v) {
		return !typedPlaceholderRE.MatchString(v)
	}
	if isPlaceholder(v) || looksLikeNonSecret(v) {
		return false
	}
	switch c {
	case classPassword:
		if len(v) < 6 || isWeakPassword(v) {
			return false
		}
		return charClasses(v) >= 2 || (len(v) >= 12 && entropy(v) >= 3.0)
	case classSecret:
		if len(v) < 8 {
			return false
		}
		e := entropy(v)
		return (charClasses(v) >= 2 && e >= 3.0) || (len(v) >= 24 && e >= 3.5)
	}
	return false
}

// isTyped reports whether v has a shape that identifies its type.
func isTyped(v string) bool {
	rule, strong := valueRule(v)
	return rule != "" && strong || ownShape(v) != ""
}
