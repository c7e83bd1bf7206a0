// Package rules holds sessionize's data: the project's gitleaks-format rule
// packs, the credential knowledge base (what each rule's match is, who issues
// it, how long it lives, what it can do) and the scoring policy, all embedded
// with go:embed, plus the loading and validation of the parts written in the
// project's own schema.
//
// rules imports no other package of this repository and none of the heavy
// third-party libraries (gitleaks, go-git, go-github, cobra, charm): the
// detectors package compiles the rule packs, the scanner applies the policy.
package rules
