package remediate

import (
	"bytes"
	"sort"
	"strings"
)

// FixFile runs every fixer that understands path (and that opts allows)
// over content, one after the other, and returns the change, nil when
// nothing is to change, and the refusals. p is slash-separated and
// relative to the repository root (it selects fixers: .github/workflows/,
// .gitlab-ci.yml, .npmrc, ...). Only source code needs findings to find
// its targets; use [Plan] for those.
func FixFile(p string, content []byte, opts Options) (*Change, []Refusal) {
	return fixContent(p, content, &opts, nil)
}

// fixContent runs the fixers over one file's content.
func fixContent(p string, content []byte, o *Options, hints []hint) (*Change, []Refusal) {
	cur := content
	ch := &Change{Path: p, Before: content}
	var refusals []Refusal
	for _, f := range registry() {
		if !o.only(f.Name) || !f.match(p) {
			continue
		}
		fc := &fileCtx{path: p, src: cur, opts: o, hints: hints, fixer: f.Name}
		runFixer(f, fc)
		refusals = append(refusals, fc.refusals...)
		if fc.out == nil || bytes.Equal(fc.out, cur) {
			continue
		}
		if reason := validateRewrite(p, cur, fc.out); reason != "" {
			refusals = append(refusals, Refusal{Path: p, Fixer: f.Name, Reason: reason})
			continue
		}
		cur = fc.out
		if ch.Fixer == "" {
			ch.Fixer = f.Name
		}
		ch.Fixers = append(ch.Fixers, f.Name)
		if ch.Summary == "" {
			ch.Summary = fc.summary
		} else if fc.summary != "" {
			ch.Summary += "; " + lowerFirst(fc.summary)
		}
		ch.Details = append(ch.Details, fc.details...)
		ch.Permissions = mergePerms(ch.Permissions, fc.perms)
		ch.Setup = append(ch.Setup, fc.setup...)
		ch.Caveats = appendUnique(ch.Caveats, fc.caveats...)
		ch.Revoke = append(ch.Revoke, fc.revoke...)
	}
	sortRefusals(refusals)
	if len(ch.Fixers) == 0 {
		return nil, refusals
	}
	ch.After = cur
	ch.Fingerprints = touchedFingerprints(content, cur, hints)
	for i := range ch.Revoke {
		ch.Revoke[i].Fingerprint = fingerprintFor(hints, ch.Revoke[i].Credential)
	}
	return ch, refusals
}

// runFixer runs one fixer; a panic (a bug) becomes a refusal, so that one
// fixer's bug never costs the others' work or writes a broken file.
func runFixer(f fixer, fc *fileCtx) {
	defer func() {
		if r := recover(); r != nil {
			fc.out = nil
			fc.refuse(0, "internal error in the fixer (please report it); the file is left as it was")
		}
	}()
	f.fix(fc)
}

// validateRewrite checks a rewrite as a whole; "" means it passes.
func validateRewrite(p string, before, after []byte) string {
	if isWorkflow(p) {
		added, err := newLintErrors(before, after)
		if err != nil {
			return "the rewrite could not be linted: " + err.Error()
		}
		if len(added) > 0 {
			return "the rewrite would add actionlint errors: " + strings.Join(added, "; ")
		}
	}
	return ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func mergePerms(have, add []PermissionChange) []PermissionChange {
	for _, p := range add {
		found := false
		for i := range have {
			if have[i].Job == p.Job {
				have[i].After = p.After
				found = true
			}
		}
		if !found {
			have = append(have, p)
		}
	}
	return have
}

// touchedFingerprints returns the fingerprints of the hints on lines the
// change removes or rewrites.
func touchedFingerprints(before, after []byte, hints []hint) []string {
	removed := removedLines(before, after)
	var out []string
	for _, h := range hints {
		if h.Fingerprint == "" {
			continue
		}
		for l := h.Line; l <= max(h.Line, h.EndLine); l++ {
			if removed[l] {
				out = appendUnique(out, h.Fingerprint)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func fingerprintFor(hints []hint, credential string) string {
	for _, h := range hints {
		if h.Reference != "" && h.Reference == credential {
			return h.Fingerprint
		}
	}
	return ""
}
