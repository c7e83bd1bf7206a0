// Package score rates each credential of a report against the per-session
// expectation of its context (SPEC §5), with the policy of rules/policy.toml
// (optionally merged with a .sessionize.toml [policy] section, see
// rules.LoadPolicy).
//
// # Components
//
// A score is a sum of named components ([scanner.ScoreComponent]), each
// explained by one sentence in the credential's reasons, in this order
// (default weights in parentheses):
//
//   - lifetime: the gap between the credential's lifetime class and the
//     longest class the context accepts; standing where session is expected
//     weighs most (standing: 40 where session, 35 where short, 20 where
//     bounded is accepted; bounded: 25/20; short: 10 where session). An
//     unknown class counts as standing.
//   - exposure: how readable the most exposed occurrence is: a literal in
//     the working tree, the index or HEAD (30) > a literal only in history,
//     valid until rotated (20) > a stored CI secret referenced by a workflow
//     (10) > a literal in a file git ignores (5);
//   - public: added for public repositories, [Options.PublicRepo] (15 for
//     literals in the tree or history, 5 for CI references, 0 for ignored
//     files);
//   - privilege: the type's privilege tier (critical 15, high 10, medium 5,
//     low 0; unknown counts as medium);
//   - sprawl: 3 per place beyond the first (at most 9), 5 per repository
//     beyond the first, [Options.RepoCount] (at most 10);
//   - age: time since the earliest commit that introduced it (30 days 2,
//     90 days 5, a year 8);
//   - verified: a live verification (+15);
//
// then adjustments that only lower the sum:
//
//   - ceiling: a session credential cannot score above 39 (low), a
//     short-lived one above 59 (medium);
//   - expired: an expiry in the past, or a session or short-lived
//     credential first committed more than 24 hours ago (it was issued
//     before its commit), caps it at 20 (low); shown even when it changes
//     nothing;
//   - revoked: a verification found it revoked: capped at 20 (low);
//   - cap: at most 100.
//
// Session-scoped wiring kept as inventory ([scanner.Credential.Session])
// scores 0, info, with the single component "session": its expectation is
// met. The components always add up to the score, and the severity is
// [scanner.SeverityOf] the score.
//
// # Contexts
//
// Each occurrence is placed in a context and an exposure class (see
// placeOf): a CI reference is ci; a literal only in history (not in HEAD)
// is history; a literal in a file git ignores ([Options.Ignored]) is local;
// any other literal (working tree, index, or history still in HEAD as in
// --history-only scans) is ci when the file is a CI definition, config when
// it is a configuration file or a structured config detector found it, and
// source otherwise. Staged literals are about to enter history and count as
// the working tree does. The occurrence with the most lifetime, exposure
// and public points decides the context (the first in occurrence order on
// a tie); the expectation and, for credentials without one, the fixer come
// from the policy for that context, the credential's provider, the CI
// system and the file.
//
// # Worked example
//
// An AWS access key (AKIA: standing, critical privilege) committed 400 days
// ago to deploy/aws.go and still there, and copied to one other file, in a
// public repository:
//
//	lifetime   +40  standing where source code expects session
//	exposure   +30  literal in the working tree at deploy/aws.go:10
//	public     +15  the repository is public
//	privilege  +15  critical
//	sprawl      +3  found in 2 places
//	age         +8  first committed 400 days ago
//	cap        -11  capped at 100
//	score      100  critical
//
// The same key in a private repository, committed today, in one place,
// scores 85 (critical); referenced from a GitHub Actions secret instead,
// 40 + 10 + 15 = 65 (high), expecting "AWS OIDC role, 1 h".
//
// # Determinism
//
// The same report, options and clock ([Options.Now]) always give the same
// scores, reasons and order. score imports scanner, detectors and rules;
// only cmd imports it.
package score
