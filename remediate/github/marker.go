package github

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sessionize/sessionize/remediate"
)

// Marker is the hidden comment at the end of a pull request's body that
// records what it fixed, so that a later run recognises the pull request
// and tells whether the finding changed:
//
//	<!-- sessionize:v1 fixer=gha-aws-oidc creds=ba6fe2dba4c49360,c5b3a520839c2c5a finding=3f2a9c0d41b7e815 -->
type Marker struct {
	// Fixer is the fixer that names the branch.
	Fixer string
	// Creds are the fingerprints (16 hex digits) of the credentials the
	// change retires, sorted; empty when the plan had no report.
	Creds []string
	// Finding digests what was found: the fixers, the path, and the
	// fingerprints (or, without fingerprints, the removed lines).
	Finding string
}

// String renders the marker as an HTML comment.
func (m Marker) String() string {
	return fmt.Sprintf("<!-- sessionize:v1 fixer=%s creds=%s finding=%s -->", m.Fixer, strings.Join(m.Creds, ","), m.Finding)
}

var markerRE = regexp.MustCompile(`<!-- sessionize:v1 fixer=([a-z0-9-]+) creds=([0-9a-f,]*) finding=([0-9a-f]+) -->`)

// ParseMarker finds the marker in a pull request's body.
func ParseMarker(body string) (Marker, bool) {
	m := markerRE.FindStringSubmatch(body)
	if m == nil {
		return Marker{}, false
	}
	var creds []string
	if m[2] != "" {
		creds = strings.Split(m[2], ",")
	}
	return Marker{Fixer: m[1], Creds: creds, Finding: m[3]}, true
}

// markerFor computes the marker of a change. The finding digest leaves out
// everything that may change without the finding changing: the rest of the
// file, the identifiers filled in, the tool's version.
func markerFor(c *remediate.Change) Marker {
	creds := slices.Clone(c.Fingerprints)
	slices.Sort(creds)
	creds = slices.Compact(creds)
	h := sha256.New()
	fmt.Fprintf(h, "sessionize-finding-v1\x00%s\x00%s\x00%s", strings.Join(c.Fixers, ","), c.Path, strings.Join(creds, ","))
	if len(creds) == 0 {
		for _, l := range removedLines(c) {
			fmt.Fprintf(h, "\x00%s", strings.TrimSpace(l))
		}
	}
	return Marker{Fixer: c.Fixer, Creds: creds, Finding: hex.EncodeToString(h.Sum(nil))[:16]}
}

// removedLines returns the lines of the change's diff that it removes.
func removedLines(c *remediate.Change) []string {
	var out []string
	inHunk := false
	for l := range strings.Lines(c.UnifiedDiff()) {
		switch {
		case strings.HasPrefix(l, "@@"):
			inHunk = true
		case inHunk && strings.HasPrefix(l, "-"):
			out = append(out, strings.TrimRight(l[1:], "\r\n"))
		}
	}
	return out
}
