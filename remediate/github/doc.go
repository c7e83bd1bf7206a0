// Package github delivers remediate's changes as GitHub pull requests, the
// way Dependabot and Renovate do (SPEC §7, REMEDIATION.md §5.7).
//
// # Delivery
//
// [Client.Deliver] takes the [remediate.Change] values of a plan (one per
// file) and, for each, works on branch sessionize/<fixer>/<file-slug>
// ([BranchName]): it clones the base branch shallowly into a temporary
// directory with go-git, regenerates the change from the base's copy of the
// file, commits the rewritten file (author and committer as configured),
// pushes over HTTPS with the token as x-access-token, and opens the pull
// request with go-github, or updates the open one of that branch:
//
//   - the branch is force-pushed (with a lease on the tip it checked) only
//     when every commit on it is the tool's own (author email matches);
//     otherwise the pull request gets a comment instead of a push;
//   - a pull request closed without merging is not reopened unless the
//     finding changed: the hidden [Marker] in its body records what it fixed;
//   - labels security, sessionize and a platform label are created if
//     missing and added.
//
// A failure on one pull request never stops the others: every outcome,
// failed or not, is in the [Result].
//
// [Propose] renders the same pull requests offline (title, branch, body,
// diff) for --dry-run.
//
// # Secrets
//
// Nothing this package sends carries a raw secret: bodies, titles, commit
// messages and comments show credentials in redacted form and by
// fingerprint, diffs are redacted (known secrets of the report, and
// high-entropy tokens on removed lines), and a final check refuses to send
// any text that still holds a known secret. Tokens never print: the types
// holding them redact themselves.
//
// # Authentication and resilience
//
// A [Client] authenticates with one token (GITHUB_TOKEN in GitHub Actions,
// or a GitHub App installation token minted per run by [MintInstallationToken]
// from the App's JWT) used for both the API and git. Its HTTP transport
// ([RetryPolicy]) waits out primary and secondary rate limits and retries
// server errors with capped, jittered backoff; the clock and sleep are
// injectable. API failures are translated at the boundary into [APIError]
// (401, 403 naming the missing permission, 404, 422 with GitHub's message,
// 5xx) and [RateLimitError] (carrying the reset time); a push refused for
// lack of the workflows permission wraps [ErrWorkflowPermission].
//
// This package imports remediate, scanner and detectors; go-git and go-github
// types do not leave it except through [Client.API].
package github
