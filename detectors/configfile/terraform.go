package configfile

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Rule prefixes of the terraform detector: one family of rules per place a
// literal can sit (see rulesFor), plus the CLI configuration's token.
const (
	prefixTFProvider  = "terraform-provider"
	prefixTFBackend   = "terraform-backend"
	prefixTFVariable  = "terraform-variable"
	prefixTFAttribute = "terraform-attribute"
	prefixTFVars      = "tfvars"
	ruleTerraformRC   = "terraformrc-token"
)

// matchTerraform: configuration (*.tf), variable files (*.tfvars,
// *.auto.tfvars, *.tfvars.json), Terragrunt inputs and the CLI
// configuration (.terraformrc, terraform.rc) with its API tokens.
func matchTerraform(p string) bool {
	b := baseName(p)
	return hasSuffixFold(b, ".tf") || hasSuffixFold(b, ".tfvars") || hasSuffixFold(b, ".tfvars.json") ||
		equalsAny(b, ".terraformrc", "terraform.rc", "terragrunt.hcl")
}

// tfProviders maps provider names to providers, with whether the
// terraform-ambient fixer applies (the provider can take its identity from
// the environment).
var tfProviders = map[string]struct {
	provider string
	ambient  bool
}{
	"aws": {"aws", true}, "google": {"gcp", true}, "google-beta": {"gcp", true}, "azurerm": {"azure", true},
	"azuread": {"azure", true}, "azapi": {"azure", false}, "vault": {"vault", false}, "github": {"github", false},
	"gitlab": {"gitlab", false}, "kubernetes": {"kubernetes", false}, "helm": {"kubernetes", false},
	"tfe": {"hashicorp", false}, "hcp": {"hashicorp", false}, "cloudflare": {"cloudflare", false},
	"datadog": {"datadog", false}, "digitalocean": {"digitalocean", false}, "alicloud": {"alibaba", false},
	"s3": {"aws", false}, "gcs": {"gcp", false}, "remote": {"hashicorp", false}, "cloud": {"hashicorp", false},
	"postgresql": {"database", false}, "mysql": {"database", false}, "mongodbatlas": {"mongodb", false},
}

// scanTerraform reports literal credentials in provider and backend
// blocks, variable defaults, resource and module arguments, .tfvars values
// and .terraformrc credentials blocks. var.x, local.x, file("..."),
// "${...}" and other expressions are references.
func scanTerraform(ctx context.Context, f *file) error {
	if hasSuffixFold(f.path, ".json") {
		return scanTFVarsJSON(f)
	}
	attrs, err := parseHCL(ctx, f.src)
	// Group the literals by scope (block instance and object), so that an
	// AWS key pair is reported once.
	type scope struct {
		rules scopeRules
		es    []entry
	}
	var order []string
	scopes := map[string]*scope{}
	for _, a := range attrs {
		if !a.ok {
			continue
		}
		rules, key := f.tfContext(a)
		id := strings.Join(append([]string{strconv.Itoa(a.block), tfBlockID(a)}, a.keys...), "\x00")
		s := scopes[id]
		if s == nil {
			s = &scope{rules: rules}
			scopes[id] = s
			order = append(order, id)
		}
		s.es = append(s.es, entry{key: key, ctx: strings.Join(a.keys, "."), value: a.tok.text, off: a.tok.off, end: a.tok.end, raw: a.tok.raw})
	}
	for _, id := range order {
		s := scopes[id]
		s.es = nameValuePairs(s.es)
		f.scanEntries(s.es, &s.rules)
		for _, e := range s.es {
			if strings.EqualFold(e.key, "credentials") && s.rules.provider == "gcp" {
				f.tfGoogleCredentials(e, s.rules)
			}
		}
	}
	if err != nil {
		var he *hclError
		if errors.As(err, &he) {
			line, col := f.pos(he.off)
			return &ParseError{Path: f.path, Line: line, Column: col, Msg: "invalid HCL: " + he.msg}
		}
	}
	return err
}

// nameValuePairs rewrites a scope holding literal name and value
// attributes (a helm_release set block, a container's environment entry)
// into one entry keyed by the name: { name = "DB_PASSWORD", value = "..." }
// is DB_PASSWORD = "...".
func nameValuePairs(es []entry) []entry {
	name, value := -1, -1
	for i, e := range es {
		switch e.key {
		case "name":
			name = i
		case "value":
			value = i
		}
	}
	if name < 0 || value < 0 {
		return es
	}
	out := make([]entry, 0, len(es)-1)
	for i, e := range es {
		switch i {
		case name:
		case value:
			e.key = es[name].value
			out = append(out, e)
		default:
			out = append(out, e)
		}
	}
	return out
}

// tfBlockID names the block instance an attribute is in.
func tfBlockID(a hclAttr) string {
	var b strings.Builder
	for _, bl := range a.blocks {
		b.WriteString(bl.typ)
		for _, l := range bl.labels {
			b.WriteString("\x01" + l)
		}
		b.WriteString("\x02")
	}
	return b.String()
}

// tfContext returns the rules for an attribute's place and the key that
// names its value.
func (f *file) tfContext(a hclAttr) (scopeRules, string) {
	key := a.name
	if len(a.blocks) == 0 {
		if equalsAny(baseName(f.path), "terragrunt.hcl") {
			return rulesFor(prefixTFAttribute), key
		}
		return rulesFor(prefixTFVars), key
	}
	outer := a.blocks[0]
	switch {
	case outer.typ == "provider":
		r := rulesFor(prefixTFProvider)
		name := outer.label(0)
		if p, ok := tfProviders[name]; ok {
			r.provider = p.provider
			if p.ambient {
				r.fixer = "terraform-ambient"
			}
		}
		r.inAWS = name == "aws"
		if r.provider == "azure" {
			r.typeFor = azureClientSecret
		}
		return r, key
	case outer.typ == "terraform" && len(a.blocks) > 1 && (a.blocks[1].typ == "backend" || a.blocks[1].typ == "cloud"):
		r := rulesFor(prefixTFBackend)
		name := a.blocks[1].label(0)
		if a.blocks[1].typ == "cloud" {
			name = "cloud"
		}
		r.provider = tfProviders[name].provider
		r.inAWS = name == "s3"
		if name == "azurerm" {
			r.typeFor = azureBackendKey
		}
		return r, key
	case outer.typ == "variable" && len(a.blocks) == 1 && a.name == "default" && len(a.keys) == 0:
		return rulesFor(prefixTFVariable), outer.label(0)
	case outer.typ == "variable":
		return rulesFor(prefixTFVariable), key
	case outer.typ == "credentials":
		return scopeRules{secret: ruleTerraformRC, provider: "hashicorp"}, key
	}
	return rulesFor(prefixTFAttribute), key
}

// azureClientSecret types an azurerm/azuread client_secret as an Entra
// client secret (the knowledge base's type for gitleaks'
// azure-ad-client-secret rule, so both share a fingerprint family).
func azureClientSecret(key string) string {
	if strings.EqualFold(key, "client_secret") {
		return "azure-client-secret"
	}
	return ""
}

// azureBackendKey types the azurerm backend's access_key: a storage
// account key.
func azureBackendKey(key string) string {
	if strings.EqualFold(key, "access_key") {
		return "azure-account-key"
	}
	return azureClientSecret(key)
}

// tfGoogleCredentials reports a google provider's credentials given as
// literal JSON: a service-account key, whose private key is the credential.
func (f *file) tfGoogleCredentials(e entry, r scopeRules) {
	v := strings.TrimSpace(e.value)
	if !strings.HasPrefix(v, "{") {
		return
	}
	n, _ := parseJSON(v)
	pk := n.get("private_key")
	if n.get("type").text() != "service_account" || pk.text() == "" || isPlaceholder(pk.str) {
		return
	}
	f.add(cand{rule: r.secret, value: privateKeyText(v, pk), off: e.off, end: e.span(), typ: typeGCPSAKey, provider: "gcp", fixer: r.fixer})
}

// scanTFVarsJSON reports the credentials of a .tfvars.json file.
func scanTFVarsJSON(f *file) error {
	root, err := f.jsonFile("tfvars JSON")
	r := rulesFor(prefixTFVars)
	f.scanJSONObject(root, "", &r)
	return err
}

// scanJSONObject reports the credentials of an object's string members as
// one scope, then recurses into nested objects and arrays.
func (f *file) scanJSONObject(n *jnode, ctx string, r *scopeRules) {
	if n == nil {
		return
	}
	switch n.kind {
	case jArray:
		for _, e := range n.elems {
			f.scanJSONObject(e, ctx, r)
		}
		return
	case jObject:
	default:
		return
	}
	var es []entry
	for _, m := range n.members {
		if m.val.kind == jString {
			es = append(es, m.val.entry(m.key, ctx))
		}
	}
	f.scanEntries(es, r)
	for _, m := range n.members {
		if m.val.kind == jObject || m.val.kind == jArray {
			sub := m.key
			if ctx != "" {
				sub = ctx + "." + m.key
			}
			f.scanJSONObject(m.val, sub, r)
		}
	}
}
