package ci

import (
	"bytes"
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/sessionize/sessionize/rules"
)

// newJenkins detects credentials bound in Jenkinsfiles (Jenkinsfile,
// Jenkinsfile.*, *.jenkinsfile, *.groovy under a jenkins directory), by
// best-effort text parsing: Groovy is not parsed, comments are skipped.
func newJenkins(kb *rules.KB) *detector {
	return &detector{sys: sysJenkins, kb: kb, match: matchJenkins, detect: detectJenkins}
}

func matchJenkins(p string) bool {
	b := strings.ToLower(path.Base(p))
	if b == "jenkinsfile" || strings.HasPrefix(b, "jenkinsfile.") || strings.HasSuffix(b, ".jenkinsfile") {
		return true
	}
	if !strings.HasSuffix(b, ".groovy") {
		return false
	}
	dirs := strings.Split(strings.ToLower(path.Dir(p)), "/")
	for _, d := range dirs {
		if d == "jenkins" || d == ".jenkins" {
			return true
		}
	}
	// A shared library's global steps: vars/*.groovy at the library's
	// root.
	return len(dirs) == 1 && dirs[0] == "vars"
}

var (
	jkCredentials = regexp.MustCompile(`(?:\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)?\bcredentials\s*\(\s*['"]([^'"]+)['"]\s*\)`)
	jkBinding     = regexp.MustCompile(`\b(usernamePassword|usernameColonPassword|string|file|sshUserPrivateKey|certificate|aws|amazonWebServicesCredentials|azureServicePrincipal|kubeconfigFile|kubeconfigContent|dockerCert|gitUsernamePassword|gitSshPrivateKey|withAWS|withKubeConfig|withKubeCredentials|azureCLI)\s*\(([^()]*)\)`)
	jkClass       = regexp.MustCompile(`\[\s*\$class\s*:\s*['"](\w+)['"]([^\[\]]*)\]`)
	jkSSHAgent    = regexp.MustCompile(`\bsshagent\s*\(\s*(?:credentials\s*:\s*)?\[([^\]]*)\]`)
	jkRegistry    = regexp.MustCompile(`\bwithRegistry\s*\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]+)['"]`)
	jkCredID      = regexp.MustCompile(`\b(credentialsId|vaultCredentialId|credentials)\s*:\s*['"]([^'"]+)['"]`)
	jkArg         = regexp.MustCompile(`\b(\w+)\s*:\s*['"]([^'"]*)['"]`)
	jkQuoted      = regexp.MustCompile(`['"]([^'"]+)['"]`)
	// jkAssign finds string variables (environment { X = 'id' }, def x =
	// 'id') that credential IDs are often read from.
	jkAssign = regexp.MustCompile(`(?m)^[ \t]*(?:def\s+|String\s+|final\s+)*([A-Za-z_]\w*)\s*=\s*['"]([^'"\n$]+)['"]\s*;?[ \t]*$`)
	// jkIDRef is a credential ID read from a variable.
	jkIDRef       = regexp.MustCompile(`\b(credentialsId|credentials|credentialId|vaultCredentialId)\s*:\s*(?:env\.)?([A-Za-z_]\w*)\s*[,)\]]`)
	jkRegistryRef = regexp.MustCompile(`\bwithRegistry\s*\(\s*['"]([^'"]*)['"]\s*,\s*(?:env\.)?([A-Za-z_]\w*)\s*\)`)
	jkInterp      = regexp.MustCompile(`\$\{(?:env\.)?([A-Za-z_]\w*)\}`)
	jkMSI         = regexp.MustCompile(`\bazureManagedIdentity\s*\(([^()]*)\)`)
)

func detectJenkins(ctx context.Context, s *scan) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	text := stripGroovyComments(s.src)
	j := &jenkinsFile{s: s, text: text, done: map[[2]int]bool{}}
	j.run()
	return nil
}

type jenkinsFile struct {
	s    *scan
	text []byte // the source with comments blanked, same offsets
	done map[[2]int]bool
	vars map[string]string // string variables the file assigns
}

// resolve substitutes the string variables an ID interpolates
// ("${REGISTRY_CREDS}", "ecr:us-east-1:${env.AWS_CRED}"); unknown ones
// stay as written (build parameters, values set at run time).
func (j *jenkinsFile) resolve(id string) string {
	if !strings.Contains(id, "${") {
		return id
	}
	return jkInterp.ReplaceAllStringFunc(id, func(m string) string {
		if v, ok := j.vars[jkInterp.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// stripGroovyComments blanks // and /* */ comments outside string
// literals, keeping every offset and newline.
func stripGroovyComments(src []byte) []byte {
	out := bytes.Clone(src)
	var quote byte
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote || c == '\n' && quote != '`' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			for ; i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/'); i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			if i+1 < len(out) {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		}
	}
	return out
}

func (j *jenkinsFile) run() {
	t := string(j.text)
	j.vars = map[string]string{}
	for _, m := range jkAssign.FindAllStringSubmatch(t, -1) {
		if _, seen := j.vars[m[1]]; !seen {
			j.vars[m[1]] = m[2]
		}
	}
	// A managed identity binding names the agent's identity, not a
	// stored secret.
	for _, m := range jkMSI.FindAllStringSubmatchIndex(t, -1) {
		for _, a := range jkArg.FindAllStringSubmatchIndex(t[m[2]:m[3]], -1) {
			j.done[j.lineColArr(m[2]+a[4])] = true
		}
	}
	for _, m := range jkCredentials.FindAllStringSubmatchIndex(t, -1) {
		key := ""
		if m[2] >= 0 {
			key = t[m[2]:m[3]]
		}
		j.emit(m[4], t[m[4]:m[5]], key, "credentials", read(key), kind{})
	}
	for _, m := range jkBinding.FindAllStringSubmatchIndex(t, -1) {
		j.binding(t[m[2]:m[3]], t[m[4]:m[5]], m[4])
	}
	for _, m := range jkClass.FindAllStringSubmatchIndex(t, -1) {
		j.binding(t[m[2]:m[3]], t[m[4]:m[5]], m[4])
	}
	for _, m := range jkSSHAgent.FindAllStringSubmatchIndex(t, -1) {
		for _, q := range jkQuoted.FindAllStringSubmatchIndex(t[m[2]:m[3]], -1) {
			j.emit(m[2]+q[2], t[m[2]+q[2]:m[2]+q[3]], "", "sshagent", reading{}, kindPrivateKey)
		}
	}
	for _, m := range jkRegistry.FindAllStringSubmatchIndex(t, -1) {
		id := j.resolve(t[m[4]:m[5]])
		k := registryKind(j.resolve(t[m[2]:m[3]]))
		if strings.HasPrefix(id, "ecr:") {
			k = kindAWS // the Amazon ECR plugin's ecr:REGION:CREDENTIAL_ID
		}
		j.emit(m[4], id, "", "withRegistry", reading{}, k)
	}
	for _, m := range jkRegistryRef.FindAllStringSubmatchIndex(t, -1) {
		if id, ok := j.vars[t[m[4]:m[5]]]; ok {
			j.emit(m[4], id, "", "withRegistry", reading{}, registryKind(t[m[2]:m[3]]))
		}
	}
	// Any other credential ID: git checkouts, Vault, publishers...
	for _, m := range jkCredID.FindAllStringSubmatchIndex(t, -1) {
		j.emit(m[4], j.resolve(t[m[4]:m[5]]), "", t[m[2]:m[3]], reading{}, vaultKind(t[m[2]:m[3]], t[m[4]:m[5]]))
	}
	for _, m := range jkIDRef.FindAllStringSubmatchIndex(t, -1) {
		if id, ok := j.vars[t[m[4]:m[5]]]; ok {
			j.emit(m[4], id, "", t[m[2]:m[3]], reading{}, vaultKind(t[m[2]:m[3]], id))
		}
	}
}

// readID reads a Jenkins credential ID. IDs often end in "-id" after the
// word saying what they hold ("dockerhub-credentials-id"): that ID is the
// credential's, not an identifier it holds.
func readID(id string) reading {
	ws := words(id)
	if n := len(ws); n >= 2 && ws[n-1] == "ID" {
		switch ws[n-2] {
		case "CREDENTIALS", "CREDENTIAL", "CREDS", "CRED", "TOKEN", "PASSWORD", "PASS":
			return read(strings.Join(ws[:n-1], "_"))
		}
	}
	return read(id)
}

// vaultKind is the kind of a Vault credential named by key, or no kind.
func vaultKind(key, id string) kind {
	if key != "vaultCredentialId" {
		return kind{}
	}
	if strings.Contains(strings.ToLower(id), "approle") {
		return kindVaultSecretID
	}
	return kindVault
}

func (j *jenkinsFile) lineColArr(off int) [2]int {
	l, c := j.lineCol(off)
	return [2]int{l, c}
}

// binding reports a credentials binding: its ID and, from the binding type
// and variable names, what it holds.
func (j *jenkinsFile) binding(typ, args string, at int) {
	var id, variable string
	idAt := 0
	vars := map[string]string{}
	for _, a := range jkArg.FindAllStringSubmatchIndex(args, -1) {
		k, v := args[a[2]:a[3]], args[a[4]:a[5]]
		switch k {
		case "credentialsId", "credentials", "credentialId":
			id, idAt = j.resolve(v), at+a[4]
		default:
			vars[k] = v
			if strings.HasSuffix(strings.ToLower(k), "variable") && variable == "" || k == "passwordVariable" || k == "secretKeyVariable" {
				variable = v
			}
		}
	}
	if id == "" && (typ == "azureServicePrincipal" || typ == "withKubeConfig") {
		if q := jkQuoted.FindStringSubmatchIndex(args); q != nil {
			id, idAt = args[q[2]:q[3]], at+q[2]
		}
	}
	if id == "" {
		// credentialsId: env.REGISTRY_CREDS, credentialsId: registryCreds
		if m := jkIDRef.FindStringSubmatchIndex(args + ")"); m != nil && m[4] < len(args) {
			if v, ok := j.vars[args[m[4]:m[5]]]; ok {
				id, idAt = v, at+m[4]
			}
		}
	}
	if id == "" {
		return
	}
	var k kind
	switch typ {
	case "aws", "amazonWebServicesCredentials", "withAWS", "AmazonWebServicesCredentialsBinding":
		k = kindAWS
	case "azureServicePrincipal", "azureCLI", "AzureCredentialsBinding":
		k = kindAzure
	case "sshUserPrivateKey", "gitSshPrivateKey", "certificate", "dockerCert", "SSHUserPrivateKeyBinding", "CertificateMultiBinding":
		k = kindPrivateKey
	case "kubeconfigFile", "kubeconfigContent", "withKubeConfig", "withKubeCredentials", "KubeconfigFileBinding":
		k = kindKube
	case "gitUsernamePassword":
		if ws := words(id); contains(ws, "GITHUB") || contains(ws, "GH") {
			k = kindGitHubPAT // a GitHub token used as the git password
		}
	}
	if isOIDCBinding(id, variable) {
		provider := providerOfUse(variable + " " + id)
		if provider == "" {
			provider = "other"
		}
		line, col := j.lineCol(idAt)
		if !j.done[[2]int{line, col}] {
			j.done[[2]int{line, col}] = true
			j.s.sessionWire(kindOIDC, provider, "", variable, typ, line, col, len(id))
		}
		return
	}
	fallback := kind{}
	if strings.Contains(strings.ToLower(typ), "password") {
		fallback = kindPassword
	}
	if k == (kind{}) {
		k = fallback
		key := read(variable)
		name := readID(id)
		if v, ok := verdict(key, name, true); ok && !(v == kindStored && fallback != kind{}) {
			k = v
		}
	}
	j.emit(idAt, id, variable, typ, reading{}, k)
}

// isOIDCBinding tells the oidc-provider plugin's id-token credentials by
// their variable or ID.
func isOIDCBinding(id, variable string) bool {
	v := strings.ToUpper(variable + " " + id)
	return strings.Contains(v, "WEB_IDENTITY_TOKEN") || strings.Contains(v, "ID_TOKEN") ||
		strings.Contains(v, "IDTOKEN") || strings.Contains(v, "OIDC")
}

// emit reports credential id at offset off; k is the kind when known,
// else the key and ID decide.
func (j *jenkinsFile) emit(off int, id, key, typ string, keyRd reading, k kind) {
	line, col := j.lineCol(off)
	if j.done[[2]int{line, col}] {
		return
	}
	j.done[[2]int{line, col}] = true
	if isOIDCBinding(id, key) {
		provider := providerOfUse(key + " " + id)
		if provider == "" {
			provider = "other"
		}
		j.s.sessionWire(kindOIDC, provider, "", key, typ, line, col, len(id))
		return
	}
	if k == (kind{}) {
		v, ok := verdict(keyRd, readID(id), true)
		if !ok {
			return
		}
		k = v
	}
	j.s.emit(wire{
		kind: k, store: "jenkins-credentials", name: id, secret: "credentials('" + id + "')",
		key: key, action: typ, line: line, col: col, length: len(id),
	})
}

func (j *jenkinsFile) lineCol(off int) (int, int) {
	line := bytes.Count(j.text[:off], []byte("\n")) + 1
	start := bytes.LastIndexByte(j.text[:off], '\n') + 1
	return line, off - start + 1
}
