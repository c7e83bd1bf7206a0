package remediate

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var prCodeRef = regexp.MustCompile(`github\.event\.pull_request\.head|github\.head_ref|github\.event\.workflow_run\.head|refs/pull/|pull_request\.merge|gh\s+pr\s+checkout|git\s+fetch\s+\S+\s+(\+?refs/)?pull/`)

// unsafeOIDC returns why id-token: write must not be added to job j: it
// runs on pull_request_target or workflow_run and checks out or runs the
// pull request's code (REMEDIATION.md §0.3). Empty means it may.
func unsafeOIDC(w *workflow, j *job) string {
	var trig []string
	for _, t := range []string{"pull_request_target", "workflow_run"} {
		if w.has(t) {
			trig = append(trig, t)
		}
	}
	if len(trig) == 0 {
		return ""
	}
	for _, s := range j.steps {
		if s.action("actions/checkout") {
			if prCodeRef.MatchString(nodeText(s.input("ref"))) || prCodeRef.MatchString(nodeText(s.input("repository"))) {
				return "job " + j.id + " runs on " + strings.Join(trig, " and ") + " and checks out the pull request's code (" + s.label() + "); an OIDC token there would let untrusted code assume the role"
			}
		}
		if prCodeRef.MatchString(s.run) {
			return "job " + j.id + " runs on " + strings.Join(trig, " and ") + " and fetches the pull request's code (" + s.label() + "); an OIDC token there would let untrusted code assume the role"
		}
	}
	return ""
}

// subjectTails returns the parts after "repo:OWNER/REPO:" of the sub claims
// job j's tokens carry (REMEDIATION.md §0.4), with notes on what cannot be
// pinned down from the file.
func subjectTails(w *workflow, j *job, o *Options) (tails, notes []string) {
	if j.environment != "" {
		if strings.Contains(j.environment, "${{") {
			notes = append(notes, "job "+j.id+" picks its environment with an expression: trust each environment:NAME it can take")
			return []string{"environment:*"}, notes
		}
		return []string{"environment:" + strings.ReplaceAll(j.environment, ":", "%3A")}, nil
	}
	def := o.defaultBranch()
	add := func(t ...string) { tails = appendUnique(tails, t...) }
	for _, ev := range slices.Sorted(maps.Keys(w.triggers)) {
		f := w.triggers[ev]
		switch ev {
		case "push":
			br, tg := filterList(f, "branches"), filterList(f, "tags")
			if f != nil && yamledit.Get(f, "branches-ignore") != nil {
				br = []string{"*"}
				notes = append(notes, "push uses branches-ignore: the trust policy cannot exclude branches; narrow the sub by hand")
			}
			if f != nil && yamledit.Get(f, "tags-ignore") != nil {
				tg = []string{"*"}
			}
			if br == nil && tg == nil {
				br, tg = []string{"*"}, []string{"*"}
			}
			for _, b := range br {
				add("ref:refs/heads/" + glob(b))
			}
			for _, t := range tg {
				add("ref:refs/tags/" + glob(t))
			}
		case "pull_request":
			add("pull_request")
			notes = append(notes, "pull requests from forks get no OIDC token (the job already got no secrets there); keep such runs skipped or read-only")
		case "pull_request_target":
			br := filterList(f, "branches")
			if br == nil {
				br = []string{"*"}
			}
			for _, b := range br {
				add("ref:refs/heads/" + glob(b))
			}
		case "release":
			add("ref:refs/tags/*")
		case "merge_group":
			add("ref:refs/heads/gh-readonly-queue/*")
		case "workflow_dispatch":
			add("ref:refs/heads/" + def)
			notes = append(notes, "workflow_dispatch runs on the branch it is started from; only the default branch ("+def+") is trusted here")
		case "workflow_call":
			add("ref:refs/heads/" + def)
			notes = append(notes, "as a reusable workflow its token carries the caller's sub; every caller must grant id-token: write")
		default:
			add("ref:refs/heads/" + def)
		}
	}
	if len(tails) == 0 {
		add("ref:refs/heads/" + def)
	}
	return tails, notes
}

func filterList(f *yaml.Node, key string) []string {
	if f == nil {
		return nil
	}
	n := yamledit.Get(f, key)
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}
	case n.Kind == yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if v := scalar(c); v != "" && !strings.HasPrefix(v, "!") {
				out = append(out, v)
			}
		}
		return out
	}
	return nil
}

// glob turns a GitHub filter pattern into an IAM StringLike pattern.
func glob(p string) string {
	p = strings.ReplaceAll(p, "**", "*")
	for strings.Contains(p, "**") {
		p = strings.ReplaceAll(p, "**", "*")
	}
	return p
}

// subjects expands tails into full GitHub sub claims, legacy form first,
// then the immutable form (REMEDIATION.md §0.4) with the owner and
// repository IDs or placeholders.
func subjects(o *Options, tails []string) []string {
	owner, name := o.repo()
	oid, rid := o.OwnerID, o.RepoID
	if oid == "" {
		oid = "<OWNER_ID>"
	}
	if rid == "" {
		rid = "<REPO_ID>"
	}
	var out []string
	for _, t := range tails {
		out = append(out, "repo:"+owner+"/"+name+":"+t)
	}
	for _, t := range tails {
		out = append(out, "repo:"+owner+"@"+oid+"/"+name+"@"+rid+":"+t)
	}
	return out
}

func hasWildcard(subs []string) bool {
	for _, s := range subs {
		if strings.Contains(s, "*") {
			return true
		}
	}
	return false
}
