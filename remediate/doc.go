// Package remediate turns standing credentials into session-scoped
// credential fetches: it plans minimal rewrites of CI definitions,
// configuration files and source code (SPEC §6, REMEDIATION.md), shows them
// as unified diffs and applies them atomically.
//
// # Using it
//
// [Plan] takes a scan [scanner.Report] (or none) and a root directory and
// returns a [Result]: one [Change] per file (its bytes before and after, the
// fixers that produced it, the fingerprints of the credentials it retires,
// the provider-side [Setup] it needs, caveats and revoke commands) and one
// [Refusal] per place a fixer would not touch, with the reason. [FixFile]
// does the same for one file's content. [Change.UnifiedDiff] renders a
// change, [Apply] writes changes. Nothing is written until [Apply].
//
// Every fixer finds its own targets in the files it understands, so fixes
// do not depend on which detectors ran; findings in the report add targets
// (a literal in source code) and tie changes to credential fingerprints.
//
// # Guarantees
//
//   - Minimal diffs: YAML files are edited by splicing byte ranges located
//     with yaml.v3 (remediate/internal/yamledit), JSON, INI, HCL and source
//     files by splicing token ranges; everything outside the edit stays
//     byte-identical, CRLF files keep CRLF.
//   - Validation: every rewrite is re-parsed and compared with the intended
//     meaning; workflows are linted with actionlint and may not gain an
//     error; Go files are parsed and type-checked (no new error), Python,
//     JavaScript/TypeScript, Java and HCL files are tokenized and must stay
//     balanced. A rewrite that fails is refused, never written.
//   - Permissions: adding id-token: write keeps every permission a job had
//     (REMEDIATION.md §0.2); a job whose needs are unknown is refused.
//   - No secret value is ever written, logged or put into an error; stored
//     secrets are never deleted (Change.Revoke says how, after rollout).
//
// remediate imports scanner, detectors and rules; never tui or cmd. Its
// colleagues own remediate/ignore.go and remediate/github (pull requests).
package remediate
