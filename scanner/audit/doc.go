// Package audit audits every repository of a GitHub organisation (SPEC §9):
// it lists the repositories through go-github (pagination, archived
// repositories and forks left out unless asked, a name filter and a
// deterministic shard), clones or fetches each one with go-git into a cache
// directory, scans its working tree and full history with bounded
// concurrency, and assembles one org [Report]: every repository's SPEC §3
// report or its error, a summary, and the credentials seen in several
// repositories cross-referenced by fingerprint.
//
// # Incremental audits
//
// With a state database (package state), a re-run scans only what it has
// not seen: a repository whose ref tips, metadata and rules version are
// unchanged keeps its stored report without fetching or scanning (and
// without even listing its references when the API's pushed_at, which
// GitHub moves on every push, is unchanged); otherwise only commits not yet
// scanned with the rules
// version are read (scanner.Options.SkipCommit) and their occurrences are
// merged with the stored history, while the working tree is always scanned
// whole. Credentials are tracked with first-seen, last-seen and fixed times;
// each repository's entry says what is new and what was fixed since the
// previous audit. An interrupted audit resumes: the repositories the
// unfinished run completed are not redone.
//
// # Failures
//
// A failure on one repository (clone error, corrupt repository, not found)
// is recorded in its entry and never stops the others. An authentication
// failure (HTTP 401, or 403 that is not a rate limit) stops the audit with
// [ErrAuth]. Rate limits are waited out and server errors retried (see
// [RetryPolicy]).
//
// # Reports
//
// The org report is written as JSON ([WriteJSON], the contract of SPEC §9),
// markdown, a self-contained HTML page with inline SVG charts, or SARIF per
// repository into a directory. [Merge] combines shard reports into the
// report a single machine would have written.
//
// audit belongs to scanner: it imports scanner, scanner/report,
// scanner/score, detectors and rules, go-git and go-github; it must not
// import remediate, tui or cmd (pull requests come in through [PROpener]).
package audit
