package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/sessionize/sessionize/internal/tomlpos"
)

//go:embed credentials/*.toml
var credentialsFS embed.FS

// Privilege tiers, from the most to the least dangerous.
const (
	// PrivilegeCritical: root-capable cloud keys, private keys, org-admin tokens.
	PrivilegeCritical = "critical"
	// PrivilegeHigh: broad write access (classic PATs, cloud service accounts).
	PrivilegeHigh = "high"
	// PrivilegeMedium: scoped write or broad read access.
	PrivilegeMedium = "medium"
	// PrivilegeLow: narrowly scoped or read-only tokens, public identifiers.
	PrivilegeLow = "low"
)

var privileges = map[string]int{PrivilegeCritical: 3, PrivilegeHigh: 2, PrivilegeMedium: 1, PrivilegeLow: 0}

// PrivilegeRank orders tiers: critical 3 ... low 0; unknown tiers rank medium.
func PrivilegeRank(p string) int {
	if r, ok := privileges[p]; ok {
		return r
	}
	return 1
}

// CredentialType describes one kind of credential in the knowledge base.
type CredentialType struct {
	// Type is the stable identifier reported as "type" (e.g. "aws-access-key").
	Type string `toml:"type"`
	// Name is a human-readable name.
	Name string `toml:"name"`
	// Provider is the issuer family: aws, gcp, azure, github, pypi, npm,
	// container-registry, vault, slack, stripe, ..., or other.
	Provider string `toml:"provider"`
	// Family namespaces the fingerprint (sha256(family + ":" + secret)); it
	// defaults to Provider so that two rules matching the same value of the
	// same issuer yield one credential.
	Family string `toml:"family"`
	// Lifetime is the class the type has when nothing in the value says
	// otherwise (an expiry decoded from a JWT overrides it).
	Lifetime Lifetime `toml:"lifetime"`
	// Privilege is the tier of access the credential likely carries.
	Privilege string `toml:"privilege"`
	// Rules lists the detection rule IDs whose findings are of this type; a
	// trailing "*" matches a prefix ("slack-*").
	Rules []string `toml:"rules"`
	// Revoke says how to revoke or rotate it, for rotation checklists.
	Revoke string `toml:"revoke"`
	// Notes adds what a reader should know (scopes, formats).
	Notes string `toml:"notes"`
}

// KB is the credential knowledge base. The zero value knows nothing and
// answers every lookup with a standing, medium-privilege default.
// A KB is safe for concurrent reads.
type KB struct {
	types  []CredentialType
	exact  map[string]int
	prefix []prefixRule
	byType map[string]int
}

type prefixRule struct {
	prefix string
	idx    int
}

type kbFile struct {
	Credential []CredentialType `toml:"credential"`
}

// DefaultKB returns the embedded knowledge base: every file under
// rules/credentials/, in name order, as one document.
func DefaultKB() (*KB, error) {
	names, err := fs.Glob(credentialsFS, "credentials/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var docs []Doc
	for _, n := range names {
		data, err := credentialsFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Doc{Name: "rules/" + n, Data: data})
	}
	return ParseKBDocs(docs...)
}

// Doc is a named data document.
type Doc struct {
	Name string
	Data []byte
}

// ParseKBDocs parses several knowledge-base documents into one knowledge
// base; a type or rule defined twice, even across documents, is an error.
func ParseKBDocs(docs ...Doc) (*KB, error) {
	kb := &KB{exact: map[string]int{}, byType: map[string]int{}}
	var all ErrorList
	for _, d := range docs {
		if err := kb.parse(d.Name, d.Data); err != nil {
			var l ErrorList
			if errors.As(err, &l) {
				all = append(all, l...)
				continue
			}
			return nil, err
		}
	}
	// Longest prefix first, so "slack-legacy-*" wins over "slack-*".
	sort.SliceStable(kb.prefix, func(i, j int) bool { return len(kb.prefix[i].prefix) > len(kb.prefix[j].prefix) })
	if len(all) > 0 {
		return nil, all
	}
	return kb, nil
}

// ParseKB parses and validates a knowledge base document. name is used in
// error messages, which carry positions and are all reported together.
func ParseKB(name string, data []byte) (*KB, error) {
	return ParseKBDocs(Doc{Name: name, Data: data})
}

func (kb *KB) parse(name string, data []byte) error {
	var f kbFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return decodeError(name, err)
	}
	ix := tomlpos.Build(data)
	var errs []PosError
	bad := func(i int, key, format string, args ...any) {
		pos, _ := ix.Lookup("credential", fmt.Sprint(i), key)
		errs = append(errs, PosError{File: name, Line: pos.Line, Column: pos.Column, Msg: fmt.Sprintf(format, args...)})
	}
	for i, ct := range f.Credential {
		if ct.Type == "" {
			bad(i, "type", "credential has no type")
			continue
		}
		if _, dup := kb.byType[ct.Type]; dup {
			bad(i, "type", "duplicate credential type %q", ct.Type)
		}
		if ct.Provider == "" {
			bad(i, "provider", "credential %q has no provider", ct.Type)
		}
		if !ct.Lifetime.Valid() {
			bad(i, "lifetime", "credential %q: unknown lifetime class %q", ct.Type, ct.Lifetime)
		}
		if _, ok := privileges[ct.Privilege]; !ok {
			bad(i, "privilege", "credential %q: unknown privilege %q (want critical, high, medium or low)", ct.Type, ct.Privilege)
		}
		if ct.Family == "" {
			ct.Family = ct.Provider
		}
		if ct.Name == "" {
			ct.Name = ct.Type
		}
		idx := len(kb.types)
		kb.types = append(kb.types, ct)
		kb.byType[ct.Type] = idx
		for _, r := range ct.Rules {
			if p, ok := strings.CutSuffix(r, "*"); ok {
				kb.prefix = append(kb.prefix, prefixRule{p, idx})
				continue
			}
			if prev, dup := kb.exact[r]; dup {
				bad(i, "rules", "rule %q is mapped to both %q and %q", r, kb.types[prev].Type, ct.Type)
			}
			kb.exact[r] = idx
		}
	}
	if len(errs) > 0 {
		return sortErrors(errs)
	}
	return nil
}

// ForRule returns the type of findings of rule id. A rule the knowledge base
// does not know gets a type named after the rule, a provider taken from its
// first word, and the cautious defaults: standing, medium privilege.
func (kb *KB) ForRule(id string) CredentialType {
	if kb != nil {
		if i, ok := kb.exact[id]; ok {
			return kb.types[i]
		}
		for _, p := range kb.prefix {
			if strings.HasPrefix(id, p.prefix) {
				return kb.types[p.idx]
			}
		}
	}
	provider, _, _ := strings.Cut(id, "-")
	if provider == "" {
		provider = "other"
	}
	return CredentialType{Type: id, Name: id, Provider: provider, Family: provider, Lifetime: Standing, Privilege: PrivilegeMedium}
}

// Type returns the credential type named t.
func (kb *KB) Type(t string) (CredentialType, bool) {
	if kb == nil {
		return CredentialType{}, false
	}
	i, ok := kb.byType[t]
	if !ok {
		return CredentialType{}, false
	}
	return kb.types[i], true
}

// Types returns every credential type, in document order. The caller must
// not modify the returned slice.
func (kb *KB) Types() []CredentialType {
	if kb == nil {
		return nil
	}
	return kb.types
}

// PosError is an error at a position of a data file.
type PosError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e PosError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// ErrorList is every error found in a data file, sorted by position.
type ErrorList []PosError

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

func sortErrors(errs []PosError) error {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Line != errs[j].Line {
			return errs[i].Line < errs[j].Line
		}
		return errs[i].Column < errs[j].Column
	})
	return ErrorList(errs)
}

// DecodeError converts a go-toml error into positioned errors naming file.
func DecodeError(file string, err error) error { return decodeError(file, err) }

func decodeError(file string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var errs []PosError
		for _, e := range strict.Errors {
			line, col := e.Position()
			errs = append(errs, PosError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("unknown key %q", strings.Join(e.Key(), "."))})
		}
		return sortErrors(errs)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return ErrorList{{File: file, Line: line, Column: col, Msg: de.Error()}}
	}
	return ErrorList{{File: path.Clean(file), Msg: err.Error()}}
}
