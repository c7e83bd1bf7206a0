package scanner

import (
	"bytes"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// report assembles the scan's occurrences into a report.
func (s *scan) report(start time.Time) *Report {
	occs := s.mergeOccurrences()
	s.markInHead(occs)
	r := &Report{
		Version: ReportVersion,
		Tool:    Tool{Name: "sessionize", Version: s.opts.ToolVersion},
		Target: Target{
			Path:           s.targetPath(),
			CommitsScanned: s.c.commits.Load(),
			BlobsScanned:   s.c.blobs.Load(),
			BytesScanned:   s.c.bytes.Load(),
			DurationMS:     s.opts.now().Sub(start).Milliseconds(),
		},
		Credentials: Group(occs, s.repositoryIdentity()),
		Problems:    s.problems,
	}
	r.Summary.Skipped = Skipped{
		Binary: s.c.binary.Load(), TooLarge: s.c.tooLarge.Load(), LFS: s.c.lfs.Load(),
		Unreadable: s.c.unreadable.Load(), Invalid: s.c.invalid.Load(),
	}
	r.Summary.ObjectsMissing = s.c.missing.Load()
	sort.Slice(r.Problems, func(i, j int) bool { return r.Problems[i].Path < r.Problems[j].Path })
	r.Finalize()
	return r
}

// mergeOccurrences joins history and working-tree occurrences: a credential
// found at a path both in history and in the working tree is reported where
// it is now, with the commit that introduced it.
func (s *scan) mergeOccurrences() []Occurrence {
	out := append([]Occurrence(nil), s.wt...)
	if s.hist == nil {
		return out
	}
	used := map[occKey]bool{}
	for i := range out {
		o := &out[i]
		if o.Where == WhereCIReference {
			continue
		}
		k := occKey{fp: o.Finding.Fingerprint(), path: o.Path}
		if h, ok := s.hist.occ[k]; ok {
			o.Commit, o.Author, o.Date = h.Commit, h.Author, h.Date
			used[k] = true
		}
	}
	keys := make([]occKey, 0, len(s.hist.occ))
	for k := range s.hist.occ {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].fp < keys[j].fp
	})
	for _, k := range keys {
		out = append(out, *s.hist.occ[k])
	}
	return out
}

// markInHead sets InHead: whether HEAD still holds the credential at the
// occurrence's path. Outside git, whatever is on disk is current.
func (s *scan) markInHead(occs []Occurrence) {
	if s.g == nil {
		for i := range occs {
			occs[i].InHead = true
		}
		return
	}
	tree, err := s.g.headTree()
	if err != nil || tree == nil {
		return
	}
	cache := map[string][]byte{}
	for i := range occs {
		o := &occs[i]
		content, ok := cache[o.Path]
		if !ok {
			content = headFile(tree, s.g.prefix+o.Path, s.opts.maxFileSize())
			cache[o.Path] = content
		}
		needle := o.Finding.Secret.Reveal()
		if o.Finding.CI != nil {
			needle = o.Finding.CI.Name
		}
		o.InHead = content != nil && needle != "" && bytes.Contains(content, []byte(needle))
	}
}

func headFile(tree *object.Tree, p string, maxSize int64) []byte {
	f, err := tree.File(p)
	if err != nil || (maxSize > 0 && f.Size > maxSize) {
		return nil
	}
	c, err := f.Contents()
	if err != nil {
		return nil
	}
	return []byte(c)
}

// repositoryIdentity names the repository for CI-reference fingerprints.
func (s *scan) repositoryIdentity() string {
	if s.opts.Repository != "" {
		return s.opts.Repository
	}
	if s.g != nil {
		if u := s.g.originURL(); u != "" {
			return repositoryIdentity(u)
		}
	}
	abs, err := filepath.Abs(s.opts.Root)
	if err != nil {
		return s.opts.Root
	}
	return filepath.Base(abs)
}

// Group gathers occurrences into credentials by fingerprint. CI references
// are fingerprinted per repository (a stored secret's name means nothing
// outside it), so repo qualifies their family. The credential takes its rule
// and classification from its most specific finding: a dedicated rule over
// a generic one, content over references.
func Group(occs []Occurrence, repo string) []Credential {
	byFP := map[string]*Credential{}
	var order []string
	// The same credential found at one place by two detectors (a content
	// rule and a configuration-file detector) is one occurrence.
	type place struct {
		fp, path string
		line     int
		where    Where
	}
	at := map[place]int{}
	for _, o := range occs {
		f := o.Finding
		if f.Kind == detectors.KindCIReference {
			f.Family = ciFamily(f, repo)
			o.Finding = f
		}
		fp := f.Fingerprint()[:16]
		c, ok := byFP[fp]
		if !ok {
			c = &Credential{Fingerprint: fp, Verified: "unknown"}
			byFP[fp] = c
			order = append(order, fp)
		}
		if c.Rule == "" || moreSpecific(f, c) {
			adopt(c, f)
		}
		if c.Fixer == "" {
			c.Fixer = f.Fixer
		}
		c.Notes = appendUnique(c.Notes, f.Notes...)
		if f.Session {
			c.Session = true
		}
		k := place{fp, o.Path, o.Line, o.Where}
		if i, dup := at[k]; dup {
			if moreSpecificFinding(f, c.Occurrences[i].Finding) {
				c.Occurrences[i] = o
			}
			continue
		}
		at[k] = len(c.Occurrences)
		c.Occurrences = append(c.Occurrences, o)
	}
	out := make([]Credential, 0, len(order))
	for _, fp := range order {
		out = append(out, *byFP[fp])
	}
	return out
}

func ciFamily(f detectors.Finding, repo string) string {
	fam := f.Family
	if fam == "" {
		fam = "ci"
	}
	return fam + "@" + repo
}

func adopt(c *Credential, f detectors.Finding) {
	c.Rule = f.RuleID
	c.Type = f.Type
	c.Provider = f.Provider
	c.Lifetime = f.Lifetime
	c.Privilege = f.Privilege
	c.ExpiresAt = f.ExpiresAt
	c.IssuedAt = f.IssuedAt
	c.Secret = f.Secret
	c.Invalid = f.Invalid
	c.Reference = ""
	if f.Kind == detectors.KindCIReference {
		c.Reference = f.Secret.Reveal()
	}
	if c.Fixer == "" {
		c.Fixer = f.Fixer
	}
}

// moreSpecific reports whether f describes the credential better than what
// c holds: a dedicated rule or a structured detector beats a generic rule.
func moreSpecific(f detectors.Finding, c *Credential) bool {
	fg, cg := isGeneric(f.RuleID), isGeneric(c.Rule)
	if fg != cg {
		return cg
	}
	if f.Lifetime != c.Lifetime && f.Lifetime != "" {
		// A decoded expiry is more precise than the type's default.
		return !f.ExpiresAt.IsZero() && c.ExpiresAt.IsZero()
	}
	return false
}

func appendUnique(dst []string, src ...string) []string {
	for _, s := range src {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// IsSessionScoped reports whether a credential is session-scoped wiring or
// of the session lifetime class.
func (c *Credential) IsSessionScoped() bool {
	return c.Session || c.Lifetime == rules.Session
}

// moreSpecificFinding is moreSpecific between two findings at one place.
func moreSpecificFinding(f, g detectors.Finding) bool {
	if fg, gg := isGeneric(f.RuleID), isGeneric(g.RuleID); fg != gg {
		return gg
	}
	return f.Kind == detectors.KindConfig && g.Kind == detectors.KindContent
}
