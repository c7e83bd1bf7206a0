// Package scanner finds credentials in a repository: its working tree, its
// index, its full history through go-git, or a remote cloned to a temporary
// directory. It fans content out to the detectors, scans each unique piece of
// content once, attributes every occurrence to the commit that introduced it,
// groups occurrences into credentials by fingerprint, applies ignore files and
// baselines, and emits progress events.
//
// The [Report] it builds is the model every other part of sessionize reads:
// report writers (scanner/report), scoring (scanner/score), fixes, pull
// requests, the terminal UI and org audits.
//
// scanner imports detectors and rules; it must not import remediate, tui or
// cmd, nor gitleaks, cobra or the charm libraries.
package scanner
