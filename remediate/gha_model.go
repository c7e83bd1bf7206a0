package remediate

import (
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// workflow is a GitHub Actions workflow as the fixers see it: positions
// for editing, meaning for deciding.
type workflow struct {
	doc      *yamledit.Doc
	path     string
	root     *yaml.Node
	on       *yaml.Node
	triggers map[string]*yaml.Node // event → its filter mapping (nil when none)
	perms    *yaml.Node            // workflow-level permissions value
	env      *yaml.Node            // workflow-level env mapping
	jobsNode *yaml.Node
	jobs     []*job
}

type job struct {
	id          string
	node        *yaml.Node
	perms       *yaml.Node
	env         *yaml.Node
	stepsNode   *yaml.Node
	steps       []*step
	environment string // environment name ("" none); may hold an expression
	uses        string // reusable workflow called by the job
	matrix      bool
}

type step struct {
	node  *yaml.Node
	index int
	uses  string // action without ref: owner/repo[/path]
	ref   string
	with  *yaml.Node
	env   *yaml.Node
	run   string
	runN  *yaml.Node
	id    string
	name  string
}

// parseWorkflow reads a workflow; a file that is not one is refused.
func parseWorkflow(p string, src []byte) (*workflow, error) {
	d, err := yamledit.Parse(src)
	if err != nil {
		return nil, err
	}
	if d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return nil, &yamledit.RefusedError{Reason: "the file is not a workflow (no top-level mapping)"}
	}
	w := &workflow{doc: d, path: p, root: d.Root, triggers: map[string]*yaml.Node{}}
	w.on = yamledit.Get(d.Root, "on")
	if w.on == nil {
		w.on = yamledit.Get(d.Root, "true") // YAML 1.1 readers turn on into true
	}
	w.readTriggers()
	w.perms = yamledit.Get(d.Root, "permissions")
	w.env = mapping(yamledit.Get(d.Root, "env"))
	w.jobsNode = mapping(yamledit.Get(d.Root, "jobs"))
	if w.jobsNode == nil {
		return nil, &yamledit.RefusedError{Reason: "the file is not a workflow (no jobs mapping)"}
	}
	for i := 0; i+1 < len(w.jobsNode.Content); i += 2 {
		jn := w.jobsNode.Content[i+1]
		if jn.Kind != yaml.MappingNode {
			continue
		}
		w.jobs = append(w.jobs, readJob(w.jobsNode.Content[i].Value, jn))
	}
	return w, nil
}

func mapping(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.MappingNode {
		return n
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

func (w *workflow) readTriggers() {
	switch n := w.on; {
	case n == nil:
	case n.Kind == yaml.ScalarNode:
		w.triggers[n.Value] = nil
	case n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			w.triggers[scalar(c)] = nil
		}
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.triggers[n.Content[i].Value] = mapping(n.Content[i+1])
		}
	}
}

func (w *workflow) has(event string) bool {
	_, ok := w.triggers[event]
	return ok
}

func (w *workflow) file() string { return path.Base(w.path) }

func readJob(id string, n *yaml.Node) *job {
	j := &job{id: id, node: n}
	j.perms = yamledit.Get(n, "permissions")
	j.env = mapping(yamledit.Get(n, "env"))
	j.uses = scalar(yamledit.Get(n, "uses"))
	switch e := yamledit.Get(n, "environment"); {
	case e == nil:
	case e.Kind == yaml.ScalarNode:
		j.environment = e.Value
	case e.Kind == yaml.MappingNode:
		j.environment = scalar(yamledit.Get(e, "name"))
	}
	if s := yamledit.Get(n, "strategy"); s != nil && yamledit.Get(s, "matrix") != nil {
		j.matrix = true
	}
	if s := yamledit.Get(n, "steps"); s != nil && s.Kind == yaml.SequenceNode {
		j.stepsNode = s
		for i, sn := range s.Content {
			if sn.Kind != yaml.MappingNode {
				continue
			}
			j.steps = append(j.steps, readStep(i, sn))
		}
	}
	return j
}

func readStep(i int, n *yaml.Node) *step {
	s := &step{node: n, index: i}
	u := scalar(yamledit.Get(n, "uses"))
	s.uses, s.ref, _ = strings.Cut(u, "@")
	s.uses = strings.ToLower(s.uses)
	s.with = yamledit.Get(n, "with")
	s.env = mapping(yamledit.Get(n, "env"))
	s.runN = yamledit.Get(n, "run")
	s.run = scalar(s.runN)
	s.id = scalar(yamledit.Get(n, "id"))
	s.name = scalar(yamledit.Get(n, "name"))
	return s
}

// action reports whether the step uses the action repo (owner/repo), at
// any version.
func (s *step) action(repo string) bool {
	return s.uses == repo || strings.HasPrefix(s.uses, repo+"/")
}

func (s *step) input(name string) *yaml.Node {
	if m := mapping(s.with); m != nil {
		return yamledit.Get(m, name)
	}
	return nil
}

func (s *step) label() string {
	switch {
	case s.name != "":
		return "step " + quoteName(s.name)
	case s.uses != "":
		return "step " + s.uses
	case s.id != "":
		return "step " + s.id
	}
	return "step " + itoa(s.index+1)
}

func quoteName(s string) string { return "\"" + s + "\"" }

// stepBefore returns the step after s in j, or nil.
func (j *job) stepAfter(s *step) *step {
	for i, c := range j.steps {
		if c == s && i+1 < len(j.steps) {
			return j.steps[i+1]
		}
	}
	return nil
}

var (
	secretRef = regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}`)
	anySecret = regexp.MustCompile(`secrets\.([A-Za-z0-9_]+)`)
)

// secretName returns X when n is exactly ${{ secrets.X }}.
func secretName(n *yaml.Node) string {
	v := strings.TrimSpace(scalar(n))
	if m := secretRef.FindStringSubmatch(v); m != nil && m[0] == v {
		return m[1]
	}
	return ""
}

// envEntry is one env variable at some level of a workflow.
type envEntry struct {
	level string     // "workflow", "job", "step"
	m     *yaml.Node // the env mapping
	key   *yaml.Node
	val   *yaml.Node
	job   *job
	step  *step
}

// envEntries returns every env entry named one of names, at every level.
func (w *workflow) envEntries(names ...string) []envEntry {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []envEntry
	collect := func(level string, m *yaml.Node, j *job, s *step) {
		if m == nil {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if want[m.Content[i].Value] {
				out = append(out, envEntry{level: level, m: m, key: m.Content[i], val: m.Content[i+1], job: j, step: s})
			}
		}
	}
	collect("workflow", w.env, nil, nil)
	for _, j := range w.jobs {
		collect("job", j.env, j, nil)
		for _, s := range j.steps {
			collect("step", s.env, j, s)
		}
	}
	return out
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		b = append([]byte{digits[i%10]}, b...)
		i /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
