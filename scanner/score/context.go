package score

import (
	"path"
	"strings"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// place is where an occurrence sits, for scoring: its context (what the
// policy expects there), its exposure class (how readable it is) and, for
// CI, the CI system.
type place struct {
	context  rules.Context
	exposure rules.Exposure
	ci       string
}

// placeOf maps an occurrence to its place (docs/DESIGN.md, "Scoring
// contexts"):
//
//   - a CI reference is ci, exposed as a stored CI secret;
//   - a literal only in history (not in HEAD) is history;
//   - a literal in a file git ignores is local;
//   - any other literal (working tree, index, or history still in HEAD, as
//     in --history-only scans) is exposed as a tree literal, in the ci
//     context when the file is a CI definition, config when it is a
//     configuration file (or a structured config detector found it), else
//     source. Staged literals are about to enter history: they count as the
//     working tree does.
func placeOf(o scanner.Occurrence, ignored bool) place {
	f := o.Finding
	if o.Where == scanner.WhereCIReference || f.Kind == detectors.KindCIReference {
		p := place{context: rules.ContextCI, exposure: rules.ExposureCI}
		if f.CI != nil {
			p.ci = f.CI.System
		}
		if p.ci == "" {
			p.ci = ciSystemOf(o.Path)
		}
		return p
	}
	if o.Where == scanner.WhereHistory && !o.InHead {
		return place{context: rules.ContextHistory, exposure: rules.ExposureHistory}
	}
	if ignored {
		return place{context: rules.ContextLocal, exposure: rules.ExposureLocal}
	}
	if sys := ciSystemOf(o.Path); sys != "" {
		return place{context: rules.ContextCI, exposure: rules.ExposureTree, ci: sys}
	}
	if f.Kind == detectors.KindConfig || isConfigPath(o.Path) {
		return place{context: rules.ContextConfig, exposure: rules.ExposureTree}
	}
	return place{context: rules.ContextSource, exposure: rules.ExposureTree}
}

// ciSystemOf names the CI system whose definition lives at p, or "".
func ciSystemOf(p string) string {
	base := path.Base(p)
	ext := path.Ext(base)
	yaml := ext == ".yml" || ext == ".yaml"
	switch {
	case yaml && hasDir(p, ".github/workflows"):
		return "github-actions"
	case base == "action.yml" || base == "action.yaml":
		return "github-actions"
	case base == ".gitlab-ci.yml" || strings.HasSuffix(base, ".gitlab-ci.yml"):
		return "gitlab-ci"
	case yaml && hasDir(p, ".circleci"):
		return "circleci"
	case base == "azure-pipelines.yml" || base == "azure-pipelines.yaml" || strings.HasSuffix(base, ".azure-pipelines.yml"):
		return "azure-pipelines"
	case base == "bitbucket-pipelines.yml":
		return "bitbucket-pipelines"
	case base == ".travis.yml":
		return "travis"
	case yaml && hasDir(p, ".buildkite"):
		return "buildkite"
	case base == "Jenkinsfile" || strings.HasSuffix(base, ".jenkinsfile") || strings.HasPrefix(base, "Jenkinsfile."):
		return "jenkins"
	}
	return ""
}

// hasDir reports whether p lies directly in a directory ending with dir.
func hasDir(p, dir string) bool {
	d := path.Dir(p)
	return d == dir || strings.HasSuffix(d, "/"+dir)
}

// configNames and configExts recognise configuration files by name; what
// they miss counts as source, the stricter context.
var (
	configNames = map[string]bool{
		".env": true, ".npmrc": true, ".pypirc": true, ".netrc": true, "_netrc": true, ".git-credentials": true,
		".dockercfg": true, "credentials": true, "kubeconfig": true, "Dockerfile": true, "Containerfile": true,
		".htpasswd": true, ".pgpass": true, ".s3cfg": true, ".boto": true, ".gitconfig": true, ".yarnrc": true,
	}
	configExts = map[string]bool{
		".env": true, ".ini": true, ".cfg": true, ".conf": true, ".config": true, ".toml": true, ".yaml": true,
		".yml": true, ".json": true, ".jsonc": true, ".json5": true, ".properties": true, ".xml": true,
		".tfvars": true, ".tf": true, ".hcl": true, ".kubeconfig": true, ".plist": true, ".npmrc": true,
		".cnf": true, ".tfstate": true,
	}
)

func isConfigPath(p string) bool {
	base := path.Base(p)
	if configNames[base] || strings.HasPrefix(base, ".env.") || path.Base(path.Dir(p)) == ".kube" || path.Base(path.Dir(p)) == ".aws" {
		return true
	}
	return configExts[strings.ToLower(path.Ext(base))]
}

// contextPhrase names a context inside a sentence.
func contextPhrase(c rules.Context) string {
	switch c {
	case rules.ContextCI:
		return "a CI job"
	case rules.ContextSource:
		return "source code"
	case rules.ContextConfig:
		return "a configuration file"
	case rules.ContextHistory:
		return "git history"
	case rules.ContextLocal:
		return "a local file"
	}
	return string(c)
}
