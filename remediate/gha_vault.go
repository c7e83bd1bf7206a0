package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var vaultUse = regexp.MustCompile(`(^|[\s;&|(])(vault|terraform|consul-template|envconsul)\s`)

// fixGHAVault turns Vault static tokens in GitHub Actions into JWT auth
// with the GitHub OIDC token (GA-7): hashicorp/vault-action gets method:
// jwt and a role; VAULT_TOKEN in env is replaced by a vault-action step
// that exports a short-lived token.
func fixGHAVault(fc *fileCtx) {
	w := loadWorkflow(fc, "vault", "VAULT_TOKEN")
	if w == nil {
		return
	}
	var fixes []*jobFix
	for _, j := range w.jobs {
		if jf := planVaultJob(fc, w, j); jf != nil {
			fixes = append(fixes, jf)
		}
	}
	tails, ok := runJobFixes(fc, w, fixes, nil)
	if !ok {
		return
	}
	fc.summary = "Authenticate to Vault with the GitHub OIDC token (vault-action method: jwt) instead of a static token"
	fc.caveat("Vault must be reachable from the runner; Vault 1.17+ requires bound_audiences on the role (the default audience is https://github.com/OWNER)")
	owner, _ := fc.opts.repo()
	var vars []Variable
	if fc.opts.IDs.VaultRole == "" {
		vars = append(vars, Variable{Name: "VAULT_ROLE", Description: "name of the Vault jwt auth role"})
	}
	if strings.Contains(string(fc.out), "vars.VAULT_ADDR") {
		vars = append(vars, Variable{Name: "VAULT_ADDR", Description: "Vault address"})
	}
	fc.addSetup(vaultJWTSetup(fc.opts, githubIssuer, "https://github.com/"+owner, subjects(fc.opts, tails), vars))
}

func planVaultJob(fc *fileCtx, w *workflow, j *job) *jobFix {
	jf := &jobFix{j: j, need: permSet{"id-token": "write"}, oidc: true, credType: "vault-service-token"}
	var actions []*step
	for _, s := range j.steps {
		if !s.action("hashicorp/vault-action") {
			continue
		}
		method := strings.TrimSpace(scalar(s.input("method")))
		if method == "" || method == "token" || method == "approle" || method == "github" {
			if method == "" && s.input("token") == nil {
				continue
			}
			actions = append(actions, s)
		}
	}
	wfTok, jobTok, stepTok := keyEnvs(w, j, "VAULT_TOKEN")
	jobTok, stepTok, wfTok = fromSecrets(jobTok), fromSecrets(stepTok), fromSecrets(wfTok)
	if len(wfTok) > 0 && len(jobTok)+len(stepTok)+len(actions) == 0 {
		for _, s := range j.steps {
			if vaultUse.MatchString(s.run) {
				jf.refuse(wfTok[0].key.Line, "VAULT_TOKEN is set in the workflow-level env; move it to the jobs that need it and re-run")
				return jf
			}
		}
		return nil
	}
	if len(actions)+len(jobTok)+len(stepTok) == 0 {
		return nil
	}
	if j.uses != "" {
		jf.refuse(j.node.Line, "job %s calls the reusable workflow %s: rewrite the called workflow", j.id, j.uses)
	}
	role := ghaVar(fc.opts.IDs.VaultRole, "VAULT_ROLE")
	for _, s := range actions {
		for _, k := range []string{"token", "secretId", "roleId", "githubToken"} {
			jf.secrets = appendUnique(jf.secrets, secretsIn(s.input(k))...)
		}
	}
	envs := append(append([]envEntry(nil), jobTok...), stepTok...)
	jf.secrets = appendUnique(jf.secrets, envSecrets(envs)...)
	var at *step
	if len(envs) > 0 {
		at = insertionPoint(j, func(s *step) bool { return hasKeyEnv(stepTok, s) || (len(stepTok) == 0 && vaultUse.MatchString(s.run)) })
		jf.extra = []*step{{uses: "hashicorp/vault-action"}}
	}
	jf.edit = func(e *yamledit.Editor) {
		for _, s := range actions {
			deleteInputs(e, s, 2, "token", "roleId", "secretId", "githubToken")
			e.SetPair(mapping(s.with), yamledit.P("method", yamledit.Raw("jwt")), "secrets")
			e.SetPair(mapping(s.with), yamledit.P("role", yamledit.Raw(role)), "secrets")
			e.SetPair(s.node, usesPair("hashicorp/vault-action"))
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" logs in with method: jwt instead of a static token")
		}
		if len(envs) > 0 {
			addr := vaultAddr(fc, w, j, at)
			insertStep(e, j, at, yamledit.Map(
				yamledit.P("name", yamledit.Raw("Log in to Vault (OIDC)")),
				usesPair("hashicorp/vault-action"),
				yamledit.P("with", yamledit.Map(
					yamledit.P("url", yamledit.Raw(addr)),
					yamledit.P("method", yamledit.Raw("jwt")),
					yamledit.P("role", yamledit.Raw(role)),
					yamledit.P("exportToken", yamledit.Raw("true")),
				)),
			))
			done := map[*yaml.Node]bool{}
			for _, en := range envs {
				parent := j.node
				if en.step != nil {
					parent = en.step.node
				}
				deleteEnv(e, parent, en.m, []string{"VAULT_TOKEN"}, done)
			}
			jf.details = append(jf.details, "job "+j.id+": VAULT_TOKEN comes from a vault-action jwt login (exportToken) instead of a stored token")
		}
	}
	return jf
}

// vaultAddr finds the Vault address for an inserted vault-action step.
func vaultAddr(fc *fileCtx, w *workflow, j *job, at *step) string {
	if fc.opts.IDs.VaultAddr != "" {
		return yamledit.Quote(fc.opts.IDs.VaultAddr)
	}
	if yamledit.Get(j.env, "VAULT_ADDR") != nil || yamledit.Get(w.env, "VAULT_ADDR") != nil {
		return "${{ env.VAULT_ADDR }}"
	}
	if at != nil {
		if v := yamledit.Get(at.env, "VAULT_ADDR"); v != nil {
			return rawScalar(v)
		}
	}
	return "${{ vars.VAULT_ADDR }}"
}
