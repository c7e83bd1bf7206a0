// Package detectors turns content into findings. It owns the [Secret] type,
// which keeps matched values out of every printed form, and the [Finding]
// contract shared by all detectors: gitleaks' rules over content, and the
// structured detectors for CI definitions and configuration files.
//
// detectors is the only package of sessionize that imports gitleaks; gitleaks
// types never leave it. It compiles gitleaks' default rules, the project's
// rule packs from the rules package and the user's .sessionize.toml or
// .gitleaks.toml with [extend] semantics. It must not import scanner,
// remediate, tui or cmd, nor go-git, go-github, cobra or the charm libraries.
package detectors
