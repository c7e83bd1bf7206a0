package configfile

import (
	"context"
	"strings"
)

// Rules of the docker-config detector.
const (
	ruleDockerAuth          = "docker-config-auth"
	ruleDockerIdentityToken = "docker-config-identity-token"
	ruleDockerRegistryToken = "docker-config-registry-token"
	ruleDockerCredHelper    = "docker-credential-helper"
	ruleDockerCredsStore    = "docker-credential-store"
)

// Credential types the docker-config detector assigns from context.
const (
	typeECRToken     = "ecr-authorization-token"
	typeACRToken     = "acr-refresh-token"
	typeGCPSAKey     = "gcp-service-account-key"
	typeDockerHelper = "docker-credential-helper"
)

// matchDockerConfig: the Docker CLI's config.json (under .docker/ or
// docker/), the legacy .dockercfg, the .dockerconfigjson of Kubernetes
// pull secrets, and the auth.json of podman, buildah and skopeo.
func matchDockerConfig(p string) bool {
	b := baseName(p)
	switch {
	case strings.EqualFold(b, "config.json"):
		return underDir(p, ".docker") || underDir(p, "docker")
	case strings.EqualFold(b, "auth.json"):
		return underDir(p, "containers") || underDir(p, ".containers")
	}
	return equalsAny(b, ".dockercfg", "dockercfg", ".dockerconfigjson", "dockerconfig.json", "docker-config.json", "dockerconfigjson") ||
		hasSuffixFold(b, ".dockerconfigjson")
}

// scanDockerConfig reports static registry credentials (auths.*.auth,
// username/password, identitytoken, registrytoken) and records credential
// helpers (credHelpers, credsStore) as session-friendly inventory.
func scanDockerConfig(_ context.Context, f *file) error {
	root, err := f.jsonFile("docker config JSON")
	if root == nil || root.kind != jObject {
		if err == nil {
			err = &ParseError{Path: f.path, Msg: "docker config is not a JSON object"}
		}
		return err
	}
	auths := root.get("auths")
	if auths == nil && root.get("credHelpers") == nil && root.get("credsStore") == nil {
		auths = root // legacy .dockercfg: registries at the top level
	}
	if auths != nil {
		for _, m := range auths.members {
			f.dockerRegistry(m.key, m.val)
		}
	}
	if helpers := root.get("credHelpers"); helpers != nil {
		for _, m := range helpers.members {
			f.dockerHelper(ruleDockerCredHelper, m.key, m.val)
		}
	}
	if store := root.get("credsStore"); store != nil {
		f.dockerHelper(ruleDockerCredsStore, "", store)
	}
	return err
}

// dockerRegistry reports the credentials of one auths entry.
func (f *file) dockerRegistry(registry string, n *jnode) {
	if n == nil || n.kind != jObject {
		return
	}
	c := cand{rule: ruleDockerAuth, fixer: "docker-credential-helper", provider: registryProvider(registry), notes: []string{"registry " + registry}}
	if a := n.get("auth"); a.text() != "" {
		f.dockerAuth(registry, a, c)
	}
	if pw := n.get("password"); pw.text() != "" && acceptable(classPassword, pw.str) {
		c2 := c
		c2.typ = dockerTokenType(registry, n.get("username").text())
		f.addIn(pw.entry("password", registry), pw.str, -1, c2)
	}
	for _, t := range []struct{ key, rule string }{{"identitytoken", ruleDockerIdentityToken}, {"registrytoken", ruleDockerRegistryToken}} {
		if v := n.get(t.key); v.text() != "" && acceptable(classSecret, v.str) {
			c2 := c
			c2.rule = t.rule
			f.addIn(v.entry(t.key, registry), v.str, -1, c2)
		}
	}
}

// dockerAuth reports an auth value: base64 of user:password. The secret is
// the decoded password (so a GitHub or GitLab token used as a registry
// password is the same credential wherever else it appears); the position
// is the encoded value.
func (f *file) dockerAuth(registry string, a *jnode, c cand) {
	v := strings.TrimSpace(a.str)
	if isReference(v) || isPlaceholder(v) {
		return
	}
	dec, ok := decodeBase64(v)
	if !ok {
		if acceptable(classSecret, v) {
			f.addIn(a.entry("auth", registry), v, -1, c)
		}
		return
	}
	user, pass, found := strings.Cut(dec, ":")
	if !found {
		return
	}
	if user == "_json_key" || user == "_json_key_base64" {
		f.dockerJSONKey(a, pass, c)
		return
	}
	if !acceptable(classPassword, pass) {
		return
	}
	c.typ = dockerTokenType(registry, user)
	if user != "" {
		c.notes = append(c.notes, "user "+user)
	}
	c.value, c.off, c.end = pass, a.off, a.end
	f.add(c)
}

// dockerJSONKey reports a GCP service-account key used as a registry
// password (user _json_key): the credential is the key's private key.
func (f *file) dockerJSONKey(a *jnode, pass string, c cand) {
	if dec, ok := decodeBase64(pass); ok {
		pass = dec
	}
	key, _ := parseJSON(pass)
	pk := key.get("private_key")
	if pk.text() == "" {
		return
	}
	c.typ = typeGCPSAKey
	c.provider = "gcp"
	c.value, c.off, c.end = privateKeyText(pass, pk), a.off, a.end
	c.notes = append(c.notes, "user _json_key: a GCP service-account key")
	f.add(c)
}

// dockerTokenType types a registry password by the registry's conventions:
// ECR's "AWS" user carries a 12-hour authorization token, ACR's null-GUID
// user an AAD refresh token. The user name and registry decide, not the
// password itself.
func dockerTokenType(registry, user string) string {
	r := strings.ToLower(registry)
	switch {
	case user == "AWS" && strings.Contains(r, ".dkr.ecr.") && strings.Contains(r, "amazonaws.com"):
		return typeECRToken
	case user == "00000000-0000-0000-0000-000000000000" && strings.Contains(r, "azurecr.io"):
		return typeACRToken
	}
	return ""
}

// dockerHelper records a credential helper as session-friendly inventory.
func (f *file) dockerHelper(rule, registry string, n *jnode) {
	helper := strings.TrimSpace(n.text())
	if helper == "" {
		return
	}
	id := "docker-credential-" + helper
	if registry != "" {
		id += " for " + registry
	}
	prov := helperProvider(helper)
	if prov == "" {
		prov = registryProvider(registry)
	}
	f.add(cand{rule: rule, value: id, off: n.off, end: n.end, session: true, typ: typeDockerHelper, provider: prov})
}

func helperProvider(helper string) string {
	switch h := strings.ToLower(helper); {
	case strings.Contains(h, "ecr"):
		return "aws"
	case strings.Contains(h, "gcloud"), strings.Contains(h, "gcr"):
		return "gcp"
	case strings.Contains(h, "acr"):
		return "azure"
	}
	return ""
}

// registryProvider names the provider of a registry host.
func registryProvider(registry string) string {
	host := strings.ToLower(registry)
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	if i := strings.IndexAny(host, "/:"); i >= 0 {
		host = host[:i]
	}
	if p := hostProvider(host); p != "" {
		return p
	}
	return "container-registry"
}
