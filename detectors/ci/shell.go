package ci

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// shellAssign finds variables a script sets itself: NAME=..., export NAME=,
// read NAME, for NAME in, PowerShell $env:NAME = ...
var shellAssign = regexp.MustCompile(`(?:^|[\s;&|("'])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+|set\s+|\$env:)?([A-Za-z_][A-Za-z0-9_]*)\s?=|\bread\s+(?:-\w+\s+)*([A-Za-z_][A-Za-z0-9_]*)|\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b`)

// locals tracks the variables a job defines itself, in its definition or
// in its scripts, which therefore are not read from a secret store.
type locals struct {
	names map[string]bool
}

func newLocals() *locals { return &locals{names: map[string]bool{}} }

func (l *locals) clone() *locals {
	c := newLocals()
	for k := range l.names {
		c.names[k] = true
	}
	return c
}

func (l *locals) define(name string) { l.names[name] = true }

// firstAssignments maps each variable a script assigns to the offset of
// its first assignment.
func firstAssignments(script string) map[string]int {
	out := map[string]int{}
	for _, m := range shellAssign.FindAllStringSubmatchIndex(script, -1) {
		for g := 2; g < len(m); g += 2 {
			if m[g] < 0 {
				continue
			}
			if _, seen := out[script[m[g]:m[g+1]]]; !seen {
				out[script[m[g]:m[g+1]]] = m[g]
			}
		}
	}
	return out
}

// assignedBefore reports whether the script assigns name on a line before
// the one holding off.
func assignedBefore(assigns map[string]int, script, name string, off int) bool {
	at, ok := assigns[name]
	return ok && at < strings.LastIndexByte(script[:off], '\n')+1
}

// learn records the variables script assigns.
func (l *locals) learn(script string) {
	for _, m := range shellAssign.FindAllStringSubmatch(script, -1) {
		for _, n := range m[1:] {
			if n != "" {
				l.define(n)
			}
		}
	}
}

// shellCtx is where script references are found: the job, the store the
// variables come from, and names that are never stored secrets.
type shellCtx struct {
	job     string
	store   string
	key     string
	locals  *locals
	builtin func(name string) bool
	// special handles names with a meaning of their own (OIDC tokens);
	// it reports whether it did.
	special func(n *yaml.Node, script string, r ref) bool
}

// scriptRefs reports the stored credentials a script line reads.
func (s *scan) scriptRefs(c shellCtx, n *yaml.Node) {
	n = s.resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	script := n.Value
	assigns := firstAssignments(script)
	for _, r := range shellRefs(script) {
		if commentLine(script, r.off) {
			continue
		}
		if c.special != nil && c.special(n, script, r) {
			continue
		}
		if c.locals.names[r.name] || assignedBefore(assigns, script, r.name, r.off) || (c.builtin != nil && c.builtin(r.name)) {
			continue
		}
		key := scriptReading(script, r)
		s.refWire(c, n, script, r, key)
	}
	c.locals.learn(script)
}

// refWire reports reference r of a plain variable store if the receiving
// key or its name says it is a credential.
func (s *scan) refWire(c shellCtx, n *yaml.Node, v string, r ref, key reading) {
	k, ok := verdict(key, read(r.name), false)
	if !ok {
		return
	}
	line, col := s.posOf(n, v, r)
	s.emit(wire{
		kind: k, store: c.store, name: r.name, secret: "$" + r.name,
		job: c.job, key: c.key, line: line, col: col, length: len(r.text),
	})
}

// varMap reports a mapping of variables whose values read other variables
// (AWS_ACCESS_KEY_ID: $PROD_AWS_KEY_ID), and defines its keys as locals.
// A value may be a scalar or a mapping with a value key (GitLab).
func (s *scan) varMap(c shellCtx, m *yaml.Node) {
	for _, p := range s.pairs(m) {
		v := s.resolve(p.Value)
		if s.isMap(v) {
			v = s.get(v, "value")
		}
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		cc := c
		cc.key = p.Key
		for _, r := range shellRefs(v.Value) {
			if c.special != nil && c.special(v, v.Value, r) {
				continue
			}
			if c.locals.names[r.name] || (c.builtin != nil && c.builtin(r.name)) {
				continue
			}
			s.refWire(cc, v, v.Value, r, read(p.Key))
		}
	}
	for _, p := range s.pairs(m) {
		c.locals.define(p.Key)
	}
}

// providerOfUse tells which provider a line exchanging an OIDC token
// federates with.
func providerOfUse(text string) string {
	l := strings.ToLower(text)
	switch {
	case has(l, "sts.amazonaws.com", "assume-role-with-web-identity", "aws_web_identity_token", "aws_role_arn", "aws sts", "aws-", "role_arn", "role-arn"):
		return "aws"
	case has(l, "iam.googleapis.com", "sts.googleapis.com", "gcloud", "workload_identity", "workloadidentitypools", "external_account"):
		return "gcp"
	case has(l, "azureadtokenexchange", "federated-token", "az login", "login.microsoftonline.com", "azure"):
		return "azure"
	case has(l, "vault"):
		return "vault"
	case has(l, "pypi"):
		return "pypi"
	case has(l, "npm"):
		return "npm"
	}
	return ""
}
