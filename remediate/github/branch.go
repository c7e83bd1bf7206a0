package github

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// BranchPrefix starts every branch the tool pushes.
const BranchPrefix = "sessionize/"

// maxSlug bounds the file part of a branch name.
const maxSlug = 60

// BranchName is the stable branch of a fixer's change to a file:
// sessionize/<fixer>/<file-slug>, e.g.
// sessionize/gha-aws-oidc/github-workflows-deploy-yml. It depends only on
// the fixer and the path, so a re-run finds the same branch; it never
// holds anything from the file's content.
func BranchName(fixer, path string) string {
	return BranchPrefix + Slug(fixer) + "/" + Slug(path)
}

// Slug turns a path into lower-case letters, digits and single dashes
// (".github/workflows/deploy.yml" → "github-workflows-deploy-yml"). A slug
// longer than 60 characters is cut and ends with 8 hex digits of the
// path's hash, so that long paths stay distinct.
func Slug(path string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(path) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	s := b.String()
	if s == "" {
		s = "file"
	}
	if len(s) <= maxSlug {
		return s
	}
	sum := sha256.Sum256([]byte(path))
	return strings.TrimRight(s[:maxSlug-9], "-") + "-" + hex.EncodeToString(sum[:4])
}
