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
	for _, d := range strings.Split(strings.ToLower(path.Dir(p)), "/") {
		if d == "jenkins" || d == ".jenkins" {
			return true
		}
	}
	return false
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
		j.emit(m[4], t[m[4]:m[5]], "", "withRegistry", reading{}, registryKind(t[m[2]:m[3]]))
	}
	// Any other credential ID: git checkouts, Vault, publishers...
	for _, m := range jkCredID.FindAllStringSubmatchIndex(t, -1) {
		k := kind{}
		if t[m[2]:m[3]] == "vaultCredentialId" {
			k = kindVault
		}
		j.emit(m[4], t[m[4]:m[5]], "", t[m[2]:m[3]], reading{}, k)
	}
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
			id, idAt = v, at+a[4]
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
		name := read(id)
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
		v, ok := verdict(keyRd, read(id), true)
		if !ok {
			return
		}
		k = v
	}
	j.s.emit(wire{kind: k, store: "jenkins-credentials", name: id, secret: "credentials('" + id + "')",
		key: key, action: typ, line: line, col: col, length: len(id)})
}

func (j *jenkinsFile) lineCol(off int) (int, int) {
	line := bytes.Count(j.text[:off], []byte("\n")) + 1
	start := bytes.LastIndexByte(j.text[:off], '\n') + 1
	return line, off - start + 1
}
