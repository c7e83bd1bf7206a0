// Command sessionize finds long-lived credentials in repositories, scores
// them against per-session access expectations and replaces them with
// session-scoped credential fetches.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
