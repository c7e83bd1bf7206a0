package remediate

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// sourceLang maps a file to the language source-env rewrites.
func sourceLang(p string) (string, bool) {
	switch path.Ext(p) {
	case ".go":
		return "go", true
	case ".py":
		return "python", true
	case ".js", ".mjs", ".cjs", ".jsx":
		return "js", true
	case ".ts", ".tsx", ".mts", ".cts":
		return "ts", true
	case ".java":
		return "java", true
	}
	return "", false
}

// strongSecret matches literal values that are credentials by their
// shape alone: source-env finds these itself when no finding points.
var strongSecret = regexp.MustCompile(`^(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,}|glpat-[A-Za-z0-9_-]{20,}|xox[baprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{36}|pypi-AgEI[A-Za-z0-9_-]{50,}|hvs\.[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})$`)

// srcTarget is a secret's place in a source file: a byte range.
type srcTarget struct {
	start, end int
	line       int
	typ, rule  string
}

// literal is a string literal found in a source file.
type literal struct {
	start, end int    // the whole literal, quotes included
	value      string // its content (without prefix and quotes)
	name       string // the name it is assigned to or keyed by, if any
	// constDecl is the range of a Go "const" keyword that must become
	// "var"; zero when none.
	constStart int
	refusal    string
}

// fixSource replaces hard-coded secrets in source code with environment
// variable reads (CF-1). The findings of the report point at the secrets;
// without them, literals shaped like credentials are taken.
func fixSource(fc *fileCtx) {
	lang, _ := sourceLang(fc.path)
	targets := sourceTargets(fc)
	if len(targets) == 0 {
		return
	}
	var lits []literal
	var err error
	switch lang {
	case "go":
		lits, err = goLiterals(fc.src)
	default:
		lits, err = lexLiterals(fc.src, lang)
	}
	if err != nil {
		fc.refuse(0, "the file does not parse: %s", err.Error())
		return
	}
	var sp []jsplice
	used := map[string]bool{}
	var names []string
	done := map[int]bool{}
	for _, t := range targets {
		lit := literalAt(lits, t.start)
		if lit == nil {
			fc.refuse(t.line, "the secret is not inside a string literal (a comment or a more complex expression); remove it by hand")
			continue
		}
		if done[lit.start] {
			continue
		}
		done[lit.start] = true
		if lit.refusal != "" {
			fc.refuse(t.line, "%s", lit.refusal)
			continue
		}
		if secretLen := t.end - t.start; secretLen > 0 && len(strings.TrimSpace(lit.value)) != secretLen {
			fc.refuse(t.line, "the secret is part of a larger string; rewrite it by hand")
			continue
		}
		name := envVarName(lit.name, t.typ, t.rule, used)
		used[name] = true
		names = append(names, name)
		sp = append(sp, jsplice{lit.start, lit.end, envRead(lang, name)})
		if lit.constStart > 0 {
			sp = append(sp, jsplice{lit.constStart, lit.constStart + len("const"), "var"})
		}
		fc.detail("line %d: reads the secret from $%s", t.line, name)
	}
	if len(sp) == 0 {
		return
	}
	sp = dedupeSplices(sp)
	out := applyJSplices(fc.src, sp)
	out, err = ensureImport(lang, out)
	if err != nil {
		fc.refuse(0, "%s", err.Error())
		fc.details = nil
		return
	}
	if reason := checkSource(lang, fc.path, fc.src, out); reason != "" {
		fc.refuse(0, "%s", reason)
		fc.details = nil
		return
	}
	fc.out = out
	fc.summary = "Read hard-coded secrets from the environment (" + strings.Join(names, ", ") + ")"
	fc.caveat("set %s where the program runs (CI secret, deployment manifest, secret manager); for cloud keys prefer the SDK's default credential chain, which picks up session credentials (OIDC, instance or pod identity) with no secret at all", strings.Join(names, ", "))
	fc.caveat("the secret stays in git history: revoke it now")
	if lang == "ts" {
		fc.caveat("TypeScript reads use a non-null assertion (process.env.NAME!): the program fails where it uses an unset variable, not at startup")
	}
	if sm := secretManagerIn(fc.src); sm != "" {
		fc.caveat("the file already uses %s: storing the secret there and reading it through that client removes it from the environment too", sm)
	}
	for _, t := range targets {
		fc.retireRef(firstNonEmpty(t.typ, "secret"), fmt.Sprintf("%s:%d", fc.path, t.line), "")
	}
}

func dedupeSplices(sp []jsplice) []jsplice {
	sort.SliceStable(sp, func(i, j int) bool { return sp[i].start < sp[j].start })
	var out []jsplice
	for _, s := range sp {
		if n := len(out); n > 0 && out[n-1] == s {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sourceTargets converts hints into byte ranges, or finds credential-shaped
// literals when there are none.
func sourceTargets(fc *fileCtx) []srcTarget {
	var out []srcTarget
	lines := lineOffsets(fc.src)
	for _, h := range fc.hints {
		if h.Line < 1 || h.Line > len(lines) || h.Reference != "" {
			continue
		}
		start := lines[h.Line-1] + max(h.Column, 1) - 1
		end := start + h.SecretLen
		if h.SecretLen == 0 && h.EndLine == h.Line && h.EndColumn >= h.Column {
			end = lines[h.Line-1] + h.EndColumn
		}
		out = append(out, srcTarget{start: start, end: end, line: h.Line, typ: h.Type, rule: h.Rule})
	}
	if len(out) > 0 || len(fc.hints) > 0 {
		return out
	}
	lang, _ := sourceLang(fc.path)
	var lits []literal
	if lang == "go" {
		lits, _ = goLiterals(fc.src)
	} else {
		lits, _ = lexLiterals(fc.src, lang)
	}
	for _, l := range lits {
		if strongSecret.MatchString(l.value) {
			i := bytes.Index(fc.src[l.start:l.end], []byte(l.value))
			out = append(out, srcTarget{start: l.start + i, end: l.start + i + len(l.value), line: lineAt(fc.src, l.start), typ: shapeType(l.value)})
		}
	}
	return out
}

func shapeType(v string) string {
	switch {
	case strings.HasPrefix(v, "AKIA"):
		return "aws-access-key"
	case strings.HasPrefix(v, "gh"), strings.HasPrefix(v, "github_pat_"):
		return "github-classic-pat"
	case strings.HasPrefix(v, "xox"):
		return "slack-bot-token"
	case strings.HasPrefix(v, "sk_live_"), strings.HasPrefix(v, "rk_live_"):
		return "stripe-secret-key"
	case strings.HasPrefix(v, "npm_"):
		return "npm-token"
	case strings.HasPrefix(v, "pypi-"):
		return "pypi-token"
	case strings.HasPrefix(v, "hvs."):
		return "vault-service-token"
	}
	return ""
}

func lineOffsets(src []byte) []int {
	out := []int{0}
	for i, b := range src {
		if b == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

func literalAt(lits []literal, off int) *literal {
	for i := range lits {
		if lits[i].start <= off && off < lits[i].end {
			return &lits[i]
		}
	}
	return nil
}

// envVarName picks the environment variable: from the name the literal is
// bound to, else from the credential's type, unique in the file.
func envVarName(bound, typ, rule string, used map[string]bool) string {
	name := upperSnake(bound)
	if name == "" {
		name = map[string]string{
			"aws-access-key": "AWS_ACCESS_KEY_ID", "github-classic-pat": "GITHUB_TOKEN", "github-fine-grained-pat": "GITHUB_TOKEN",
			"slack-bot-token": "SLACK_BOT_TOKEN", "stripe-secret-key": "STRIPE_API_KEY", "npm-token": "NPM_TOKEN",
			"pypi-token": "PYPI_TOKEN", "vault-service-token": "VAULT_TOKEN",
		}[typ]
	}
	if name == "" && strings.Contains(rule, "aws") {
		name = "AWS_SECRET_ACCESS_KEY"
	}
	if name == "" {
		name = "SECRET"
	}
	base := name
	for i := 2; used[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	return name
}

func upperSnake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '-' || r == '.' || r == ' ':
			b.WriteByte('_')
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			b.WriteByte('_')
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	out := strings.Trim(b.String(), "_")
	if out != "" && unicode.IsDigit(rune(out[0])) {
		out = "_" + out
	}
	return out
}

func envRead(lang, name string) string {
	switch lang {
	case "go":
		return `os.Getenv("` + name + `")`
	case "python":
		return `os.environ["` + name + `"]`
	case "js":
		return "process.env." + name
	case "ts":
		return "process.env." + name + "!"
	case "java":
		return `System.getenv("` + name + `")`
	}
	return name
}

var secretManagers = []struct{ marker, name string }{
	{"secretsmanager", "AWS Secrets Manager"},
	{"secretmanager", "Google Secret Manager"},
	{"keyvault", "Azure Key Vault"},
	{"SecretClient", "Azure Key Vault"},
	{"hvac", "HashiCorp Vault"},
	{"vault/api", "HashiCorp Vault"},
}

func secretManagerIn(src []byte) string {
	for _, s := range secretManagers {
		if bytes.Contains(src, []byte(s.marker)) {
			return s.name
		}
	}
	return ""
}

// lexLiterals finds string literals in Python, JS/TS or Java, with the
// name each is bound to (NAME = "x", name: "x", "name": "x", name="x").
func lexLiterals(src []byte, lang string) ([]literal, error) {
	ll := map[string]lexLang{"python": langPython, "js": langJS, "ts": langJS, "java": langJava}[lang]
	toks, err := lex(string(src), ll)
	if err != nil {
		return nil, err
	}
	var sig []tok
	for _, t := range toks {
		if t.kind != 'c' && t.kind != 'n' {
			sig = append(sig, t)
		}
	}
	var out []literal
	for i, t := range sig {
		if t.kind != 's' {
			continue
		}
		l := literal{start: t.start, end: t.end}
		l.value, l.refusal = literalValue(t.text)
		if i >= 2 && sig[i-1].kind == 'p' && (sig[i-1].text == "=" || sig[i-1].text == ":") {
			prev := sig[i-2]
			// A type annotation (name: string = "x") names the binding
			// before the colon.
			if sig[i-1].text == "=" && i >= 4 && prev.kind == 'i' && sig[i-3].kind == 'p' && sig[i-3].text == ":" && sig[i-4].kind == 'i' {
				prev = sig[i-4]
			}
			switch prev.kind {
			case 'i':
				l.name = prev.text
			case 's':
				l.name, _ = literalValue(prev.text)
			}
			if i >= 3 && sig[i-1].text == "=" && sig[i-2].kind == 'p' && strings.Contains("=!<>", sig[i-2].text) {
				l.name = "" // a comparison, not an assignment
			}
		}
		if lang == "python" && i >= 1 && sig[i-1].kind == 'p' && sig[i-1].text == "%" {
			l.refusal = "the literal is a format string operand; rewrite it by hand"
		}
		out = append(out, l)
	}
	return out, nil
}

// literalValue returns a simple literal's content, or why it cannot be
// replaced by an environment read.
func literalValue(text string) (string, string) {
	prefix := ""
	for len(text) > 0 && text[0] != '"' && text[0] != '\'' && text[0] != '`' {
		prefix += strings.ToLower(text[:1])
		text = text[1:]
	}
	if strings.ContainsAny(prefix, "fb") {
		return "", "the secret is in an f-string or a bytes literal; rewrite it by hand"
	}
	if strings.HasPrefix(text, "`") && strings.Contains(text, "${") {
		return "", "the secret is in a template literal with interpolations; rewrite it by hand"
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`, "`"} {
		if strings.HasPrefix(text, q) && strings.HasSuffix(text, q) && len(text) >= 2*len(q) {
			return text[len(q) : len(text)-len(q)], ""
		}
	}
	return text, ""
}

// ensureImport adds the import an environment read needs.
func ensureImport(lang string, src []byte) ([]byte, error) {
	switch lang {
	case "go":
		return goEnsureOS(src)
	case "python":
		return pyEnsureOS(src), nil
	}
	return src, nil
}

var pyImportOS = regexp.MustCompile(`(?m)^import\s+(os|os\s*,.*|.*,\s*os)\s*$`)

func pyEnsureOS(src []byte) []byte {
	if pyImportOS.Match(src) {
		return src
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n"
	}
	// After a shebang, encoding line, module docstring and __future__
	// imports.
	i := 0
	for i < len(lines) {
		t := strings.TrimSpace(string(lines[i]))
		switch {
		case i == 0 && strings.HasPrefix(t, "#!"), strings.HasPrefix(t, "# -*-"), strings.HasPrefix(t, "# vim:"):
			i++
			continue
		case strings.HasPrefix(t, `"""`) || strings.HasPrefix(t, `'''`):
			q := t[:3]
			if strings.Count(t, q) >= 2 {
				i++
				continue
			}
			for i++; i < len(lines) && !strings.Contains(string(lines[i]), q); i++ {
			}
			i++
			continue
		case strings.HasPrefix(t, "from __future__"):
			i++
			continue
		}
		break
	}
	var b bytes.Buffer
	for _, l := range lines[:i] {
		b.Write(l)
	}
	if i > 0 && !bytes.HasSuffix(lines[i-1], []byte("\n")) {
		b.WriteString(nl)
	}
	b.WriteString("import os" + nl)
	for _, l := range lines[i:] {
		b.Write(l)
	}
	return b.Bytes()
}

// checkSource verifies the rewritten file parses (Go: and type-checks with
// no new error).
func checkSource(lang, p string, before, after []byte) string {
	if lang == "go" {
		return goCheck(p, before, after)
	}
	ll := map[string]lexLang{"python": langPython, "js": langJS, "ts": langJS, "java": langJava}[lang]
	if _, err := lex(string(after), ll); err != nil {
		return "the rewrite would not tokenize: " + err.Error()
	}
	return ""
}
