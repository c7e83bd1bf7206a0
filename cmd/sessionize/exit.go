package main

// Exit codes (SPEC §2).
const (
	// exitOK: nothing at or above --fail-on.
	exitOK = 0
	// exitFindings: findings at or above --fail-on (protect: the commit is
	// blocked).
	exitFindings = 1
	// exitError: a usage or runtime error; the message on stderr names the
	// file or flag and what is wrong. An interrupted run exits with it too.
	exitError = 2
)

// findingsError makes a command exit with exitFindings without printing an
// error line: finding secrets is a successful scan.
type findingsError struct{}

func (findingsError) Error() string { return "findings at or above the failure threshold" }

// usageError is an error in how the command was invoked; run prints the
// command's usage after it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
