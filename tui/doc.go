// Package tui is sessionize's terminal user interface (SPEC §8): a progress
// view while a scan runs, then the scan's credentials, sorted by score, with
// filtering, severity toggles, a detail pane (redacted secret, reveal on
// request, occurrences, score reasons, expectation, fix preview) and
// actions (ignore, apply fix, open pull request, open in $EDITOR), each
// confirmed first.
//
// [Run] starts the program. The scan itself, and every side-effecting action,
// come in through [Config]: the scan as a function prepared by the caller,
// the actions as the small interfaces declared here ([Ignorer], [Fixer],
// [PROpener]), so this package never touches a repository, the network or a
// GitHub client itself, and its tests need none of them.
//
// The model's Update does no I/O: everything that waits (the scan, its
// progress events, actions, the editor) runs as a tea.Cmd. All key bindings
// live in one key map (keys.go) and all styles in one styles value
// (styles.go), built from a lipgloss renderer so that NO_COLOR and
// --no-color give plain text.
//
// tui imports scanner, detectors and remediate; it must not import cmd,
// gitleaks, go-git, go-github or cobra.
package tui
