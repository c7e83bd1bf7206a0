package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	gcpKeyEnv   = []string{"GOOGLE_CREDENTIALS", "GOOGLE_CLOUD_KEYFILE_JSON", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "GCP_SA_KEY", "GCLOUD_SERVICE_KEY"}
	gcpUse      = regexp.MustCompile(`(^|[\s;&|(])(gcloud|gsutil|terraform|terragrunt|pulumi|bq|kubectl)\s`)
	garRegistry = regexp.MustCompile(`^(?:https://)?([a-z0-9-]+-docker\.pkg\.dev|(?:[a-z]+\.)?gcr\.io)/?$`)
	gcpKeyInRun = regexp.MustCompile(`activate-service-account|--key-file|secrets\.[A-Z0-9_]*(GCP|GCLOUD|GOOGLE)[A-Z0-9_]*`)
)

// fixGHAGCP rewrites GCP service-account keys in GitHub Actions (GA-2):
// google-github-actions/auth credentials_json, setup-gcloud
// service_account_key, key JSON passed through env, and docker/login-action
// to Artifact Registry with _json_key, into workload identity federation.
func fixGHAGCP(fc *fileCtx) {
	w := loadWorkflow(fc, "credentials_json", "service_account_key", "_json_key", "GOOGLE_CREDENTIALS", "GCP_SA_KEY")
	if w == nil {
		return
	}
	wfEnv := fromSecrets(w.envEntries(gcpKeyEnv...))
	var wfKeys []envEntry
	for _, en := range wfEnv {
		if en.level == "workflow" {
			wfKeys = append(wfKeys, en)
		}
	}
	receivers := map[*job]bool{}
	if len(wfKeys) > 0 {
		js, _ := jobsUsing(w, func(s *step) bool {
			return gcpUse.MatchString(s.run) || strings.HasPrefix(s.uses, "google-github-actions/")
		})
		for _, j := range js {
			receivers[j] = true
		}
	}
	var fixes []*gcpJobFix
	for _, j := range w.jobs {
		if jf := planGCPJob(fc, w, j, receivers[j]); jf != nil {
			fixes = append(fixes, jf)
		}
	}
	wfOK := len(wfKeys) > 0
	for _, jf := range fixes {
		if receivers[jf.j] && jf.refusal != "" {
			wfOK = false
		}
	}
	var extra func(e *yamledit.Editor)
	if wfOK {
		extra = func(e *yamledit.Editor) {
			deleteEnv(e, w.root, w.env, gcpKeyEnv, map[*yaml.Node]bool{})
			fc.detail("removed the workflow-level GCP key env entries")
			for _, s := range envSecrets(wfKeys) {
				fc.retire("gcp-service-account-key", s)
			}
		}
	} else if len(wfKeys) > 0 {
		fc.refuse(wfKeys[0].key.Line, "the workflow-level GCP key stays: a job that reads it cannot be rewritten")
		for _, jf := range fixes {
			if receivers[jf.j] && jf.refusal == "" && jf.onlyWF {
				jf.refuse(jf.j.node.Line, "job %s gets the key only from the workflow env, which stays", jf.j.id)
			}
		}
	}
	jfs := make([]*jobFix, len(fixes))
	for i, f := range fixes {
		jfs[i] = &f.jobFix
	}
	tails, ok := runJobFixes(fc, w, jfs, extra)
	if !ok {
		return
	}
	fc.summary = "Replace the GCP service-account key with workload identity federation (google-github-actions/auth)"
	fc.caveat("actions/checkout must run before google-github-actions/auth (it writes the credentials file into the workspace); add gha-creds-*.json to .gitignore and .dockerignore")
	fc.caveat("gsutil does not use these credentials: use gcloud storage")
	var vars []Variable
	if fc.opts.IDs.GCPWorkloadIdentityProvider == "" {
		vars = append(vars, Variable{Name: "GCP_WORKLOAD_IDENTITY_PROVIDER", Description: "full resource name of the workload identity provider"})
	}
	if fc.opts.IDs.GCPServiceAccount == "" {
		vars = append(vars, Variable{Name: "GCP_SERVICE_ACCOUNT", Description: "email of the service account to impersonate"})
	}
	fc.addSetup(gcpWIFSetup(fc.opts, subjects(fc.opts, tails), vars))
}

type gcpJobFix struct {
	jobFix
	onlyWF bool
}

func authPairs(fc *fileCtx, tokenFormat bool) []yamledit.FragPair {
	wip := ghaVar(fc.opts.IDs.GCPWorkloadIdentityProvider, "GCP_WORKLOAD_IDENTITY_PROVIDER")
	sa := ghaVar(fc.opts.IDs.GCPServiceAccount, "GCP_SERVICE_ACCOUNT")
	var p []yamledit.FragPair
	if tokenFormat {
		p = append(p, yamledit.P("token_format", yamledit.Raw("access_token")))
	}
	return append(p, yamledit.P("workload_identity_provider", yamledit.Raw(wip)), yamledit.P("service_account", yamledit.Raw(sa)))
}

func authStepFrag(fc *fileCtx, id string, tokenFormat bool) *yamledit.Frag {
	return yamledit.Map(
		yamledit.P("name", yamledit.Raw("Authenticate to Google Cloud (workload identity federation)")),
		yamledit.P("id", yamledit.Raw(id)),
		usesPair("google-github-actions/auth"),
		yamledit.P("with", yamledit.Map(authPairs(fc, tokenFormat)...)),
	)
}

func planGCPJob(fc *fileCtx, w *workflow, j *job, viaWF bool) *gcpJobFix {
	jf := &gcpJobFix{jobFix: jobFix{j: j, need: permSet{"id-token": "write"}, oidc: true, credType: "gcp-service-account-key"}}
	_, jobEnv, stepEnv := keyEnvs(w, j, gcpKeyEnv...)
	jobEnv, stepEnv = fromSecrets(jobEnv), fromSecrets(stepEnv)
	var auths, gclouds, logins []*step
	for _, s := range j.steps {
		switch {
		case s.action("google-github-actions/auth") && s.input("credentials_json") != nil:
			auths = append(auths, s)
		case s.action("google-github-actions/setup-gcloud") && s.input("service_account_key") != nil:
			gclouds = append(gclouds, s)
		case s.action("docker/login-action") && garRegistry.MatchString(strings.TrimSpace(scalar(s.input("registry")))) &&
			strings.HasPrefix(scalar(s.input("username")), "_json_key"):
			logins = append(logins, s)
		}
		if s.runN != nil && gcpKeyInRun.MatchString(s.run) && strings.Contains(s.run, "secrets.") {
			jf.refuse(s.runN.Line, "job %s: %s handles the key inside its script; sessionize rewrites only structured places: use google-github-actions/auth", j.id, s.label())
		}
	}
	if len(auths)+len(gclouds)+len(logins)+len(jobEnv)+len(stepEnv) == 0 && !viaWF && jf.refusal == "" {
		return nil
	}
	jf.onlyWF = len(auths)+len(gclouds)+len(logins)+len(jobEnv)+len(stepEnv) == 0
	if j.uses != "" {
		jf.refuse(j.node.Line, "job %s calls the reusable workflow %s: rewrite the called workflow", j.id, j.uses)
	}
	if jf.refusal != "" {
		return jf
	}
	for _, s := range append(append(append([]*step(nil), auths...), gclouds...), logins...) {
		for _, k := range []string{"credentials_json", "service_account_key", "password"} {
			jf.secrets = appendUnique(jf.secrets, secretsIn(s.input(k))...)
		}
	}
	jf.secrets = appendUnique(jf.secrets, envSecrets(append(append([]envEntry(nil), jobEnv...), stepEnv...))...)
	// An auth step is inserted before the first step that needs Google
	// credentials unless a converted auth step already runs before it.
	var authID string
	var firstAuth *step
	if len(auths) > 0 {
		firstAuth = auths[0]
		authID = firstNonEmpty(auths[0].id, "auth")
	}
	var at *step
	needInsert := false
	switch {
	case len(gclouds) > 0 || len(logins) > 0 || len(stepEnv) > 0:
		at = insertionPoint(j, func(s *step) bool {
			return contains(gclouds, s) || contains(logins, s) || hasKeyEnv(stepEnv, s)
		})
	case len(jobEnv) > 0 || viaWF:
		at = insertionPoint(j, func(s *step) bool {
			return gcpUse.MatchString(s.run) || strings.HasPrefix(s.uses, "google-github-actions/") && !s.action("google-github-actions/auth")
		})
	}
	if len(gclouds)+len(logins)+len(stepEnv)+len(jobEnv) > 0 || viaWF {
		needInsert = firstAuth == nil || (at != nil && at.index < firstAuth.index)
	}
	if needInsert {
		authID = "auth"
		if s := stepWithID(j, "auth"); s != nil {
			authID = "gcp-auth"
		}
		jf.extra = []*step{{uses: "google-github-actions/auth"}}
	}
	jf.edit = func(e *yamledit.Editor) {
		done := map[*yaml.Node]bool{}
		for _, s := range auths {
			deleteInputs(e, s, 2, "credentials_json")
			pairs := authPairs(fc, len(logins) > 0 && s == firstAuth && s.input("token_format") == nil)
			setInputs(e, s, pairs)
			if len(logins) > 0 && s == firstAuth && s.id == "" {
				e.SetPair(s.node, yamledit.P("id", yamledit.Raw(authID)), "uses")
			}
			e.SetPair(s.node, usesPair("google-github-actions/auth"))
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" authenticates through workload identity federation instead of a key")
		}
		if needInsert {
			insertStep(e, j, at, authStepFrag(fc, authID, len(logins) > 0))
			jf.details = append(jf.details, "job "+j.id+": added a google-github-actions/auth workload identity step")
		}
		for _, s := range gclouds {
			deleteInputs(e, s, 0, "service_account_key", "export_default_credentials")
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" uses the credentials of the auth step")
		}
		for _, s := range logins {
			e.SetPair(mapping(s.with), yamledit.P("username", yamledit.Raw("oauth2accesstoken")))
			e.SetPair(mapping(s.with), yamledit.P("password", yamledit.Raw("${{ steps."+authID+".outputs.access_token }}")))
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" logs in with the short-lived access token")
		}
		for _, en := range jobEnv {
			deleteEnv(e, j.node, en.m, gcpKeyEnv, done)
		}
		for _, en := range stepEnv {
			deleteEnv(e, en.step.node, en.m, gcpKeyEnv, done)
		}
		if len(jobEnv)+len(stepEnv) > 0 {
			jf.details = append(jf.details, "job "+j.id+": removed the GCP key env entries")
		}
	}
	return jf
}

func contains(ss []*step, s *step) bool {
	for _, c := range ss {
		if c == s {
			return true
		}
	}
	return false
}

func stepWithID(j *job, id string) *step {
	for _, s := range j.steps {
		if s.id == id {
			return s
		}
	}
	return nil
}
