package remediate

import (
	"bytes"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var npmrcAuth = regexp.MustCompile(`^(\s*)((//[^\s=]*:)?(_authToken|_auth|_password))(\s*=\s*)(.*?)(\s*)$`)

// fixNpmrc replaces literal credentials in .npmrc with environment
// references (CF-2): npm substitutes ${VAR} when it reads the file.
func fixNpmrc(fc *fileCtx) {
	lines := bytes.SplitAfter(fc.src, []byte("\n"))
	var out bytes.Buffer
	changed := 0
	var names []string
	for i, raw := range lines {
		body := bytes.TrimRight(raw, "\r\n")
		eol := raw[len(body):]
		m := npmrcAuth.FindSubmatch(body)
		if m == nil || len(m[6]) == 0 || bytes.HasPrefix(m[6], []byte("${")) {
			out.Write(raw)
			continue
		}
		name := npmrcVar(string(m[3]), string(m[4]))
		names = appendUnique(names, name)
		out.Write(m[1])
		out.Write(m[2])
		out.Write(m[5])
		out.WriteString("${" + name + "}")
		out.Write(m[7])
		out.Write(eol)
		changed++
		fc.detail("line %d: %s reads ${%s} instead of a literal", i+1, string(m[2]), name)
	}
	if changed == 0 {
		return
	}
	fc.out = out.Bytes()
	fc.summary = "Read the registry credentials of .npmrc from the environment"
	fc.caveat("npm fails on a registry whose ${VAR} is unset: set %s wherever npm runs (CI secret, developer shell); for publishing from CI prefer npm trusted publishing", strings.Join(names, ", "))
	fc.caveat("the literal stays in git history: revoke it")
	fc.retireRef("npm-token", ".npmrc literal", "")
	fc.addSetup(Setup{Provider: "npm", Title: "npm: provide " + strings.Join(names, ", ") + " to npm", Steps: []string{
		"Create a granular access token with the least scope (read-only for installs) and export it as " + strings.Join(names, ", ") + " where npm runs; in GitHub Actions prefer trusted publishing for publish and actions/setup-node registry-url for installs.",
	}})
}

// npmrcVar names the environment variable for a registry's credential.
func npmrcVar(prefix, key string) string {
	host := strings.TrimPrefix(prefix, "//")
	if i := strings.IndexAny(host, "/:"); i >= 0 {
		host = host[:i]
	}
	suffix := map[string]string{"_authToken": "TOKEN", "_auth": "AUTH", "_password": "PASSWORD"}[key]
	switch host {
	case "", "registry.npmjs.org":
		return "NPM_" + suffix
	case "npm.pkg.github.com":
		if suffix == "TOKEN" {
			return "NODE_AUTH_TOKEN"
		}
	}
	return "NPM_" + suffix + "_" + envName(host)
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

func envName(s string) string {
	return strings.Trim(strings.ToUpper(nonIdent.ReplaceAllString(s, "_")), "_")
}

// --- kubeconfig ---

var (
	eksHost = regexp.MustCompile(`\.([a-z0-9-]+)\.eks\.amazonaws\.com(\.cn)?$`)
	aksHost = regexp.MustCompile(`\.azmk8s\.io$`)
	gkeHost = regexp.MustCompile(`\.gke\.goog$`)
	eksARN  = regexp.MustCompile(`^arn:aws[a-z-]*:eks:([a-z0-9-]+):[0-9]{12}:cluster/(.+)$`)
)

var kubeSecretKeys = []string{"token", "client-key-data", "client-key", "password", "auth-provider", "tokenFile"}

// fixKubeconfig replaces static kubeconfig credentials with exec
// credential plugins (CF-4), when the cluster's server shows EKS, GKE or
// AKS.
func fixKubeconfig(fc *fileCtx) {
	d, err := yamledit.Parse(fc.src)
	if err != nil {
		fc.refuseErr(err)
		return
	}
	if d.Root == nil || d.Root.Kind != yaml.MappingNode || scalar(yamledit.Get(d.Root, "kind")) != "Config" {
		return
	}
	users := yamledit.Get(d.Root, "users")
	if users == nil || users.Kind != yaml.SequenceNode {
		return
	}
	e := d.Edit()
	fixed := 0
	var providers []string
	for _, u := range users.Content {
		name := scalar(yamledit.Get(u, "name"))
		user := mapping(yamledit.Get(u, "user"))
		if user == nil || countKeys(user, kubeSecretKeys) == 0 {
			continue
		}
		cluster, server := kubeClusterFor(d.Root, name)
		exec, provider, reason := kubeExec(cluster, server)
		if reason != "" {
			fc.refuse(u.Line, "user %s: %s", name, reason)
			continue
		}
		e.SetPair(u, yamledit.P("user", yamledit.Map(yamledit.P("exec", exec))))
		providers = appendUnique(providers, provider)
		fc.detail("user %s: %s exec plugin instead of a static credential", name, provider)
		fixed++
	}
	if fixed == 0 {
		return
	}
	if !fc.commit(e) {
		return
	}
	fc.summary = "Replace static kubeconfig credentials with exec credential plugins (" + strings.Join(providers, ", ") + ")"
	fc.caveat("the old token or client certificate stays valid until revoked: delete the service-account token Secret; for a leaked client key remove its bindings (clusters without certificate revocation need a CA rotation)")
	fc.caveat("better still, stop committing kubeconfigs: generate them with aws eks update-kubeconfig, gcloud container clusters get-credentials or az aks get-credentials")
	fc.retireRef("kubernetes-credential", "kubeconfig static credential", "")
	steps := map[string]string{
		"EKS": "EKS: map the IAM identity that runs `aws eks get-token` with an access entry (aws eks create-access-entry --cluster-name CLUSTER --principal-arn ROLE_ARN; aws eks associate-access-policy ...).",
		"GKE": "GKE: install gke-gcloud-auth-plugin and grant the Google identity roles/container.developer (or Kubernetes RBAC).",
		"AKS": "AKS: enable Entra ID integration with Azure RBAC, install kubelogin, grant the identity an AKS RBAC role; then az aks update --disable-local-accounts.",
	}
	for _, p := range providers {
		fc.addSetup(Setup{Provider: strings.ToLower(p), Title: p + ": cluster access for the exec plugin's identity", Steps: []string{steps[p]}})
	}
}

// kubeClusterFor returns the cluster name and server used by the first
// context naming user.
func kubeClusterFor(root *yaml.Node, user string) (string, string) {
	var cluster string
	if ctxs := yamledit.Get(root, "contexts"); ctxs != nil {
		for _, c := range ctxs.Content {
			ctx := yamledit.Get(c, "context")
			if scalar(yamledit.Get(ctx, "user")) == user {
				cluster = scalar(yamledit.Get(ctx, "cluster"))
				break
			}
		}
	}
	if cs := yamledit.Get(root, "clusters"); cs != nil {
		for _, c := range cs.Content {
			if scalar(yamledit.Get(c, "name")) == cluster {
				return cluster, scalar(yamledit.Get(yamledit.Get(c, "cluster"), "server"))
			}
		}
	}
	return cluster, ""
}

func kubeExec(cluster, server string) (*yamledit.Frag, string, string) {
	host := server
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	host, _, _ = strings.Cut(host, ":")
	api := yamledit.P("apiVersion", yamledit.Raw("client.authentication.k8s.io/v1beta1"))
	switch {
	case eksHost.MatchString(host) || eksARN.MatchString(cluster):
		region, name := "", cluster
		if m := eksARN.FindStringSubmatch(cluster); m != nil {
			region, name = m[1], m[2]
		}
		if m := eksHost.FindStringSubmatch(host); m != nil && region == "" {
			region = m[1]
		}
		if region == "" || name == "" {
			return nil, "", "the EKS region or cluster name cannot be read from the kubeconfig"
		}
		return yamledit.Map(api, yamledit.P("command", yamledit.Raw("aws")),
			yamledit.P("args", yamledit.Seq(yamledit.Raw("--region"), yamledit.Str(region), yamledit.Raw("eks"), yamledit.Raw("get-token"),
				yamledit.Raw("--cluster-name"), yamledit.Str(name), yamledit.Raw("--output"), yamledit.Raw("json")))), "EKS", ""
	case gkeHost.MatchString(host) || strings.HasPrefix(cluster, "gke_"):
		return yamledit.Map(api, yamledit.P("command", yamledit.Raw("gke-gcloud-auth-plugin")),
			yamledit.P("installHint", yamledit.Raw("Install gke-gcloud-auth-plugin for use with kubectl")),
			yamledit.P("provideClusterInfo", yamledit.Raw("true"))), "GKE", ""
	case aksHost.MatchString(host):
		return yamledit.Map(api, yamledit.P("command", yamledit.Raw("kubelogin")),
			yamledit.P("args", yamledit.Seq(yamledit.Raw("get-token"), yamledit.Raw("--login"), yamledit.Raw("azurecli"),
				yamledit.Raw("--server-id"), yamledit.Raw("6dae42f8-4368-4678-94ff-3960e28e3630")))), "AKS", ""
	}
	return nil, "", "the server " + firstNonEmpty(server, "(none)") + " does not show EKS, GKE or AKS; on-premises clusters need an OIDC identity provider (kubelogin oidc-login), set up by hand"
}
