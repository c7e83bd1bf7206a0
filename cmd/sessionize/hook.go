package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/internal/atomicfile"
	"github.com/sessionize/sessionize/scanner"
)

const (
	// hookName is the hook sessionize installs.
	hookName = "pre-commit"
	// chainedSuffix names where an existing hook is moved aside: the
	// sessionize hook runs it first.
	chainedSuffix = ".sessionize-chained"
	// hookMarker identifies a hook written by `sessionize hook install`.
	hookMarker = "# sessionize-hook v1"
)

type hookOptions struct {
	// dir is where to look for the repository (default: the current
	// directory).
	dir string
	// binary is the sessionize executable the hook runs; empty means this
	// one.
	binary string
}

// newHookCmd builds `sessionize hook install|uninstall`.
func newHookCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook install|uninstall",
		Short: "Install or remove the git pre-commit hook",
		Long: `hook install writes a pre-commit hook that runs "sessionize protect --staged"
into the directory git runs hooks from: core.hooksPath when set (relative to
the top-level of the work tree), else the hooks directory shared by every
work tree of the repository. A pre-commit hook already there is moved aside
to pre-commit` + chainedSuffix + ` and run first: if it fails, the commit
stops there. The hook runs sessionize by the absolute path of the
executable that installed it (GUI git clients run hooks with a minimal
PATH), else finds it on PATH and in the usual install directories.

hook uninstall removes the hook and puts the chained one back as it was.
Both are idempotent, and refuse to touch a state they did not create.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("hook: want a subcommand: install or uninstall")}
			}
			return usageError{fmt.Errorf("hook: unknown subcommand %q: want install or uninstall", args[0])}
		},
	}
	cmd.AddCommand(newHookInstallCmd(a, nil), newHookUninstallCmd(a, nil))
	return cmd
}

func newHookInstallCmd(a *app, runFn func(context.Context, *hookOptions) error) *cobra.Command {
	o := &hookOptions{}
	if runFn == nil {
		runFn = a.runHookInstall
	}
	cmd := &cobra.Command{
		Use:   "install [PATH]",
		Short: "Install the pre-commit hook in the repository at PATH (default: here)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = hookArg(args, ".")
			return runFn(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.binary, "binary", "", "sessionize executable the hook runs (default: this one)")
	return cmd
}

func newHookUninstallCmd(a *app, runFn func(context.Context, *hookOptions) error) *cobra.Command {
	o := &hookOptions{}
	if runFn == nil {
		runFn = a.runHookUninstall
	}
	return &cobra.Command{
		Use:   "uninstall [PATH]",
		Short: "Remove the pre-commit hook and restore the one it chained",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = hookArg(args, ".")
			return runFn(cmd.Context(), o)
		},
	}
}

func hookArg(args []string, def string) string {
	if len(args) > 0 {
		return args[0]
	}
	return def
}

// hookPaths are the files hook install and uninstall deal with.
type hookPaths struct {
	layout  *scanner.Layout
	hook    string // HooksDir/pre-commit
	chained string // HooksDir/pre-commit.sessionize-chained
}

func locateHooks(dir string) (*hookPaths, error) {
	l, err := scanner.LocateRepository(dir)
	if errors.Is(err, scanner.ErrNotRepository) {
		return nil, fmt.Errorf("hook: %q is not in a git work tree", dir)
	}
	if err != nil {
		return nil, err
	}
	hook := filepath.Join(l.HooksDir, hookName)
	return &hookPaths{layout: l, hook: hook, chained: hook + chainedSuffix}, nil
}

// show names a path for messages: relative to the top-level when inside it.
func (h *hookPaths) show(p string) string {
	if rel, err := filepath.Rel(h.layout.Top, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// hookState is what is at the hook's path.
type hookState int

const (
	hookAbsent  hookState = iota
	hookOurs              // written by sessionize hook install
	hookForeign           // any other file (or link)
)

func hookStateOf(p string) (hookState, []byte, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return hookAbsent, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("hook: inspect %q: %w", p, err)
	}
	if fi.IsDir() {
		return 0, nil, fmt.Errorf("hook: %q is a directory, not a hook: move it away first", p)
	}
	data, err := os.ReadFile(p)
	if err != nil && fi.Mode()&fs.ModeSymlink == 0 {
		return 0, nil, fmt.Errorf("hook: read %q: %w", p, err)
	}
	if bytes.Contains(data, []byte(hookMarker)) {
		return hookOurs, data, nil
	}
	return hookForeign, data, nil
}

func hookExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func (a *app) runHookInstall(_ context.Context, o *hookOptions) error {
	h, err := locateHooks(o.dir)
	if err != nil {
		return err
	}
	bin, err := a.hookBinary(o.binary)
	if err != nil {
		return err
	}
	if tmp := os.TempDir(); strings.HasPrefix(bin, tmp+string(filepath.Separator)) {
		a.logger.Warn("the sessionize executable is in a temporary directory (go run?): once it is gone, the hook looks for sessionize on PATH; install it, or give it with --binary", "path", bin)
	}
	script := hookScript(bin)
	state, data, err := hookStateOf(h.hook)
	if err != nil {
		return err
	}
	chainedExists := hookExists(h.chained)
	switch {
	case state == hookOurs && bytes.Equal(data, script):
		a.hookSay("sessionize pre-commit hook already installed at %s\n", h.show(h.hook))
		return nil
	case state == hookOurs:
		if err := writeHook(h.hook, script); err != nil {
			return err
		}
		a.hookSay("updated the sessionize pre-commit hook at %s (runs %s)\n", h.show(h.hook), bin)
		return nil
	case chainedExists && state == hookAbsent:
		return fmt.Errorf("hook: %s exists but no pre-commit hook does: restore it (mv %s %s) or remove it, then install again",
			h.show(h.chained), h.chained, h.hook)
	case chainedExists:
		return fmt.Errorf("hook: %s is not sessionize's hook and %s exists too: move one of them away, then install again",
			h.show(h.hook), h.show(h.chained))
	}
	if err := os.MkdirAll(h.layout.HooksDir, 0o755); err != nil { //nolint:gosec // G301: 0755 as git makes its hooks directory; a core.hooksPath one may be shared
		return fmt.Errorf("hook: create %q: %w", h.layout.HooksDir, err)
	}
	if state == hookForeign {
		if err := os.Rename(h.hook, h.chained); err != nil {
			return fmt.Errorf("hook: move %q aside: %w", h.hook, err)
		}
	}
	if err := writeHook(h.hook, script); err != nil {
		if state == hookForeign {
			_ = os.Rename(h.chained, h.hook) // put the original back
		}
		return err
	}
	a.hookSay("installed the sessionize pre-commit hook at %s (runs %s protect --staged)\n", h.show(h.hook), bin)
	if state == hookForeign {
		a.hookSay("the existing hook was moved to %s and runs first\n", h.show(h.chained))
	}
	return nil
}

func (a *app) runHookUninstall(_ context.Context, o *hookOptions) error {
	h, err := locateHooks(o.dir)
	if err != nil {
		return err
	}
	state, _, err := hookStateOf(h.hook)
	if err != nil {
		return err
	}
	chainedExists := hookExists(h.chained)
	switch {
	case state != hookOurs && chainedExists:
		return fmt.Errorf("hook: %s exists but %s is not sessionize's hook: leaving both as they are; restore by hand if needed (mv %s %s)",
			h.show(h.chained), h.show(h.hook), h.chained, h.hook)
	case state == hookAbsent:
		a.hookSay("no sessionize pre-commit hook in %s\n", h.show(h.layout.HooksDir))
		return nil
	case state == hookForeign:
		a.hookSay("the pre-commit hook at %s is not sessionize's: left as it is\n", h.show(h.hook))
		return nil
	}
	if chainedExists {
		if err := os.Rename(h.chained, h.hook); err != nil {
			return fmt.Errorf("hook: restore %q: %w", h.chained, err)
		}
		a.hookSay("removed the sessionize pre-commit hook; restored the original %s\n", h.show(h.hook))
		return nil
	}
	if err := os.Remove(h.hook); err != nil {
		return fmt.Errorf("hook: remove %q: %w", h.hook, err)
	}
	a.hookSay("removed the sessionize pre-commit hook from %s\n", h.show(h.hook))
	return nil
}

// hookSay prints a result line unless --quiet.
func (a *app) hookSay(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintf(a.out, format, args...)
	}
}

// hookBinary returns the absolute path of the sessionize executable the
// hook runs: --binary, else this program as it was invoked (a path, or a
// name found on PATH: an unresolved symbolic link such as a package
// manager's bin/sessionize survives upgrades), else the running executable.
func (a *app) hookBinary(flag string) (string, error) {
	p := flag
	if p == "" && len(os.Args) > 0 {
		p = os.Args[0]
		if !strings.ContainsRune(p, filepath.Separator) && !strings.ContainsRune(p, '/') {
			if lp, err := exec.LookPath(p); err == nil {
				p = lp
			} else {
				p = ""
			}
		}
	}
	if p == "" || isTestBinary(p) {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("hook: find the sessionize executable: %w (give it with --binary)", err)
		}
		p = exe
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("hook: --binary %q: %w", p, err)
	}
	fi, err := os.Stat(abs) //nolint:gosec // G703: the user names the executable; checking it is the point
	if err != nil || fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode()&0o111 == 0) {
		return "", fmt.Errorf("hook: %q is not an executable file (give the sessionize executable with --binary)", abs)
	}
	return abs, nil
}

// isTestBinary reports whether p is a `go test` binary rather than the tool.
func isTestBinary(p string) bool { return strings.HasSuffix(filepath.Base(p), ".test") }

// hookScript is the pre-commit hook. It runs the hook it chained first and
// stops if that fails, then sessionize, by the path recorded at install time
// when it is still there, else from PATH and the usual install directories
// (GUI git clients run hooks with a minimal PATH).
func hookScript(bin string) []byte {
	bin = filepath.ToSlash(bin)
	return []byte(`#!/bin/sh
` + hookMarker + `: installed by "sessionize hook install"; "sessionize hook uninstall"
# removes it and restores the hook it chained, if any. Edit nothing here.
chained="$(dirname -- "$0")/` + hookName + chainedSuffix + `"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
recorded=` + shellQuote(bin) + `
sessionize=$recorded
if [ ! -x "$sessionize" ]; then
	sessionize=$(command -v sessionize 2>/dev/null)
	for d in "${GOBIN:-}" "${GOPATH:-$HOME/go}/bin" "$HOME/go/bin" "$HOME/.local/bin" /usr/local/bin /opt/homebrew/bin; do
		[ -n "$sessionize" ] && break
		[ -n "$d" ] && [ -x "$d/sessionize" ] && sessionize="$d/sessionize"
	done
fi
if [ -z "$sessionize" ]; then
	echo "sessionize pre-commit hook: sessionize is neither at $recorded nor on PATH: reinstall it, or remove this hook with 'sessionize hook uninstall'" >&2
	exit 1
fi
exec "$sessionize" protect --staged
`)
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeHook writes an executable hook atomically.
func writeHook(p string, script []byte) error {
	if err := atomicfile.WriteFile(p, script, 0o755); err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}
