package ci

import (
	"context"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newCircleCI detects CircleCI configurations (.circleci/config.yml).
func newCircleCI(kb *rules.KB) *detector {
	return &detector{sys: sysCircleCI, kb: kb, match: matchCircleCI, detect: detectCircleCI}
}

func matchCircleCI(p string) bool {
	return strings.HasPrefix(p, ".circleci/") && yamlExt(p)
}

// orbParam is a credential parameter of an orb command: its names (old
// kebab-case and new snake_case) and the environment variable it names by
// default.
type orbParam struct {
	names []string
	def   string
	kind  kind
}

// orbCommand describes an orb command (or job) that takes credentials, and
// the parameters that make it session-scoped instead.
type orbCommand struct {
	params  []orbParam
	session []string // parameters that switch to OIDC (role_arn, use_oidc)
	// provider of the session wiring
	provider string
}

var awsOrbParams = []orbParam{
	{names: []string{"aws_access_key_id", "aws-access-key-id"}, def: "AWS_ACCESS_KEY_ID", kind: kindAWS},
	{names: []string{"aws_secret_access_key", "aws-secret-access-key"}, def: "AWS_SECRET_ACCESS_KEY", kind: kindAWS},
}

// circleOrbs is keyed by orb name (the part before /, as orbs: imports it
// is resolved to the registry name) and command.
var circleOrbs = map[string]orbCommand{
	"circleci/aws-cli/setup":                 {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-ecr/build_and_push_image":  {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-ecr/build-and-push-image":  {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-ecr/ecr_login":             {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-s3/sync":                   {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-s3/copy":                   {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/aws-ecs/deploy_service_update": {params: awsOrbParams, session: []string{"role_arn", "role-arn"}, provider: "aws"},
	"circleci/gcp-cli/setup": {params: []orbParam{
		{names: []string{"gcloud_service_key", "gcloud-service-key"}, def: "GCLOUD_SERVICE_KEY", kind: kindGCPKey},
	}, session: []string{"use_oidc", "workload_identity_pool_id"}, provider: "gcp"},
	"circleci/gcp-gcr/gcr_auth": {params: []orbParam{
		{names: []string{"gcloud_service_key", "gcloud-service-key"}, def: "GCLOUD_SERVICE_KEY", kind: kindGCPKey},
	}, session: []string{"use_oidc", "workload_identity_pool_id"}, provider: "gcp"},
	"circleci/azure-cli/login_with_service_principal": {params: []orbParam{
		{names: []string{"azure_sp_password", "azure-sp-password"}, def: "AZURE_SP_PASSWORD", kind: kindAzure},
	}},
	"circleci/azure-cli/login-with-service-principal": {params: []orbParam{
		{names: []string{"azure_sp_password", "azure-sp-password"}, def: "AZURE_SP_PASSWORD", kind: kindAzure},
	}},
	"circleci/docker/check": {params: []orbParam{
		{names: []string{"docker_password", "docker-password"}, def: "DOCKER_PASSWORD", kind: kindRegistry},
	}},
	"circleci/heroku/deploy-via-git": {params: []orbParam{
		{names: []string{"api_key", "api-key"}, def: "HEROKU_API_KEY", kind: kindAPIToken},
	}},
	"circleci/node/publish": {params: []orbParam{
		{names: []string{"npm_token", "npm-token"}, def: "NPM_TOKEN", kind: kindNPM},
	}},
}

func detectCircleCI(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		(&circleFile{s: s, root: doc}).walk()
	}
	return err
}

type circleFile struct {
	s        *scan
	root     *yaml.Node
	orbs     map[string]string   // alias → registry name (circleci/aws-cli)
	contexts map[string][]string // job → contexts it runs with
}

func circleBuiltin(name string) bool {
	return strings.HasPrefix(name, "CIRCLE_") && !strings.HasPrefix(name, "CIRCLE_OIDC") || notSecrets[name] || name == "BASH_ENV"
}

func (c *circleFile) walk() {
	s := c.s
	if !s.isMap(c.root) {
		return
	}
	c.orbs = map[string]string{}
	for _, p := range s.pairs(s.get(c.root, "orbs")) {
		ref, _, _ := strings.Cut(s.str(p.Value), "@")
		c.orbs[p.Key] = ref
	}
	c.contexts = map[string][]string{}
	for _, wf := range s.pairs(s.get(c.root, "workflows")) {
		for _, it := range s.items(s.get(wf.Value, "jobs")) {
			c.workflowJob(it)
		}
	}
	for _, ex := range s.pairs(s.get(c.root, "executors")) {
		c.images(ex.Key, ex.Value)
	}
	for _, cmd := range s.pairs(s.get(c.root, "commands")) {
		c.steps(cmd.Key, s.get(cmd.Value, "steps"))
	}
	for _, j := range s.pairs(s.get(c.root, "jobs")) {
		c.images(j.Key, j.Value)
		c.steps(j.Key, s.get(j.Value, "steps"))
	}
}

// store names where a job's environment variables come from.
func (c *circleFile) store(job string) string {
	cs := c.contexts[job]
	if len(cs) == 0 {
		return "project"
	}
	sort.Strings(cs)
	return "context:" + strings.Join(cs, ",")
}

// workflowJob records contexts, and orb jobs invoked directly from a
// workflow with their parameters.
func (c *circleFile) workflowJob(it *yaml.Node) {
	s := c.s
	if it.Kind == yaml.ScalarNode {
		c.orbStep(it.Value, it, nil, it.Value)
		return
	}
	for _, p := range s.pairs(it) {
		for _, cx := range s.items(s.get(p.Value, "context")) {
			if v := s.str(cx); v != "" && !containsStr(c.contexts[p.Key], v) {
				c.contexts[p.Key] = append(c.contexts[p.Key], v)
			}
		}
		c.orbStep(p.Key, p.KeyN, s.resolve(p.Value), p.Key)
	}
}

func containsStr(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// images reports registry and AWS credentials of docker executors.
func (c *circleFile) images(job string, n *yaml.Node) {
	s := c.s
	for _, img := range s.items(s.get(n, "docker")) {
		image := s.str(s.get(img, "image"))
		sc := c.shell(job, "auth.password")
		for _, p := range s.pairs(s.get(img, "auth")) {
			if p.Key == "password" {
				c.envValue(sc, p.Value, reading{ev: credential, kind: registryKind(image)})
			}
		}
		for _, p := range s.pairs(s.get(img, "aws_auth")) {
			sc.key = "aws_auth." + p.Key
			switch p.Key {
			case "aws_access_key_id", "aws_secret_access_key":
				c.envValue(sc, p.Value, reading{ev: credential, kind: kindAWS})
			case "oidc_role_arn":
				c.s.sessionWire(kindOIDC, "aws", job, "aws_auth.oidc_role_arn", image, p.KeyN.Line, s.byteCol(p.KeyN.Line, p.KeyN.Column), len(p.Key))
			}
		}
	}
}

// envValue reports the variable a parameter value reads: "$NAME" or a bare
// NAME for env_var_name parameters.
func (c *circleFile) envValue(sc shellCtx, n *yaml.Node, key reading) {
	s := c.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	refs := shellRefs(v.Value)
	if len(refs) == 0 && envVarName(v.Value) {
		refs = []ref{{text: v.Value, name: v.Value, store: "env"}}
	}
	for _, r := range refs {
		if !circleBuiltin(r.name) {
			s.refWire(sc, v, v.Value, r, key)
		}
	}
}

func envVarName(v string) bool {
	if v == "" {
		return false
	}
	for i, r := range v {
		if !(r == '_' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (c *circleFile) shell(job, key string) shellCtx {
	sc := shellCtx{job: job, store: c.store(job), key: key, locals: newLocals(), builtin: circleBuiltin}
	sc.special = c.special(job)
	return sc
}

func (c *circleFile) steps(job string, steps *yaml.Node) {
	s := c.s
	sc := c.shell(job, "run")
	for _, st := range s.items(steps) {
		if st.Kind == yaml.ScalarNode {
			if st.Value == "add_ssh_keys" {
				c.sshKeys(job, pair{Key: st.Value, KeyN: st})
				continue
			}
			c.orbStep(st.Value, st, nil, job)
			continue
		}
		for _, p := range s.pairs(st) {
			if p.Key == "add_ssh_keys" {
				c.sshKeys(job, p)
				continue
			}
			if p.Key == "run" {
				run := s.resolve(p.Value)
				if s.isMap(run) {
					ec := sc
					ec.key = "environment"
					s.varMap(ec, s.get(run, "environment"))
					run = s.get(run, "command")
				}
				s.scriptRefs(sc, run)
				continue
			}
			c.orbStep(p.Key, p.KeyN, s.resolve(p.Value), job)
		}
	}
}

// orbStep reports the credentials an orb command reads, by parameter or
// by default, and records its OIDC wiring.
func (c *circleFile) orbStep(name string, at *yaml.Node, params *yaml.Node, job string) {
	s := c.s
	alias, cmd, ok := strings.Cut(name, "/")
	if !ok {
		return
	}
	orb, known := c.orbs[alias]
	if !known {
		orb = "circleci/" + alias
	}
	spec, ok := circleOrbs[orb+"/"+cmd]
	if !ok {
		spec, ok = circleOrbs[orb+"/"+strings.ReplaceAll(cmd, "-", "_")]
	}
	c.otherParams(job, params, spec)
	if !ok {
		return
	}
	for _, sp := range spec.session {
		if v := s.get(params, sp); v != nil && s.str(v) != "false" {
			p, _ := s.getPair(params, sp)
			s.sessionWire(kindOIDC, spec.provider, job, sp, name, p.KeyN.Line, s.byteCol(p.KeyN.Line, p.KeyN.Column), len(sp))
			return
		}
	}
	if auth := s.get(params, "auth"); auth != nil {
		// Newer AWS orbs take the login as steps: aws-cli/setup with
		// keys or a role.
		c.steps(job, auth)
		return
	}
	sc := c.shell(job, "")
	for _, op := range spec.params {
		sc.key = op.names[0]
		found := false
		for _, pn := range op.names {
			if v := s.get(params, pn); v != nil {
				c.envValue(sc, v, reading{ev: credential, kind: op.kind})
				found = true
			}
		}
		if !found {
			// The orb reads the variable named by the parameter's default.
			line, col := at.Line, s.byteCol(at.Line, at.Column)
			s.emit(wire{
				kind: op.kind, store: sc.store, name: op.def, secret: "$" + op.def, job: job,
				key: op.names[0], action: name, line: line, col: col, length: len(name),
				notes: []string{"read by the orb through the parameter's default, " + op.def},
			})
		}
	}
}

// circleReserved are orb job parameters that never carry values of the
// project's environment worth reporting.
var circleReserved = map[string]bool{
	"auth": true, "requires": true, "context": true, "filters": true, "name": true,
	"matrix": true, "pre-steps": true, "post-steps": true, "type": true,
}

// otherParams reports variables an orb command or job reads through
// parameters the orb table does not describe ("--build-arg
// DB_PASSWORD=${DB_PASSWORD}", "webhook: $SLACK_WEBHOOK"), judged by the
// parameter's and the variable's names.
func (c *circleFile) otherParams(job string, params *yaml.Node, spec orbCommand) {
	s := c.s
	known := map[string]bool{}
	for _, op := range spec.params {
		for _, n := range op.names {
			known[n] = true
		}
	}
	for _, sp := range spec.session {
		known[sp] = true
	}
	sc := c.shell(job, "")
	for _, p := range s.pairs(params) {
		if known[p.Key] || circleReserved[p.Key] {
			continue
		}
		v := s.resolve(p.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		sc.key = p.Key
		for _, r := range shellRefs(v.Value) {
			if circleBuiltin(r.name) {
				continue
			}
			key := scriptReading(v.Value, r)
			if key.ev == unknown {
				key = read(p.Key)
			}
			s.refWire(sc, v, v.Value, r, key)
		}
	}
}

// sshKeys reports the SSH keys of the project's settings an add_ssh_keys
// step loads: each fingerprint listed, or every key when none is.
func (c *circleFile) sshKeys(job string, p pair) {
	s := c.s
	fps := s.items(s.get(p.Value, "fingerprints"))
	note := []string{"an SSH private key stored in the project's settings"}
	if len(fps) == 0 {
		line, col := p.KeyN.Line, s.byteCol(p.KeyN.Line, p.KeyN.Column)
		s.emit(wire{
			kind: kindPrivateKey, store: "project-ssh-keys", name: "*", secret: "ssh-key:*",
			job: job, key: "add_ssh_keys", line: line, col: col, length: len(p.Key), notes: note,
		})
		return
	}
	for _, fp := range fps {
		v := s.str(fp)
		if v == "" {
			continue
		}
		line, col := fp.Line, s.byteCol(fp.Line, fp.Column)
		s.emit(wire{
			kind: kindPrivateKey, store: "project-ssh-keys", name: v, secret: "ssh-key:" + v,
			job: job, key: "add_ssh_keys", line: line, col: col, length: len(v), notes: note,
		})
	}
}

// special records $CIRCLE_OIDC_TOKEN(_V2) uses as session-scoped wiring.
func (c *circleFile) special(job string) func(*yaml.Node, string, ref) bool {
	return func(n *yaml.Node, v string, r ref) bool {
		if r.name != "CIRCLE_OIDC_TOKEN" && r.name != "CIRCLE_OIDC_TOKEN_V2" {
			return false
		}
		line, _ := logicalLine(v, r.off)
		provider := providerOfUse(line)
		if provider == "" {
			// The token is often written to a file that a later line
			// of the same script hands to the cloud CLI.
			provider = providerOfUse(v)
		}
		if provider == "" {
			provider = "other"
		}
		ln, col := c.s.posOf(n, v, r)
		c.s.sessionWire(kindOIDC, provider, job, "run", "", ln, col, len(r.text))
		return true
	}
}
