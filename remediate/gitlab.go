package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

// glReserved are top-level .gitlab-ci.yml keys that are not jobs.
var glReserved = map[string]bool{
	"stages": true, "variables": true, "default": true, "include": true, "workflow": true,
	"image": true, "services": true, "before_script": true, "after_script": true, "cache": true,
}

// glProvider describes how one cloud's static credentials look in GitLab
// CI and what replaces them.
type glProvider struct {
	name     string
	credType string
	vars     []string       // CI variables holding the static credential
	use      *regexp.Regexp // script lines that use the credential implicitly
	drop     *regexp.Regexp // whole script items that only plumb the credential
	login    *regexp.Regexp // whole script items replaced by the federated login
	explicit *regexp.Regexp // other script uses: refused
	token    string         // id_tokens variable
	aud      func(fc *fileCtx) string
	items    func(fc *fileCtx, login string) []*yamledit.Frag
}

func glProviders() []glProvider {
	return []glProvider{
		{
			name: "aws", credType: "aws-access-key",
			vars:     []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
			use:      regexp.MustCompile(`(^|[\s;&|(])(aws|sam|cdk|terraform|terragrunt|serverless|pulumi|eksctl)\s|s3://`),
			drop:     regexp.MustCompile(`^\s*aws\s+configure\s+set\s+aws_(access_key_id|secret_access_key)\s+"?\$\{?AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)\}?"?\s*$`),
			explicit: regexp.MustCompile(`\$\{?AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)\b`),
			token:    "AWS_ID_TOKEN",
			aud:      func(*fileCtx) string { return "sts.amazonaws.com" },
			items: func(fc *fileCtx, _ string) []*yamledit.Frag {
				role := "${AWS_ROLE_ARN}"
				if fc.opts.IDs.AWSRoleARN != "" {
					role = fc.opts.IDs.AWSRoleARN
				}
				return []*yamledit.Frag{yamledit.Lit(`export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s" \
  $(aws sts assume-role-with-web-identity \
    --role-arn "` + role + `" \
    --role-session-name "gitlab-${CI_PROJECT_ID}-${CI_PIPELINE_ID}" \
    --web-identity-token "${AWS_ID_TOKEN}" \
    --duration-seconds 3600 \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' \
    --output text))
`)}
			},
		},
		{
			name: "gcp", credType: "gcp-service-account-key",
			vars:     []string{"GCP_SA_KEY", "GOOGLE_CREDENTIALS", "GCLOUD_SERVICE_KEY", "GOOGLE_APPLICATION_CREDENTIALS_JSON"},
			use:      regexp.MustCompile(`(^|[\s;&|(])(gcloud|gsutil|terraform|bq)\s`),
			drop:     regexp.MustCompile(`^\s*echo\s+"?\$\{?(GCP_SA_KEY|GOOGLE_CREDENTIALS|GCLOUD_SERVICE_KEY|GOOGLE_APPLICATION_CREDENTIALS_JSON)\}?"?\s*(\|\s*base64\s+(-d|--decode)\s*)?>\s*\S+\s*$`),
			login:    regexp.MustCompile(`^\s*gcloud\s+auth\s+activate-service-account\b[^&|;]*--key-file[= ]\S+[^&|;]*$`),
			explicit: regexp.MustCompile(`\$\{?(GCP_SA_KEY|GOOGLE_CREDENTIALS|GCLOUD_SERVICE_KEY|GOOGLE_APPLICATION_CREDENTIALS_JSON)\b|--key-file`),
			token:    "GCP_ID_TOKEN",
			aud: func(fc *fileCtx) string {
				return "https://iam.googleapis.com/" + firstNonEmpty(fc.opts.IDs.GCPWorkloadIdentityProvider, "${GCP_WORKLOAD_IDENTITY_PROVIDER}")
			},
			items: func(fc *fileCtx, _ string) []*yamledit.Frag {
				prov := firstNonEmpty(fc.opts.IDs.GCPWorkloadIdentityProvider, "${GCP_WORKLOAD_IDENTITY_PROVIDER}")
				sa := firstNonEmpty(fc.opts.IDs.GCPServiceAccount, "${GCP_SERVICE_ACCOUNT}")
				return []*yamledit.Frag{
					yamledit.Str(`echo "${GCP_ID_TOKEN}" > "${CI_BUILDS_DIR}/.gcp_oidc_token"`),
					yamledit.Str(`gcloud iam workload-identity-pools create-cred-config "` + prov + `" --service-account="` + sa + `" --credential-source-file="${CI_BUILDS_DIR}/.gcp_oidc_token" --output-file="${CI_BUILDS_DIR}/.gcp_cred.json"`),
					yamledit.Str(`gcloud auth login --cred-file="${CI_BUILDS_DIR}/.gcp_cred.json"`),
					yamledit.Str(`export GOOGLE_APPLICATION_CREDENTIALS="${CI_BUILDS_DIR}/.gcp_cred.json"`),
				}
			},
		},
		{
			name: "azure", credType: "azure-client-secret",
			vars:     []string{"AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"},
			use:      regexp.MustCompile(`(^|[\s;&|(])(az|terraform)\s`),
			login:    regexp.MustCompile(`^\s*az\s+login\s+--service-principal\b[^&|;]*(\s-p\s|--password|--secret)[^&|;]*$`),
			explicit: regexp.MustCompile(`\$\{?(AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET)\b`),
			token:    "AZURE_ID_TOKEN",
			aud:      func(*fileCtx) string { return "api://AzureADTokenExchange" },
			items: func(fc *fileCtx, login string) []*yamledit.Frag {
				user, tenant := azArg(login, "-u", "--username"), azArg(login, "-t", "--tenant")
				user = firstNonEmpty(fc.opts.IDs.AzureClientID, user, `"${AZURE_CLIENT_ID}"`)
				tenant = firstNonEmpty(fc.opts.IDs.AzureTenantID, tenant, `"${AZURE_TENANT_ID}"`)
				return []*yamledit.Frag{yamledit.Str("az login --service-principal -u " + user + " --tenant " + tenant + ` --federated-token "${AZURE_ID_TOKEN}"`)}
			},
		},
		{
			name: "vault", credType: "vault-service-token",
			vars:     []string{"VAULT_TOKEN"},
			use:      regexp.MustCompile(`(^|[\s;&|(])vault\s`),
			drop:     regexp.MustCompile(`^\s*export\s+VAULT_TOKEN="?\$\{?VAULT_TOKEN\}?"?\s*$`),
			login:    regexp.MustCompile(`^\s*vault\s+login\s+(-no-print\s+)?("?\$\{?VAULT_TOKEN\}?"?|token="?\$\{?VAULT_TOKEN\}?"?)\s*$`),
			explicit: regexp.MustCompile(`\$\{?VAULT_TOKEN\b`),
			token:    "VAULT_ID_TOKEN",
			aud: func(fc *fileCtx) string {
				return firstNonEmpty(fc.opts.IDs.VaultAddr, "${VAULT_ADDR}")
			},
			items: func(fc *fileCtx, _ string) []*yamledit.Frag {
				role := firstNonEmpty(fc.opts.IDs.VaultRole, "${VAULT_ROLE}")
				return []*yamledit.Frag{yamledit.Str(`export VAULT_TOKEN="$(vault write -field=token auth/jwt/login role=` + role + ` jwt="${VAULT_ID_TOKEN}")"`)}
			},
		},
	}
}

// azArg returns the value of a flag in an az command line.
func azArg(line string, flags ...string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		for _, fl := range flags {
			if f[i] == fl {
				return f[i+1]
			}
			if v, ok := strings.CutPrefix(f[i], fl+"="); ok {
				return v
			}
		}
	}
	return ""
}

// glJob is a GitLab CI job.
type glJob struct {
	id     string
	node   *yaml.Node
	vars   *yaml.Node
	script *yaml.Node
	before *yaml.Node
}

func glJobs(root *yaml.Node) []*glJob {
	var out []*glJob
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		if glReserved[k] || v.Kind != yaml.MappingNode {
			continue
		}
		s := yamledit.Get(v, "script")
		if s == nil && yamledit.Get(v, "before_script") == nil {
			continue
		}
		j := &glJob{id: k, node: v, vars: mapping(yamledit.Get(v, "variables"))}
		if s != nil && s.Kind == yaml.SequenceNode {
			j.script = s
		}
		if b := yamledit.Get(v, "before_script"); b != nil && b.Kind == yaml.SequenceNode {
			j.before = b
		}
		out = append(out, j)
	}
	return out
}

// fixGitLab replaces static cloud and Vault credentials in GitLab CI with
// id_tokens (CI-1): the CI variables that plumb them go, whole script items
// that log in with them become federated logins, and each job gets the ID
// token it needs.
func fixGitLab(fc *fileCtx) {
	d, err := yamledit.Parse(fc.src)
	if err != nil {
		fc.refuseErr(err)
		return
	}
	if d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return
	}
	topVars := mapping(yamledit.Get(d.Root, "variables"))
	e := d.Edit()
	providers := glProviders()
	used := map[string]bool{}
	topDrop := map[string]bool{}
	topRefused := map[string]bool{}
	for _, j := range glJobs(d.Root) {
		var tokens []yamledit.FragPair
		var jobEdits []func()
		refused := ""
		for _, p := range providers {
			ed, tok, reason := planGitLabJob(fc, e, j, topVars, p)
			if reason != "" {
				refused = reason
				if countKeys(topVars, p.vars) > 0 {
					topRefused[p.name] = true
				}
				continue
			}
			if ed == nil {
				continue
			}
			jobEdits = append(jobEdits, ed)
			tokens = append(tokens, tok)
			used[p.name] = true
			if countKeys(topVars, p.vars) > 0 {
				topDrop[p.name] = true
			}
		}
		if refused != "" {
			fc.refuse(j.node.Line, "%s", refused)
			continue
		}
		for _, ed := range jobEdits {
			ed()
		}
		if len(tokens) > 0 {
			if idt := mapping(yamledit.Get(j.node, "id_tokens")); idt != nil {
				for _, t := range tokens {
					e.SetPair(idt, t)
				}
			} else {
				e.SetPair(j.node, yamledit.P("id_tokens", yamledit.Map(tokens...)), "before_script", "script")
			}
		}
	}
	for _, p := range providers {
		if topDrop[p.name] && !topRefused[p.name] {
			deleteEnv(e, d.Root, topVars, p.vars, map[*yaml.Node]bool{})
			fc.detail("removed the top-level %s variables", strings.Join(p.vars, ", "))
		} else if topRefused[p.name] {
			fc.refuse(topVars.Line, "the top-level %s variables stay: a job that reads them cannot be rewritten", strings.Join(p.vars, ", "))
		}
	}
	if len(used) == 0 {
		return
	}
	if !fc.commit(e) {
		return
	}
	fc.summary = "Replace static CI/CD variables with GitLab ID tokens (id_tokens) and federated logins"
	gitlabSetup(fc, used)
}

// planGitLabJob decides one provider's rewrite of job j; it returns the
// edit (nil when the job has nothing of p's), the job's id_tokens entry,
// or a refusal reason.
func planGitLabJob(fc *fileCtx, e *yamledit.Editor, j *glJob, topVars *yaml.Node, p glProvider) (func(), yamledit.FragPair, string) {
	var none yamledit.FragPair
	jobVars := countKeys(j.vars, p.vars) > 0
	uses := false
	var drops, logins []*yaml.Node
	var seq *yaml.Node
	for _, s := range []*yaml.Node{j.before, j.script} {
		if s == nil {
			continue
		}
		for _, it := range s.Content {
			v := scalar(it)
			switch {
			case p.drop != nil && p.drop.MatchString(v):
				drops = append(drops, it)
				seq = firstSeq(seq, s)
			case p.login != nil && p.login.MatchString(v):
				logins = append(logins, it)
				seq = firstSeq(seq, s)
			default:
				if p.use.MatchString(v) {
					uses = true
				}
			}
		}
	}
	inherits := countKeys(topVars, p.vars) > 0 && uses
	if !jobVars && !inherits && len(drops)+len(logins) == 0 {
		return nil, none, ""
	}
	for _, s := range []*yaml.Node{j.before, j.script} {
		if s == nil {
			continue
		}
		for _, it := range s.Content {
			if containsNode(drops, it) || containsNode(logins, it) {
				continue
			}
			if p.explicit.MatchString(nodeText(it)) {
				return nil, none, "job " + j.id + ": the script line at line " + itoa(it.Line) + " reads the " + p.name + " credential directly; sessionize rewrites whole login lines and variables only"
			}
		}
	}
	if j.script == nil {
		return nil, none, "job " + j.id + " has no script list to add the " + p.name + " login to"
	}
	if strings.Contains(nodeText(j.node), "CI_JOB_JWT") {
		return nil, none, "job " + j.id + " uses CI_JOB_JWT, removed in GitLab 17.0: migrate it to id_tokens by hand"
	}
	tok := yamledit.P(p.token, yamledit.Map(yamledit.P("aud", yamledit.Str(p.aud(fc)))))
	edit := func() {
		if len(logins) > 0 {
			e.InsertItems(parentSeq(j, logins[0]), logins[0], p.items(fc, scalar(logins[0]))...)
		} else {
			target := j.script
			if seq != nil {
				target = seq
			}
			if j.before != nil && anyUses(j.before, p.use) {
				target = j.before
			}
			before := target.Content[0]
			if len(drops) > 0 && containsNode(target.Content, drops[0]) {
				before = drops[0]
			}
			e.InsertItems(target, before, p.items(fc, "")...)
		}
		for _, it := range append(append([]*yaml.Node(nil), drops...), logins...) {
			e.DeleteItem(parentSeq(j, it), it)
		}
		if jobVars {
			deleteEnvKey(e, j.node, "variables", j.vars, p.vars)
		}
		owner, name := fc.opts.repo()
		for _, v := range p.vars {
			if yamledit.Get(j.vars, v) != nil || yamledit.Get(topVars, v) != nil {
				fc.retireRef(p.credType, "$"+v, "glab variable delete "+v+" --repo "+owner+"/"+name)
			}
		}
		fc.detail("job %s: %s credentials come from the %s ID token", j.id, p.name, p.token)
	}
	return edit, tok, ""
}

// deleteEnvKey is deleteEnv for a mapping under key (variables:).
func deleteEnvKey(e *yamledit.Editor, parent *yaml.Node, key string, m *yaml.Node, names []string) {
	if len(m.Content)/2 == countKeys(m, names) {
		e.DeletePair(parent, key)
		return
	}
	for _, n := range names {
		e.DeletePair(m, n)
	}
}

func firstSeq(have, s *yaml.Node) *yaml.Node {
	if have != nil {
		return have
	}
	return s
}

func parentSeq(j *glJob, it *yaml.Node) *yaml.Node {
	if j.before != nil && containsNode(j.before.Content, it) {
		return j.before
	}
	return j.script
}

func containsNode(ns []*yaml.Node, n *yaml.Node) bool {
	for _, c := range ns {
		if c == n {
			return true
		}
	}
	return false
}

func anyUses(seq *yaml.Node, re *regexp.Regexp) bool {
	for _, it := range seq.Content {
		if re.MatchString(scalar(it)) {
			return true
		}
	}
	return false
}

// gitlabSetup adds the provider-side setup for GitLab's issuer.
func gitlabSetup(fc *fileCtx, used map[string]bool) {
	owner, name := fc.opts.repo()
	issuer := strings.TrimSuffix(firstNonEmpty(fc.opts.IDs.GitLabURL, "https://gitlab.com"), "/")
	host := strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
	subs := []string{"project_path:" + owner + "/" + name + ":ref_type:branch:ref:" + fc.opts.defaultBranch()}
	fc.caveat("the subject claims assume jobs run on the default branch (%s); jobs on other branches or tags need their own project_path:...:ref_type:...:ref:... entries, and protected refs (ref_protected) are the safer condition", fc.opts.defaultBranch())
	fc.caveat("%s is a shared issuer: the trust must always name the project path (or project_id)", host)
	glVar := "glab variable set %s --repo " + owner + "/" + name + " --value \"%%s\"\n"
	if used["aws"] {
		var vars []Variable
		if fc.opts.IDs.AWSRoleARN == "" {
			vars = append(vars, Variable{Name: "AWS_ROLE_ARN", Description: "ARN of the IAM role the jobs assume (CI/CD variable)"})
		}
		fc.addSetup(awsRoleSetup(fc.opts, host, issuer, "sts.amazonaws.com", subs, sprintf(glVar, "AWS_ROLE_ARN"), vars))
	}
	if used["gcp"] {
		fc.addSetup(Setup{
			Provider: "gcp", Title: "GCP: workload identity provider for " + issuer, Subjects: subs,
			Variables: []Variable{{Name: "GCP_WORKLOAD_IDENTITY_PROVIDER", Description: "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"}, {Name: "GCP_SERVICE_ACCOUNT", Description: "service account to impersonate"}},
			CLI: "gcloud iam workload-identity-pools providers create-oidc gitlab --location=global --workload-identity-pool=gitlab \\\n  --issuer-uri=\"" + issuer + "\" --allowed-audiences=\"https://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/gitlab/providers/gitlab\" \\\n  --attribute-mapping=\"google.subject=assertion.sub,attribute.project_path=assertion.project_path\" \\\n  --attribute-condition=\"assertion.project_path == '" + owner + "/" + name + "'\"\n" +
				"gcloud iam service-accounts add-iam-policy-binding \"${GCP_SERVICE_ACCOUNT}\" --role=roles/iam.workloadIdentityUser \\\n  --member=\"principalSet://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/gitlab/attribute.project_path/" + owner + "/" + name + "\"\n",
		})
	}
	if used["azure"] {
		fc.addSetup(azureFICSetup(fc.opts, issuer, subs, []Variable{{Name: "AZURE_CLIENT_ID", Description: "client ID of the Entra application"}, {Name: "AZURE_TENANT_ID", Description: "Entra tenant ID"}}))
	}
	if used["vault"] {
		fc.addSetup(vaultJWTSetup(fc.opts, issuer, firstNonEmpty(fc.opts.IDs.VaultAddr, "https://vault.example.com"), subs,
			[]Variable{{Name: "VAULT_ROLE", Description: "Vault jwt role (CI/CD variable)"}}))
	}
}
