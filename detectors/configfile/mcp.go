package configfile

import (
	"context"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Rules of the mcp-config detector beyond its scope rules (mcp-secret,
// mcp-password, ... for env entries).
const (
	prefixMCP     = "mcp"
	ruleMCPHeader = "mcp-header-token"
	ruleMCPArg    = "mcp-arg-token"
	ruleMCPURL    = "mcp-url-token"
)

// matchMCPConfig: MCP server configurations of AI coding tools, where
// personal access tokens sprawl: .mcp.json (Claude Code), .cursor/mcp.json,
// .vscode/mcp.json, .roo/mcp.json, .amazonq/mcp.json, claude_desktop_config.json,
// Windsurf's mcp_config.json, Cline's cline_mcp_settings.json, ~/.claude.json,
// Claude Code and Gemini CLI settings.json, Zed's settings.json, opencode.json.
func matchMCPConfig(p string) bool {
	b := baseName(p)
	switch {
	case equalsAny(b, ".mcp.json", "mcp.json", "claude_desktop_config.json", "mcp_config.json", "mcp_settings.json",
		"cline_mcp_settings.json", ".claude.json", "opencode.json", "opencode.jsonc"):
		return true
	case hasSuffixFold(b, ".mcp.json"):
		return true
	case equalsAny(b, "settings.json", "settings.local.json"):
		return underDir(p, ".claude") || underDir(p, ".gemini") || underDir(p, ".zed") || underDir(p, ".vscode")
	}
	return false
}

// mcpServerKeys are the members that hold server maps in the tools'
// formats.
var mcpServerKeys = set("mcpServers", "servers", "context_servers", "mcp")

// scanMCPConfig reports tokens in MCP server definitions: in env (and
// opencode's environment), in headers (Authorization: Bearer ...), in
// command-line args (--token=..., -e KEY=..., --header "Authorization:
// Bearer ..."), and in server URLs (?api_key=...). ${input:x}, ${env:X},
// ${X} and {env:X} are references.
func scanMCPConfig(ctx context.Context, f *file) error {
	root, err := f.jsonFile("MCP configuration JSON")
	f.walkMCP(ctx, root, 0)
	return err
}

// walkMCP finds server maps at any depth (~/.claude.json keeps one per
// project) and a settings file's top-level env.
func (f *file) walkMCP(ctx context.Context, n *jnode, depth int) {
	if n == nil || n.kind != jObject || depth > 8 || ctx.Err() != nil {
		return
	}
	if env := n.get("env"); env != nil && env.kind == jObject && depth == 0 {
		r := rulesFor(prefixMCP)
		f.scanJSONObject(env, "env", &r)
	}
	for _, m := range n.members {
		if mcpServerKeys[m.key] && m.val.kind == jObject && m.val.get("servers") == nil {
			for _, s := range m.val.members {
				f.mcpServer(s.key, s.val)
			}
			continue
		}
		f.walkMCP(ctx, m.val, depth+1)
	}
}

// mcpServer reports the credentials of one server definition.
func (f *file) mcpServer(name string, s *jnode) {
	if s == nil || s.kind != jObject {
		return
	}
	r := rulesFor(prefixMCP)
	r.provider = mcpProvider(name)
	base := cand{provider: r.provider, notes: []string{"MCP server " + name}}
	for _, key := range []string{"env", "environment"} {
		if env := s.get(key); env != nil && env.kind == jObject {
			var es []entry
			for _, m := range env.members {
				if m.val.kind != jString {
					continue
				}
				if f.mcpHeaderJSON(m.val, base) {
					continue
				}
				es = append(es, m.val.entry(m.key, name))
			}
			f.scanEntriesNoted(es, &r, base.notes)
		}
	}
	if h := s.get("headers"); h != nil && h.kind == jObject {
		for _, m := range h.members {
			f.mcpHeader(m.key, m.val, base)
		}
	}
	if args := s.get("args"); args != nil && args.kind == jArray {
		f.mcpArgs(args.elems, base, &r)
	}
	for _, key := range []string{"url", "serverUrl", "httpUrl", "endpoint"} {
		if u := s.get(key); u.text() != "" {
			f.mcpURL(u, base, &r)
		}
	}
}

// scanEntriesNoted is scanEntries with notes added to each new finding.
func (f *file) scanEntriesNoted(es []entry, r *scopeRules, notes []string) {
	before := len(f.out)
	f.scanEntries(es, r)
	for i := before; i < len(f.out); i++ {
		f.out[i].Notes = append(f.out[i].Notes, notes...)
	}
}

// mcpHeader reports a header carrying a credential: Authorization (Bearer,
// token or Basic), or a header named for a key or token (X-API-Key).
func (f *file) mcpHeader(name string, v *jnode, base cand) {
	if v.text() == "" || isReference(v.str) {
		return
	}
	value, ok := headerCredential(name, v.str)
	if !ok || !acceptable(classSecret, value) {
		return
	}
	c := base
	c.rule = ruleMCPHeader
	if dec, isBasic := basicPassword(name, v.str); isBasic {
		c.value, c.off, c.end = dec, v.off, v.end
		f.add(c)
		return
	}
	f.addIn(v.entry(name, ""), value, -1, c)
}

// mcpHeaderJSON reports the headers of an env value holding a JSON object
// of HTTP headers (OPENAPI_MCP_HEADERS='{"Authorization": "Bearer ..."}'),
// and reports whether the value was one.
func (f *file) mcpHeaderJSON(v *jnode, base cand) bool {
	s := strings.TrimSpace(v.str)
	if !strings.HasPrefix(s, "{") {
		return false
	}
	obj, err := parseJSON(s)
	if err != nil || obj == nil || obj.kind != jObject {
		return false
	}
	for _, m := range obj.members {
		if m.val.kind != jString || isReference(m.val.str) {
			continue
		}
		value, ok := headerCredential(m.key, m.val.str)
		if !ok || !acceptable(classSecret, value) {
			continue
		}
		c := base
		c.rule = ruleMCPHeader
		f.addIn(v.entry(m.key, ""), value, -1, c)
	}
	return true
}

// headerCredential returns the credential a header value carries:
// "Bearer X" → X for Authorization; the whole value for headers named for
// a key or token.
func headerCredential(name, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok {
			return v, true
		}
		rest = strings.TrimSpace(rest)
		if strings.EqualFold(scheme, "Basic") {
			if dec, ok := basicPassword(name, v); ok {
				return dec, true
			}
		}
		return rest, true
	}
	if keyClass(name) != classNone || containsFold(name, "token") || containsFold(name, "api-key") || containsFold(name, "apikey") {
		return v, true
	}
	return "", false
}

// basicPassword decodes "Basic base64(user:password)" to the password.
func basicPassword(name, v string) (string, bool) {
	if !strings.EqualFold(name, "Authorization") {
		return "", false
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", false
	}
	dec, ok := decodeBase64(strings.TrimSpace(rest))
	if !ok {
		return "", false
	}
	if _, pass, found := strings.Cut(dec, ":"); found {
		return pass, true
	}
	return dec, true
}

// mcpArgs reports credentials on a server's command line.
func (f *file) mcpArgs(args []*jnode, base cand, r *scopeRules) {
	var env []entry
	for i, a := range args {
		if a.kind != jString {
			continue
		}
		s := strings.TrimSpace(a.str)
		switch {
		case strings.HasPrefix(s, "-"):
			flag, val, hasVal := strings.Cut(strings.TrimLeft(s, "-"), "=")
			if keyClass(flag) == classNone {
				continue
			}
			if hasVal {
				f.mcpArgValue(a, val, base)
			} else if i+1 < len(args) && args[i+1].kind == jString && !strings.HasPrefix(args[i+1].str, "-") {
				f.mcpArgValue(args[i+1], args[i+1].str, base)
			}
		case strings.Contains(s, ":") && (hasPrefixFold(s, "Authorization:") || hasPrefixFold(s, "X-API-Key:")):
			name, val, _ := strings.Cut(s, ":")
			if value, ok := headerCredential(name, strings.TrimSpace(val)); ok && !isReference(val) && acceptable(classSecret, value) {
				c := base
				c.rule = ruleMCPHeader
				f.addIn(a.entry(name, ""), value, -1, c)
			}
		case strings.Contains(s, "://"):
			f.mcpURL(a, base, r)
		default:
			if k, v, ok := strings.Cut(s, "="); ok && isEnvName(k) {
				e := a.entry(k, "args")
				e.value = v
				if a.raw {
					e.off += len(k) + 1
				}
				env = append(env, e)
			}
		}
	}
	f.scanEntriesNoted(env, r, base.notes)
}

func (f *file) mcpArgValue(a *jnode, val string, base cand) {
	if !acceptable(classSecret, val) {
		return
	}
	c := base
	c.rule = ruleMCPArg
	f.addIn(a.entry("arg", ""), val, -1, c)
}

// mcpURL reports a credential in a server URL: user:password@ or a query
// parameter named for a key or token.
func (f *file) mcpURL(u *jnode, base cand, r *scopeRules) {
	before := len(f.out)
	f.scanEntriesNoted([]entry{u.entry("url", "")}, r, base.notes)
	if len(f.out) > before {
		return
	}
	s := u.str
	f.mcpURLPath(u, base)
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return
	}
	params, err := url.ParseQuery(s[q+1:])
	if err != nil {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if keyClass(k) == classNone && !equalsAny(k, "key", "apikey", "api_key", "token", "access_token", "auth") {
			continue
		}
		for _, v := range params[k] {
			if !acceptable(classSecret, v) {
				continue
			}
			c := base
			c.rule = ruleMCPURL
			f.addIn(u.entry("url", ""), v, -1, c)
		}
	}
}

// mcpProvider guesses the provider from a server's name.
func mcpProvider(name string) string {
	n := strings.ToLower(name)
	for _, p := range []string{
		"github", "gitlab", "slack", "linear", "notion", "sentry", "stripe", "supabase",
		"atlassian", "jira", "confluence", "aws", "gcp", "azure", "cloudflare", "vercel", "datadog", "postgres", "openai",
		"anthropic", "brave", "figma", "hubspot", "airtable", "discord", "telegram", "twilio", "sendgrid", "firecrawl", "exa",
	} {
		if strings.Contains(n, p) {
			switch p {
			case "jira", "confluence":
				return "atlassian"
			case "postgres":
				return "database"
			}
			return p
		}
	}
	return ""
}

// pathKeyRE matches an API key used as a URL path segment, as some hosted
// MCP servers take it (https://mcp.firecrawl.dev/fc-<key>/sse): a short
// vendor prefix and a long random body.
var pathKeyRE = regexp.MustCompile(`^[a-z][a-z0-9]{1,7}[-_][A-Za-z0-9_-]{24,}$`)

// mcpURLPath reports API keys in a server URL's path.
func (f *file) mcpURLPath(u *jnode, base cand) {
	s := u.str
	i := strings.Index(s, "://")
	if i < 0 {
		return
	}
	rest := s[i+3:]
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest = rest[:q]
	}
	segs := strings.Split(rest, "/")
	for _, seg := range segs[1:] {
		if !pathKeyRE.MatchString(seg) || !acceptable(classSecret, seg) || entropy(seg) < 3.5 {
			continue
		}
		c := base
		c.rule = ruleMCPURL
		f.addIn(u.entry("url", ""), seg, -1, c)
	}
}
