package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/detectors"
)

// run is the whole program: it parses args, runs the command and returns the
// exit code. Nothing else calls os.Exit.
func run(args []string, in io.Reader, out, errw io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// gitleaks' logger prints raw secrets at debug level: off before anything.
	detectors.SilenceGitleaks()
	defer governMemory(getenv)()
	a := newApp(in, out, errw, getenv)
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	cmd, err := root.ExecuteContextC(ctx)
	return a.exitCode(cmd, err)
}

func (a *app) exitCode(cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.As(err, new(findingsError)) {
		return exitFindings
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.err, "error: interrupted")
		return exitError
	}
	fmt.Fprintf(a.err, "error: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) && cmd != nil {
		fmt.Fprintln(a.err, cmd.UsageString())
	}
	return exitError
}
