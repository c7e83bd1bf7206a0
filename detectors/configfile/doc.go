// Package configfile detects credentials in configuration files (.npmrc,
// .yarnrc.yml, .pypirc, .netrc, .git-credentials, docker config.json,
// kubeconfig, AWS credentials and config, GCP credential JSON, Terraform
// and .tfvars, .env, Maven settings.xml, gradle.properties, Spring
// application configuration and the MCP server configurations of AI coding
// tools), telling references (${NPM_TOKEN}, var.x, ${{ secrets.X }}) and
// placeholders (<token>, changeme) from literals.
//
// Each literal credential is one [detectors.Finding] of kind
// [detectors.KindConfig], positioned at its value (1-based line, byte
// column) and classified through the knowledge base. Session-friendly
// wiring (credential helpers, exec plugins, SSO profiles, workload identity
// federation) is recorded as inventory with Session set.
//
// # Fingerprints
//
// A finding's family is chosen so that the same credential found here and
// by a content rule, or in two configuration files, is one credential:
//   - a value of a telling shape (ghp_, npm_, AKIA..., a JWT, a PEM key)
//     takes the family of the content rule that matches that shape;
//   - an AWS key pair is reported once, at its access key ID, as gitleaks'
//     aws-access-token reports it;
//   - a base64 user:password (docker auth, npm _auth) is reported by its
//     decoded password, and a base64 PEM key (kubeconfig client-key-data)
//     by its decoded text, as gitleaks finds them after decoding;
//   - other values take the family of the content rule that matches the
//     same line: "database" for passwords inside database URLs and
//     connection strings (database-url-password, jdbc-connection-password,
//     connection-string-password), "generic" for every other password,
//     token and secret (generic-api-key, password-assignment, url-basic-auth).
//
// configfile imports detectors and rules only; it must not import scanner,
// remediate, tui or cmd, nor gitleaks.
package configfile

import (
	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// Detectors returns the configuration-file detectors, classifying with kb
// (nil: the built-in defaults of rules.KB). The detectors are immutable and
// safe for concurrent use.
func Detectors(kb *rules.KB) []detectors.FileDetector {
	ds := []*detector{
		{name: "npmrc", match: matchNPMRC, scan: scanNPMRC},
		{name: "yarnrc", match: matchYarnrc, scan: scanYarnrc},
		{name: "pypirc", match: matchPyPIRC, scan: scanPyPIRC},
		{name: "netrc", match: matchNetrc, scan: scanNetrc},
		{name: "git-credentials", match: matchGitCredentials, scan: scanGitCredentials},
		{name: "docker-config", match: matchDockerConfig, scan: scanDockerConfig},
		{name: "kubeconfig", match: matchKubeconfig, scan: scanKubeconfig},
		{name: "aws-config", match: matchAWSConfig, scan: scanAWSConfig},
		{name: "gcp-credentials", match: matchGCPCredentials, scan: scanGCPCredentials, binaryOK: true},
		{name: "terraform", match: matchTerraform, scan: scanTerraform},
		{name: "dotenv", match: matchDotenv, scan: scanDotenv},
		{name: "maven-settings", match: matchMavenSettings, scan: scanMavenSettings},
		{name: "gradle-properties", match: matchGradleProperties, scan: scanGradleProperties},
		{name: "spring-config", match: matchSpringConfig, scan: scanSpringConfig},
		{name: "mcp-config", match: matchMCPConfig, scan: scanMCPConfig},
	}
	out := make([]detectors.FileDetector, len(ds))
	for i, d := range ds {
		d.kb = kb
		out[i] = d
	}
	return out
}
