package ci

import (
	"regexp"
	"strings"
)

// ref is one reference to a stored value inside a scalar.
type ref struct {
	text  string // as written, to find it in the source: "secrets.AWS_KEY", "$AWS_KEY"
	name  string // the stored value's name
	store string // "secrets", "vars", "inputs", "env" (a shell or CI variable), "macro" ($(X))
	off   int    // byte offset in the scalar's value
}

var (
	ghaExpr    = regexp.MustCompile(`\$\{\{(?s:.*?)\}\}`)
	ghaContext = regexp.MustCompile(`\b(secrets|vars|inputs)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[([^\]]*)\])`)
	allSecrets = regexp.MustCompile(`(?i)\btojson\(\s*secrets\s*\)`)
	formatCall = regexp.MustCompile(`^format\(\s*'([^']*)'\s*,\s*matrix\.([A-Za-z_][\w-]*)\s*\)$`)
	shellVar   = regexp.MustCompile(`(?i:\$env:)([A-Za-z_][A-Za-z0-9_]*)|\$\$?\{([A-Za-z_][A-Za-z0-9_]*)(?:[:}#%/?+=-])|\$\$?([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%`)
	azureMacro = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)|\$\{\{\s*variables(?:\.([A-Za-z_][A-Za-z0-9_.\-]*)|\[\s*'([^']+)'\s*\])\s*\}\}|\$\[\s*variables(?:\.([A-Za-z_][A-Za-z0-9_.\-]*)|\[\s*'([^']+)'\s*\])\s*\]`)
)

// ghaRefs finds the secrets, vars and inputs read in the ${{ }}
// expressions of a GitHub Actions value. A secret looked up by a matrix
// value (secrets[matrix.key], secrets[format('{0}_KEY', matrix.env)]) is
// expanded through matrix, which returns the values a matrix variable
// takes; an index that cannot be resolved yields no reference.
func ghaRefs(v string, matrix func(string) []string) []ref {
	var out []ref
	for _, e := range ghaExpr.FindAllStringIndex(v, -1) {
		expr := v[e[0]:e[1]]
		// toJSON(secrets) hands every stored secret to the job.
		for _, m := range allSecrets.FindAllStringIndex(expr, -1) {
			out = append(out, ref{text: expr[m[0]:m[1]], name: "*", store: "secrets", off: e[0] + m[0]})
		}
		for _, m := range ghaContext.FindAllStringSubmatchIndex(expr, -1) {
			store := expr[m[2]:m[3]]
			text := expr[m[0]:m[1]]
			off := e[0] + m[0]
			var names []string
			switch {
			case m[4] >= 0:
				names = []string{expr[m[4]:m[5]]}
			case m[6] >= 0:
				names = []string{expr[m[6]:m[7]]}
			case m[8] >= 0:
				names = []string{expr[m[8]:m[9]]}
			case m[10] >= 0:
				names = dynamicIndex(strings.TrimSpace(expr[m[10]:m[11]]), matrix)
			}
			if presenceTest(expr, m[0], m[1]) {
				continue // secrets.X != '': only whether it is set reaches the job
			}
			for _, n := range names {
				if n != "" {
					out = append(out, ref{text: text, name: n, store: store, off: off})
				}
			}
		}
	}
	return out
}

// presenceTest reports whether the reference at expr[start:end] is only
// compared with something or negated: the expression yields a boolean,
// not the secret.
func presenceTest(expr string, start, end int) bool {
	after := strings.TrimLeft(expr[end:], " \t\n")
	if strings.HasPrefix(after, "==") || strings.HasPrefix(after, "!=") {
		return true
	}
	before := strings.TrimRight(expr[:start], " \t\n")
	if strings.HasSuffix(before, "==") || strings.HasSuffix(before, "!=") {
		return true
	}
	return strings.HasSuffix(before, "!") && !strings.HasSuffix(before, "!=")
}

func dynamicIndex(ix string, matrix func(string) []string) []string {
	if matrix == nil {
		return nil
	}
	if v, ok := strings.CutPrefix(ix, "matrix."); ok {
		return matrix(v)
	}
	if m := formatCall.FindStringSubmatch(ix); m != nil {
		var out []string
		for _, val := range matrix(m[2]) {
			out = append(out, strings.ReplaceAll(m[1], "{0}", val))
		}
		return out
	}
	return nil
}

// shellRefs finds variable references in a script: $X, ${X}, ${X:-d},
// $env:X (PowerShell), %X% (cmd), and GitLab's escaped $$X.
func shellRefs(v string) []ref {
	var out []ref
	for _, m := range shellVar.FindAllStringSubmatchIndex(v, -1) {
		for g := 2; g < len(m); g += 2 {
			if m[g] < 0 {
				continue
			}
			name := v[m[g]:m[g+1]]
			text := v[m[0]:m[1]]
			if g == 4 {
				text = text[:len(text)-1] // the operator after the name is not part of it
			}
			out = append(out, ref{text: text, name: name, store: "env", off: m[0]})
			break
		}
	}
	return out
}

// azureRefs finds Azure Pipelines variable references: $(X) macros,
// ${{ variables.X }} template expressions and $[variables.X] runtime
// expressions.
func azureRefs(v string) []ref {
	var out []ref
	for _, m := range azureMacro.FindAllStringSubmatchIndex(v, -1) {
		for g := 2; g < len(m); g += 2 {
			if m[g] >= 0 {
				out = append(out, ref{text: v[m[0]:m[1]], name: v[m[g]:m[g+1]], store: "macro", off: m[0]})
				break
			}
		}
	}
	return out
}

// logicalLine returns the script line holding offset off, joined with the
// lines it continues or that continue it (trailing \, ` or ^), and the
// offset of off within it.
func logicalLine(v string, off int) (string, int) {
	const maxSpan = 4096 // continuation chains longer than this are cut
	start := strings.LastIndexByte(v[:off], '\n') + 1
	for start > 0 && off-start < maxSpan {
		prevEnd := start - 1
		prevStart := strings.LastIndexByte(v[:prevEnd], '\n') + 1
		if !continued(v[prevStart:prevEnd]) {
			break
		}
		start = prevStart
	}
	end := len(v)
	for i := off; i < len(v) && i-off < maxSpan; {
		j := strings.IndexByte(v[i:], '\n')
		if j < 0 {
			break
		}
		if !continued(v[i : i+j]) {
			end = i + j
			break
		}
		i += j + 1
	}
	return v[start:end], off - start
}

func continued(line string) bool {
	l := strings.TrimRight(line, " \t\r")
	return strings.HasSuffix(l, "\\") || strings.HasSuffix(l, "`") || strings.HasSuffix(l, "^")
}

// commentLine reports whether the physical line holding off is a comment
// in shell, PowerShell, cmd or Groovy.
func commentLine(v string, off int) bool {
	start := strings.LastIndexByte(v[:off], '\n') + 1
	l := strings.TrimLeft(v[start:], " \t")
	if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, "::") {
		return true
	}
	if len(l) >= 4 && strings.EqualFold(l[:4], "rem ") {
		return true
	}
	// A shell comment after code: "cmd  # uses $TOKEN".
	line := v[start:off]
	if i := strings.Index(line, " #"); i >= 0 && !strings.ContainsAny(line[:i], `"'`) {
		return true
	}
	return false
}

var (
	assignBefore  = regexp.MustCompile(`(?:^|[\s;&|("'])(?:export\s+|set\s+|\$env:|env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']?(?:\$\(\s*)?["']?$`)
	awsConfigure  = regexp.MustCompile(`aws\s+configure\s+set\s+(?:[\w.-]+\.)?(aws_access_key_id|aws_secret_access_key|aws_session_token)\s+["']?$`)
	flagBefore    = regexp.MustCompile(`(?:^|\s)(-{1,2}[A-Za-z][\w-]*)(?:\s+|=)["']?$`)
	urlUserinfo   = regexp.MustCompile(`https?://[^\s/@]*$`)
	redirectAfter = regexp.MustCompile(`>>?\s*["']?([^\s"';|&]+)`)
)

// scriptReading is what a script line says about the value a reference
// carries: it is assigned to a known variable, passed to a known flag of a
// known tool, written to a known credential file. The zero reading says
// nothing.
func scriptReading(script string, r ref) reading {
	line, at := logicalLine(script, r.off)
	// A window around the reference keeps the work per reference bounded
	// on huge one-line scripts.
	const window = 512
	if at > window {
		line, at = line[at-window:], window
	}
	if end := at + len(r.text) + window; end < len(line) {
		line = line[:end]
	}
	before := line[:at]
	after := line[min(at+len(r.text), len(line)):]
	// A GitHub expression around the reference is not part of the command.
	if b := strings.TrimRight(before, " "); strings.HasSuffix(b, "${{") {
		before = b[:len(b)-3]
		if a := strings.TrimLeft(after, " "); strings.HasPrefix(a, "}}") {
			after = a[2:]
		}
	}
	lower := strings.ToLower(line)
	if m := awsConfigure.FindStringSubmatch(before); m != nil {
		return reading{ev: credential, kind: kindAWS}
	}
	if m := assignBefore.FindStringSubmatch(before); m != nil {
		rd := read(m[1])
		if rd.ev == credential && strings.Contains(lower, "npm.pkg.github.com") {
			rd.kind = kindGitHubPAT
		}
		if strings.Contains(lower, "backend-config") && (strings.EqualFold(m[1], "access_key") || strings.EqualFold(m[1], "sas_token")) {
			// terraform init -backend-config="access_key=...": the
			// azurerm backend's storage account key.
			rd = reading{ev: credential, kind: kindAzureStorage}
		}
		return rd
	}
	if urlUserinfo.MatchString(before) && strings.HasPrefix(after, "@") {
		rest := strings.ToLower(after)
		switch {
		case strings.HasPrefix(rest, "@github.com"), strings.Contains(before, "x-access-token:"):
			return reading{ev: credential, kind: kindGitHubPAT}
		}
		return reading{ev: credential, kind: kindPassword}
	}
	flag := ""
	if m := flagBefore.FindStringSubmatch(before); m != nil {
		flag = strings.ToLower(m[1])
	}
	if flag == "-u" || flag == "--username" || flag == "--user" || flag == "--client-id" || flag == "--tenant" || flag == "-t" && strings.Contains(lower, "az login") {
		return reading{ev: identifier}
	}
	piped := strings.Contains(after, "|")
	if k, ok := toolReading(lower, flag, piped, after); ok {
		return reading{ev: credential, kind: k}
	}
	if strings.Contains(lower, "authorization:") || strings.Contains(lower, "private-token:") {
		if strings.Contains(lower, "api.github.com") {
			return reading{ev: credential, kind: kindGitHubPAT}
		}
		return reading{ev: credential, kind: kindAPIToken}
	}
	if m := redirectAfter.FindStringSubmatch(after); m != nil && (strings.HasPrefix(strings.TrimSpace(before), "echo") || strings.HasPrefix(strings.TrimSpace(before), "printf") || strings.Contains(before, "echo ")) {
		if k, ok := fileReading(strings.ToLower(m[1]), strings.ToLower(script)); ok {
			return reading{ev: credential, kind: k}
		}
	}
	if strings.Contains(line, "_authToken") {
		return reading{ev: credential, kind: kindNPM}
	}
	return reading{}
}

// toolReading knows the credential flags of common tools.
func toolReading(line, flag string, piped bool, after string) (kind, bool) {
	pw := flag == "-p" || flag == "--password" || flag == "--pass"
	stdin := piped && strings.Contains(after, "--password-stdin")
	switch {
	case has(line, "docker login", "podman login", "buildah login", "helm registry login", "skopeo login", "oras login", "crane auth login", "nerdctl login"):
		if pw || stdin {
			return registryKind(line), true
		}
	case has(line, "twine upload", "poetry publish", "uv publish", "flit publish", "hatch publish", "pdm publish", "poetry config pypi-token"):
		if pw || flag == "--token" || flag == "-t" || flag == "-a" || strings.Contains(line, "pypi-token") {
			return kindPyPI, true
		}
	case has(line, "az login"):
		if pw || flag == "--secret" || flag == "--client-secret" {
			return kindAzure, true
		}
	case has(line, "cargo publish", "cargo login", "cargo owner", "cargo yank"):
		if flag == "--token" || strings.Contains(line, "cargo login") {
			return kindCrates, true
		}
	case has(line, "nuget push", "nuget setapikey", "nuget add source", "nuget update source"):
		if flag == "--api-key" || flag == "-k" || flag == "-apikey" || pw {
			return kindNuGet, true
		}
	case has(line, "gem push", "rubygems_api_key", ".gem/credentials"):
		return kindRubyGems, true
	case has(line, "vault login", "vault_token"):
		return kindVault, true
	case has(line, "gh auth login"):
		return kindGitHubPAT, true
	case has(line, "kubectl", "helm "):
		if flag == "--token" {
			return kindKube, true
		}
	case has(line, "npm config set", "npm set", "yarn config set"):
		if strings.Contains(line, "authtoken") {
			return kindNPM, true
		}
	case has(line, "activate-service-account"):
		if flag == "--key-file" {
			return kindGCPKey, true
		}
	case has(line, "heroku", "vercel", "netlify", "firebase", "surge", "wrangler", "sentry-cli", "codecov", "sonar"):
		if flag == "--token" || flag == "-t" || flag == "--api-key" || flag == "--auth-token" || flag == "-dsonar.login" || flag == "-dsonar.token" {
			return kindAPIToken, true
		}
	}
	return kind{}, false
}

// fileReading knows credential files a script writes a secret into.
func fileReading(target, script string) (kind, bool) {
	switch {
	case strings.Contains(target, "kube"), strings.Contains(target, "kubeconfig"):
		return kindKube, true
	case strings.Contains(target, ".ssh/"), strings.Contains(target, "id_rsa"), strings.Contains(target, "id_ed25519"), strings.HasSuffix(target, ".pem"):
		return kindPrivateKey, true
	case strings.Contains(target, ".npmrc"):
		return kindNPM, true
	case strings.Contains(target, ".pypirc"):
		return kindPyPI, true
	case strings.Contains(target, ".docker/config.json"):
		return kindRegistry, true
	case strings.Contains(target, ".gem/credentials"):
		return kindRubyGems, true
	case strings.HasSuffix(target, ".json") && (strings.Contains(script, "activate-service-account") ||
		strings.Contains(script, "google_application_credentials") || strings.Contains(script, "gcloud auth") ||
		strings.Contains(target, "gcp") || strings.Contains(target, "gcloud") || strings.Contains(target, "service")):
		return kindGCPKey, true
	}
	return kind{}, false
}

// registryKind tells whose credential logs in to the registry a line or
// an image reference names.
func registryKind(s string) kind {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "ghcr.io"), strings.Contains(s, "docker.pkg.github.com"):
		return kindGitHubPAT
	case strings.Contains(s, ".dkr.ecr.") || strings.Contains(s, "public.ecr.aws"):
		return kindAWS
	case strings.Contains(s, ".azurecr.io"):
		return kindAzure
	case strings.Contains(s, "gcr.io") || strings.Contains(s, "docker.pkg.dev"):
		return kindGCPKey
	}
	return kindRegistry
}

func has(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
