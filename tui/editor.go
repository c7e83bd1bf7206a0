package tui

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
)

// editorCommand is the default Config.EditorCommand: editor is a command
// line ("vim", "code --wait"); the line goes where the editor expects it.
func editorCommand(editor, path string, line int) *exec.Cmd {
	args := strings.Fields(editor)
	if len(args) == 0 {
		return nil
	}
	switch strings.TrimSuffix(filepath.Base(args[0]), ".exe") {
	case "code", "code-insiders", "codium", "cursor", "windsurf":
		args = append(args, "--goto", fmt.Sprintf("%s:%d", path, line))
	case "subl", "sublime_text", "zed", "hx", "helix", "mate":
		args = append(args, fmt.Sprintf("%s:%d", path, line))
	default:
		// vi, vim, nvim, nano, emacs, micro, kak, joe, mg, ...
		args = append(args, fmt.Sprintf("+%d", line), path)
	}
	// The editor is the user's own choice ($VISUAL/$EDITOR), run on their
	// behalf like git does. No context: the editor owns the terminal until
	// the user quits it (tea.Exec suspends the UI meanwhile), and killing
	// it would leave the terminal in its state.
	return exec.Command(args[0], args[1:]...) //nolint:gosec,noctx // G204: the user's configured editor; noctx: see above
}

// errNoEditor is reported when the editor command cannot be built.
var errNoEditor = errors.New("no editor command")

// editorExec is a tea.ExecCommand that builds its *exec.Cmd only when the
// program runs it, so that Update never looks up executables.
type editorExec struct {
	build          func() *exec.Cmd
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e *editorExec) SetStdin(r io.Reader)  { e.stdin = r }
func (e *editorExec) SetStdout(w io.Writer) { e.stdout = w }
func (e *editorExec) SetStderr(w io.Writer) { e.stderr = w }

// Run builds the command and runs it on the terminal.
func (e *editorExec) Run() error {
	c := e.build()
	if c == nil {
		return errNoEditor
	}
	c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stdout, e.stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("run %s: %w", filepath.Base(c.Path), err)
	}
	return nil
}
