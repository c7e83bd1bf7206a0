package remediate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// permSet maps a GITHUB_TOKEN scope to read, write or none.
type permSet map[string]string

var permRank = map[string]int{"none": 0, "read": 1, "write": 2}

// readAllScopes are the scopes read-all grants (actionlint's list; id-token
// is write-or-none and not part of it).
var readAllScopes = []string{
	"actions", "artifact-metadata", "attestations", "checks", "contents", "deployments", "discussions",
	"issues", "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses",
}

// actionPerms is the knowledge base of what actions need from the
// GITHUB_TOKEN (after step-security's secure-repo KB, REMEDIATION.md §5.1).
// An action missing here is unknown: a job using it without any
// permissions block is refused rather than guessed.
var actionPerms = map[string]permSet{
	"actions/checkout":                                {"contents": "read"},
	"actions/setup-node":                              {},
	"actions/setup-python":                            {},
	"actions/setup-go":                                {},
	"actions/setup-java":                              {},
	"actions/setup-dotnet":                            {},
	"actions/cache":                                   {},
	"actions/upload-artifact":                         {},
	"actions/download-artifact":                       {},
	"actions/create-github-app-token":                 {},
	"actions/upload-pages-artifact":                   {},
	"actions/configure-pages":                         {"pages": "write"},
	"actions/deploy-pages":                            {"pages": "write", "id-token": "write"},
	"actions/attest-build-provenance":                 {"id-token": "write", "attestations": "write"},
	"actions/labeler":                                 {"contents": "read", "pull-requests": "write"},
	"actions/stale":                                   {"issues": "write", "pull-requests": "write"},
	"ruby/setup-ruby":                                 {},
	"gradle/actions":                                  {},
	"pnpm/action-setup":                               {},
	"oven-sh/setup-bun":                               {},
	"denoland/setup-deno":                             {},
	"dtolnay/rust-toolchain":                          {},
	"swatinem/rust-cache":                             {},
	"aws-actions/configure-aws-credentials":           {"id-token": "write"},
	"aws-actions/amazon-ecr-login":                    {},
	"aws-actions/aws-secretsmanager-get-secrets":      {},
	"google-github-actions/auth":                      {"id-token": "write"},
	"google-github-actions/setup-gcloud":              {},
	"google-github-actions/get-gke-credentials":       {},
	"google-github-actions/deploy-cloudrun":           {},
	"google-github-actions/upload-cloud-storage":      {},
	"google-github-actions/get-secretmanager-secrets": {},
	"azure/login":                                     {"id-token": "write"},
	"azure/webapps-deploy":                            {},
	"azure/aks-set-context":                           {},
	"azure/use-kubelogin":                             {},
	"azure/cli":                                       {},
	"azure/arm-deploy":                                {},
	"docker/login-action":                             {},
	"docker/setup-buildx-action":                      {},
	"docker/setup-qemu-action":                        {},
	"docker/build-push-action":                        {},
	"docker/metadata-action":                          {},
	"hashicorp/setup-terraform":                       {},
	"hashicorp/vault-action":                          {"id-token": "write"},
	"pypa/gh-action-pypi-publish":                     {"id-token": "write"},
	"rust-lang/crates-io-auth-action":                 {"id-token": "write"},
	"softprops/action-gh-release":                     {"contents": "write"},
	"peter-evans/create-pull-request":                 {"contents": "write", "pull-requests": "write"},
	"changesets/action":                               {"contents": "write", "pull-requests": "write"},
	"github/codeql-action":                            {"security-events": "write", "actions": "read", "contents": "read"},
	"goreleaser/goreleaser-action":                    {"contents": "write"},
	"golangci/golangci-lint-action":                   {"contents": "read"},
	"codecov/codecov-action":                          {},
	"jamesives/github-pages-deploy-action":            {"contents": "write"},
}

var (
	runUsesToken = regexp.MustCompile(`secrets\.GITHUB_TOKEN|github\.token|\bGH_TOKEN\b|\bGITHUB_TOKEN\b|(^|[\s;&|(])gh\s`)
	runGitPush   = regexp.MustCompile(`\bgit\s+push\b`)
)

// stepNeeds returns what a step needs from the GITHUB_TOKEN, and false when
// it cannot tell.
func stepNeeds(s *step) (permSet, bool) {
	if s.uses != "" {
		if strings.HasPrefix(s.uses, "./") || strings.HasPrefix(s.uses, "docker://") {
			return nil, false
		}
		for a, p := range actionPerms {
			if s.action(a) {
				return p, true
			}
		}
		return nil, false
	}
	for _, m := range []*yaml.Node{s.env} {
		if m != nil && runUsesToken.MatchString(nodeText(m)) {
			return nil, false
		}
	}
	if runUsesToken.MatchString(s.run) {
		return nil, false
	}
	if runGitPush.MatchString(s.run) {
		return permSet{"contents": "write"}, true
	}
	return permSet{}, true
}

// nodeText flattens a subtree's scalars, for pattern checks.
func nodeText(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			b.WriteString(n.Value)
			b.WriteByte('\n')
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// jobNeeds adds up what the job's steps need; unknown names the first
// step whose needs are unknown.
func jobNeeds(j *job, extra []*step) (permSet, string) {
	need := permSet{}
	if j.uses != "" {
		return nil, "the job calls the reusable workflow " + j.uses
	}
	if runUsesToken.MatchString(nodeText(j.env)) {
		return nil, "the job's env passes the GITHUB_TOKEN to its steps"
	}
	for _, s := range append(append([]*step(nil), j.steps...), extra...) {
		p, ok := stepNeeds(s)
		if !ok {
			return nil, s.label() + " (" + firstNonEmpty(s.uses, "run script using the GITHUB_TOKEN") + ") is not in the permissions knowledge base"
		}
		need.merge(p)
	}
	return need, ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (p permSet) merge(o permSet) {
	for k, v := range o {
		if permRank[v] > permRank[p[k]] {
			p[k] = v
		}
	}
}

func (p permSet) clone() permSet {
	out := permSet{}
	for k, v := range p {
		out[k] = v
	}
	return out
}

// covers reports whether p grants at least o.
func (p permSet) covers(o permSet) bool {
	for k, v := range o {
		if permRank[p[k]] < permRank[v] {
			return false
		}
	}
	return true
}

func (p permSet) String() string {
	if len(p) == 0 {
		return "{} (no access)"
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+p[k])
	}
	return strings.Join(parts, ", ")
}

// permState is a permissions value as written: a block mapping, read-all,
// write-all or {}.
type permState struct {
	node  *yaml.Node
	set   permSet
	all   string // "read-all", "write-all" or ""
	empty bool   // {}
}

func readPerms(n *yaml.Node) (permState, error) {
	st := permState{node: n, set: permSet{}}
	switch {
	case n.Kind == yaml.ScalarNode && (n.Value == "read-all" || n.Value == "write-all"):
		st.all = n.Value
		level := strings.TrimSuffix(n.Value, "-all")
		for _, s := range readAllScopes {
			st.set[s] = level
		}
		if level == "write" {
			st.set["id-token"] = "write"
		}
	case n.Kind == yaml.MappingNode && len(n.Content) == 0:
		st.empty = true
	case n.Kind == yaml.MappingNode:
		if yamledit.IsFlow(n) {
			return st, fmt.Errorf("line %d: the permissions are a flow-style mapping; write them as a block mapping and re-run", n.Line)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			st.set[n.Content[i].Value] = scalar(n.Content[i+1])
		}
	default:
		return st, fmt.Errorf("line %d: permissions %q cannot be read", n.Line, scalar(n))
	}
	return st, nil
}

func (st permState) describe(level string) string {
	switch {
	case st.all != "":
		return level + " " + st.all
	case st.empty:
		return level + " {} (no access)"
	}
	return level + " " + st.set.String()
}

// permPlan decides how job j's effective permissions come to cover need
// (REMEDIATION.md §0.2): a job mapping gains the missing scopes; a job
// without a block gets a job-level copy of the workflow's block plus need;
// with no block anywhere the job's full needs are synthesised from the
// knowledge base (extra are steps the fix inserts), and an unknown step
// refuses. read-all, write-all and {} are expanded. It decides without
// editing, so that a refused job leaves no partial edit: apply (nil when
// nothing changes) makes the edit.
func permPlan(w *workflow, j *job, need permSet, extra []*step) (apply func(*yamledit.Editor), pc *PermissionChange, refusal string) {
	switch {
	case j.perms != nil:
		st, err := readPerms(j.perms)
		if err != nil {
			return nil, nil, err.Error()
		}
		return planPerms(j, st, need, "job", true)
	case w.perms != nil:
		st, err := readPerms(w.perms)
		if err != nil {
			return nil, nil, err.Error()
		}
		return planPerms(j, st, need, "workflow", false)
	}
	all, unknown := jobNeeds(j, extra)
	if unknown != "" {
		return nil, nil, "job " + j.id + " has no permissions block (it runs with the repository's default GITHUB_TOKEN permissions) and " + unknown + "; add a permissions block listing what the job needs and re-run"
	}
	all.merge(need)
	apply = func(e *yamledit.Editor) {
		e.SetPair(j.node, yamledit.P("permissions", permFrag(nil, all)), jobPermsBefore...)
	}
	return apply, &PermissionChange{Job: j.id, Before: "repository default", After: all.String()}, ""
}

// jobPermsBefore are the keys a new job-level permissions block goes before.
var jobPermsBefore = []string{"steps", "uses", "with", "secrets"}

func planPerms(j *job, st permState, need permSet, level string, inJob bool) (func(*yamledit.Editor), *PermissionChange, string) {
	after := st.set.clone()
	after.merge(need)
	pc := &PermissionChange{Job: j.id, Before: st.describe(level), After: after.String()}
	if st.set.covers(need) {
		return nil, nil, ""
	}
	if inJob && st.all == "" && !st.empty {
		return func(e *yamledit.Editor) {
			for _, k := range slices.Sorted(maps.Keys(need)) {
				if permRank[st.set[k]] < permRank[need[k]] {
					e.SetPair(st.node, permPair(k, need[k]))
				}
			}
		}, pc, ""
	}
	var order []string
	if st.all == "" && !st.empty {
		order = yamledit.Keys(st.node)
	}
	frag := permFrag(order, after)
	return func(e *yamledit.Editor) {
		if inJob {
			e.SetPair(j.node, yamledit.P("permissions", frag))
		} else {
			e.SetPair(j.node, yamledit.P("permissions", frag), jobPermsBefore...)
		}
	}, pc, ""
}

// permFrag renders a permissions mapping: first the scopes in order (as
// written before), then the others sorted with contents first.
func permFrag(order []string, set permSet) *yamledit.Frag {
	var pairs []yamledit.FragPair
	done := map[string]bool{}
	for _, k := range order {
		if v, ok := set[k]; ok && !done[k] {
			pairs = append(pairs, permPair(k, v))
			done[k] = true
		}
	}
	rest := slices.Sorted(maps.Keys(set))
	sort.SliceStable(rest, func(i, j int) bool { return rest[i] == "contents" && rest[j] != "contents" })
	for _, k := range rest {
		if !done[k] {
			pairs = append(pairs, permPair(k, set[k]))
		}
	}
	return yamledit.Map(pairs...)
}

func permPair(k, v string) yamledit.FragPair {
	if k == "id-token" && v == "write" {
		return yamledit.PC(k, yamledit.Raw(v), "required to request the OIDC token")
	}
	return yamledit.P(k, yamledit.Raw(v))
}
