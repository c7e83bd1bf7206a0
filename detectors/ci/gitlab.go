package ci

import (
	"context"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newGitLab detects GitLab CI: .gitlab-ci.yml, included files named
// *.gitlab-ci.yml, and files under .gitlab/ci/.
func newGitLab(kb *rules.KB) *detector {
	return &detector{sys: sysGitLab, kb: kb, match: matchGitLab, detect: detectGitLab}
}

func matchGitLab(p string) bool {
	b := path.Base(p)
	if b == ".gitlab-ci.yml" || b == ".gitlab-ci.yaml" || strings.HasSuffix(b, ".gitlab-ci.yml") || strings.HasSuffix(b, ".gitlab-ci.yaml") {
		return true
	}
	return (strings.HasPrefix(p, ".gitlab/ci/") || strings.Contains(p, "/.gitlab/ci/")) && yamlExt(p)
}

// gitlabKeywords are top-level keys that are not jobs.
var gitlabKeywords = map[string]bool{
	"stages": true, "variables": true, "include": true, "default": true, "workflow": true,
	"image": true, "services": true, "before_script": true, "after_script": true, "cache": true, "spec": true,
}

func detectGitLab(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		(&gitlabFile{s: s, root: doc}).walk()
	}
	return err
}

type gitlabFile struct {
	s       *scan
	root    *yaml.Node
	global  *locals
	defToks bool // default: declares id_tokens
}

func gitlabBuiltin(name string) bool {
	switch {
	case strings.HasPrefix(name, "CI_") && !strings.HasPrefix(name, "CI_JOB_JWT"),
		strings.HasPrefix(name, "GITLAB_USER_"), name == "GITLAB_CI", name == "GITLAB_FEATURES",
		strings.HasPrefix(name, "FF_"), strings.HasPrefix(name, "RUNNER_"),
		strings.HasPrefix(name, "DOCKER_TLS"), name == "DOCKER_HOST", name == "DOCKER_DRIVER", name == "DOCKER_CERT_PATH",
		strings.HasPrefix(name, "TRIGGER_"), strings.HasPrefix(name, "CHAT_"):
		return true
	}
	return notSecrets[name]
}

func (g *gitlabFile) walk() {
	s := g.s
	if !s.isMap(g.root) {
		return
	}
	s.refRoot = g.root
	g.global = newLocals()
	top := shellCtx{job: "", store: "variables", key: "variables", locals: g.global, builtin: gitlabBuiltin}
	top.special = g.special(top.job)
	s.varMap(top, s.get(g.root, "variables"))
	def := s.get(g.root, "default")
	g.defToks = len(s.pairs(s.get(def, "id_tokens"))) > 0
	if def != nil {
		g.job("default", def, true)
	}
	for _, p := range s.pairs(g.root) {
		if gitlabKeywords[p.Key] || !s.isMap(p.Value) {
			continue
		}
		g.job(p.Key, s.resolve(p.Value), false)
	}
	// Global before_script/after_script (deprecated form of default:).
	c := shellCtx{job: "", store: "variables", key: "script", locals: g.global.clone(), builtin: gitlabBuiltin}
	c.special = g.special("")
	for _, k := range []string{"before_script", "after_script"} {
		for _, it := range s.flatItems(s.get(g.root, k)) {
			s.scriptRefs(c, it)
		}
	}
}

func (g *gitlabFile) job(name string, job *yaml.Node, isDefault bool) {
	s := g.s
	c := shellCtx{job: name, store: "variables", key: "script", locals: g.global.clone(), builtin: gitlabBuiltin}
	c.special = g.special(name)
	hasToks := g.idTokens(name, job, c.locals) || (g.defToks && !isDefault)
	vc := c
	vc.key = "variables"
	s.varMap(vc, s.get(job, "variables"))
	for _, r := range s.items(s.get(job, "rules")) {
		s.varMap(vc, s.get(r, "variables"))
	}
	for _, svc := range s.items(s.get(job, "services")) {
		s.varMap(vc, s.get(svc, "variables"))
	}
	g.secrets(name, job, hasToks, c.locals)
	for _, k := range []string{"before_script", "script", "after_script"} {
		for _, it := range s.flatItems(s.get(job, k)) {
			s.scriptRefs(c, it)
		}
	}
}

// idTokens records each id_tokens entry as session-scoped wiring and
// defines the token variables.
func (g *gitlabFile) idTokens(job string, n *yaml.Node, l *locals) bool {
	s := g.s
	ps := s.pairs(s.get(n, "id_tokens"))
	for _, p := range ps {
		l.define(p.Key)
		var aud []string
		for _, a := range s.items(s.get(p.Value, "aud")) {
			aud = append(aud, s.str(a))
		}
		provider := providerOfAudience(strings.Join(aud, " "))
		if provider == "" {
			provider = g.providerOfToken(n, p.Key)
		}
		if provider == "" {
			provider = "other"
		}
		col := s.byteCol(p.KeyN.Line, p.KeyN.Column)
		s.sessionWire(kindOIDC, provider, job, "id_tokens", "", p.KeyN.Line, col, len(p.Key))
	}
	return len(ps) > 0
}

// providerOfAudience knows the audiences the official integrations use.
func providerOfAudience(aud string) string {
	a := strings.ToLower(aud)
	switch {
	case strings.Contains(a, "sts.amazonaws.com"):
		return "aws"
	case strings.Contains(a, "iam.googleapis.com"):
		return "gcp"
	case strings.Contains(a, "azureadtokenexchange"):
		return "azure"
	case a == "pypi":
		return "pypi"
	case strings.Contains(a, "npm:"):
		return "npm"
	case strings.Contains(a, "vault"):
		return "vault"
	case strings.Contains(a, "nuget.org"):
		return "nuget"
	}
	return ""
}

// providerOfToken looks at the script lines that use an id token.
func (g *gitlabFile) providerOfToken(job *yaml.Node, token string) string {
	s := g.s
	if s.get(job, "secrets") != nil {
		for _, p := range s.pairs(s.get(job, "secrets")) {
			// An entry naming its token (token: $VAULT_ID_TOKEN) says
			// nothing of the job's other tokens.
			if t := s.str(s.get(p.Value, "token")); t != "" && strings.Trim(strings.TrimPrefix(t, "$"), "{}") != token {
				continue
			}
			if m := secretManager(s, p.Value); m != "" {
				return m
			}
		}
	}
	for _, k := range []string{"before_script", "script"} {
		for _, it := range s.flatItems(s.get(job, k)) {
			v := s.str(it)
			for _, line := range strings.Split(v, "\n") {
				if strings.Contains(line, "$"+token) || strings.Contains(line, "${"+token) {
					if p := providerOfUse(line); p != "" {
						return p
					}
				}
			}
		}
	}
	return ""
}

// secretManager names the provider of a secrets: entry.
func secretManager(s *scan, entry *yaml.Node) string {
	switch {
	case s.get(entry, "vault") != nil:
		return "vault"
	case s.get(entry, "gcp_secret_manager") != nil:
		return "gcp"
	case s.get(entry, "azure_key_vault") != nil:
		return "azure"
	case s.get(entry, "aws_secrets_manager") != nil:
		return "aws"
	case s.get(entry, "akeyless") != nil, s.get(entry, "gitlab_secrets_manager") != nil:
		return "other"
	}
	return ""
}

// secrets records the job's secrets: entries, fetched with an id token
// (session) or, without id_tokens, with the removed implicit CI_JOB_JWT.
func (g *gitlabFile) secrets(job string, n *yaml.Node, hasToks bool, l *locals) {
	s := g.s
	for _, p := range s.pairs(s.get(n, "secrets")) {
		l.define(p.Key)
		m := secretManager(s, p.Value)
		if m == "" {
			continue
		}
		col := s.byteCol(p.KeyN.Line, p.KeyN.Column)
		if hasToks {
			s.sessionWire(kindOIDC, m, job, "secrets", "", p.KeyN.Line, col, len(p.Key))
			continue
		}
		s.sessionWire(kindGitLabJobJWT, m, job, "secrets", "", p.KeyN.Line, col, len(p.Key),
			"secrets: without id_tokens authenticates with the implicit CI_JOB_JWT, removed in GitLab 17.0")
	}
}

// special handles CI_JOB_JWT: session-scoped but deprecated and removed.
func (g *gitlabFile) special(job string) func(*yaml.Node, string, ref) bool {
	return func(n *yaml.Node, v string, r ref) bool {
		if !strings.HasPrefix(r.name, "CI_JOB_JWT") {
			return false
		}
		s := g.s
		line, _ := logicalLine(v, r.off)
		provider := providerOfUse(line)
		if provider == "" {
			provider = "gitlab"
		}
		ln, col := s.posOf(n, v, r)
		s.sessionWire(kindGitLabJobJWT, provider, job, "script", "", ln, col, len(r.text),
			"CI_JOB_JWT was deprecated in GitLab 15.9 and removed in 17.0; declare id_tokens instead")
		return true
	}
}
