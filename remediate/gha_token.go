package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	tokenInputs = map[string]bool{"token": true, "github-token": true, "github_token": true, "repo-token": true, "repo_token": true}
	tokenEnv    = []string{"GH_TOKEN", "GITHUB_TOKEN"}
	// triggering actions are those whose PAT usually exists so that the
	// PR or push they create starts workflows, which GITHUB_TOKEN events
	// do not.
	triggering = []string{"peter-evans/create-pull-request", "changesets/action", "googleapis/release-please-action", "google-github-actions/release-please-action", "stefanzweifel/git-auto-commit-action", "ad-m/github-push-action"}
	ghRepoFlag = regexp.MustCompile(`(^|\s)(-R|--repo)[\s=]`)
)

// tokenUse is one place a PAT reaches a step.
type tokenUse struct {
	s      *step
	val    *yaml.Node
	secret string
}

// fixGHAToken replaces personal access tokens in GitHub Actions (GA-6):
// same-repository work gets the GITHUB_TOKEN with explicit job
// permissions; cross-repository work, or work that must trigger workflows,
// gets a GitHub App installation token (actions/create-github-app-token).
func fixGHAToken(fc *fileCtx) {
	w := loadWorkflow(fc, "token", "TOKEN")
	if w == nil {
		return
	}
	var fixes []*jobFix
	app := false
	for _, j := range w.jobs {
		jf, usesApp := planTokenJob(fc, w, j)
		if jf != nil {
			fixes = append(fixes, jf)
			app = app || (usesApp && jf.refusal == "")
		}
	}
	if _, ok := runJobFixes(fc, w, fixes, nil); !ok {
		return
	}
	fc.summary = "Replace the personal access token with a job-scoped token"
	if app {
		owner, name := fc.opts.repo()
		var vars []Variable
		if fc.opts.IDs.GitHubAppID == "" {
			vars = append(vars, Variable{Name: "APP_ID", Description: "ID of the GitHub App"})
		}
		fc.addSetup(Setup{
			Provider: "github", Title: "GitHub App for " + owner + "/" + name, Variables: vars,
			CLI: "gh variable set APP_ID --repo " + owner + "/" + name + " --body \"<APP_ID>\"\ngh secret set APP_PRIVATE_KEY --repo " + owner + "/" + name + " < app-private-key.pem\n",
			Steps: []string{
				"Create a GitHub App (Settings → Developer settings → GitHub Apps) with only the repository permissions the jobs need (Workflows: write only if it pushes workflow files), no webhook.",
				"Install it on " + owner + "/" + name + " and the other repositories the jobs reach; store its app ID as the APP_ID variable and a private key as the APP_PRIVATE_KEY secret (ideally an environment secret).",
			},
		})
		fc.caveat("the GitHub App's private key is itself a long-lived secret: keep it in a protected environment; its installation tokens last one hour and are revoked when the job ends")
	}
}

func planTokenJob(fc *fileCtx, w *workflow, j *job) (*jobFix, bool) {
	jf := &jobFix{j: j, credType: "github-classic-pat"}
	var uses []tokenUse
	for _, s := range j.steps {
		if m := mapping(s.with); m != nil {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if tokenInputs[m.Content[i].Value] {
					if sec := secretName(m.Content[i+1]); sec != "" && sec != "GITHUB_TOKEN" {
						uses = append(uses, tokenUse{s, m.Content[i+1], sec})
					}
				}
			}
		}
		for _, k := range tokenEnv {
			if v := yamledit.Get(s.env, k); v != nil {
				if sec := secretName(v); sec != "" && sec != "GITHUB_TOKEN" {
					uses = append(uses, tokenUse{s, v, sec})
				}
			}
		}
		if s.runN != nil {
			for _, m := range secretRef.FindAllStringSubmatch(s.run, -1) {
				if n := m[1]; n != "GITHUB_TOKEN" && (strings.Contains(n, "PAT") || strings.Contains(n, "TOKEN")) && !strings.Contains(n, "NPM") && !strings.Contains(n, "PYPI") {
					jf.refuse(s.runN.Line, "job %s: %s uses secrets.%s inside its script; sessionize rewrites only structured places (with:, env)", j.id, s.label(), n)
				}
			}
		}
	}
	for _, k := range tokenEnv {
		if v := yamledit.Get(j.env, k); v != nil {
			if sec := secretName(v); sec != "" && sec != "GITHUB_TOKEN" {
				uses = append(uses, tokenUse{nil, v, sec})
			}
		}
	}
	if v := yamledit.Get(w.env, "GH_TOKEN"); v != nil && secretName(v) != "" && secretName(v) != "GITHUB_TOKEN" {
		jf.refuse(v.Line, "the token is set in the workflow-level env; move it to the steps that need it and re-run")
	}
	if len(uses) == 0 && jf.refusal == "" {
		return nil, false
	}
	if j.uses != "" {
		jf.refuse(j.node.Line, "job %s calls the reusable workflow %s: rewrite the called workflow", j.id, j.uses)
	}
	for _, u := range uses {
		jf.secrets = appendUnique(jf.secrets, u.secret)
	}
	reason := appReason(j)
	need := permSet{}
	if reason == "" {
		for _, u := range uses {
			if u.s == nil {
				reason = "the token is set for the whole job"
				break
			}
			p, ok := stepNeeds(u.s)
			if !ok {
				reason = u.s.label() + "'s needs are not in the permissions knowledge base"
				break
			}
			need.merge(p)
			if u.s.action("actions/checkout") {
				for _, s := range j.steps {
					if runGitPush.MatchString(s.run) {
						need.merge(permSet{"contents": "write"})
					}
				}
			}
		}
	}
	if reason == "" {
		if len(need) == 0 {
			need = permSet{"contents": "read"}
		}
		jf.need = need
		jf.edit = func(e *yamledit.Editor) {
			for _, u := range uses {
				e.SetScalar(u.val, "${{ secrets.GITHUB_TOKEN }}")
			}
			jf.details = append(jf.details, "job "+j.id+": uses the GITHUB_TOKEN with explicit permissions instead of secrets."+uses[0].secret)
		}
		return jf, false
	}
	id := "app-token"
	if stepWithID(j, id) != nil {
		id = "github-app-token"
	}
	appID := ghaVar(fc.opts.IDs.GitHubAppID, "APP_ID")
	pairs := []yamledit.FragPair{
		yamledit.P("app-id", yamledit.Raw(appID)),
		yamledit.P("private-key", yamledit.Raw("${{ secrets.APP_PRIVATE_KEY }}")),
		yamledit.P("owner", yamledit.Raw("${{ github.repository_owner }}")),
	}
	if repos := otherRepos(j); len(repos) > 0 {
		_, name := fc.opts.repo()
		pairs = append(pairs, yamledit.P("repositories", yamledit.Lit(strings.Join(append([]string{name}, repos...), "\n")+"\n")))
	}
	first := uses[0].s
	for _, s := range j.steps {
		for _, u := range uses {
			if u.s == s && (first == nil || s.index < first.index) {
				first = s
			}
		}
	}
	if first == nil && len(j.steps) > 0 {
		first = j.steps[0]
	}
	jf.edit = func(e *yamledit.Editor) {
		insertStep(e, j, first, yamledit.Map(
			yamledit.P("name", yamledit.Raw("Mint a GitHub App installation token")),
			yamledit.P("id", yamledit.Raw(id)),
			usesPair("actions/create-github-app-token"),
			yamledit.P("with", yamledit.Map(pairs...)),
		))
		for _, u := range uses {
			e.SetScalar(u.val, "${{ steps."+id+".outputs.token }}")
		}
		jf.details = append(jf.details, "job "+j.id+": mints a GitHub App installation token instead of secrets."+uses[0].secret+" ("+reason+")")
	}
	for _, u := range uses {
		if u.s == nil {
			// A job-level env entry is evaluated before any step runs:
			// the app token cannot feed it.
			jf.refuse(u.val.Line, "job %s sets the token in the job-level env, evaluated before a step can mint an app token; move it to the steps that need it and re-run", j.id)
		}
	}
	return jf, true
}

// appReason says why a job needs a GitHub App token rather than the
// GITHUB_TOKEN: it reaches other repositories, must trigger workflows, or
// edits workflow files; "" when the GITHUB_TOKEN can do its work.
func appReason(j *job) string {
	if len(otherRepos(j)) > 0 {
		return "it reaches other repositories"
	}
	for _, s := range j.steps {
		for _, a := range triggering {
			if s.action(a) {
				return s.uses + " must create events that start workflows, which GITHUB_TOKEN events do not"
			}
		}
		if strings.Contains(s.run, ".github/workflows") {
			return "it edits workflow files, which needs the workflows permission"
		}
		if ghRepoFlag.MatchString(s.run) {
			return "its gh commands name other repositories"
		}
	}
	return ""
}

// otherRepos lists the repositories (names) other than the workflow's own
// that the job checks out.
func otherRepos(j *job) []string {
	var out []string
	for _, s := range j.steps {
		if !s.action("actions/checkout") {
			continue
		}
		r := strings.TrimSpace(scalar(s.input("repository")))
		if r == "" || strings.Contains(r, "github.repository") {
			continue
		}
		if _, name, ok := strings.Cut(r, "/"); ok {
			r = name
		}
		out = appendUnique(out, r)
	}
	return out
}
