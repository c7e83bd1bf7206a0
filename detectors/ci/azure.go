package ci

import (
	"context"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/rules"
)

// newAzure detects Azure Pipelines: files named *azure-pipelines*.yml, and
// YAML files in the directories pipelines commonly live in whose top level
// has the shape of a pipeline (pool, stages, jobs or steps, with tasks or
// scripts). Files of those directories that are not pipelines, or do not
// parse, are left alone.
func newAzure(kb *rules.KB) *detector {
	return &detector{sys: sysAzure, kb: kb, match: matchAzure, detect: detectAzure}
}

var azureDirs = map[string]bool{
	".azure-pipelines": true, "azure-pipelines": true, ".azuredevops": true, ".pipelines": true,
	"pipelines": true, ".ado": true, ".vsts": true, "azure": true, ".azure": true, "build": true,
	"ci": true, ".ci": true, "templates": true, "eng": true,
}

func matchAzure(p string) bool {
	if !yamlExt(p) {
		return false
	}
	if namedAzure(p) {
		return true
	}
	if matchGitLab(p) || matchCircleCI(p) || matchGitHub(p) || matchBitbucket(p) || matchTravis(p) || matchBuildkite(p) {
		return false
	}
	for _, d := range strings.Split(path.Dir(p), "/") {
		if azureDirs[strings.ToLower(d)] {
			return true
		}
	}
	return false
}

func namedAzure(p string) bool {
	b := strings.ToLower(path.Base(p))
	return strings.Contains(b, "azure-pipeline") || strings.HasPrefix(b, "vsts-ci") || strings.Contains(b, "azure_pipeline")
}

func detectAzure(ctx context.Context, s *scan) error {
	docs, err := parseYAML(s.path, s.src)
	named := namedAzure(s.path)
	if err != nil && !named && len(docs) == 0 {
		return nil // not ours: a YAML file of a shared directory
	}
	for _, doc := range docs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a := &azureFile{s: s, root: doc}
		if !named && !a.looksLikePipeline() {
			continue
		}
		a.walk()
	}
	if !named && err != nil && len(s.findings) == 0 {
		return nil
	}
	return err
}

type azureFile struct {
	s    *scan
	root *yaml.Node
}

// looksLikePipeline checks the top-level shape of an Azure pipeline or
// template: steps with task/script, or jobs/stages with pool or steps.
func (a *azureFile) looksLikePipeline() bool {
	s := a.s
	if !s.isMap(a.root) || s.get(a.root, "on") != nil || s.get(a.root, "runs") != nil {
		return false
	}
	var hasStepsKey bool
	for _, k := range []string{"steps", "jobs", "stages", "pool", "extends"} {
		if s.get(a.root, k) != nil {
			hasStepsKey = true
		}
	}
	if !hasStepsKey {
		return false
	}
	return strings.Contains(string(s.src), "task:") || strings.Contains(string(s.src), "script:") ||
		strings.Contains(string(s.src), "pwsh:") || strings.Contains(string(s.src), "powershell:") ||
		strings.Contains(string(s.src), "bash:") || s.get(a.root, "pool") != nil
}

// azureScope is the variables in force: defined in the file (not secret)
// and the variable groups linked (where secrets live).
type azureScope struct {
	job     string
	defined map[string]bool
	groups  []string
}

func (sc azureScope) with(vars []string, groups []string) azureScope {
	d := make(map[string]bool, len(sc.defined)+len(vars))
	for k := range sc.defined {
		d[k] = true
	}
	for _, v := range vars {
		d[strings.ToLower(v)] = true
	}
	return azureScope{job: sc.job, defined: d, groups: append(append([]string(nil), sc.groups...), groups...)}
}

func (sc azureScope) store() string {
	if len(sc.groups) == 0 {
		return "pipeline-variables"
	}
	return "variable-group:" + strings.Join(sc.groups, ",")
}

func (a *azureFile) walk() {
	s := a.s
	if !s.isMap(a.root) {
		return
	}
	defined := map[string]bool{}
	// Variables set at run time by a script (from a service connection,
	// a Key Vault task output...) are not stored secrets of their own.
	for _, m := range setVariable.FindAllSubmatch(s.src, -1) {
		defined[strings.ToLower(string(m[1]))] = true
	}
	sc := a.variables(azureScope{defined: defined}, a.root)
	a.container(sc, a.root)
}

// variables returns scope extended with the variables block of n:
// mapping form, or list form with name/value and group entries.
func (a *azureFile) variables(sc azureScope, n *yaml.Node) azureScope {
	s := a.s
	v := s.get(n, "variables")
	if v == nil {
		return sc
	}
	var names, groups []string
	if s.isMap(v) {
		for _, p := range s.pairs(v) {
			if !selfReference(p.Key, s.str(p.Value)) {
				names = append(names, p.Key)
			}
		}
		out := sc.with(names, nil)
		for _, p := range s.pairs(v) {
			a.value(out, p.Value, read(p.Key), p.Key)
		}
		return out
	}
	for _, it := range s.items(v) {
		if g := s.str(s.get(it, "group")); g != "" {
			groups = append(groups, g)
		}
		if nm := s.str(s.get(it, "name")); nm != "" && !selfReference(nm, s.str(s.get(it, "value"))) {
			names = append(names, nm)
		}
	}
	out := sc.with(names, groups)
	for _, it := range s.items(v) {
		if nm := s.str(s.get(it, "name")); nm != "" {
			a.value(out, s.get(it, "value"), read(nm), nm)
		}
	}
	return out
}

// selfReference reports whether value reads the variable name itself
// (AZURE_PASSWORD: $(AZURE_PASSWORD)): the file then only re-exports a
// variable stored elsewhere (a secret variable, a variable group).
func selfReference(name, value string) bool {
	for _, r := range azureRefs(value) {
		if strings.EqualFold(r.name, name) {
			return true
		}
	}
	return false
}

// container walks stages, jobs, deployment strategies and steps.
func (a *azureFile) container(sc azureScope, n *yaml.Node) {
	s := a.s
	for _, st := range a.expand(s.get(n, "stages")) {
		a.container(a.variables(sc, st), st)
	}
	for _, j := range a.expand(s.get(n, "jobs")) {
		js := a.variables(sc, j)
		name := s.str(s.get(j, "job"))
		if name == "" {
			name = s.str(s.get(j, "deployment"))
		}
		if name != "" {
			js.job = name
		}
		a.container(js, j)
		strategy := s.get(j, "strategy")
		for _, sp := range s.pairs(strategy) {
			for _, hook := range s.pairs(sp.Value) {
				a.container(js, hook.Value)
			}
		}
	}
	a.steps(sc, s.get(n, "steps"))
}

// expand lists the entries of a stages, jobs or steps list, with those
// inserted by template expressions (- ${{ if ... }}: [...], ${{ each }})
// spliced in.
func (a *azureFile) expand(n *yaml.Node) []*yaml.Node {
	s := a.s
	var out []*yaml.Node
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		for _, it := range s.items(n) {
			ps := s.pairs(it)
			if depth < 8 && len(ps) > 0 && strings.HasPrefix(strings.TrimSpace(ps[0].Key), "${{") {
				for _, p := range ps {
					if strings.HasPrefix(strings.TrimSpace(p.Key), "${{") {
						walk(p.Value, depth+1)
					}
				}
				continue
			}
			out = append(out, it)
		}
	}
	walk(n, 0)
	return out
}

func (a *azureFile) steps(sc azureScope, steps *yaml.Node) {
	s := a.s
	for _, st := range a.expand(steps) {
		if !s.isMap(st) {
			continue
		}
		task := s.str(s.get(st, "task"))
		inputs := s.get(st, "inputs")
		spn := s.isTrue(s.get(inputs, "addSpnToEnvironment"))
		conn := s.str(s.get(inputs, "azureSubscription"))
		for _, p := range s.pairs(s.get(st, "env")) {
			a.value(sc, p.Value, read(p.Key), p.Key)
		}
		for _, p := range s.pairs(inputs) {
			lk := strings.ToLower(p.Key)
			if lk == "inlinescript" || lk == "script" || lk == "arguments" || lk == "scriptarguments" {
				a.script(sc, p.Value, spn, conn, task)
				continue
			}
			key := read(p.Key)
			if lk == "azuresubscription" || lk == "connectedservicename" || lk == "containerregistry" || strings.HasSuffix(lk, "serviceconnection") {
				continue // a service connection name, see the package comment
			}
			if k, ok := secureFileInputs[lk]; ok {
				a.secureFile(sc, p.Value, k, p.Key, task)
				continue
			}
			a.value(sc, p.Value, key, p.Key)
		}
		for _, k := range []string{"script", "bash", "pwsh", "powershell"} {
			if v := s.get(st, k); v != nil {
				a.script(sc, v, false, "", k)
			}
		}
	}
}

// secureFileInputs are task inputs naming a file of the pipeline
// library's secure files (SSH keys, signing certificates, keystores), and
// the kind of credential such a file holds.
var secureFileInputs = map[string]kind{
	"securefile": kindPrivateKey, "sshkeysecurefile": kindPrivateKey, "certsecurefile": kindPrivateKey,
	"keystorefile": kindPrivateKey, "apksignerkeystorefile": kindPrivateKey, "jarsignerkeystorefile": kindPrivateKey,
	"provprofilesecurefile": kindStored,
}

// secureFile reports a secure file a task downloads: a stored secret of
// the project's library, named in the pipeline.
func (a *azureFile) secureFile(sc azureScope, n *yaml.Node, k kind, keyName, task string) {
	s := a.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
		return
	}
	name := strings.TrimSpace(v.Value)
	if refs := azureRefs(name); len(refs) > 0 {
		return // a variable naming the file; the file is not known here
	}
	if rd := read(strings.TrimSuffix(strings.TrimSuffix(name, path.Ext(name)), ".")); rd.ev == credential && !rd.kind.generic() {
		k = rd.kind
	}
	s.emit(wire{
		kind: k, store: "secure-files", name: name, secret: "secureFile:" + name,
		job: sc.job, key: keyName, action: task, line: v.Line, col: s.byteCol(v.Line, v.Column), length: len(name),
	})
}

// value reports the variables a value reads with $(X) or variables.X.
func (a *azureFile) value(sc azureScope, n *yaml.Node, key reading, keyName string) {
	s := a.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	for _, r := range azureRefs(v.Value) {
		a.wire(sc, v, r, key, keyName)
	}
}

// azurePredefined are the namespaces of Azure Pipelines' predefined
// variables; user variables may contain dots too (npm.publishToken).
var azurePredefined = []string{
	"agent.", "build.", "system.", "release.", "pipeline.", "environment.", "strategy.",
	"resources.", "checks.", "task.", "deployment.", "tf_build",
}

func azureBuiltin(name string) bool {
	l := strings.ToLower(name)
	for _, p := range azurePredefined {
		if strings.HasPrefix(l, p) {
			return true // Build.SourcesDirectory, System.AccessToken, Agent.TempDirectory...
		}
	}
	return notSecrets[strings.ToUpper(name)]
}

// setVariable finds the variables a script sets for later steps with the
// ##vso[task.setvariable variable=NAME] logging command.
var setVariable = regexp.MustCompile(`##vso\[task\.setvariable\s+variable=([^;\]\s]+)`)

func (a *azureFile) wire(sc azureScope, v *yaml.Node, r ref, key reading, keyName string) {
	s := a.s
	if azureBuiltin(r.name) || sc.defined[strings.ToLower(r.name)] {
		return
	}
	k, ok := verdict(key, read(r.name), false)
	if !ok {
		return
	}
	line, col := s.posOf(v, v.Value, r)
	s.emit(wire{
		kind: k, store: sc.store(), name: r.name, secret: "$(" + r.name + ")",
		job: sc.job, key: keyName, line: line, col: col, length: len(r.text),
	})
}

// script reports macros in a script, and the service connection's secret
// or federated token read through addSpnToEnvironment.
func (a *azureFile) script(sc azureScope, n *yaml.Node, spn bool, conn, task string) {
	s := a.s
	v := s.resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	script := v.Value
	for _, r := range azureRefs(script) {
		if commentLine(script, r.off) {
			continue
		}
		key := scriptReading(script, r)
		a.wire(sc, v, r, key, "script")
	}
	if !spn {
		return
	}
	for _, r := range shellRefs(script) {
		if commentLine(script, r.off) {
			continue
		}
		line, col := s.posOf(v, script, r)
		switch strings.ToLower(r.name) {
		case "serviceprincipalkey":
			s.emit(wire{
				kind: kindAzure, store: "service-connection", name: conn, secret: "serviceConnection:" + conn,
				job: sc.job, key: "servicePrincipalKey", action: task, line: line, col: col, length: len(r.text),
				notes: []string{"addSpnToEnvironment exposes the service connection's client secret: the connection is secret-based"},
			})
		case "idtoken":
			s.sessionWire(kindOIDC, "azure", sc.job, "idToken", task, line, col, len(r.text),
				"addSpnToEnvironment exposes a federated token: the service connection uses workload identity federation")
		}
	}
}
