package scanner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// fileEntry is a file of the working tree to scan.
type fileEntry struct {
	// path is slash-separated, relative to the target root.
	path string
	// abs is the path on disk.
	abs string
	// ignored marks a file git ignores (listed with includeIgnored).
	ignored bool
}

// listFiles lists the files a working-tree scan reads, sorted by path: in a
// git work tree the tracked files plus the untracked ones git does not
// ignore (and the ignored ones too with includeIgnored); elsewhere every
// regular file. Symbolic links, submodules and nested repositories are left
// out.
func listFiles(ctx context.Context, root string, g *gitRepo, includeIgnored bool) ([]fileEntry, error) {
	if g == nil || g.top == "" {
		return walkPlain(ctx, root)
	}
	tracked, err := trackedFiles(g)
	if err != nil {
		return nil, err
	}
	files := map[string]bool{} // path -> ignored
	for p := range tracked {
		if r, ok := g.rel(p); ok && fileExists(filepath.Join(g.top, filepath.FromSlash(p))) {
			files[r] = false
		}
	}
	err = walkUntracked(ctx, g, tracked, includeIgnored, func(p string, ignored bool) {
		if r, ok := g.rel(p); ok {
			files[r] = ignored
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]fileEntry, 0, len(files))
	base := filepath.Join(g.top, filepath.FromSlash(g.prefix))
	for p, ignored := range files {
		out = append(out, fileEntry{path: p, abs: filepath.Join(base, filepath.FromSlash(p)), ignored: ignored})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// trackedFiles returns the index's regular files (not submodules or links).
func trackedFiles(g *gitRepo) (map[string]bool, error) {
	idx, err := g.repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("read index of %q: %w", g.name, err)
	}
	out := make(map[string]bool, len(idx.Entries))
	for _, e := range idx.Entries {
		if e.Mode == filemode.Regular || e.Mode == filemode.Executable || e.Mode == filemode.Deprecated {
			out[e.Name] = true
		}
	}
	return out, nil
}

// walkUntracked walks the work tree and calls add for every untracked
// regular file that git does not ignore (and, with includeIgnored, for the
// ignored ones too, marked), honouring .gitignore files, .git/info/exclude
// and the user's core.excludesFile.
func walkUntracked(ctx context.Context, g *gitRepo, tracked map[string]bool, includeIgnored bool, add func(p string, ignored bool)) error {
	var patterns []gitignore.Pattern
	rootFS := osfs.New("/")
	if ps, err := gitignore.LoadSystemPatterns(rootFS); err == nil {
		patterns = append(patterns, ps...)
	}
	if ps, err := gitignore.LoadGlobalPatterns(rootFS); err == nil {
		patterns = append(patterns, ps...)
	}
	patterns = append(patterns, readIgnoreFile(filepath.Join(g.top, ".git", "info", "exclude"), nil)...)
	// Patterns of a directory's .gitignore apply below it only; the stack
	// holds, for each directory being walked, how many patterns it added.
	type frame struct {
		dir string
		n   int
	}
	var stack []frame
	// ignoredDepth > 0 while inside an ignored directory (includeIgnored).
	ignoredDir := ""
	start := filepath.Join(g.top, filepath.FromSlash(g.prefix))
	return filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return filepath.SkipDir
			}
			return fmt.Errorf("walk %q: %w", p, err)
		}
		rel, _ := filepath.Rel(g.top, p)
		rel = filepath.ToSlash(rel)
		parent := filepath.Dir(p)
		for len(stack) > 0 && !strings.HasPrefix(parent+string(filepath.Separator), stack[len(stack)-1].dir+string(filepath.Separator)) {
			patterns = patterns[:len(patterns)-stack[len(stack)-1].n]
			stack = stack[:len(stack)-1]
		}
		parts := strings.Split(rel, "/")
		if d.IsDir() {
			if rel == "." {
				rel, parts = "", nil
			}
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			if rel != "" && fileOrDirExists(filepath.Join(p, ".git")) {
				return filepath.SkipDir // nested repository or submodule
			}
			if ignoredDir != "" && !strings.HasPrefix(p, ignoredDir+string(filepath.Separator)) {
				ignoredDir = ""
			}
			if rel != "" && ignoredDir == "" && gitignore.NewMatcher(patterns).Match(parts, true) {
				if !includeIgnored {
					return filepath.SkipDir
				}
				ignoredDir = p
			}
			ps := readIgnoreFile(filepath.Join(p, ".gitignore"), parts)
			patterns = append(patterns, ps...)
			stack = append(stack, frame{dir: p, n: len(ps)})
			return nil
		}
		if !d.Type().IsRegular() || tracked[rel] {
			return nil
		}
		if ignoredDir != "" && !strings.HasPrefix(p, ignoredDir+string(filepath.Separator)) {
			ignoredDir = ""
		}
		ignored := ignoredDir != "" || gitignore.NewMatcher(patterns).Match(parts, false)
		if ignored && !includeIgnored {
			return nil
		}
		add(rel, ignored)
		return nil
	})
}

func fileOrDirExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func readIgnoreFile(p string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps
}

// walkPlain lists every regular file under root, skipping .git directories.
func walkPlain(ctx context.Context, root string) ([]fileEntry, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("scan %q: %w", root, err)
	}
	if !info.IsDir() {
		return []fileEntry{{path: filepath.Base(root), abs: root}}, nil
	}
	var out []fileEntry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return filepath.SkipDir
			}
			return fmt.Errorf("walk %q: %w", p, err)
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, fileEntry{path: filepath.ToSlash(rel), abs: p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}
