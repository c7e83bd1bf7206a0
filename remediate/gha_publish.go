package remediate

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	twineUpload  = regexp.MustCompile(`\btwine\s+upload\b|\buv\s+publish\b`)
	poetryPub    = regexp.MustCompile(`\bpoetry\s+publish\b`)
	npmPublish   = regexp.MustCompile(`(^|[\s;&|(])npm\s+publish\b`)
	otherPublish = regexp.MustCompile(`(^|[\s;&|(])(pnpm|yarn|bun)\s+(npm\s+)?publish\b`)
	dryRun       = regexp.MustCompile(`--dry-run`)
	npmUpgrade   = regexp.MustCompile(`npm\s+(install|i)\s+(-g|--global)\s+npm@`)
	pypiEnv      = []string{"TWINE_PASSWORD", "TWINE_USERNAME", "UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD", "UV_PUBLISH_USERNAME"}
	npmTokenEnv  = []string{"NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN"}
)

// fixGHAPyPI turns PyPI API tokens into trusted publishing (GA-4): the
// password of pypa/gh-action-pypi-publish, TWINE_PASSWORD and
// UV_PUBLISH_TOKEN go; the publishing job gets id-token: write.
func fixGHAPyPI(fc *fileCtx) {
	w := loadWorkflow(fc, "pypi", "TWINE_PASSWORD", "UV_PUBLISH_TOKEN")
	if w == nil {
		return
	}
	var fixes []*jobFix
	for _, j := range w.jobs {
		if jf := planPyPIJob(w, j); jf != nil {
			fixes = append(fixes, jf)
		}
	}
	if _, ok := runJobFixes(fc, w, fixes, nil); !ok {
		return
	}
	fc.summary = "Publish to PyPI with trusted publishing instead of an API token"
	owner, name := fc.opts.repo()
	var envs []string
	for _, jf := range fixes {
		if jf.refusal == "" && jf.j.environment == "" {
			fc.caveat("job %s has no environment: PyPI recommends publishing from a dedicated environment (environment: pypi, with required reviewers) and naming it in the trusted publisher", jf.j.id)
		}
		if jf.j.environment != "" {
			envs = appendUnique(envs, jf.j.environment)
		}
	}
	fc.caveat("the workflow file name (%s) is part of the publisher's identity: renaming the file or moving the publish step into a reusable workflow breaks publishing", w.file())
	env := "(none)"
	if len(envs) > 0 {
		env = strings.Join(envs, ", ")
	}
	fc.addSetup(Setup{Provider: "pypi", Title: "PyPI: trusted publisher for " + owner + "/" + name, Steps: []string{
		"On pypi.org, open the project → Settings → Publishing → Add a new publisher → GitHub (for a project not yet on PyPI, add a pending publisher under your account's Publishing page).",
		"Owner: " + owner + "; Repository name: " + name + "; Workflow name: " + w.file() + "; Environment name: " + env + ".",
		"For TestPyPI do the same on test.pypi.org.",
	}})
}

func planPyPIJob(w *workflow, j *job) *jobFix {
	jf := &jobFix{j: j, need: permSet{"id-token": "write"}, credType: "pypi-token"}
	var pubs []*step
	var envs []envEntry
	for _, s := range j.steps {
		switch {
		case s.action("pypa/gh-action-pypi-publish") && s.input("password") != nil:
			if u := strings.TrimSpace(scalar(s.input("repository-url")) + scalar(s.input("repository_url"))); u != "" &&
				!strings.Contains(u, "upload.pypi.org") && !strings.Contains(u, "test.pypi.org") {
				jf.refuse(s.node.Line, "job %s: %s publishes to %s, which does not support trusted publishing", j.id, s.label(), u)
			}
			pubs = append(pubs, s)
		case s.runN != nil && poetryPub.MatchString(s.run) && !dryRun.MatchString(s.run) && strings.Contains(nodeText(s.env)+s.run, "secrets."):
			jf.refuse(s.runN.Line, "job %s: %s publishes with poetry, which has no trusted publishing support; switch the upload to pypa/gh-action-pypi-publish", j.id, s.label())
		case s.runN != nil && twineUpload.MatchString(s.run):
			if strings.Contains(s.run, "secrets.") {
				jf.refuse(s.runN.Line, "job %s: %s passes the token inside its script; sessionize rewrites only structured places", j.id, s.label())
			}
			for _, k := range pypiEnv {
				if v := visibleEnv(w, j, s, k); v != nil && strings.Contains(scalar(v), "secrets.") && (k == "TWINE_PASSWORD" || strings.HasSuffix(k, "TOKEN") || strings.HasSuffix(k, "PASSWORD")) {
					for _, en := range w.envEntries(pypiEnv...) {
						if (en.step == s) || (en.level == "job" && en.job == j) {
							envs = append(envs, en)
						}
						if en.level == "workflow" {
							jf.refuse(en.key.Line, "the PyPI token is set in the workflow-level env; move it to the publishing step and re-run")
						}
					}
				}
			}
		}
	}
	if len(pubs)+len(envs) == 0 && jf.refusal == "" {
		return nil
	}
	for _, s := range pubs {
		jf.secrets = appendUnique(jf.secrets, secretsIn(s.input("password"))...)
	}
	jf.secrets = appendUnique(jf.secrets, envSecrets(envs)...)
	jf.edit = func(e *yamledit.Editor) {
		for _, s := range pubs {
			keys := []string{"password"}
			if u := scalar(s.input("user")); u == "__token__" {
				keys = append(keys, "user")
			}
			if u := scalar(s.input("username")); u == "__token__" {
				keys = append(keys, "username")
			}
			deleteInputs(e, s, 0, keys...)
			jf.details = append(jf.details, "job "+j.id+": "+s.label()+" publishes through trusted publishing (no password)")
		}
		done := map[*yaml.Node]bool{}
		for _, en := range envs {
			parent := j.node
			if en.step != nil {
				parent = en.step.node
			}
			deleteEnv(e, parent, en.m, pypiEnv, done)
		}
		if len(envs) > 0 {
			jf.details = append(jf.details, "job "+j.id+": removed the PyPI token env entries (twine 6.1+ and uv use trusted publishing by themselves)")
		}
	}
	return jf
}

// fixGHANpm turns npm tokens into trusted publishing (GA-5): the publish
// step loses NODE_AUTH_TOKEN, the job gets id-token: write and npm
// 11.5.1 or later.
func fixGHANpm(fc *fileCtx) {
	w := loadWorkflow(fc, "NODE_AUTH_TOKEN", "NPM_TOKEN")
	if w == nil {
		return
	}
	var fixes []*jobFix
	for _, j := range w.jobs {
		if jf := planNpmJob(fc, w, j); jf != nil {
			fixes = append(fixes, jf)
		}
	}
	if _, ok := runJobFixes(fc, w, fixes, nil); !ok {
		return
	}
	fc.summary = "Publish to npm with trusted publishing (OIDC, npm >= 11.5.1) instead of a token"
	fc.caveat("trusted publishing works on GitHub-hosted runners only, and covers publishing only: installing private packages still needs a read-only token on that step")
	fc.caveat("the workflow file name (%s) is part of the publisher's identity; each package has one trusted publisher", w.file())
	owner, name := fc.opts.repo()
	env := ""
	for _, jf := range fixes {
		if jf.refusal == "" && jf.j.environment != "" && !strings.Contains(jf.j.environment, "${{") {
			env = " --env " + jf.j.environment
		}
	}
	fc.addSetup(Setup{
		Provider: "npm", Title: "npm: trusted publisher for " + owner + "/" + name,
		CLI: "# npm >= 11.10, 2FA on the account, the package must already exist\nnpm trust github <PACKAGE> --repo " + owner + "/" + name + " --file " + w.file() + env + " --allow-publish --yes\nnpm trust list <PACKAGE>\n",
		Steps: []string{
			"Or on npmjs.com: package → Settings → Trusted Publisher → GitHub Actions: organization " + owner + ", repository " + name + ", workflow " + w.file() + ".",
			"Then: package Settings → Publishing access → Require two-factor authentication and disallow tokens.",
		},
	})
}

func planNpmJob(fc *fileCtx, w *workflow, j *job) *jobFix {
	jf := &jobFix{j: j, need: permSet{"id-token": "write"}, credType: "npm-token"}
	var pubs []*step
	var envs []envEntry
	for _, s := range j.steps {
		if s.runN == nil {
			continue
		}
		if otherPublish.MatchString(s.run) && !dryRun.MatchString(s.run) {
			if tokenVisible(w, j, s) {
				jf.refuse(s.runN.Line, "job %s: %s publishes with pnpm, yarn or bun; sessionize rewrites npm publish only: switch the step to npm publish", j.id, s.label())
			}
			continue
		}
		if !npmPublish.MatchString(s.run) || dryRun.MatchString(s.run) {
			continue
		}
		if strings.Contains(s.run, "_authToken") || strings.Contains(s.run, "secrets.") {
			jf.refuse(s.runN.Line, "job %s: %s writes or passes the token inside its script; sessionize rewrites only structured places", j.id, s.label())
			continue
		}
		if !tokenVisible(w, j, s) {
			continue
		}
		pubs = append(pubs, s)
		for _, en := range fromSecrets(w.envEntries(npmTokenEnv...)) {
			switch {
			case en.step == s || (en.level == "job" && en.job == j):
				envs = append(envs, en)
			case en.level == "workflow":
				jf.refuse(en.key.Line, "the npm token is set in the workflow-level env; move it to the steps that need it and re-run")
			}
		}
	}
	if len(pubs) == 0 && jf.refusal == "" {
		return nil
	}
	jf.secrets = envSecrets(envs)
	var setupNode *step
	upgraded := false
	for _, s := range j.steps {
		if s.action("actions/setup-node") && setupNode == nil {
			setupNode = s
		}
		if npmUpgrade.MatchString(s.run) {
			upgraded = true
		}
	}
	jf.edit = func(e *yamledit.Editor) {
		done := map[*yaml.Node]bool{}
		for _, en := range envs {
			parent := j.node
			if en.step != nil {
				parent = en.step.node
			}
			deleteEnv(e, parent, en.m, npmTokenEnv, done)
			if en.level == "job" {
				fc.caveat("job %s no longer sets %s for every step: if npm ci installs private packages, give that step a read-only token", j.id, en.key.Value)
			}
		}
		if setupNode != nil {
			if v := setupNode.input("node-version"); v != nil && v.Kind == yaml.ScalarNode {
				if major, err := strconv.Atoi(strings.Split(strings.TrimPrefix(v.Value, "v"), ".")[0]); err == nil && major < 22 {
					e.SetScalar(v, "'24'")
					fc.caveat("job %s: node-version raised from %s to 24 (trusted publishing needs Node 22.14 or later)", j.id, v.Value)
				}
			}
		}
		if !upgraded {
			insertStep(e, j, pubs[0], yamledit.Map(
				yamledit.P("name", yamledit.Raw("Use npm 11.5.1 or later (trusted publishing)")),
				yamledit.P("run", yamledit.Raw("npm install -g npm@^11.5.1")),
			))
		}
		jf.details = append(jf.details, "job "+j.id+": "+pubs[0].label()+" publishes through trusted publishing (no NODE_AUTH_TOKEN)")
	}
	return jf
}

// tokenVisible reports whether an npm token from secrets reaches step s.
func tokenVisible(w *workflow, j *job, s *step) bool {
	for _, k := range npmTokenEnv {
		if v := visibleEnv(w, j, s, k); v != nil && strings.Contains(scalar(v), "secrets.") && !strings.Contains(scalar(v), "GITHUB_TOKEN") {
			return true
		}
	}
	return false
}
