package remediate

import (
	"fmt"
	"strings"
)

const githubIssuer = "https://token.actions.githubusercontent.com"

// idVars returns how snippets refer to the owner and repository IDs: the
// numbers when known, else Terraform variables and shell variables filled
// by the gh CLI.
type idRefs struct {
	tfDecl, shDecl string
	tf, sh         func(string) string
}

func newIDRefs(o *Options) idRefs {
	owner, name := o.repo()
	if o.OwnerID != "" && o.RepoID != "" {
		same := func(s string) string { return s }
		return idRefs{tf: same, sh: same}
	}
	return idRefs{
		tfDecl: fmt.Sprintf("variable \"github_owner_id\" { type = string } # gh api repos/%s/%s --jq .owner.id\nvariable \"github_repo_id\" { type = string }  # gh api repos/%s/%s --jq .id\n\n", owner, name, owner, name),
		shDecl: fmt.Sprintf("OWNER_ID=$(gh api repos/%s/%s --jq .owner.id)\nREPO_ID=$(gh api repos/%s/%s --jq .id)\n", owner, name, owner, name),
		tf: func(s string) string {
			return strings.NewReplacer("<OWNER_ID>", "${var.github_owner_id}", "<REPO_ID>", "${var.github_repo_id}").Replace(s)
		},
		sh: func(s string) string {
			return strings.NewReplacer("<OWNER_ID>", "${OWNER_ID}", "<REPO_ID>", "${REPO_ID}").Replace(s)
		},
	}
}

func (r idRefs) ownerTF(o *Options) string { return r.tf(firstNonEmpty(o.OwnerID, "<OWNER_ID>")) }
func (r idRefs) repoTF(o *Options) string  { return r.tf(firstNonEmpty(o.RepoID, "<REPO_ID>")) }
func (r idRefs) ownerSh(o *Options) string { return r.sh(firstNonEmpty(o.OwnerID, "<OWNER_ID>")) }
func (r idRefs) repoSh(o *Options) string  { return r.sh(firstNonEmpty(o.RepoID, "<REPO_ID>")) }

func hclList(items []string, ind string, conv func(string) string) string {
	var b strings.Builder
	b.WriteString("[\n")
	for _, s := range items {
		fmt.Fprintf(&b, "%s  %q,\n", ind, conv(s))
	}
	b.WriteString(ind + "]")
	return b.String()
}

func jsonList(items []string, conv func(string) string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", conv(s))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func roleName(o *Options, prefix string) string {
	if arn := o.IDs.AWSRoleARN; arn != "" {
		if i := strings.LastIndex(arn, "/"); i >= 0 {
			return arn[i+1:]
		}
	}
	_, name := o.repo()
	return prefix + "-" + strings.ToLower(name)
}

// awsRoleSetup is the AWS side of an OIDC role assumption: the identity
// provider, a role trusting subs, and the role ARN variable.
func awsRoleSetup(o *Options, issuerHost, issuerURL, aud string, subs []string, ciVarCLI string, vars []Variable) Setup {
	owner, name := o.repo()
	r := newIDRefs(o)
	role := roleName(o, "ci")
	if issuerHost == "token.actions.githubusercontent.com" {
		role = roleName(o, "gha")
	}
	tf := r.tfDecl + fmt.Sprintf(`resource "aws_iam_openid_connect_provider" "ci" {
  url            = %q
  client_id_list = [%q]
}

data "aws_iam_policy_document" "ci_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.ci.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "%s:aud"
      values   = [%q]
    }
    condition {
      test     = "StringLike"
      variable = "%s:sub"
      values   = %s
    }
  }
}

resource "aws_iam_role" "ci" {
  name                 = %q
  assume_role_policy   = data.aws_iam_policy_document.ci_trust.json
  max_session_duration = 3600
  # attach the policies the retired access key's IAM user had, no more
}
`, issuerURL, aud, issuerHost, aud, issuerHost, hclList(subs, "      ", r.tf), role)
	cli := r.shDecl + fmt.Sprintf(`ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text)
# once per account (skip if the provider exists)
aws iam create-open-id-connect-provider --url %s --client-id-list %s
cat > trust.json <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
  "Principal": {"Federated": "arn:aws:iam::${ACCOUNT_ID}:oidc-provider/%s"},
  "Condition": {"StringEquals": {"%s:aud": %q},
                "StringLike": {"%s:sub": %s}}}]}
EOF
aws iam create-role --role-name %s --assume-role-policy-document file://trust.json --max-session-duration 3600
`, issuerURL, aud, strings.TrimPrefix(issuerURL, "https://"), issuerHost, aud, issuerHost, jsonList(subs, r.sh), role)
	if o.IDs.AWSRoleARN == "" && ciVarCLI != "" {
		cli += fmt.Sprintf(ciVarCLI, "arn:aws:iam::${ACCOUNT_ID}:role/"+role)
	}
	_ = owner
	_ = name
	return Setup{Provider: "aws", Title: "AWS: OIDC identity provider and role " + role, Subjects: subs, Variables: vars, Terraform: tf, CLI: cli}
}

// ghVarSet is the gh command that stores a repository variable; %s is the
// value.
func ghVarSet(o *Options, name string) string {
	owner, repo := o.repo()
	return fmt.Sprintf("gh variable set %s --repo %s/%s --body \"%%s\"\n", name, owner, repo)
}

func gcpWIFSetup(o *Options, subs []string, vars []Variable) Setup {
	owner, name := o.repo()
	r := newIDRefs(o)
	pool, prov := "github", strings.ToLower(name)
	if len(prov) > 32 {
		prov = prov[:32]
	}
	sa := firstNonEmpty(o.IDs.GCPServiceAccount, "deployer@${PROJECT_ID}.iam.gserviceaccount.com")
	tf := r.tfDecl + fmt.Sprintf(`resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = %q
}

resource "google_iam_workload_identity_pool_provider" "repo" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = %q
  attribute_mapping = {
    "google.subject"                = "assertion.sub"
    "attribute.repository_id"       = "assertion.repository_id"
    "attribute.repository_owner_id" = "assertion.repository_owner_id"
  }
  attribute_condition = "assertion.repository_owner_id == '%s' && assertion.repository_id == '%s'"
  oidc {
    issuer_uri = %q
  }
}

resource "google_service_account_iam_member" "wif" {
  service_account_id = "projects/${var.project_id}/serviceAccounts/%s"
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository_id/%s"
}
`, pool, prov, r.ownerTF(o), r.repoTF(o), githubIssuer, strings.ReplaceAll(sa, "${PROJECT_ID}", "${var.project_id}"), r.repoTF(o))
	cli := r.shDecl + fmt.Sprintf(`PROJECT_ID=my-project   # the project that owns the service account
PROJECT_NUMBER=$(gcloud projects describe "${PROJECT_ID}" --format='value(projectNumber)')
gcloud iam workload-identity-pools create %s --project="${PROJECT_ID}" --location=global --display-name="GitHub Actions"
gcloud iam workload-identity-pools providers create-oidc %s --project="${PROJECT_ID}" --location=global \
  --workload-identity-pool=%s --issuer-uri=%s \
  --attribute-mapping="google.subject=assertion.sub,attribute.repository_id=assertion.repository_id,attribute.repository_owner_id=assertion.repository_owner_id" \
  --attribute-condition="assertion.repository_owner_id == '%s' && assertion.repository_id == '%s'"
gcloud iam service-accounts add-iam-policy-binding "%s" --project="${PROJECT_ID}" \
  --role=roles/iam.workloadIdentityUser \
  --member="principalSet://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/%s/attribute.repository_id/%s"
`, pool, prov, pool, githubIssuer, r.ownerSh(o), r.repoSh(o), sa, pool, r.repoSh(o))
	if o.IDs.GCPWorkloadIdentityProvider == "" {
		cli += fmt.Sprintf(ghVarSet(o, "GCP_WORKLOAD_IDENTITY_PROVIDER"), "projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/"+pool+"/providers/"+prov)
	}
	if o.IDs.GCPServiceAccount == "" {
		cli += fmt.Sprintf(ghVarSet(o, "GCP_SERVICE_ACCOUNT"), sa)
	}
	_ = owner
	return Setup{Provider: "gcp", Title: "GCP: workload identity pool and provider for " + owner + "/" + name, Subjects: subs, Variables: vars, Terraform: tf, CLI: cli}
}

func azureFICSetup(o *Options, issuer string, subs []string, vars []Variable) Setup {
	_, name := o.repo()
	r := newIDRefs(o)
	var exact []string
	for _, s := range subs {
		if !strings.Contains(s, "*") {
			exact = append(exact, s)
		}
	}
	app := "ci-" + strings.ToLower(name)
	var tf strings.Builder
	tf.WriteString(r.tfDecl)
	fmt.Fprintf(&tf, `resource "azuread_application_registration" "ci" {
  display_name = %q
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application_registration.ci.client_id
}

# one federated credential per exact subject (at most 20 per application)
resource "azuread_application_federated_identity_credential" "ci" {
  for_each       = toset(%s)
  application_id = azuread_application_registration.ci.id
  display_name   = substr(replace(replace(replace(each.value, ":", "-"), "/", "-"), "@", "-"), 0, 120)
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = %q
  subject        = each.value
}
`, app, hclList(exact, "  ", r.tf), issuer)
	var cli strings.Builder
	cli.WriteString(r.shDecl)
	fmt.Fprintf(&cli, "appId=$(az ad app create --display-name %s --query appId -o tsv)\naz ad sp create --id \"$appId\"\nobjectId=$(az ad app show --id \"$appId\" --query id -o tsv)\n", app)
	for i, s := range exact {
		fmt.Fprintf(&cli, "az ad app federated-credential create --id \"$objectId\" --parameters \"{\\\"name\\\": \\\"%s-%d\\\", \\\"issuer\\\": \\\"%s\\\", \\\"subject\\\": \\\"%s\\\", \\\"audiences\\\": [\\\"api://AzureADTokenExchange\\\"]}\"\n", app, i+1, issuer, r.sh(s))
	}
	cli.WriteString("az role assignment create --assignee \"$appId\" --role Contributor --scope \"/subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>\"  # narrow to what the old secret could do\n")
	if issuer == githubIssuer {
		if o.IDs.AzureClientID == "" {
			fmt.Fprintf(&cli, ghVarSet(o, "AZURE_CLIENT_ID"), "$appId")
		}
		if o.IDs.AzureTenantID == "" {
			fmt.Fprintf(&cli, ghVarSet(o, "AZURE_TENANT_ID"), "$(az account show --query tenantId -o tsv)")
		}
		if o.IDs.AzureSubscriptionID == "" {
			fmt.Fprintf(&cli, ghVarSet(o, "AZURE_SUBSCRIPTION_ID"), "$(az account show --query id -o tsv)")
		}
	}
	s := Setup{Provider: "azure", Title: "Azure: Entra application " + app + " with federated credentials", Subjects: subs, Variables: vars, Terraform: tf.String(), CLI: cli.String()}
	if len(exact) < len(subs) {
		s.Steps = append(s.Steps, "Federated credentials match subjects exactly: for the wildcard subjects listed, create a flexible federated identity credential (claimsMatchingExpression) in the Entra portal or through Microsoft Graph.")
	}
	return s
}

func vaultJWTSetup(o *Options, issuer, aud string, subs []string, vars []Variable) Setup {
	owner, name := o.repo()
	r := newIDRefs(o)
	role := firstNonEmpty(o.IDs.VaultRole, "ci-"+strings.ToLower(name))
	tf := r.tfDecl + fmt.Sprintf(`resource "vault_jwt_auth_backend" "ci" {
  path               = "jwt"
  oidc_discovery_url = %q
  bound_issuer       = %q
}

resource "vault_jwt_auth_backend_role" "ci" {
  backend           = vault_jwt_auth_backend.ci.path
  role_name         = %q
  role_type         = "jwt"
  user_claim        = "repository"
  bound_audiences   = [%q]
  bound_claims_type = "glob"
  bound_claims = {
    sub = join(",", %s)
  }
  token_policies = ["%s"]   # the policies the retired token had, no more
  token_ttl      = 600
}
`, issuer, issuer, role, aud, hclList(subs, "    ", r.tf), "ci-"+strings.ToLower(name))
	cli := r.shDecl + fmt.Sprintf(`vault auth enable jwt   # once
vault write auth/jwt/config oidc_discovery_url=%q bound_issuer=%q
vault write auth/jwt/role/%s - <<EOF
{"role_type": "jwt", "user_claim": "repository", "bound_audiences": [%q],
 "bound_claims_type": "glob", "bound_claims": {"sub": %s},
 "token_policies": ["ci-%s"], "token_ttl": "10m"}
EOF
`, issuer, issuer, role, aud, jsonList(subs, r.sh), strings.ToLower(name))
	if o.IDs.VaultRole == "" && issuer == githubIssuer {
		cli += fmt.Sprintf(ghVarSet(o, "VAULT_ROLE"), role)
	}
	_ = owner
	return Setup{Provider: "vault", Title: "Vault: jwt auth role " + role, Subjects: subs, Variables: vars, Terraform: tf, CLI: cli}
}
