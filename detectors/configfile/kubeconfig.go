package configfile

import (
	"context"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rules of the kubeconfig detector.
const (
	ruleKubeToken        = "kubeconfig-static-token"
	ruleKubeClientKey    = "kubeconfig-client-key"
	ruleKubePassword     = "kubeconfig-password"
	ruleKubeAuthToken    = "kubeconfig-auth-provider-token"
	ruleKubeRefreshToken = "kubeconfig-auth-provider-refresh-token"
	ruleKubeClientSecret = "kubeconfig-auth-provider-secret"
	ruleKubeExec         = "kubeconfig-exec"
)

const (
	typeKubeClientKey = "kubernetes-client-key"
	typeKubeExec      = "kubernetes-exec-credential"
)

// notKubeconfigExt are extensions of code and documents whose names may
// mention kubeconfig (kubeconfig.go, kubeconfig.md).
var notKubeconfigExt = set(".go", ".py", ".js", ".ts", ".rb", ".java", ".kt", ".rs", ".cs", ".sh", ".bash", ".ps1",
	".bat", ".md", ".rst", ".adoc", ".html", ".tf", ".hcl", ".tpl", ".j2", ".erb", ".gotmpl", ".tmpl", ".mod", ".sum",
	".lock", ".toml", ".ipynb", ".c", ".h", ".cpp", ".php", ".swift", ".scala", ".groovy", ".png", ".svg", ".txtar")

// matchKubeconfig: kubeconfig files by their usual names (kubeconfig,
// *.kubeconfig, kubeconfig-prod.yaml, kube_config_cluster.yml, .kube/config,
// k3s.yaml) and kubeadm's admin.conf family under a kubernetes directory.
func matchKubeconfig(p string) bool {
	b := baseName(p)
	if strings.EqualFold(b, "config") && underDir(p, ".kube") {
		return true
	}
	if equalsAny(b, "k3s.yaml", "k3s.yml", "rke2.yaml") {
		return true
	}
	if equalsAny(b, "admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf", "scheduler.conf") {
		return hasDir(p, "kubernetes") || hasDir(p, "kubeadm") || hasDir(p, ".kube")
	}
	if !containsFold(b, "kubeconfig") && !containsFold(b, "kube_config") && !containsFold(b, "kube-config") {
		return false
	}
	return !notKubeconfigExt[strings.ToLower(path.Ext(b))]
}

// scanKubeconfig reports static user credentials (token, client-key-data,
// password, auth-provider tokens and secrets) and records exec credential
// plugins, which mint tokens per use, as session inventory. A YAML file
// that is no kubeconfig (no users, no kind: Config) yields nothing; a Helm
// or Go template that does not parse as YAML is skipped without an error.
func scanKubeconfig(ctx context.Context, f *file) error {
	docs, err := f.yamlDocs(ctx, "kubeconfig YAML")
	if err != nil && len(docs) == 0 && (strings.Contains(f.src, "{{") || strings.Contains(f.src, "{%")) {
		return nil
	}
	for _, d := range docs {
		users := yamlMapGet(d, "users")
		if users == nil || users.Kind != yaml.SequenceNode {
			continue
		}
		for _, u := range users.Content {
			f.kubeUser(yamlScalar(yamlMapGet(u, "name")), yamlMapGet(u, "user"))
		}
	}
	return err
}

// kubeUser reports the credentials of one users[] entry.
func (f *file) kubeUser(name string, u *yaml.Node) {
	if u == nil || u.Kind != yaml.MappingNode {
		return
	}
	base := cand{fixer: "kubeconfig-exec", provider: "kubernetes"}
	if name != "" {
		base.notes = []string{"user " + name}
	}
	if t := yamlMapGet(u, "token"); yamlScalar(t) != "" && acceptable(classSecret, t.Value) {
		c := base
		c.rule = ruleKubeToken
		f.addIn(f.yamlEntry("token", name, t), strings.TrimSpace(t.Value), -1, c)
	}
	if p := yamlMapGet(u, "password"); yamlScalar(p) != "" && acceptable(classPassword, p.Value) {
		c := base
		c.rule = ruleKubePassword
		f.addIn(f.yamlEntry("password", name, p), p.Value, -1, c)
	}
	if k := yamlMapGet(u, "client-key-data"); yamlScalar(k) != "" {
		f.kubeClientKey(k, base)
	}
	if ap := yamlMapGet(u, "auth-provider"); ap != nil {
		f.kubeAuthProvider(yamlMapGet(ap, "config"), yamlScalar(yamlMapGet(ap, "name")), base)
	}
	if ex := yamlMapGet(u, "exec"); ex != nil && ex.Kind == yaml.MappingNode {
		f.kubeExec(name, ex)
	}
}

// kubeClientKey reports client-key-data: a base64 PEM private key. The
// secret is the decoded PEM, as the private-key content rule finds it
// after decoding, so both share a fingerprint.
func (f *file) kubeClientKey(k *yaml.Node, base cand) {
	v := strings.TrimSpace(k.Value)
	if !isLiteral(v) || len(v) < 64 {
		return
	}
	e := f.yamlEntry("client-key-data", "", k)
	c := base
	c.rule, c.typ, c.off, c.end = ruleKubeClientKey, typeKubeClientKey, e.off, e.span()
	c.value = v
	if dec, ok := decodeBase64(strings.Join(strings.Fields(v), "")); ok && strings.Contains(dec, "PRIVATE KEY") {
		c.value = pemSpan(dec)
		if isPlaceholder(c.value) {
			return
		}
	}
	f.add(c)
}

// pemSpan trims a PEM text to "-----BEGIN" ... end of the "-----END ...-----"
// line, the span the private-key content rule matches.
func pemSpan(s string) string {
	start := strings.Index(s, "-----BEGIN")
	end := strings.LastIndex(s, "-----END")
	if start < 0 || end < start {
		return strings.TrimSpace(s)
	}
	tail := strings.Index(s[end+8:], "-----")
	if tail < 0 {
		return s[start:]
	}
	return s[start : end+8+tail+5]
}

// kubeAuthProvider reports the tokens and client secret of an
// auth-provider (oidc, gcp, azure) configuration.
func (f *file) kubeAuthProvider(cfg *yaml.Node, provider string, base cand) {
	if cfg == nil || cfg.Kind != yaml.MappingNode {
		return
	}
	if provider != "" {
		base.notes = append(base.notes, "auth-provider "+provider)
	}
	for i := 0; i+1 < len(cfg.Content); i += 2 {
		key, v := cfg.Content[i].Value, cfg.Content[i+1]
		rule, class := "", classSecret
		switch strings.ToLower(key) {
		case "id-token", "access-token", "access_token":
			rule = ruleKubeAuthToken
		case "refresh-token", "refresh_token":
			rule = ruleKubeRefreshToken
		case "client-secret", "client_secret":
			rule = ruleKubeClientSecret
		default:
			continue
		}
		if yamlScalar(v) == "" || !acceptable(class, v.Value) {
			continue
		}
		c := base
		c.rule = rule
		f.addIn(f.yamlEntry(key, "", v), strings.TrimSpace(v.Value), -1, c)
	}
}

// kubeExec records an exec credential plugin as session inventory,
// identified by its command line.
func (f *file) kubeExec(user string, ex *yaml.Node) {
	cmd := yamlMapGet(ex, "command")
	if yamlScalar(cmd) == "" {
		return
	}
	id := []string{"kubeconfig-exec:", cmd.Value}
	if args := yamlMapGet(ex, "args"); args != nil && args.Kind == yaml.SequenceNode {
		for _, a := range args.Content {
			id = append(id, a.Value)
		}
	}
	e := f.yamlEntry("command", user, cmd)
	f.add(cand{
		rule: ruleKubeExec, value: strings.Join(id, " "), off: e.off, end: e.off + len(cmd.Value), session: true,
		typ: typeKubeExec, provider: execProvider(cmd.Value), notes: []string{"exec credential plugin " + path.Base(cmd.Value)},
	})
}

func execProvider(cmd string) string {
	switch b := strings.ToLower(path.Base(strings.ReplaceAll(cmd, "\\", "/"))); {
	case b == "aws" || strings.Contains(b, "aws-iam-authenticator"):
		return "aws"
	case strings.Contains(b, "gke-gcloud") || b == "gcloud":
		return "gcp"
	case b == "kubelogin" || b == "az":
		return "azure"
	}
	return "kubernetes"
}
