package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	azureUse      = regexp.MustCompile(`(^|[\s;&|(])(terraform|terragrunt|az|pulumi)\s`)
	azureSecretIn = regexp.MustCompile(`az\s+login\b[^\n]*(\s-p\s|--password|--secret)|secrets\.[A-Z0-9_]*(AZURE|ARM)_CLIENT_SECRET`)
)

// fixGHAAzure rewrites Azure service-principal secrets in GitHub Actions
// (GA-3): azure/login creds → client-id/tenant-id/subscription-id (OIDC),
// and ARM_CLIENT_SECRET for Terraform → ARM_USE_OIDC with ARM_CLIENT_ID,
// ARM_TENANT_ID and ARM_SUBSCRIPTION_ID.
func fixGHAAzure(fc *fileCtx) {
	w := loadWorkflow(fc, "creds:", "ARM_CLIENT_SECRET", "AZURE_CREDENTIALS")
	if w == nil {
		return
	}
	armAll := fromSecrets(w.envEntries("ARM_CLIENT_SECRET"))
	var wfARM *envEntry
	for i, en := range armAll {
		if en.level == "workflow" {
			wfARM = &armAll[i]
		}
	}
	receivers := map[*job]bool{}
	if wfARM != nil {
		js, _ := jobsUsing(w, func(s *step) bool { return azureUse.MatchString(s.run) || s.action("hashicorp/setup-terraform") })
		for _, j := range js {
			receivers[j] = true
		}
	}
	var fixes []*jobFix
	wfOK := wfARM != nil
	for _, j := range w.jobs {
		jf := planAzureJob(fc, j, armAll, receivers[j])
		if jf == nil {
			continue
		}
		if receivers[j] && jf.refusal != "" {
			wfOK = false
		}
		fixes = append(fixes, jf)
	}
	var extra func(e *yamledit.Editor)
	switch {
	case wfARM != nil && wfOK:
		extra = func(e *yamledit.Editor) {
			armOIDC(fc, e, w.env)
			for _, s := range secretsIn(wfARM.val) {
				fc.retire("azure-client-secret", s)
			}
			fc.detail("workflow env: ARM_CLIENT_SECRET replaced by ARM_USE_OIDC")
		}
	case wfARM != nil:
		fc.refuse(wfARM.key.Line, "the workflow-level ARM_CLIENT_SECRET stays: a job that reads it cannot be rewritten")
	}
	tails, ok := runJobFixes(fc, w, fixes, extra)
	if !ok {
		return
	}
	fc.summary = "Replace the Azure service-principal secret with OIDC federated credentials (azure/login client-id, ARM_USE_OIDC)"
	fc.caveat("azure/login needs Azure CLI 2.30 or later on the runner; the Entra token (1 h) outlives the GitHub OIDC token (5 min): re-run azure/login before late steps of long jobs")
	var vars []Variable
	for _, v := range []struct{ id, name, desc string }{
		{fc.opts.IDs.AzureClientID, "AZURE_CLIENT_ID", "client ID of the Entra application or managed identity"},
		{fc.opts.IDs.AzureTenantID, "AZURE_TENANT_ID", "Entra tenant ID"},
		{fc.opts.IDs.AzureSubscriptionID, "AZURE_SUBSCRIPTION_ID", "Azure subscription ID"},
	} {
		if v.id == "" {
			vars = append(vars, Variable{Name: v.name, Description: v.desc})
		}
	}
	fc.addSetup(azureFICSetup(fc.opts, githubIssuer, subjects(fc.opts, tails), vars))
}

func azureIDs(fc *fileCtx) (client, tenant, sub string) {
	client = ghaVar(fc.opts.IDs.AzureClientID, "AZURE_CLIENT_ID")
	tenant = ghaVar(fc.opts.IDs.AzureTenantID, "AZURE_TENANT_ID")
	sub = ghaVar(fc.opts.IDs.AzureSubscriptionID, "AZURE_SUBSCRIPTION_ID")
	return client, tenant, sub
}

// armOIDC turns an env mapping with ARM_CLIENT_SECRET into the azurerm
// provider's OIDC settings.
func armOIDC(fc *fileCtx, e *yamledit.Editor, env *yaml.Node) {
	client, tenant, sub := azureIDs(fc)
	e.DeletePair(env, "ARM_CLIENT_SECRET")
	e.SetPair(env, yamledit.P("ARM_USE_OIDC", yamledit.Raw("true")))
	for _, kv := range [][2]string{{"ARM_CLIENT_ID", client}, {"ARM_TENANT_ID", tenant}, {"ARM_SUBSCRIPTION_ID", sub}} {
		if yamledit.Get(env, kv[0]) == nil {
			e.SetPair(env, yamledit.P(kv[0], yamledit.Raw(kv[1])))
		}
	}
}

func planAzureJob(fc *fileCtx, j *job, arm []envEntry, viaWF bool) *jobFix {
	jf := &jobFix{j: j, need: permSet{"id-token": "write"}, oidc: true, credType: "azure-client-secret"}
	var logins []*step
	var envs []envEntry
	for _, en := range arm {
		if en.job == j {
			envs = append(envs, en)
		}
	}
	for _, s := range j.steps {
		if s.action("azure/login") && s.input("creds") != nil {
			logins = append(logins, s)
		}
		if s.runN != nil && azureSecretIn.MatchString(s.run) {
			jf.refuse(s.runN.Line, "job %s: %s logs in with the client secret inside its script; sessionize rewrites only structured places: use azure/login with client-id, tenant-id and subscription-id", j.id, s.label())
		}
		if v := yamledit.Get(s.env, "AZURE_CLIENT_SECRET"); v != nil && strings.Contains(scalar(v), "secrets.") {
			jf.refuse(v.Line, "job %s: %s passes AZURE_CLIENT_SECRET to an Azure SDK; switch the code to a workload identity credential by hand", j.id, s.label())
		}
	}
	if len(logins)+len(envs) == 0 && !viaWF && jf.refusal == "" {
		return nil
	}
	if j.uses != "" {
		jf.refuse(j.node.Line, "job %s calls the reusable workflow %s: rewrite the called workflow", j.id, j.uses)
	}
	for _, s := range logins {
		jf.secrets = appendUnique(jf.secrets, secretsIn(s.input("creds"))...)
	}
	jf.secrets = appendUnique(jf.secrets, envSecrets(envs)...)
	client, tenant, sub := azureIDs(fc)
	jf.edit = func(e *yamledit.Editor) {
		for _, s := range logins {
			deleteInputs(e, s, 3, "creds")
			setInputs(e, s, []yamledit.FragPair{
				yamledit.P("client-id", yamledit.Raw(client)),
				yamledit.P("tenant-id", yamledit.Raw(tenant)),
				yamledit.P("subscription-id", yamledit.Raw(sub)),
			})
			e.SetPair(s.node, usesPair("azure/login"))
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" logs in through OIDC instead of a client secret")
		}
		for _, en := range envs {
			armOIDC(fc, e, en.m)
			jf.details = append(jf.details, "job "+j.id+": "+en.level+" env ARM_CLIENT_SECRET replaced by ARM_USE_OIDC")
		}
	}
	return jf
}
