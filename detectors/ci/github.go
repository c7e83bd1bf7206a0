package ci

import (
	"context"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newGitHub detects GitHub Actions workflows (.github/workflows/*.yml at
// the root) and composite actions (action.yml anywhere with runs.using:
// composite).
func newGitHub(kb *rules.KB) *detector {
	return &detector{sys: sysGitHub, kb: kb, match: matchGitHub, detect: detectGitHub}
}

func matchGitHub(p string) bool {
	return isWorkflow(p) || isActionFile(p)
}

func isWorkflow(p string) bool {
	rest, ok := strings.CutPrefix(p, ".github/workflows/")
	return ok && !strings.Contains(rest, "/") && yamlExt(rest)
}

func isActionFile(p string) bool {
	b := path.Base(p)
	return b == "action.yml" || b == "action.yaml"
}

func yamlExt(p string) bool {
	return strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")
}

func detectGitHub(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g := &ghaFile{s: s, root: doc}
		if isWorkflow(s.path) {
			g.workflow()
		} else {
			g.composite()
		}
	}
	return err
}

// ghaFile walks one workflow or composite action document.
type ghaFile struct {
	s           *scan
	root        *yaml.Node
	isComposite bool
	inputs      map[string]string // composite inputs and their defaults
}

// ghaJob is what a step needs to know of its job.
type ghaJob struct {
	id         string
	matrix     map[string][]string
	idToken    bool
	staticAWS  bool // AWS keys reach the job's environment from secrets
	npmToken   bool // an npm token reaches the job's environment
	pypiToken  bool
	ghPackages bool // setup-node points npm at GitHub Packages
}

func (j *ghaJob) matrixValues(name string) []string {
	if j == nil {
		return nil
	}
	return j.matrix[name]
}

func (g *ghaFile) workflow() {
	s := g.s
	if !s.isMap(g.root) {
		return
	}
	wfPerm := idTokenWrite(s.tree, s.get(g.root, "permissions"))
	wfEnv := s.get(g.root, "env")
	g.envMap(&ghaJob{}, wfEnv, "")
	for _, jp := range s.pairs(s.get(g.root, "jobs")) {
		job := s.resolve(jp.Value)
		if !s.isMap(job) {
			continue
		}
		j := &ghaJob{id: jp.Key, matrix: g.matrix(job)}
		j.idToken = wfPerm
		if p := s.get(job, "permissions"); p != nil {
			j.idToken = idTokenWrite(s.tree, p)
		}
		for _, e := range []*yaml.Node{wfEnv, s.get(job, "env")} {
			g.scanEnvFlags(j, e)
		}
		if uses := s.str(s.get(job, "uses")); uses != "" {
			g.reusableCall(j, job, uses)
			continue
		}
		g.envMap(j, s.get(job, "env"), "")
		g.containers(j, job)
		g.steps(j, s.get(job, "steps"))
	}
}

func (g *ghaFile) composite() {
	s := g.s
	runs := s.get(g.root, "runs")
	if !strings.EqualFold(s.str(s.get(runs, "using")), "composite") {
		return
	}
	g.isComposite = true
	g.inputs = map[string]string{}
	for _, p := range s.pairs(s.get(g.root, "inputs")) {
		g.inputs[strings.ToLower(p.Key)] = s.str(s.get(p.Value, "default"))
	}
	j := &ghaJob{}
	g.steps(j, s.get(runs, "steps"))
}

// idTokenWrite reports whether a permissions value grants id-token: write.
func idTokenWrite(t *tree, n *yaml.Node) bool {
	if n = t.resolve(n); n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value == "write-all"
	}
	return t.str(t.get(n, "id-token")) == "write"
}

// matrix collects the values each matrix variable takes, from its list and
// from include entries.
func (g *ghaFile) matrix(job *yaml.Node) map[string][]string {
	s := g.s
	m := s.get(s.get(job, "strategy"), "matrix")
	out := map[string][]string{}
	for _, p := range s.pairs(m) {
		if p.Key == "include" || p.Key == "exclude" {
			continue
		}
		for _, it := range s.items(p.Value) {
			if v := s.str(it); v != "" {
				out[p.Key] = append(out[p.Key], v)
			}
		}
	}
	for _, inc := range s.items(s.get(m, "include")) {
		for _, p := range s.pairs(inc) {
			if v := s.str(p.Value); v != "" {
				out[p.Key] = append(out[p.Key], v)
			}
		}
	}
	return out
}

// scanEnvFlags notes which stored credentials an env mapping puts in the
// job's environment; session detection depends on it.
func (g *ghaFile) scanEnvFlags(j *ghaJob, env *yaml.Node) {
	s := g.s
	for _, p := range s.pairs(env) {
		v := s.str(p.Value)
		switch canonical(p.Key) {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY":
			if hasSecretRef(ghaRefs(v, j.matrixValues)) {
				j.staticAWS = true
			}
		case "NODE_AUTH_TOKEN", "NPM_TOKEN":
			// Any token (a secret, a value fetched from Vault, the
			// job's GITHUB_TOKEN for GitHub Packages) rules out
			// trusted publishing.
			if strings.TrimSpace(v) != "" {
				j.npmToken = true
			}
		case "TWINE_PASSWORD", "UV_PUBLISH_TOKEN", "PYPI_TOKEN", "PYPI_API_TOKEN":
			if strings.TrimSpace(v) != "" {
				j.pypiToken = true
			}
		}
	}
}

func hasSecretRef(refs []ref) bool {
	for _, r := range refs {
		if r.store == "secrets" && !strings.EqualFold(r.name, "GITHUB_TOKEN") {
			return true
		}
	}
	return false
}

// envMap reports the secrets an env mapping wires in.
func (g *ghaFile) envMap(j *ghaJob, env *yaml.Node, action string) {
	s := g.s
	for _, p := range s.pairs(env) {
		v := s.resolve(p.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		key := read(p.Key)
		if j.ghPackages && key.ev == credential && key.kind == kindNPM {
			key.kind = kindGitHubPAT
		}
		if canonical(p.Key) == "ARM_USE_OIDC" && j.idToken && !g.isComposite {
			if b := strings.ToLower(strings.TrimSpace(v.Value)); b == "true" || b == "1" {
				line, col := s.pos(v, v.Value, 0)
				s.sessionWire(kindOIDC, "azure", j.id, p.Key, action, line, col, len(v.Value),
					"ARM_USE_OIDC: the azurerm provider exchanges the job's OIDC token")
			}
		}
		for _, r := range ghaRefs(v.Value, j.matrixValues) {
			g.wire(j, v, r, key, p.Key, action)
		}
	}
}

// wire reports reference r in value node v, received by key.
func (g *ghaFile) wire(j *ghaJob, v *yaml.Node, r ref, key reading, keyName, action string) {
	s := g.s
	var w wire
	name := read(r.name)
	switch r.store {
	case "secrets":
		if g.isComposite {
			return // composite actions cannot read secrets
		}
		upper := strings.ToUpper(r.name)
		if upper == "GITHUB_TOKEN" {
			return
		}
		if key.ev == credential && name.ev == identifier && len(ghaRefs(v.Value, nil)) > 1 {
			// A compound value ({"clientId": ..., "clientSecret": ...})
			// carries identifiers beside the credential.
			return
		}
		k, ok := verdict(key, name, true)
		if !ok {
			return
		}
		if k == kindAWS && nonAWSVendor(action) {
			k = kindAPIToken
		}
		w = wire{kind: k, store: "secrets", name: upper, secret: "secrets." + upper}
	case "vars":
		k, ok := verdict(key, name, false)
		if !ok {
			return
		}
		w = wire{
			kind: k, store: "vars", name: r.name, secret: "vars." + r.name,
			notes: []string{"a credential in a configuration variable is stored in plain text"},
		}
	case "inputs":
		if !g.isComposite || key.ev != credential || key.kind.generic() {
			return
		}
		def := strings.ToLower(g.inputs[strings.ToLower(r.name)])
		if strings.Contains(def, "github.token") || strings.Contains(def, "secrets.github_token") {
			return
		}
		w = wire{
			kind: key.kind, store: "inputs", name: r.name, secret: s.path + "#inputs." + r.name,
			notes: []string{"composite action input: the caller's workflow supplies the stored secret"},
		}
	default:
		return
	}
	w.job, w.key, w.action = j.id, keyName, action
	w.line, w.col = s.posOf(v, v.Value, r)
	w.length = len(r.text)
	s.emit(w)
}

// reusableCall reports the secrets a job passes to a reusable workflow.
// "secrets: inherit" passes every secret; the called workflow's own
// references are reported where it is defined.
func (g *ghaFile) reusableCall(j *ghaJob, job *yaml.Node, uses string) {
	s := g.s
	for _, p := range s.pairs(s.get(job, "secrets")) {
		v := s.resolve(p.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		for _, r := range ghaRefs(v.Value, j.matrixValues) {
			g.wire(j, v, r, read(p.Key), p.Key, uses)
		}
	}
}

// containers reports registry credentials and environments of the job's
// container and service containers.
func (g *ghaFile) containers(j *ghaJob, job *yaml.Node) {
	s := g.s
	cs := []*yaml.Node{s.get(job, "container")}
	for _, p := range s.pairs(s.get(job, "services")) {
		cs = append(cs, s.resolve(p.Value))
	}
	for _, c := range cs {
		if !s.isMap(c) {
			continue
		}
		image := s.str(s.get(c, "image"))
		g.envMap(j, s.get(c, "env"), image)
		if pw, ok := s.getPair(s.get(c, "credentials"), "password"); ok {
			if v := s.resolve(pw.Value); v != nil && v.Kind == yaml.ScalarNode {
				for _, r := range ghaRefs(v.Value, j.matrixValues) {
					g.wire(j, v, r, reading{ev: credential, kind: registryKind(image)}, "credentials.password", image)
				}
			}
		}
	}
}

func (g *ghaFile) steps(j *ghaJob, steps *yaml.Node) {
	s := g.s
	items := s.items(steps)
	for _, st := range items {
		if uses := actionName(s.str(s.get(st, "uses"))); uses == "actions/setup-node" {
			if strings.Contains(s.str(s.get(s.get(st, "with"), "registry-url")), "npm.pkg.github.com") {
				j.ghPackages = true
			}
		}
	}
	for _, st := range items {
		if !s.isMap(st) {
			continue
		}
		g.step(j, st)
	}
}

// actionName is a uses: reference without its @ref, lower-cased.
func actionName(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	return strings.ToLower(strings.TrimSpace(name))
}

func (g *ghaFile) step(j *ghaJob, st *yaml.Node) {
	s := g.s
	usesPair, hasUses := s.getPair(st, "uses")
	action := actionName(s.str(usesPair.Value))
	stepJob := *j
	g.scanEnvFlags(&stepJob, s.get(st, "env"))
	g.envMap(j, s.get(st, "env"), action)
	if hasUses {
		g.with(&stepJob, action, usesPair, s.get(st, "with"))
	}
	if run := s.get(st, "run"); run != nil && run.Kind == yaml.ScalarNode {
		g.run(&stepJob, run)
	}
}

// run reports the secrets a run: script reads, and npm or PyPI trusted
// publishing from it.
func (g *ghaFile) run(j *ghaJob, run *yaml.Node) {
	s := g.s
	script := run.Value
	for _, r := range ghaRefs(script, j.matrixValues) {
		if commentLine(script, r.off) {
			continue
		}
		key := scriptReading(script, r)
		g.wire(j, run, r, key, "run", "")
	}
	if g.isComposite || !j.idToken {
		return
	}
	if m := npmPublish.FindStringIndex(script); m != nil && !j.npmToken && !strings.Contains(script, "--dry-run") && !commentLine(script, m[0]) {
		line, col := s.posOf(run, script, ref{text: script[m[0]:m[1]], off: m[0]})
		s.sessionWire(kindTrustedPublish, "npm", j.id, "run", "", line, col, m[1]-m[0])
	}
	if m := pypiPublish.FindStringIndex(script); m != nil && !j.pypiToken && !strings.Contains(script, "--password") &&
		!strings.Contains(script, " -p ") && !strings.Contains(script, "--token") && !commentLine(script, m[0]) {
		line, col := s.posOf(run, script, ref{text: script[m[0]:m[1]], off: m[0]})
		s.sessionWire(kindTrustedPublish, "pypi", j.id, "run", "", line, col, m[1]-m[0])
	}
}

var (
	npmPublish  = regexp.MustCompile(`\b(?:(?:npm|pnpm|bun|yarn(?: npm)?)\s+(?:run\s+)?(?:[\w.-]+:)?publish\b|(?:npm|pnpm|bun|yarn)\s+run\s+[\w.:-]*publish[\w.:-]*|changeset\s+publish\b)`)
	pypiPublish = regexp.MustCompile(`\b(?:twine\s+upload|uv\s+publish)\b`)
)
