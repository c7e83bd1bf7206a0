package ci

import (
	"context"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newBitbucket detects Bitbucket Pipelines (bitbucket-pipelines.yml).
func newBitbucket(kb *rules.KB) *detector {
	return &detector{sys: sysBitbucket, kb: kb, match: matchBitbucket, detect: detectBitbucket}
}

func matchBitbucket(p string) bool {
	b := path.Base(p)
	return b == "bitbucket-pipelines.yml" || b == "bitbucket-pipelines.yaml"
}

func detectBitbucket(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		(&bitbucketFile{s: s, root: doc}).walk()
	}
	return err
}

type bitbucketFile struct {
	s    *scan
	root *yaml.Node
}

func bitbucketBuiltin(name string) bool {
	return strings.HasPrefix(name, "BITBUCKET_") || notSecrets[name]
}

func (b *bitbucketFile) walk() {
	s := b.s
	if !s.isMap(b.root) {
		return
	}
	b.image("image", s.get(b.root, "image"), "repository-variables")
	for _, p := range s.pairs(s.get(s.get(b.root, "definitions"), "services")) {
		b.image("services/"+p.Key, s.get(p.Value, "image"), "repository-variables")
		b.vars("services/"+p.Key, s.get(p.Value, "variables"), "repository-variables")
	}
	for _, sec := range s.pairs(s.get(b.root, "pipelines")) {
		if sec.Key == "default" {
			b.list(sec.Key, sec.Value)
			continue
		}
		for _, p := range s.pairs(sec.Value) {
			b.list(sec.Key+"/"+p.Key, p.Value)
		}
	}
	// Steps defined once under definitions and used through anchors are
	// walked where they are used; definitions never used are walked here.
	for _, p := range s.pairs(s.get(b.root, "definitions")) {
		if p.Key == "steps" {
			b.list("definitions", p.Value)
		}
	}
}

// list walks a pipeline: steps, parallel groups and stages.
func (b *bitbucketFile) list(name string, n *yaml.Node) {
	s := b.s
	for i, it := range s.items(n) {
		for _, p := range s.pairs(it) {
			switch p.Key {
			case "step":
				b.step(fmt.Sprintf("%s#%d", name, i+1), s.resolve(p.Value))
			case "parallel":
				v := s.resolve(p.Value)
				if s.isMap(v) {
					v = s.get(v, "steps")
				}
				b.list(name, v)
			case "stage":
				b.list(name, s.get(p.Value, "steps"))
			}
		}
	}
}

func (b *bitbucketFile) step(name string, st *yaml.Node) {
	s := b.s
	if !s.isMap(st) {
		return
	}
	if n := s.str(s.get(st, "name")); n != "" {
		name = n
	}
	store := "repository-variables"
	if d := s.str(s.get(st, "deployment")); d != "" {
		store = "deployment:" + d
	}
	oidc := s.isTrue(s.get(st, "oidc"))
	b.image(name, s.get(st, "image"), store)
	c := shellCtx{job: name, store: store, key: "script", locals: newLocals(), builtin: bitbucketBuiltin}
	provider := ""
	c.special = func(n *yaml.Node, v string, r ref) bool {
		if r.name == "BITBUCKET_STEP_OIDC_TOKEN" {
			line, _ := logicalLine(v, r.off)
			if p := providerOfUse(line); p != "" && provider == "" {
				provider = p
			}
			return true
		}
		return false
	}
	for _, k := range []string{"script", "after-script"} {
		for _, it := range s.flatItems(s.get(st, k)) {
			if s.isMap(it) {
				b.pipe(c, it, &provider)
				continue
			}
			if provider == "" && oidc {
				provider = providerOfUse(s.str(it))
			}
			s.scriptRefs(c, it)
		}
	}
	if oidc {
		p, _ := s.getPair(st, "oidc")
		if provider == "" {
			provider = "other"
		}
		s.sessionWire(kindOIDC, provider, name, "oidc", "", p.KeyN.Line, s.byteCol(p.KeyN.Line, p.KeyN.Column), len("oidc"))
	}
}

// pipe reports the variables a pipe is given.
func (b *bitbucketFile) pipe(c shellCtx, it *yaml.Node, provider *string) {
	s := b.s
	vars := s.get(it, "variables")
	for _, p := range s.pairs(vars) {
		if strings.Contains(strings.ToUpper(p.Key), "OIDC") && *provider == "" {
			*provider = providerOfUse(p.Key + " " + s.str(p.Value))
			if *provider == "" {
				*provider = "other"
			}
		}
	}
	b.vars(c.job, vars, c.store)
}

func (b *bitbucketFile) vars(job string, vars *yaml.Node, store string) {
	s := b.s
	c := shellCtx{job: job, store: store, locals: newLocals(), builtin: bitbucketBuiltin}
	for _, p := range s.pairs(vars) {
		v := s.resolve(p.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		c.key = p.Key
		for _, r := range shellRefs(v.Value) {
			if !bitbucketBuiltin(r.name) {
				s.refWire(c, v, v.Value, r, read(p.Key))
			}
		}
	}
}

// image reports registry credentials of a build or service image, and its
// ECR access: static keys, or an OIDC role.
func (b *bitbucketFile) image(job string, img *yaml.Node, store string) {
	s := b.s
	if !s.isMap(img) {
		return
	}
	name := s.str(s.get(img, "name"))
	c := shellCtx{job: job, store: store, locals: newLocals(), builtin: bitbucketBuiltin}
	for _, p := range s.pairs(img) {
		if p.Key == "password" {
			c.key = "image.password"
			b.ref(c, p.Value, reading{ev: credential, kind: registryKind(name)})
		}
	}
	for _, p := range s.pairs(s.get(img, "aws")) {
		c.key = "image.aws." + p.Key
		switch p.Key {
		case "access-key", "secret-key":
			b.ref(c, p.Value, reading{ev: credential, kind: kindAWS})
		case "oidc-role":
			s.sessionWire(kindOIDC, "aws", job, "image.aws.oidc-role", name, p.KeyN.Line, s.byteCol(p.KeyN.Line, p.KeyN.Column), len(p.Key))
		}
	}
}

func (b *bitbucketFile) ref(c shellCtx, n *yaml.Node, key reading) {
	s := b.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	for _, r := range shellRefs(v.Value) {
		if !bitbucketBuiltin(r.name) {
			s.refWire(c, v, v.Value, r, key)
		}
	}
}
