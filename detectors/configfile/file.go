package configfile

import (
	"sort"
	"strings"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// file is one file being scanned: its text, a line index for positions and
// the findings made so far.
type file struct {
	path string
	src  string
	kb   *rules.KB

	lineStarts []int
	out        []detectors.Finding
	seen       map[findingKey]bool
	allowed    map[int]bool // line → carries an allow comment (memoised)
}

type findingKey struct {
	rule, value string
	off         int
}

func newFile(path string, content []byte, kb *rules.KB) *file {
	return &file{path: path, src: string(content), kb: kb}
}

// pos returns the 1-based line and byte column of offset off.
func (f *file) pos(off int) (line, col int) {
	if f.lineStarts == nil {
		f.lineStarts = append(f.lineStarts, 0)
		for i := 0; i < len(f.src); i++ {
			if f.src[i] == '\n' {
				f.lineStarts = append(f.lineStarts, i+1)
			}
		}
	}
	off = max(0, min(off, len(f.src)))
	i := sort.SearchInts(f.lineStarts, off+1) - 1
	return i + 1, off - f.lineStarts[i] + 1
}

// offset returns the byte offset of 1-based line and byte column, clamped to
// the content.
func (f *file) offset(line, col int) int {
	f.pos(0)
	if line < 1 {
		return 0
	}
	if line > len(f.lineStarts) {
		return len(f.src)
	}
	return min(f.lineStarts[line-1]+max(col-1, 0), len(f.src))
}

// lineAt returns the text of the line holding offset off, without its
// line terminator.
func (f *file) lineAt(off int) string {
	off = max(0, min(off, len(f.src)))
	start := strings.LastIndexByte(f.src[:off], '\n') + 1
	end := strings.IndexByte(f.src[off:], '\n')
	if end < 0 {
		end = len(f.src)
	} else {
		end += off
	}
	return strings.TrimSuffix(f.src[start:end], "\r")
}

// allowedAt reports whether the line holding offset off carries a
// sessionize:allow or gitleaks:allow comment.
func (f *file) allowedAt(off int) bool {
	line, _ := f.pos(off)
	a, ok := f.allowed[line]
	if !ok {
		text := f.lineAt(off)
		a = strings.Contains(text, detectors.AllowComment) || strings.Contains(text, "gitleaks:allow")
		if f.allowed == nil {
			f.allowed = map[int]bool{}
		}
		f.allowed[line] = a
	}
	return a
}

// cand is a credential candidate: a literal value at a place in the file.
type cand struct {
	rule  string
	value string // the secret, decoded
	// off and end delimit the value's text in the file; end 0 means
	// off+len(value) (the value is the raw text).
	off, end int
	// typ forces a knowledge-base type (ECR tokens in a docker config);
	// provider sets the provider when the context knows it (a Terraform
	// provider block).
	typ, provider string
	fixer         string
	session       bool
	notes         []string
}

// add records a finding for c unless the value is a documented example or
// its line carries an allow comment. It classifies the finding.
func (f *file) add(c cand) {
	if c.value == "" || detectors.IsDocumentedExample(c.value) {
		return
	}
	off := max(0, min(c.off, len(f.src)))
	end := c.end
	if end <= 0 {
		end = off + len(c.value)
	}
	end = max(off, min(end, len(f.src)))
	if f.allowedAt(off) {
		return
	}
	k := findingKey{c.rule, c.value, off}
	if f.seen[k] {
		return
	}
	if f.seen == nil {
		f.seen = map[findingKey]bool{}
	}
	f.seen[k] = true
	line, col := f.pos(off)
	endLine, endCol := line, col
	if end > off {
		endLine, endCol = f.pos(end - 1)
	}
	fd := detectors.Finding{
		RuleID:      c.rule,
		Description: ruleDescription(c.rule),
		Kind:        detectors.KindConfig,
		Secret:      detectors.NewSecret(c.value),
		Path:        f.path,
		Line:        line,
		Column:      col,
		EndLine:     endLine,
		EndColumn:   endCol,
		Provider:    c.provider,
		Session:     c.session,
		Fixer:       c.fixer,
		Notes:       append([]string(nil), c.notes...),
	}
	classifyFinding(f.kb, &fd, c.typ)
	f.out = append(f.out, fd)
}

// sorted returns the findings in position order.
func (f *file) sorted() []detectors.Finding {
	detectors.SortFindings(f.out)
	return f.out
}

// classifyFinding fills type, provider, family, lifetime and privilege.
//
// The fingerprint family decides whether two findings of one value are one
// credential. A content rule and a configuration detector often see the
// same value (a ghp_ token in .npmrc is matched by gitleaks' github-pat too),
// so a value whose shape names its issuer takes the family, type and
// lifetime of the content rule for that shape: both findings then share a
// fingerprint and group into one credential. A value without a telling shape
// takes the rule's own type from the knowledge base; those types use the
// family of the content rule that matches the same line ("database" for a
// password inside a database URL, as database-url-password; "generic"
// otherwise, as generic-api-key and password-assignment), so that the same
// password found in a .env file and in application.yml is one credential
// with two occurrences.
func classifyFinding(kb *rules.KB, fd *detectors.Finding, typ string) {
	// The context's provider (a Terraform provider block, a registry host)
	// names the issuer of values without a telling shape; a shape names its
	// own.
	ctxProvider := fd.Provider
	fd.Provider = ""
	shaped := false
	v := fd.Secret.Reveal()
	switch rule, strong := valueRule(v); {
	case typ != "":
		if ct, ok := kb.Type(typ); ok {
			fillFrom(fd, ct)
		}
	case rule != "":
		tmp := detectors.Finding{RuleID: rule, Secret: fd.Secret}
		detectors.Classify(kb, &tmp)
		if strong {
			fd.Type, fd.Provider, fd.Family, fd.Privilege, fd.Lifetime = tmp.Type, tmp.Provider, tmp.Family, tmp.Privilege, tmp.Lifetime
			shaped = true
		} else {
			// A weak shape (a JWT) says which content rule matches it, not
			// what it is: keep the rule's type, share the content rule's
			// family, and take an expiry decoded from the value.
			ct := kb.ForRule(fd.RuleID)
			fd.Type, fd.Family, fd.Privilege, fd.Lifetime = ct.Type, tmp.Family, ct.Privilege, ct.Lifetime
			if !tmp.ExpiresAt.IsZero() || tmp.Lifetime != ct.Lifetime && tmp.Lifetime == rules.Standing {
				// The value's own claims (exp, or none at all) decide.
				fd.Lifetime = tmp.Lifetime
			}
		}
		fd.ExpiresAt, fd.IssuedAt = tmp.ExpiresAt, tmp.IssuedAt
		fd.Notes = append(fd.Notes, tmp.Notes...)
	default:
		if own := ownShape(v); own != "" {
			if ct, ok := kb.Type(own); ok {
				fillFrom(fd, ct)
				shaped = true
			}
		}
	}
	detectors.Classify(kb, fd)
	if ctxProvider != "" && !shaped {
		fd.Provider = ctxProvider
	}
	fd.Notes = uniqueStrings(fd.Notes)
}

func fillFrom(fd *detectors.Finding, ct rules.CredentialType) {
	fd.Type, fd.Provider, fd.Family, fd.Lifetime, fd.Privilege = ct.Type, ct.Provider, ct.Family, ct.Lifetime, ct.Privilege
}

func uniqueStrings(s []string) []string {
	out := s[:0]
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
