package remediate

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// jobFix is one job's planned rewrite for the GitHub Actions fixers that
// share the plan → permissions → edit sequence.
type jobFix struct {
	j       *job
	refusal string
	line    int
	// edit makes the job's step edits.
	edit func(e *yamledit.Editor)
	// need is what the job's token must grant afterwards (id-token: write
	// for OIDC); extra are steps the edit inserts, for synthesis.
	need  permSet
	extra []*step
	// oidc marks jobs whose sub claims the provider must trust.
	oidc bool
	// secrets are the stored secrets the job no longer reads.
	secrets  []string
	credType string
	details  []string
}

func (jf *jobFix) refuse(line int, format string, args ...any) {
	if jf.refusal == "" {
		jf.refusal, jf.line = sprintf(format, args...), line
	}
}

// runJobFixes applies the job fixes to w: refused jobs are reported and
// left alone, jobs whose permissions cannot be granted are refused, the
// others edited; returns the rewritten file's sub claim tails (for OIDC
// jobs) and whether anything was written.
func runJobFixes(fc *fileCtx, w *workflow, fixes []*jobFix, extraEdit func(e *yamledit.Editor)) (tails []string, ok bool) {
	e := w.doc.Edit()
	fixed := 0
	for _, jf := range fixes {
		if jf.refusal == "" && jf.oidc {
			if r := unsafeOIDC(w, jf.j); r != "" {
				jf.refuse(jf.j.node.Line, "%s", r)
			}
		}
		if jf.refusal != "" {
			fc.refuse(jf.line, "%s", jf.refusal)
			continue
		}
		var apply func(*yamledit.Editor)
		var pc *PermissionChange
		if len(jf.need) > 0 {
			var refusal string
			apply, pc, refusal = permPlan(w, jf.j, jf.need, jf.extra)
			if refusal != "" {
				fc.refuse(jf.j.node.Line, "%s", refusal)
				continue
			}
		}
		jf.edit(e)
		if apply != nil {
			apply(e)
			fc.perms = append(fc.perms, *pc)
		}
		if jf.oidc {
			t, notes := subjectTails(w, jf.j, fc.opts)
			tails = appendUnique(tails, t...)
			for _, n := range notes {
				fc.caveat("%s", n)
			}
		}
		for _, s := range jf.secrets {
			fc.retire(jf.credType, s)
		}
		fc.details = append(fc.details, jf.details...)
		fixed++
	}
	if fixed == 0 {
		return nil, false
	}
	if extraEdit != nil {
		extraEdit(e)
	}
	if !fc.commit(e) {
		return nil, false
	}
	return tails, true
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// loadWorkflow parses fc's workflow; a file that does not parse is refused
// when it mentions one of the markers (so unrelated broken files are not
// reported by every fixer).
func loadWorkflow(fc *fileCtx, markers ...string) *workflow {
	w, err := parseWorkflow(fc.path, fc.src)
	if err != nil {
		for _, m := range markers {
			if strings.Contains(string(fc.src), m) {
				fc.refuseErr(err)
				break
			}
		}
		return nil
	}
	return w
}

// visibleEnv returns the value node of env variable name as step s of job
// j sees it (step, then job, then workflow level), or nil.
func visibleEnv(w *workflow, j *job, s *step, name string) *yaml.Node {
	if s != nil {
		if v := yamledit.Get(s.env, name); v != nil {
			return v
		}
	}
	if v := yamledit.Get(j.env, name); v != nil {
		return v
	}
	return yamledit.Get(w.env, name)
}

// keyEnvs returns the env entries of names that job j (or its steps)
// receives, grouped by level.
func keyEnvs(w *workflow, j *job, names ...string) (wf, jobLevel, stepLevel []envEntry) {
	for _, en := range w.envEntries(names...) {
		switch {
		case en.level == "workflow":
			wf = append(wf, en)
		case en.job == j && en.level == "job":
			jobLevel = append(jobLevel, en)
		case en.job == j && en.level == "step":
			stepLevel = append(stepLevel, en)
		}
	}
	return wf, jobLevel, stepLevel
}

// fromSecrets keeps the env entries whose value reads a stored secret (or
// is a literal, which is worse).
func fromSecrets(es []envEntry) []envEntry {
	var out []envEntry
	for _, en := range es {
		v := scalar(en.val)
		if strings.Contains(v, "secrets.") || (v != "" && !strings.Contains(v, "${{")) {
			out = append(out, en)
		}
	}
	return out
}

func envSecrets(es []envEntry) []string {
	var out []string
	for _, en := range es {
		out = appendUnique(out, secretsIn(en.val)...)
	}
	return out
}
