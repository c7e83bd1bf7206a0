package classify

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/sessionize/sessionize/rules"
)

// Macaroon is what classify reads from a serialized macaroon: its location
// and the identifiers of its first-party caveats. The signature is skipped.
type Macaroon struct {
	Location string
	Caveats  [][]byte
}

// Limits on macaroon decoding, so that hostile input costs little.
const (
	maxCaveats     = 64
	maxFieldLength = 4 << 10
)

var errMacaroon = errors.New("malformed macaroon")

// ParseMacaroonV2 decodes the libmacaroons version 2 binary format that
// pymacaroons writes and PyPI serves base64url-encoded after "pypi-": a
// version byte (2); the location (field 1) and identifier (field 2) ended by
// an end-of-section byte (0); per caveat, an optional location, an
// identifier and an optional verification ID (field 4), each ended by 0; a
// final 0; and the signature (field 6). Field lengths are unsigned varints.
func ParseMacaroonV2(data []byte) (Macaroon, error) {
	if len(data) == 0 || data[0] != 2 {
		return Macaroon{}, errMacaroon
	}
	r := fieldReader{data: data, pos: 1}
	var m Macaroon
	head, err := r.section()
	if err != nil || head[2] == nil {
		return Macaroon{}, errMacaroon
	}
	m.Location = string(head[1])
	for {
		if r.pos >= len(r.data) {
			return Macaroon{}, errMacaroon
		}
		if r.data[r.pos] == 0 {
			r.pos++
			break
		}
		if len(m.Caveats) == maxCaveats {
			return Macaroon{}, errMacaroon
		}
		cav, err := r.section()
		if err != nil || cav[2] == nil {
			return Macaroon{}, errMacaroon
		}
		if cav[4] == nil { // first-party caveats only
			m.Caveats = append(m.Caveats, cav[2])
		}
	}
	typ, sig, err := r.field()
	if err != nil || typ != 6 || len(sig) != 32 {
		return Macaroon{}, errMacaroon
	}
	return m, nil
}

type fieldReader struct {
	data []byte
	pos  int
}

// field reads one (type, length, bytes) field.
func (r *fieldReader) field() (byte, []byte, error) {
	if r.pos >= len(r.data) {
		return 0, nil, errMacaroon
	}
	typ := r.data[r.pos]
	r.pos++
	n, w := binary.Uvarint(r.data[r.pos:])
	// Uvarint read w > 0 bytes of r.data[r.pos:], so the rest is not negative.
	if w <= 0 || n > maxFieldLength || n > uint64(len(r.data)-r.pos-w) { //nolint:gosec // G115: not negative, see above
		return 0, nil, errMacaroon
	}
	r.pos += w
	v := r.data[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return typ, v, nil
}

// section reads fields in increasing type order up to an end-of-section
// byte, indexed by type (1 location, 2 identifier, 4 verification ID).
func (r *fieldReader) section() ([7][]byte, error) {
	var out [7][]byte
	last := byte(0)
	for {
		if r.pos >= len(r.data) {
			return out, errMacaroon
		}
		if r.data[r.pos] == 0 {
			r.pos++
			return out, nil
		}
		typ, v, err := r.field()
		if err != nil || typ <= last || typ > 4 || typ == 3 {
			return out, errMacaroon
		}
		last = typ
		if v == nil {
			v = []byte{}
		}
		out[typ] = v
	}
}

// pypiCaveats is what PyPI's caveats say (pypi/warehouse,
// warehouse/macaroons/caveats: tags 0 Expiration [0, expires_at,
// not_before], 1 ProjectName [1, [names]], 2 ProjectID [2, [ids]],
// 3 RequestUser [3, user_id], 4 OIDCProvider [4, provider_id]; and the
// legacy JSON objects {"version": 1, "permissions": "user" |
// {"projects": [...]}}, {"exp": ..., "nbf": ...}, {"project_ids": [...]}).
type pypiCaveats struct {
	expires, notBefore time.Time
	projects           []string
	userScoped, oidc   bool
	unknown            int
}

func readPyPICaveats(caveats [][]byte) pypiCaveats {
	var out pypiCaveats
	for _, c := range caveats {
		c = bytes.TrimSpace(c)
		switch {
		case len(c) > 0 && c[0] == '[':
			out.readTagged(c)
		case len(c) > 0 && c[0] == '{':
			out.readLegacy(c)
		default:
			out.unknown++
		}
	}
	return out
}

func (p *pypiCaveats) readTagged(c []byte) {
	var arr []json.RawMessage
	var tag int
	if json.Unmarshal(c, &arr) != nil || len(arr) == 0 || json.Unmarshal(arr[0], &tag) != nil {
		p.unknown++
		return
	}
	switch {
	case tag == 0 && len(arr) >= 3:
		p.expires, _ = numericDate(arr[1])
		p.notBefore, _ = numericDate(arr[2])
	case (tag == 1 || tag == 2) && len(arr) >= 2:
		var names []string
		_ = json.Unmarshal(arr[1], &names)
		p.projects = append(p.projects, names...)
	case tag == 3:
		p.userScoped = true
	case tag == 4:
		p.oidc = true
	default:
		p.unknown++
	}
}

func (p *pypiCaveats) readLegacy(c []byte) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(c, &obj) != nil {
		p.unknown++
		return
	}
	if exp, ok := obj["exp"]; ok {
		p.expires, _ = numericDate(exp)
		p.notBefore, _ = numericDate(obj["nbf"])
		return
	}
	if ids, ok := obj["project_ids"]; ok {
		var names []string
		_ = json.Unmarshal(ids, &names)
		p.projects = append(p.projects, names...)
		return
	}
	var perms any
	if json.Unmarshal(obj["permissions"], &perms) != nil {
		p.unknown++
		return
	}
	switch v := perms.(type) {
	case string:
		p.userScoped = v == "user"
	case map[string]any:
		names, _ := v["projects"].([]any)
		for _, n := range names {
			if s, ok := n.(string); ok {
				p.projects = append(p.projects, s)
			}
		}
	}
}

// pypiToken classifies PyPI API tokens ("pypi-" + base64url macaroon): an
// Expiration caveat bounds the token (tokens minted by trusted publishing
// live 15 minutes and carry an OIDC provider caveat); project caveats narrow
// its scope. A user-created token without expiry is standing.
func pypiToken(_, value string) (Facts, bool) {
	// Every PyPI macaroon starts with the bytes 2 (version) and 1 (location
	// field), "AgE" in base64: anything else is some other "pypi-" string,
	// such as a password, and says nothing.
	raw, ok := strings.CutPrefix(value, "pypi-")
	if !ok || !strings.HasPrefix(raw, "AgE") || len(value) > MaxValueLen {
		return Facts{}, false
	}
	data, ok := decodeBase64(raw)
	if !ok {
		return Facts{Invalid: true, Notes: []string{"pypi- token is not base64: not a PyPI token"}}, true
	}
	m, err := ParseMacaroonV2(data)
	if err != nil {
		return Facts{Invalid: true, Notes: []string{"pypi- token does not decode as a macaroon: not a PyPI token"}}, true
	}
	cav := readPyPICaveats(m.Caveats)
	f := Facts{Type: "pypi-token", Lifetime: rules.Standing}
	if m.Location != "" && len(m.Location) <= 100 {
		f.Notes = append(f.Notes, "issued by "+strings.Map(printable, m.Location))
	}
	if cav.oidc {
		f.Type, f.Lifetime = "pypi-trusted-publishing-token", rules.Session
		f.Notes = append(f.Notes, "minted by trusted publishing (OIDC)")
	}
	switch {
	case len(cav.projects) > 0:
		f.Notes = append(f.Notes, "scoped to projects: "+projectList(cav.projects))
	case cav.userScoped:
		f.Notes = append(f.Notes, "scope: every project of the account")
	}
	if cav.expires.IsZero() {
		if !cav.oidc {
			f.Notes = append(f.Notes, "no expiry caveat: valid until deleted")
		}
		return f, true
	}
	f.withValidity("token", cav.notBefore, cav.expires)
	return f, true
}

func projectList(names []string) string {
	uniq := map[string]bool{}
	var out []string
	for _, n := range names {
		n = strings.Map(printable, n)
		if len(n) > 100 || uniq[n] {
			continue
		}
		uniq[n] = true
		out = append(out, n)
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], "...")
	}
	return strings.Join(out, ", ")
}
