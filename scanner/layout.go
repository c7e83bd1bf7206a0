package scanner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/config"
	gitformat "github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Layout is where a repository's parts are on disk, as git sees them.
type Layout struct {
	// Top is the work tree's top-level directory (git rev-parse
	// --show-toplevel).
	Top string
	// GitDir is this work tree's git directory (git rev-parse --git-dir):
	// Top/.git, or the main repository's .git/worktrees/NAME for a linked
	// work tree.
	GitDir string
	// CommonDir is the git directory the work trees share (git rev-parse
	// --git-common-dir).
	CommonDir string
	// HooksDir is where git looks for hooks: core.hooksPath (from the
	// repository's, the user's or the system's configuration, in that order
	// of precedence; "~/" is the home directory, a relative path is relative
	// to Top) if set, else CommonDir/hooks.
	HooksDir string
	// HooksPath is core.hooksPath as configured, empty when unset.
	HooksPath string
}

// LocateRepository finds the work tree containing dir, upward, and where
// its parts are, reading git's files through go-git (no git binary). It
// returns an error wrapping [ErrNotRepository] outside a work tree.
// Known limits: configuration include and includeIf directives are not
// followed when looking for core.hooksPath.
func LocateRepository(dir string) (*Layout, error) {
	g, err := openRepo(dir)
	if err != nil {
		return nil, err
	}
	if g == nil || g.top == "" {
		return nil, fmt.Errorf("locate repository of %q: %w", dir, ErrNotRepository)
	}
	defer g.close()
	st, ok := g.repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("locate repository of %q: storage is not on disk", dir)
	}
	l := &Layout{Top: g.top}
	l.GitDir, l.CommonDir = gitDirs(st.Filesystem().Root())
	l.HooksPath = hooksPathOption(g)
	switch hp := l.HooksPath; {
	case hp == "":
		l.HooksDir = filepath.Join(l.CommonDir, "hooks")
	case hp == "~" || strings.HasPrefix(hp, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("resolve core.hooksPath %q: %w", hp, err)
		}
		l.HooksDir = filepath.Join(home, hp[1:])
	case filepath.IsAbs(hp):
		l.HooksDir = filepath.Clean(hp)
	default:
		l.HooksDir = filepath.Join(l.Top, hp)
	}
	return l, nil
}

// hooksPathOption returns core.hooksPath: the repository's setting, else the
// user's (~/.gitconfig over $XDG_CONFIG_HOME/git/config), else the
// system's.
func hooksPathOption(g *gitRepo) string {
	if cfg, err := g.repo.Config(); err == nil && cfg.Raw != nil {
		if v := cfg.Raw.Section("core").Option("hooksPath"); v != "" {
			return v
		}
	}
	// go-git lists the XDG file first, then ~/.gitconfig, which git reads
	// last (so it wins), then ~/.config/git/config.
	paths, _ := gitconfig.Paths(gitconfig.GlobalScope)
	var ordered []string
	for _, p := range paths {
		if filepath.Base(p) == ".gitconfig" {
			ordered = append([]string{p}, ordered...)
		} else {
			ordered = append(ordered, p)
		}
	}
	for _, p := range append(ordered, "/etc/gitconfig") {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		raw := gitformat.New()
		err = gitformat.NewDecoder(f).Decode(raw)
		f.Close()
		if err != nil {
			continue
		}
		if v := raw.Section("core").Option("hooksPath"); v != "" {
			return v
		}
	}
	return ""
}

// gitDirs returns a work tree's git directory and the common directory
// behind it (git rev-parse --git-dir, --git-common-dir).
func gitDirs(gitDir string) (string, string) {
	common := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = filepath.Clean(c)
	}
	return gitDir, common
}
