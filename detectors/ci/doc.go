// Package ci detects credentials wired into CI definitions: GitHub Actions
// workflows and composite actions, GitLab CI, CircleCI, Azure Pipelines,
// Bitbucket Pipelines, Travis CI, Buildkite and Jenkinsfiles. It reports each
// stored long-lived secret wired into a job, on the line that reads it from
// the secret store, and records session-scoped wiring (OIDC role assumption,
// workload identity, trusted publishing) as inventory.
//
// # Findings
//
// Every finding has Kind [detectors.KindCIReference] and a [detectors.CIRef].
// Its Secret names the stored secret as the definition does
// ("secrets.AWS_SECRET_ACCESS_KEY", "$AWS_SECRET_ACCESS_KEY", "$(armSecret)",
// "credentials('aws-prod')"); its Family is "ci:<system>", so that one
// stored secret is one credential however each use of it is classified.
// Session-scoped wiring has Session set, lifetime session, and a Secret that
// identifies the wiring: "oidc:<system>:<provider>:<path>:<job>".
//
// Literal credentials in CI files are left to the content rules, which
// already report them with the value's own fingerprint; reporting them here
// too would count one credential twice.
//
// # Rule IDs
//
// Rule IDs are "<system>-<category>", system one of gha, gitlab, circleci,
// azure-pipelines, bitbucket, travis, buildkite, jenkins, and category one
// of aws-keys, gcp-key, azure-secret, github-pat, github-app-key, npm-token,
// pypi-token, registry-password, vault-token, package-registry-key
// (RubyGems, crates.io, NuGet), kubeconfig, terraform-token, private-key and
// secret (any other stored secret). Session-scoped wiring is
// "<system>-oidc" or "<system>-trusted-publishing"; GitLab's deprecated
// CI_JOB_JWT is "gitlab-ci-job-jwt".
//
// # Evidence
//
// Names alone are weak evidence. What receives a value (an action input,
// an environment variable tools read, a command-line flag) decides first;
// the stored secret's name refines or decides when the receiver says
// nothing. Identifiers (user names, regions, role ARNs, account, project,
// client and tenant IDs, URLs) are never reported, nor are the tokens the
// CI issues per job (GITHUB_TOKEN, CI_JOB_TOKEN, System.AccessToken). A
// value from a store that holds only secrets (GitHub secrets, Jenkins
// credentials, Travis secure values) is reported even under a name that
// says nothing; a plain variable ($X in GitLab, CircleCI, Bitbucket,
// Buildkite, $(X) in Azure Pipelines) only when its name or receiver says
// it is a credential.
//
// Stores that name secrets outside environment variables are reported by
// those names: Jenkins credential IDs (resolved through string variables
// the Jenkinsfile assigns), Travis secure values, Buildkite secrets,
// Azure Pipelines secure files ("secureFile:<name>"), CircleCI project SSH
// keys added by add_ssh_keys ("ssh-key:<fingerprint>"), and GitHub's
// toJSON(secrets), which hands every secret to a job ("secrets.*"). A
// secret only tested in an expression (secrets.X == empty) is not wired.
//
// Azure Pipelines service connections (azureSubscription:) are not
// reported: the definition cannot tell a secret-based connection from a
// workload identity federation one. A script that reads the connection's
// secret through addSpnToEnvironment ($servicePrincipalKey) is reported,
// and one that reads its federated token ($idToken) is session wiring.
package ci

import (
	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// Detectors returns the CI-definition detectors, classifying with kb. The
// detectors are safe for concurrent use.
func Detectors(kb *rules.KB) []detectors.FileDetector {
	return []detectors.FileDetector{
		newGitHub(kb),
		newGitLab(kb),
		newCircleCI(kb),
		newAzure(kb),
		newBitbucket(kb),
		newTravis(kb),
		newBuildkite(kb),
		newJenkins(kb),
	}
}
