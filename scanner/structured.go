package scanner

import (
	"bytes"
	"context"
	"strings"

	"github.com/sessionize/sessionize/detectors"
)

// fileDetections runs the file detectors that understand path on its
// content. withCI keeps CI references (working tree and index only: in
// history a stored secret's wiring is no longer current).
func fileDetections(ctx context.Context, dets []detectors.FileDetector, path string, content []byte, withCI bool) ([]detectors.Finding, []string) {
	var out []detectors.Finding
	var problems []string
	for _, d := range dets {
		if !d.Match(path) {
			continue
		}
		fs, err := d.Detect(ctx, path, content)
		if err != nil {
			problems = append(problems, err.Error())
		}
		for _, f := range fs {
			if f.Kind == detectors.KindCIReference && !withCI {
				continue
			}
			if f.Path == "" {
				f.Path = path
			}
			out = append(out, f)
		}
	}
	return out, problems
}

// reconcile merges what the content rules and the structured detectors
// found in one file: findings on a line carrying an allow comment go, and a
// generic content match on a line where a structured detector found the
// literal gives way to it (the structured finding knows what the value is;
// the generic one only that it looks secret).
func reconcile(content []byte, fs []detectors.Finding) []detectors.Finding {
	structured := map[int]bool{}
	for _, f := range fs {
		if f.Kind == detectors.KindConfig {
			structured[f.Line] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		line := nthLine(content, f.Line)
		if bytes.Contains(line, []byte(detectors.AllowComment)) || bytes.Contains(line, []byte("gitleaks:allow")) {
			continue
		}
		if f.Kind == detectors.KindContent && structured[f.Line] && isGeneric(f.RuleID) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// isGeneric reports whether a content rule says only that a value looks
// secret, not what it is.
func isGeneric(rule string) bool {
	return strings.Contains(rule, "generic") || strings.HasPrefix(rule, "password-assignment") ||
		rule == "jwt" || rule == "jwt-base64"
}

// nthLine returns line n (1-based) of content without its newline.
func nthLine(content []byte, n int) []byte {
	for ; n > 1; n-- {
		i := bytes.IndexByte(content, '\n')
		if i < 0 {
			return nil
		}
		content = content[i+1:]
	}
	if i := bytes.IndexByte(content, '\n'); i >= 0 {
		content = content[:i]
	}
	return content
}
