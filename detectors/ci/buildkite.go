package ci

import (
	"context"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newBuildkite detects Buildkite pipelines (.buildkite/*.yml,
// buildkite.yml, pipeline.yml next to .buildkite hooks).
func newBuildkite(kb *rules.KB) *detector {
	return &detector{sys: sysBuildkite, kb: kb, match: matchBuildkite, detect: detectBuildkite}
}

func matchBuildkite(p string) bool {
	b := path.Base(p)
	if b == "buildkite.yml" || b == "buildkite.yaml" || b == ".buildkite.yml" {
		return true
	}
	return (strings.HasPrefix(p, ".buildkite/") || strings.Contains(p, "/.buildkite/")) && yamlExt(p)
}

func detectBuildkite(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		(&buildkiteFile{s: s, root: doc}).walk()
	}
	return err
}

type buildkiteFile struct {
	s    *scan
	root *yaml.Node
}

func buildkiteBuiltin(name string) bool {
	return strings.HasPrefix(name, "BUILDKITE_") || notSecrets[name]
}

var (
	bkSecretGet = regexp.MustCompile(`buildkite-agent\s+secret\s+get\s+["']?([A-Za-z_][A-Za-z0-9_./-]*)`)
	bkOIDC      = regexp.MustCompile(`buildkite-agent\s+oidc\s+request-token`)
)

// bkPlugins knows plugin options that name the environment variable
// holding a credential, or that switch to OIDC.
var bkPlugins = map[string]struct {
	envOpts  map[string]kind
	session  []string
	provider string
}{
	"docker-login":                      {envOpts: map[string]kind{"password-env": kindRegistry}},
	"ecr":                               {session: []string{"assume-role"}, provider: "aws"},
	"aws-assume-role-with-web-identity": {session: []string{"role-arn"}, provider: "aws"},
	"gcp-workload-identity-federation":  {session: []string{"audience", "service-account"}, provider: "gcp"},
	"sj26/pypi-oidc":                    {session: []string{"audience"}, provider: "pypi"},
}

func (b *buildkiteFile) walk() {
	s := b.s
	root := b.root
	if s.isMap(root) {
		b.env("", s.get(root, "env"), newLocals())
		b.steps(s.get(root, "steps"))
		return
	}
	b.steps(root) // a bare list of steps
}

func (b *buildkiteFile) steps(n *yaml.Node) {
	s := b.s
	for _, st := range s.items(n) {
		if !s.isMap(st) {
			continue
		}
		if g := s.get(st, "group"); g != nil && s.get(st, "steps") != nil {
			b.steps(s.get(st, "steps"))
			continue
		}
		name := s.str(s.get(st, "label"))
		if name == "" {
			name = s.str(s.get(st, "key"))
		}
		if name == "" {
			name = s.str(s.get(st, "name"))
		}
		l := newLocals()
		b.env(name, s.get(st, "env"), l)
		b.secrets(name, s.get(st, "secrets"))
		b.plugins(name, s.get(st, "plugins"), l)
		c := shellCtx{job: name, store: "agent-environment", key: "command", locals: l, builtin: buildkiteBuiltin}
		for _, k := range []string{"command", "commands"} {
			for _, it := range s.flatItems(s.get(st, k)) {
				b.command(name, it)
				s.scriptRefs(c, it)
			}
		}
	}
}

func (b *buildkiteFile) env(job string, env *yaml.Node, l *locals) {
	c := shellCtx{job: job, store: "agent-environment", locals: l, builtin: buildkiteBuiltin}
	b.s.varMap(c, env)
}

// secrets reports Buildkite secrets a step declares: a list of names, or
// a map of environment variable to secret name.
func (b *buildkiteFile) secrets(job string, n *yaml.Node) {
	s := b.s
	n = s.resolve(n)
	if n == nil {
		return
	}
	emit := func(v *yaml.Node, name, key string) {
		k, ok := verdict(read(key), read(name), true)
		if !ok {
			return
		}
		s.emit(wire{
			kind: k, store: "buildkite-secrets", name: name, secret: "buildkite-secret:" + name,
			job: job, key: key, line: v.Line, col: s.byteCol(v.Line, v.Column), length: len(name),
		})
	}
	if n.Kind == yaml.MappingNode {
		for _, p := range s.pairs(n) {
			if v := s.resolve(p.Value); v != nil && v.Kind == yaml.ScalarNode {
				emit(v, v.Value, p.Key)
			}
		}
		return
	}
	for _, it := range s.items(n) {
		if it.Kind == yaml.ScalarNode {
			emit(it, it.Value, it.Value)
		}
	}
}

func (b *buildkiteFile) plugins(job string, n *yaml.Node, l *locals) {
	s := b.s
	for _, it := range s.items(n) {
		for _, p := range s.pairs(it) {
			name, _, _ := strings.Cut(p.Key, "#")
			short := name
			if i := strings.LastIndex(name, "/"); i >= 0 && !strings.HasPrefix(name, "sj26/") {
				short = name[i+1:]
			}
			short = strings.TrimSuffix(short, "-buildkite-plugin")
			spec, ok := bkPlugins[short]
			if !ok {
				spec, ok = bkPlugins[name]
			}
			opts := s.resolve(p.Value)
			if ok {
				for _, sp := range spec.session {
					if op, found := s.getPair(opts, sp); found {
						s.sessionWire(kindOIDC, spec.provider, job, sp, p.Key, op.KeyN.Line, s.byteCol(op.KeyN.Line, op.KeyN.Column), len(sp))
						break
					}
				}
				for opt, k := range spec.envOpts {
					if v := s.get(opts, opt); v != nil && v.Kind == yaml.ScalarNode && envVarName(v.Value) {
						s.emit(wire{
							kind: k, store: "agent-environment", name: v.Value, secret: "$" + v.Value,
							job: job, key: opt, action: p.Key, line: v.Line, col: s.byteCol(v.Line, v.Column), length: len(v.Value),
						})
					}
				}
			}
			// Plugin environment options (docker, docker-compose) and
			// other values that read variables.
			c := shellCtx{job: job, store: "agent-environment", locals: l, builtin: buildkiteBuiltin}
			s.varMap(c, s.get(opts, "env"))
			for _, e := range s.items(s.get(opts, "environment")) {
				v := s.str(e)
				if i := strings.IndexByte(v, '='); i > 0 {
					c.key = v[:i]
					for _, r := range shellRefs(v[i+1:]) {
						r.off += i + 1
						r.text = v[r.off : r.off+len(r.text)]
						if !buildkiteBuiltin(r.name) && !l.names[r.name] {
							s.refWire(c, e, v, r, read(v[:i]))
						}
					}
				}
			}
		}
	}
}

// command records buildkite-agent secret reads and OIDC token requests.
func (b *buildkiteFile) command(job string, n *yaml.Node) {
	s := b.s
	v := s.str(n)
	if v == "" {
		return
	}
	for _, m := range bkSecretGet.FindAllStringSubmatchIndex(v, -1) {
		if commentLine(v, m[0]) {
			continue
		}
		name := v[m[2]:m[3]]
		r := ref{text: v[m[0]:m[1]], off: m[0]}
		key := scriptReading(v, r)
		k, ok := verdict(key, read(name), true)
		if !ok {
			continue
		}
		line, col := s.posOf(n, v, r)
		s.emit(wire{
			kind: k, store: "buildkite-secrets", name: name, secret: "buildkite-secret:" + name,
			job: job, key: "command", line: line, col: col, length: len(r.text),
		})
	}
	for _, m := range bkOIDC.FindAllStringIndex(v, -1) {
		if commentLine(v, m[0]) {
			continue
		}
		line, _ := logicalLine(v, m[0])
		provider := providerOfUse(line)
		if provider == "" {
			provider = "other"
		}
		r := ref{text: v[m[0]:m[1]], off: m[0]}
		ln, col := s.posOf(n, v, r)
		s.sessionWire(kindOIDC, provider, job, "command", "", ln, col, len(r.text))
	}
}
