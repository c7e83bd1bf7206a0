package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// pins are the actions the fixers insert, pinned to the commit of their
// current release (REMEDIATION.md §0.6, as of the catalog's sources). The
// fixers emit "owner/repo@<sha> # vX.Y.Z", the secure-repo/zizmor
// convention that Dependabot and Renovate keep up to date. Existing steps
// whose inputs change are moved to the same pin, since older majors lack
// inputs the rewrite relies on.
var pins = map[string]struct{ sha, version string }{
	"aws-actions/configure-aws-credentials": {"e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3"},
	"aws-actions/amazon-ecr-login":          {"03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7"},
	"azure/login":                           {"f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1"},
	"google-github-actions/auth":            {"7c6bc770dae815cd3e89ee6cdf493a5fab2cc093", "v3.0.0"},
	"actions/create-github-app-token":       {"1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1"},
	"hashicorp/vault-action":                {"4c06c5ccf5c0761b6029f56cfb1dcf5565918a3b", "v3.4.0"},
	"docker/login-action":                   {"af1e73f918a031802d376d3c8bbc3fe56130a9b0", "v4.4.0"},
}

// usesPair is the "uses:" entry of a pinned action.
func usesPair(action string) yamledit.FragPair {
	p := pins[action]
	return yamledit.PC("uses", yamledit.Raw(action+"@"+p.sha), p.version)
}

// pinnedMajor returns "owner/repo@vN" for a pinned action, which actionlint
// knows the inputs of; used only when validating.
func pinnedMajor(action string) string {
	v := pins[action].version
	major, _, _ := strings.Cut(v, ".")
	return action + "@" + major
}

// ghaVar returns the YAML for an identifier: the value when known, else
// the repository variable placeholder.
func ghaVar(value, name string) string {
	if value != "" {
		return yamledit.Quote(value)
	}
	return "${{ vars." + name + " }}"
}

// deleteInputs removes inputs from a step; when none would remain and
// nothing is added, it removes the whole with: entry instead.
func deleteInputs(e *yamledit.Editor, s *step, keep int, keys ...string) {
	w := mapping(s.with)
	if w == nil {
		return
	}
	present := 0
	for _, k := range keys {
		if yamledit.Get(w, k) != nil {
			present++
		}
	}
	if present == 0 {
		return
	}
	if len(w.Content)/2-present+keep == 0 {
		e.DeletePair(s.node, "with")
		return
	}
	for _, k := range keys {
		e.DeletePair(w, k)
	}
}

// setInputs adds or replaces inputs of a step, creating with: if needed;
// new keys go before the first of before present.
func setInputs(e *yamledit.Editor, s *step, pairs []yamledit.FragPair, before ...string) {
	w := s.with
	if w == nil {
		e.SetPair(s.node, yamledit.P("with", yamledit.Map(pairs...)))
		return
	}
	if w.Kind != yaml.MappingNode {
		e.SetPair(s.node, yamledit.P("with", yamledit.Map(pairs...)))
		return
	}
	for _, p := range pairs {
		e.SetPair(w, p, before...)
	}
}

// firstStepIndex returns where to insert a step that must run before
// every step of uses: before the first of them, else before the first step
// that is not a checkout.
func insertionPoint(j *job, uses func(*step) bool) *step {
	for _, s := range j.steps {
		if uses(s) {
			return s
		}
	}
	for _, s := range j.steps {
		if !s.action("actions/checkout") {
			return s
		}
	}
	return nil
}

// insertStep inserts a step before at (nil: at the end of the job).
func insertStep(e *yamledit.Editor, j *job, at *step, frag *yamledit.Frag) {
	var before *yaml.Node
	if at != nil {
		before = at.node
	}
	e.InsertItems(j.stepsNode, before, frag)
}

// secretsIn returns the names of the secrets an expression reads.
func secretsIn(n *yaml.Node) []string {
	var out []string
	for _, m := range anySecret.FindAllStringSubmatch(nodeText(n), -1) {
		out = appendUnique(out, m[1])
	}
	return out
}

var matrixRef = regexp.MustCompile(`\$\{\{[^}]*\bmatrix\.`)

// jobsUsing returns the jobs with a step use reports true for; all jobs
// with steps when none does.
func jobsUsing(w *workflow, use func(*step) bool) (using []*job, guessed bool) {
	for _, j := range w.jobs {
		for _, s := range j.steps {
			if use(s) {
				using = append(using, j)
				break
			}
		}
	}
	if len(using) > 0 {
		return using, false
	}
	for _, j := range w.jobs {
		if len(j.steps) > 0 {
			using = append(using, j)
		}
	}
	return using, true
}

// retire records a retired GitHub secret's revocation.
func (fc *fileCtx) retire(credType, secret string) {
	owner, name := fc.opts.repo()
	fc.retireRef(credType, "secrets."+secret, "gh secret delete "+secret+" --repo "+owner+"/"+name)
}

// retireRef records how to revoke a credential and delete where it is
// stored (deleteCmd, may be empty).
func (fc *fileCtx) retireRef(credType, ref, deleteCmd string) {
	for _, r := range fc.revoke {
		if r.Credential == ref {
			return
		}
	}
	var cmds []string
	if kb := fc.opts.kb(); kb != nil {
		if ct, ok := kb.Type(credType); ok && ct.Revoke != "" {
			cmds = append(cmds, ct.Revoke)
		}
	}
	if len(cmds) == 0 {
		if c := revokeFallback[credType]; c != "" {
			cmds = append(cmds, c)
		}
	}
	if deleteCmd != "" {
		cmds = append(cmds, deleteCmd)
	}
	fc.revoke = append(fc.revoke, Revocation{Credential: ref, Type: credType, Commands: cmds})
}

// revokeFallback covers types the knowledge base has no revoke hint for.
var revokeFallback = map[string]string{
	"gcp-service-account-key": "gcloud iam service-accounts keys delete <KEY_ID> --iam-account <SERVICE_ACCOUNT_EMAIL>",
	"azure-client-secret":     "az ad app credential delete --id <APP_ID> --key-id <KEY_ID>",
	"vault-service-token":     "vault token revoke -accessor <ACCESSOR>",
	"docker-hub-token":        "delete the access token at https://app.docker.com/settings/personal-access-tokens",
}

// deleteEnv removes names from env mapping m (the value of key "env" in
// parent); when nothing else would remain, the whole env entry goes.
// done avoids editing one mapping twice.
func deleteEnv(e *yamledit.Editor, parent, m *yaml.Node, names []string, done map[*yaml.Node]bool) {
	if m == nil || done[m] {
		return
	}
	done[m] = true
	if len(m.Content)/2 == countKeys(m, names) {
		e.DeletePair(parent, "env")
		return
	}
	for _, n := range names {
		e.DeletePair(m, n)
	}
}
