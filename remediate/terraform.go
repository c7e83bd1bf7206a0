package remediate

import (
	"sort"
	"strings"
)

// tfStatic lists, per provider, the arguments that carry static
// credentials (REMEDIATION.md CF-6).
var tfStatic = map[string][]string{
	"aws":         {"access_key", "secret_key", "token"},
	"google":      {"credentials", "access_token"},
	"google-beta": {"credentials", "access_token"},
	"azurerm":     {"client_secret", "client_certificate_password"},
	"azuread":     {"client_secret", "client_certificate_password"},
	"vault":       {"token"},
}

// tfAttr is an argument of a block: its name and the byte range of its
// lines.
type tfAttr struct {
	name       string
	start, end int
	line       int
}

type tfBlock struct {
	provider  string
	open, end int // offsets of "{" and "}"
	attrs     []tfAttr
	hasBlock  map[string]bool
	indent    string
}

// fixTerraform removes static credentials from Terraform provider blocks
// (CF-6) so the provider uses the ambient identity (CI OIDC, SSO); azurerm
// and azuread get use_oidc = true, aws an assume_role block when
// terraform_role_arn is configured.
func fixTerraform(fc *fileCtx) {
	src := string(fc.src)
	toks, err := lex(src, langHCL)
	if err != nil {
		if strings.Contains(src, "provider") {
			fc.refuse(0, "the file cannot be tokenized as HCL: %s", err.Error())
		}
		return
	}
	blocks := tfProviders(src, toks)
	var sp []jsplice
	var fixed []string
	for _, b := range blocks {
		names := tfStatic[b.provider]
		var removed []string
		for _, a := range b.attrs {
			for _, n := range names {
				if a.name == n {
					sp = append(sp, jsplice{a.start, a.end, ""})
					removed = append(removed, n)
				}
			}
		}
		if len(removed) == 0 {
			continue
		}
		nl := "\n"
		if strings.Contains(src, "\r\n") {
			nl = "\r\n"
		}
		lineStart := strings.LastIndexByte(src[:b.end], '\n') + 1
		switch b.provider {
		case "azurerm", "azuread":
			if !b.has("use_oidc") {
				sp = append(sp, jsplice{lineStart, lineStart, b.indent + "use_oidc = true" + nl})
			}
		case "aws":
			if fc.opts.IDs.TerraformRoleARN != "" && !b.hasBlock["assume_role"] && !b.hasBlock["assume_role_with_web_identity"] {
				sp = append(sp, jsplice{lineStart, lineStart, b.indent + "assume_role {" + nl + b.indent + "  role_arn = " + jsonString(fc.opts.IDs.TerraformRoleARN) + nl + b.indent + "}" + nl})
			}
		}
		fixed = append(fixed, b.provider)
		fc.detail("provider %q: removed %s; the provider uses the ambient identity", b.provider, strings.Join(removed, ", "))
	}
	if len(sp) == 0 {
		return
	}
	out := applyJSplices(fc.src, sp)
	if _, err := lex(string(out), langHCL); err != nil {
		fc.refuse(0, "the rewrite would not tokenize as HCL (%s)", err.Error())
		fc.details = nil
		return
	}
	fc.out = out
	fc.summary = "Remove static credentials from Terraform provider blocks (ambient identity)"
	fc.caveat("the provider now takes its identity from the environment: in CI an OIDC login step (configure-aws-credentials, google-github-actions/auth, azure/login or ARM_USE_OIDC), locally aws sso login, gcloud auth application-default login or az login")
	fc.caveat("variables and tfvars entries that held the credentials are now unused: delete them, and revoke the credentials (they stay in git history and in state files)")
	sort.Strings(fixed)
	for _, p := range fixed {
		switch p {
		case "aws":
			fc.retireRef("aws-access-key", "provider \"aws\" access_key", "")
		case "azurerm", "azuread":
			fc.retireRef("azure-client-secret", "provider \""+p+"\" client_secret", "")
		case "google", "google-beta":
			fc.retireRef("gcp-service-account-key", "provider \""+p+"\" credentials", "")
		case "vault":
			fc.retireRef("vault-service-token", "provider \"vault\" token", "")
		}
	}
}

func (b tfBlock) has(name string) bool {
	for _, a := range b.attrs {
		if a.name == name {
			return true
		}
	}
	return false
}

// tfProviders finds the top-level provider blocks and their arguments.
func tfProviders(src string, toks []tok) []tfBlock {
	var out []tfBlock
	sig := make([]tok, 0, len(toks))
	for _, t := range toks {
		if t.kind != 'c' {
			sig = append(sig, t)
		}
	}
	depth := 0
	for i := 0; i < len(sig); i++ {
		t := sig[i]
		if t.kind == 'p' && t.text == "{" {
			depth++
		}
		if t.kind == 'p' && t.text == "}" {
			depth--
		}
		if depth != 0 || t.kind != 'i' || t.text != "provider" || i+2 >= len(sig) || sig[i+1].kind != 's' {
			continue
		}
		j := i + 2
		if sig[j].kind != 'p' || sig[j].text != "{" {
			continue
		}
		b := tfBlock{provider: strings.Trim(sig[i+1].text, `"`), open: sig[j].start, hasBlock: map[string]bool{}}
		d := 0
		atLineStart := true
		for k := j; k < len(sig); k++ {
			s := sig[k]
			switch {
			case s.kind == 'n':
				atLineStart = true
				continue
			case s.kind == 'p' && (s.text == "{" || s.text == "(" || s.text == "["):
				if d == 1 && s.text == "{" && k > 0 && sig[k-1].kind == 'i' {
					b.hasBlock[sig[k-1].text] = true
				}
				d++
			case s.kind == 'p' && (s.text == "}" || s.text == ")" || s.text == "]"):
				d--
				if d == 0 {
					b.end = s.start
					i = k
					out = append(out, b)
					goto next
				}
			case d == 1 && atLineStart && s.kind == 'i' && k+1 < len(sig) && sig[k+1].kind == 'p' && sig[k+1].text == "=" &&
				!(k+2 < len(sig) && sig[k+2].kind == 'p' && sig[k+2].text == "="):
				a := tfAttr{name: s.text, start: strings.LastIndexByte(src[:s.start], '\n') + 1}
				if b.indent == "" {
					b.indent = src[a.start:s.start]
				}
				// The argument ends at the first newline back at depth 1.
				dd := 0
				for m := k + 2; m < len(sig); m++ {
					x := sig[m]
					if x.kind == 'p' && strings.Contains("([{", x.text) {
						dd++
					}
					if x.kind == 'p' && strings.Contains(")]}", x.text) {
						if dd == 0 {
							a.end = strings.LastIndexByte(src[:x.start], '\n') + 1
							break
						}
						dd--
					}
					if x.kind == 'n' && dd == 0 {
						a.end = x.end
						break
					}
				}
				if a.end > a.start && strings.TrimSpace(src[a.start:s.start]) == "" {
					b.attrs = append(b.attrs, a)
				}
			}
			atLineStart = false
		}
	next:
	}
	return out
}
