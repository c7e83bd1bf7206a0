package ci

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newTravis detects Travis CI configurations (.travis.yml).
func newTravis(kb *rules.KB) *detector {
	return &detector{sys: sysTravis, kb: kb, match: matchTravis, detect: detectTravis}
}

func matchTravis(p string) bool {
	b := path.Base(p)
	return b == ".travis.yml" || b == ".travis.yaml"
}

// travisDeploy gives the kind of a deploy provider's credential keys.
var travisDeploy = map[string]map[string]kind{
	"pypi":             {"password": kindPyPI},
	"npm":              {"api_key": kindNPM, "api_token": kindNPM},
	"releases":         {"api_key": kindGitHubPAT, "token": kindGitHubPAT},
	"pages":            {"github_token": kindGitHubPAT, "token": kindGitHubPAT, "deploy_key": kindPrivateKey},
	"s3":               {"access_key_id": kindAWS, "secret_access_key": kindAWS},
	"lambda":           {"access_key_id": kindAWS, "secret_access_key": kindAWS},
	"elasticbeanstalk": {"access_key_id": kindAWS, "secret_access_key": kindAWS},
	"codedeploy":       {"access_key_id": kindAWS, "secret_access_key": kindAWS},
	"gcs":              {"access_key_id": kindGCPKey, "secret_access_key": kindGCPKey},
	"rubygems":         {"api_key": kindRubyGems},
	"cargo":            {"token": kindCrates},
	"heroku":           {"api_key": kindAPIToken},
	"docker":           {"password": kindRegistry},
}

func detectTravis(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		(&travisFile{s: s, root: doc}).walk()
	}
	return err
}

type travisFile struct {
	s    *scan
	root *yaml.Node
	l    *locals
}

func travisBuiltin(name string) bool {
	return strings.HasPrefix(name, "TRAVIS_") || notSecrets[name]
}

var travisScripts = []string{
	"before_install", "install", "before_script", "script", "after_success", "after_failure",
	"before_deploy", "after_deploy", "after_script",
}

func (t *travisFile) walk() {
	s := t.s
	if !s.isMap(t.root) {
		return
	}
	t.l = newLocals()
	t.env(s.get(t.root, "env"))
	t.secure("", t.root, reading{}, "")
	t.deploys(s.get(t.root, "deploy"))
	t.scripts("", t.root)
	for _, k := range []string{"jobs", "matrix"} {
		m := s.get(t.root, k)
		for _, part := range []string{"include", "allow_failures"} {
			for _, j := range s.items(s.get(m, part)) {
				name := s.str(s.get(j, "name"))
				t.env(s.get(j, "env"))
				t.deploys(s.get(j, "deploy"))
				t.scripts(name, j)
			}
		}
	}
}

// env defines the variables set in env: and reports the ones that read
// other variables. Entries are "A=1 B=$C" strings or secure: blobs.
func (t *travisFile) env(n *yaml.Node) {
	s := t.s
	var entries []*yaml.Node
	if s.isMap(n) {
		for _, k := range []string{"global", "jobs", "matrix"} {
			entries = append(entries, s.flatItems(s.get(n, k))...)
		}
	} else {
		entries = s.flatItems(n)
	}
	for _, e := range entries {
		v := s.str(e)
		if v == "" {
			continue
		}
		t.l.learn(v)
		for _, r := range shellRefs(v) {
			if travisBuiltin(r.name) {
				continue
			}
			key := scriptReading(v, r)
			c := shellCtx{store: "repository-settings", key: "env", locals: t.l}
			s.refWire(c, e, v, r, key)
		}
	}
}

// secure reports every secure: value under n: encrypted secrets stored in
// the file, whose names are encrypted with them. key is the reading of the
// enclosing key (a deploy provider's api_key, ...).
func (t *travisFile) secure(job string, n *yaml.Node, key reading, keyName string) {
	s := t.s
	n = s.resolve(n)
	if n == nil || !s.spend() {
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			t.secure(job, c, key, keyName)
		}
	case yaml.MappingNode:
		for _, p := range s.pairs(n) {
			if p.Key == "secure" {
				t.secureValue(job, p.Value, key, keyName)
				continue
			}
			if p.Key == "deploy" {
				continue // walked by deploys, which knows the provider
			}
			t.secure(job, p.Value, read(p.Key), p.Key)
		}
	}
}

func (t *travisFile) secureValue(job string, n *yaml.Node, key reading, keyName string) {
	s := t.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode || v.Value == "" {
		return
	}
	k := kindStored
	if key.ev == credential {
		k = key.kind
	}
	sum := sha256.Sum256([]byte(v.Value))
	id := hex.EncodeToString(sum[:6])
	s.emit(wire{
		kind: k, store: "travis-encrypted", name: "secure:" + id, secret: "secure:" + id,
		job: job, key: keyName, line: v.Line, col: s.byteCol(v.Line, v.Column), length: 1,
		notes: []string{"a value encrypted with the repository's Travis key: its name and value are hidden"},
	})
}

func (t *travisFile) deploys(n *yaml.Node) {
	s := t.s
	for _, d := range s.items(n) {
		provider := s.str(s.get(d, "provider"))
		keys := travisDeploy[provider]
		for _, p := range s.pairs(d) {
			key := read(p.Key)
			if k, ok := keys[p.Key]; ok {
				key = reading{ev: credential, kind: k}
			}
			v := s.resolve(p.Value)
			if s.isMap(v) {
				t.secure(provider, v, key, p.Key)
				continue
			}
			if v == nil || v.Kind != yaml.ScalarNode {
				continue
			}
			c := shellCtx{job: "deploy:" + provider, store: "repository-settings", key: p.Key, locals: t.l}
			for _, r := range shellRefs(v.Value) {
				if !travisBuiltin(r.name) {
					s.refWire(c, v, v.Value, r, key)
				}
			}
		}
	}
}

func (t *travisFile) scripts(job string, n *yaml.Node) {
	s := t.s
	c := shellCtx{job: job, store: "repository-settings", key: "script", locals: t.l.clone(), builtin: travisBuiltin}
	for _, k := range travisScripts {
		for _, it := range s.flatItems(s.get(n, k)) {
			s.scriptRefs(c, it)
		}
	}
}
