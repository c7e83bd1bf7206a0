package configfile

import (
	"bytes"
	"context"
	"strings"
)

// Rules of the gcp-credentials detector.
const (
	ruleGCPServiceAccountKey = "gcp-service-account-key"
	ruleGCPRefreshToken      = "gcp-authorized-user-refresh-token"
	ruleGCPExternalAccount   = "gcp-external-account"
	ruleGCPOAuthClientSecret = "gcp-oauth-client-secret"
)

const typeGCPExternal = "gcp-workload-identity-federation"

// matchGCPCredentials: any JSON file. Service-account keys are saved under
// any name (my-project-3f2a1b.json, sa.json, key.json), so the path cannot
// tell; Detect looks for the "type" markers before it parses anything.
func matchGCPCredentials(p string) bool { return hasSuffixFold(baseName(p), ".json") }

var gcpMarkers = [][]byte{[]byte("service_account"), []byte("authorized_user"), []byte("external_account"), []byte("client_secret")}

// scanGCPCredentials reports service-account keys (one credential per key,
// its private key), authorized_user refresh tokens and OAuth client
// secrets, wherever they sit in the document, and records external_account
// (workload identity federation) configurations as session inventory.
func scanGCPCredentials(_ context.Context, f *file) error {
	src := []byte(f.src)
	found := false
	for _, m := range gcpMarkers {
		if bytes.Contains(src, m) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	if bytes.IndexByte(src, 0) >= 0 {
		return binaryError(f.path, src)
	}
	root, err := f.jsonFile("JSON")
	f.walkGCP(root, "")
	return err
}

// walkGCP visits every object of the tree; parent is the key holding n.
func (f *file) walkGCP(n *jnode, parent string) {
	if n == nil {
		return
	}
	switch n.kind {
	case jArray:
		for _, e := range n.elems {
			f.walkGCP(e, parent)
		}
		return
	case jObject:
	default:
		return
	}
	switch n.get("type").text() {
	case "service_account":
		f.gcpServiceAccount(n)
	case "authorized_user":
		if rt := n.get("refresh_token"); rt.text() != "" && acceptable(classSecret, rt.str) {
			f.addIn(rt.entry("refresh_token", ""), rt.str, -1, cand{rule: ruleGCPRefreshToken, provider: "gcp"})
		}
	case "external_account":
		t := n.get("type")
		id := "gcp-external-account:" + n.get("audience").text()
		notes := []string{"workload identity federation: tokens are minted per use"}
		if imp := n.get("service_account_impersonation_url").text(); imp != "" {
			notes = append(notes, "impersonates "+imp)
		}
		f.add(cand{rule: ruleGCPExternalAccount, value: id, off: t.off, end: t.end, session: true, typ: typeGCPExternal, provider: "gcp", notes: notes})
	}
	if parent == "installed" || parent == "web" {
		if cs := n.get("client_secret"); cs.text() != "" && strings.HasSuffix(n.get("client_id").text(), ".apps.googleusercontent.com") &&
			acceptable(classSecret, cs.str) {
			f.addIn(cs.entry("client_secret", parent), cs.str, -1, cand{rule: ruleGCPOAuthClientSecret, provider: "gcp"})
		}
	}
	for _, m := range n.members {
		f.walkGCP(m.val, m.key)
	}
}

// gcpServiceAccount reports a service-account key: one credential, the
// private key, as the private-key content rule sees it in the file (so
// both findings share a fingerprint).
func (f *file) gcpServiceAccount(n *jnode) {
	pk := n.get("private_key")
	if pk.text() == "" || len(pk.str) < 100 || isPlaceholder(pk.str) || !strings.Contains(pk.str, "PRIVATE KEY") {
		return
	}
	var notes []string
	if email := n.get("client_email").text(); email != "" {
		notes = append(notes, "service account "+email)
	}
	if id := n.get("private_key_id").text(); id != "" {
		notes = append(notes, "key ID "+id)
	}
	value := privateKeyText(f.src, pk)
	f.add(cand{rule: ruleGCPServiceAccountKey, value: value, off: pk.off, end: pk.off + len(value), typ: typeGCPSAKey, provider: "gcp", notes: notes})
}

// privateKeyText returns a PEM private key held in a JSON string as its
// text in the document (escapes as written), from "-----BEGIN" to the end
// of the "-----END ... KEY-----" line: the span gitleaks' private-key rule
// matches. A key without PEM armour is returned decoded.
func privateKeyText(src string, pk *jnode) string {
	if pk.off < 0 || pk.end > len(src) || pk.off > pk.end {
		return pk.str
	}
	raw := src[pk.off:pk.end]
	start := strings.Index(raw, "-----BEGIN")
	end := strings.LastIndex(raw, "-----END")
	if start < 0 || end < start {
		return pk.str
	}
	tail := strings.Index(raw[end+8:], "-----")
	if tail < 0 {
		return raw[start:]
	}
	return raw[start : end+8+tail+5]
}
