// Package ci detects credentials wired into CI definitions: GitHub Actions
// workflows and composite actions, GitLab CI, CircleCI, Azure Pipelines,
// Bitbucket Pipelines, Travis CI, Buildkite and Jenkinsfiles. It reports each
// stored long-lived secret wired into a job, on the line that reads it from
// the secret store, and records session-scoped wiring (OIDC role assumption,
// workload identity, trusted publishing) as inventory.
package ci

import (
	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// Detectors returns the CI-definition detectors, classifying with kb.
func Detectors(kb *rules.KB) []detectors.FileDetector {
	return nil
}
