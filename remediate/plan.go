package remediate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/sessionize/sessionize/scanner"
)

// maxFixSize bounds the files fixers read.
const maxFixSize = 4 << 20

// skipDirs are never walked when discovering files.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".terraform": true, ".venv": true, "venv": true, "__pycache__": true}

// Plan computes the rewrites for the repository at root. Targets are the
// files of the report's working-tree and CI-reference occurrences (each
// occurrence's finding becomes a hint: a source literal's position, a
// fingerprint) and, unless opts.NoDiscover, every CI definition and
// configuration file under root that a fixer understands. report may be
// nil. Nothing is written. Errors are reserved for what stops the whole
// plan (a cancelled context, an unreadable root); a file a fixer will not
// rewrite is a Refusal.
func Plan(ctx context.Context, root string, report *scanner.Report, opts Options) (*Result, error) {
	hints := hintsByPath(report)
	ignored := ignoredLines(report)
	paths := map[string]bool{}
	for p := range hints {
		paths[p] = true
	}
	if !opts.NoDiscover {
		found, err := discover(ctx, root)
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			paths[p] = true
		}
	}
	res := &Result{}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !anyFixer(&opts, p) {
			continue
		}
		content, err := readTarget(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			res.Refusals = append(res.Refusals, Refusal{Path: p, Reason: err.Error()})
			continue
		}
		if content == nil {
			continue
		}
		ch, refusals := fixContent(p, content, &opts, hints[p])
		res.Refusals = append(res.Refusals, refusals...)
		if ch == nil {
			continue
		}
		if line, touched := touchesIgnored(ch, ignored[p]); touched {
			res.Refusals = append(res.Refusals, Refusal{
				Path: p, Fixer: ch.Fixer, Line: line,
				Reason: fmt.Sprintf("line %d holds a credential the ignore files (.sessionizeignore, .gitleaksignore) or an allow comment silence: not rewritten", line),
			})
			continue
		}
		res.Changes = append(res.Changes, *ch)
	}
	sort.SliceStable(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	sortRefusals(res.Refusals)
	return res, nil
}

// ignoredLines returns, per path, the lines of occurrences the report's
// ignore files silenced.
func ignoredLines(r *scanner.Report) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	if r == nil {
		return out
	}
	for _, o := range r.Ignored {
		if out[o.Path] == nil {
			out[o.Path] = map[int]bool{}
		}
		for l := o.Line; l <= max(o.EndLine, o.Line); l++ {
			out[o.Path][l] = true
		}
	}
	return out
}

// touchesIgnored returns the first ignored line the change rewrites.
func touchesIgnored(ch *Change, lines map[int]bool) (int, bool) {
	if len(lines) == 0 {
		return 0, false
	}
	removed := removedLines(ch.Before, ch.After)
	first := 0
	for l := range removed {
		if lines[l] && (first == 0 || l < first) {
			first = l
		}
	}
	return first, first != 0
}

func anyFixer(o *Options, p string) bool {
	for _, f := range registry() {
		if o.only(f.Name) && f.match(p) {
			return true
		}
	}
	return false
}

// readTarget reads a file to fix; nil content (no error) for files too
// large or not regular.
func readTarget(abs string) ([]byte, error) {
	fi, err := os.Lstat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", abs, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxFixSize {
		return nil, nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", abs, err)
	}
	return data, nil
}

// discover lists the CI definitions and configuration files under root
// that a fixer understands. Source files are fixed only where a finding
// points, so they are not listed.
func discover(ctx context.Context, root string) ([]string, error) {
	var out []string
	fixers := registry()
	err := filepath.WalkDir(root, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			if abs == root {
				return err
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if abs != root && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil
		}
		p := filepath.ToSlash(rel)
		for _, f := range fixers {
			if f.Name != "source-env" && f.match(p) {
				out = append(out, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list files under %q: %w", root, err)
	}
	return out, nil
}

// hintsByPath turns the report's current occurrences into hints.
func hintsByPath(r *scanner.Report) map[string][]hint {
	out := map[string][]hint{}
	if r == nil {
		return out
	}
	for _, c := range r.Credentials {
		for _, o := range c.Occurrences {
			if o.Where == scanner.WhereHistory || (o.Where == scanner.WhereStaged && !o.InHead) {
				continue
			}
			f := o.Finding
			h := hint{
				Line: o.Line, Column: o.Column, EndLine: max(o.EndLine, o.Line),
				EndColumn: f.EndColumn, SecretLen: f.Secret.Len(), Fingerprint: c.Fingerprint,
				Rule: firstNonEmpty(f.RuleID, c.Rule), Type: firstNonEmpty(f.Type, c.Type),
				Provider: firstNonEmpty(f.Provider, c.Provider), Fixer: firstNonEmpty(f.Fixer, c.Fixer),
				Reference: c.Reference, Redacted: c.RedactedSecret(),
			}
			out[o.Path] = append(out[o.Path], h)
		}
	}
	return out
}
