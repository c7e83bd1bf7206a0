package remediate

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	awsKeyEnv       = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
	awsKeyInputs    = []string{"aws-access-key-id", "aws-secret-access-key", "aws-session-token"}
	awsKeyInputName = regexp.MustCompile(`(?i)^aws[_-]?(access[_-]?key([_-]?id)?|secret([_-]?access)?[_-]?key)$`)
	ecrRegistry     = regexp.MustCompile(`^(?:https://)?([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/?$`)
	awsUse          = regexp.MustCompile(`(^|[\s;&|(])(aws|sam|cdk|terraform|terragrunt|serverless|sls|pulumi|eksctl|copilot|chalice|zappa)\s|s3://|\.dkr\.ecr\.`)
	awsKeyInRun     = regexp.MustCompile(`secrets\.(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)|secrets\.[A-Z0-9_]*(AWS|ACCESS_KEY|SECRET_KEY)[A-Z0-9_]*`)
)

// awsJob is what the AWS fixer found in one job.
type awsJob struct {
	j         *job
	configure []*step    // configure-aws-credentials steps with key inputs
	ecr       []*step    // docker/login-action steps logging in to ECR with keys
	stepEnv   []envEntry // step-level key entries
	jobEnv    []envEntry // job-level key entries
	viaWF     bool       // receives workflow-level keys
	region    string     // aws-region YAML for an inserted step
	insertAt  *step      // where to insert a configure step (when needed)
	needStep  bool
	refusal   string
	refLine   int
	secrets   []string
}

// fixGHAAWS rewrites AWS access keys in GitHub Actions (GA-1): the inputs
// of configure-aws-credentials, keys passed through env at workflow, job or
// step level, and keys given to docker/login-action for ECR, into a
// role-to-assume OIDC configure step with id-token: write.
func fixGHAAWS(fc *fileCtx) {
	w, err := parseWorkflow(fc.path, fc.src)
	if err != nil {
		if strings.Contains(string(fc.src), "AWS_") {
			fc.refuseErr(err)
		}
		return
	}
	wfEnv := w.envEntries(awsKeyEnv...)
	var wfKeys []envEntry
	for _, en := range wfEnv {
		if en.level == "workflow" {
			wfKeys = append(wfKeys, en)
		}
	}
	usesAWS := func(s *step) bool {
		return awsUse.MatchString(s.run) || strings.HasPrefix(s.uses, "aws-actions/") || ecrStep(s)
	}
	receivers := map[*job]bool{}
	var guessed bool
	if len(wfKeys) > 0 {
		var js []*job
		js, guessed = jobsUsing(w, usesAWS)
		for _, j := range js {
			receivers[j] = true
		}
	}
	var plans []*awsJob
	for _, j := range w.jobs {
		aj := planAWSJob(fc, w, j, wfEnv, receivers[j])
		if aj != nil {
			plans = append(plans, aj)
		}
	}
	// Workflow-level keys go only if every job that receives them is fixed.
	wfOK := len(wfKeys) > 0
	for _, aj := range plans {
		if aj.viaWF && aj.refusal != "" {
			wfOK = false
		}
	}
	if len(wfKeys) > 0 && !wfOK {
		fc.refuse(wfKeys[0].key.Line, "the workflow-level AWS keys stay: a job that reads them cannot be rewritten (see its refusal)")
	}
	e := w.doc.Edit()
	var subs []string
	var notes []string
	fixed := 0
	for _, aj := range plans {
		if aj.refusal != "" {
			fc.refuse(aj.refLine, "%s", aj.refusal)
			continue
		}
		if aj.viaWF && !wfOK && len(aj.configure)+len(aj.ecr)+len(aj.stepEnv)+len(aj.jobEnv) == 0 {
			continue
		}
		extra := []*step{{uses: "aws-actions/configure-aws-credentials"}}
		apply, pc, refusal := permPlan(w, aj.j, permSet{"id-token": "write"}, extra)
		if refusal != "" {
			fc.refuse(aj.j.node.Line, "%s", refusal)
			if aj.viaWF {
				fc.refuse(wfKeys[0].key.Line, "the workflow-level AWS keys stay: job %s cannot be rewritten", aj.j.id)
				return
			}
			continue
		}
		applyAWSJob(fc, e, aj)
		if apply != nil {
			apply(e)
			fc.perms = append(fc.perms, *pc)
		}
		if w.perms != nil && aj.j.perms == nil && scalar(w.perms) == "write-all" {
			fc.caveat("the workflow grants write-all, which already includes id-token: write; narrow it to what the jobs need")
		}
		tails, n := subjectTails(w, aj.j, fc.opts)
		subs = appendUnique(subs, tails...)
		notes = appendUnique(notes, n...)
		for _, sec := range aj.secrets {
			fc.retire("aws-access-key", sec)
		}
		fixed++
	}
	if fixed == 0 {
		return
	}
	if wfOK {
		deleteEnv(e, w.root, w.env, awsKeyEnv, map[*yaml.Node]bool{})
		for _, en := range wfKeys {
			for _, sec := range secretsIn(en.val) {
				fc.retire("aws-access-key", sec)
			}
		}
		fc.detail("removed the workflow-level AWS key env entries")
		if guessed {
			fc.caveat("no job visibly runs AWS tools: every job with steps now assumes the role; drop the step from jobs that do not need AWS")
		} else {
			var others []string
			for _, j := range w.jobs {
				if !receivers[j] && len(j.steps) > 0 {
					others = append(others, j.id)
				}
			}
			if len(others) > 0 {
				fc.caveat("jobs %s no longer receive AWS keys from the workflow env and do not assume the role (none of their steps visibly uses AWS)", strings.Join(others, ", "))
			}
		}
	}
	out, err := e.Bytes()
	if err != nil {
		fc.refuseErr(err)
		return
	}
	fc.out = out
	fc.summary = "Replace AWS access keys with an OIDC role assumption (aws-actions/configure-aws-credentials role-to-assume)"
	for _, n := range notes {
		fc.caveat("%s", n)
	}
	fc.caveat("the role's trust policy must exist before merging: runs fail with \"Not authorized to perform sts:AssumeRoleWithWebIdentity\" until it matches the sub claims listed")
	awsSetupFor(fc, subs, "token.actions.githubusercontent.com", githubIssuer, "sts.amazonaws.com")
}

func awsSetupFor(fc *fileCtx, tails []string, host, issuer, aud string) {
	subs := subjects(fc.opts, tails)
	var vars []Variable
	if fc.opts.IDs.AWSRoleARN == "" {
		vars = append(vars, Variable{Name: "AWS_ROLE_ARN", Description: "ARN of the IAM role the workflow assumes"})
	}
	if fc.opts.IDs.AWSRegion == "" && strings.Contains(string(fc.out), "vars.AWS_REGION") {
		vars = append(vars, Variable{Name: "AWS_REGION", Description: "AWS region for the role session"})
	}
	fc.addSetup(awsRoleSetup(fc.opts, host, issuer, aud, subs, ghVarSet(fc.opts, "AWS_ROLE_ARN"), vars))
}

func ecrStep(s *step) bool {
	return s.action("docker/login-action") && ecrRegistry.MatchString(strings.TrimSpace(scalar(s.input("registry"))))
}

// planAWSJob finds the AWS key wiring of job j and decides whether it can
// be rewritten; nil when the job has none.
func planAWSJob(fc *fileCtx, w *workflow, j *job, env []envEntry, viaWF bool) *awsJob {
	aj := &awsJob{j: j, viaWF: viaWF}
	for _, en := range env {
		switch {
		case en.level == "job" && en.job == j:
			aj.jobEnv = append(aj.jobEnv, en)
		case en.level == "step" && en.job == j:
			aj.stepEnv = append(aj.stepEnv, en)
		}
	}
	for _, s := range j.steps {
		switch {
		case s.action("aws-actions/configure-aws-credentials"):
			if s.input("aws-access-key-id") != nil || s.input("aws-secret-access-key") != nil {
				aj.configure = append(aj.configure, s)
			}
		case ecrStep(s) && (s.input("password") != nil || s.input("username") != nil):
			if awsKeyInRun.MatchString(nodeText(s.input("password"))+nodeText(s.input("username"))) || hasAny(s) {
				aj.ecr = append(aj.ecr, s)
			}
		case s.uses != "" && mapping(s.with) != nil:
			for i := 0; i+1 < len(s.with.Content); i += 2 {
				if awsKeyInputName.MatchString(s.with.Content[i].Value) {
					aj.refusal = "job " + j.id + ": " + s.label() + " takes AWS keys as inputs (" + s.with.Content[i].Value + "); sessionize cannot tell whether " + s.uses + " accepts ambient credentials: add a configure-aws-credentials OIDC step before it and drop the inputs by hand"
					aj.refLine = s.with.Content[i].Line
				}
			}
		}
	}
	for _, s := range j.steps {
		if s.runN != nil && awsKeyInRun.MatchString(s.run) {
			aj.refusal = "job " + j.id + ": " + s.label() + " reads AWS key secrets inside its script; sessionize rewrites only structured places (env, with:): move them to env or drop them"
			aj.refLine = s.runN.Line
		}
	}
	if len(aj.configure)+len(aj.ecr)+len(aj.jobEnv)+len(aj.stepEnv) == 0 && !viaWF && aj.refusal == "" {
		return nil
	}
	for _, en := range append(append([]envEntry(nil), aj.jobEnv...), aj.stepEnv...) {
		if matrixRef.MatchString(scalar(en.val)) {
			aj.refusal = "job " + j.id + ": the AWS keys come from the matrix; one role per matrix entry needs a matrix of role ARNs: rewrite by hand"
			aj.refLine = en.key.Line
		}
	}
	for _, k := range []string{"container", "services"} {
		if n := yamledit.Get(j.node, k); n != nil && strings.Contains(nodeText(n), "AWS_SECRET_ACCESS_KEY") {
			aj.refusal = "job " + j.id + ": AWS keys are passed to the job's " + k + "; rewrite by hand"
			aj.refLine = n.Line
		}
	}
	if j.uses != "" {
		aj.refusal = "job " + j.id + " calls the reusable workflow " + j.uses + ": rewrite the called workflow, then grant id-token: write here"
		aj.refLine = j.node.Line
	}
	if r := unsafeOIDC(w, j); r != "" && aj.refusal == "" {
		aj.refusal, aj.refLine = r, j.node.Line
	}
	if aj.refusal != "" {
		return aj
	}
	for _, c := range append(append(aj.configure, aj.ecr...), stepsOf(aj.stepEnv)...) {
		aj.secrets = appendUnique(aj.secrets, awsSecretNames(c)...)
	}
	for _, en := range aj.jobEnv {
		aj.secrets = appendUnique(aj.secrets, secretsIn(en.val)...)
	}
	aj.region = awsRegion(fc, w, j, aj)
	// A configure step is inserted before the first step that needs AWS,
	// unless a configure step already runs before it.
	if len(aj.jobEnv)+len(aj.stepEnv)+len(aj.ecr) > 0 || viaWF {
		var first *step
		switch {
		case len(aj.stepEnv) > 0 || (len(aj.ecr) > 0 && len(aj.jobEnv) == 0 && !viaWF):
			first = insertionPoint(j, func(s *step) bool { return ecrStep(s) || hasKeyEnv(aj.stepEnv, s) })
		default:
			first = insertionPoint(j, func(s *step) bool {
				return awsUse.MatchString(s.run) || ecrStep(s) || hasKeyEnv(aj.stepEnv, s) ||
					(strings.HasPrefix(s.uses, "aws-actions/") && !s.action("aws-actions/configure-aws-credentials"))
			})
		}
		c := firstConfigure(j)
		aj.insertAt = first
		aj.needStep = c == nil || (first != nil && first.index < c.index)
	}
	return aj
}

func hasAny(s *step) bool {
	return strings.Contains(nodeText(s.input("password")), "AWS") || strings.Contains(nodeText(s.input("username")), "AWS")
}

func hasKeyEnv(es []envEntry, s *step) bool {
	for _, en := range es {
		if en.step == s {
			return true
		}
	}
	return false
}

func stepsOf(es []envEntry) []*step {
	var out []*step
	for _, en := range es {
		out = append(out, en.step)
	}
	return out
}

func firstConfigure(j *job) *step {
	for _, s := range j.steps {
		if s.action("aws-actions/configure-aws-credentials") {
			return s
		}
	}
	return nil
}

func awsSecretNames(s *step) []string {
	var out []string
	for _, k := range append(append([]string(nil), awsKeyInputs...), "username", "password") {
		out = appendUnique(out, secretsIn(s.input(k))...)
	}
	if s.env != nil {
		for _, k := range awsKeyEnv {
			out = appendUnique(out, secretsIn(yamledit.Get(s.env, k))...)
		}
	}
	return out
}

// awsRegion chooses the aws-region for an inserted configure step: an
// existing configure step's, an env region visible to the job, the ECR
// registry's, the flag, else ${{ vars.AWS_REGION }}.
func awsRegion(fc *fileCtx, w *workflow, j *job, aj *awsJob) string {
	for _, s := range aj.configure {
		if r := s.input("aws-region"); r != nil && r.Kind == yaml.ScalarNode {
			return yamledit.Quote(r.Value)
		}
	}
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		for _, m := range []*yaml.Node{j.env, w.env} {
			if v := yamledit.Get(m, name); v != nil {
				return "${{ env." + name + " }}"
			}
		}
		for _, en := range aj.stepEnv {
			if v := yamledit.Get(en.m, name); v != nil {
				return yamledit.Quote(scalar(v))
			}
		}
	}
	for _, s := range aj.ecr {
		if m := ecrRegistry.FindStringSubmatch(strings.TrimSpace(scalar(s.input("registry")))); m != nil {
			return m[2]
		}
	}
	text := ghaVar(fc.opts.IDs.AWSRegion, "AWS_REGION")
	return text
}

func configureFrag(fc *fileCtx, region string) *yamledit.Frag {
	role := ghaVar(fc.opts.IDs.AWSRoleARN, "AWS_ROLE_ARN")
	return yamledit.Map(
		yamledit.P("name", yamledit.Raw("Configure AWS credentials (OIDC)")),
		usesPair("aws-actions/configure-aws-credentials"),
		yamledit.P("with", yamledit.Map(
			yamledit.P("role-to-assume", yamledit.Raw(role)),
			yamledit.P("aws-region", yamledit.Raw(region)),
		)),
	)
}

func applyAWSJob(fc *fileCtx, e *yamledit.Editor, aj *awsJob) {
	j := aj.j
	role := ghaVar(fc.opts.IDs.AWSRoleARN, "AWS_ROLE_ARN")
	for _, s := range aj.configure {
		add := 0
		if s.input("role-to-assume") == nil {
			add++
		}
		if s.input("aws-region") == nil {
			add++
		}
		deleteInputs(e, s, add, awsKeyInputs...)
		var pairs []yamledit.FragPair
		if s.input("role-to-assume") == nil {
			pairs = append(pairs, yamledit.P("role-to-assume", yamledit.Raw(role)))
		}
		if s.input("aws-region") == nil {
			pairs = append(pairs, yamledit.P("aws-region", yamledit.Raw(aj.region)))
		}
		if len(pairs) > 0 {
			setInputs(e, s, pairs, "aws-region")
		}
		e.SetPair(s.node, usesPair("aws-actions/configure-aws-credentials"))
		fc.detail("job %s: %s assumes a role through OIDC instead of using access keys", j.id, s.label())
	}
	done := map[*yaml.Node]bool{}
	for _, en := range aj.jobEnv {
		deleteEnv(e, j.node, en.m, awsKeyEnv, done)
	}
	if len(aj.jobEnv) > 0 {
		fc.detail("job %s: removed the AWS key env entries", j.id)
	}
	for _, en := range aj.stepEnv {
		deleteEnv(e, en.step.node, en.m, awsKeyEnv, done)
	}
	if len(aj.stepEnv) > 0 {
		fc.detail("job %s: removed the AWS key env entries of %s", j.id, aj.stepEnv[0].step.label())
	}
	if aj.needStep {
		insertStep(e, j, aj.insertAt, configureFrag(fc, aj.region))
		fc.detail("job %s: added an aws-actions/configure-aws-credentials OIDC step", j.id)
	}
	for _, s := range aj.ecr {
		pairs := []yamledit.FragPair{}
		for _, k := range []string{"name", "id", "if", "continue-on-error", "timeout-minutes"} {
			if v := yamledit.Get(s.node, k); v != nil && v.Kind == yaml.ScalarNode {
				pairs = append(pairs, yamledit.P(k, yamledit.Raw(rawScalar(v))))
			}
		}
		if yamledit.Get(s.node, "id") == nil {
			pairs = append(pairs, yamledit.P("id", yamledit.Raw("login-ecr")))
		}
		pairs = append(pairs, usesPair("aws-actions/amazon-ecr-login"))
		if m := ecrRegistry.FindStringSubmatch(strings.TrimSpace(scalar(s.input("registry")))); m != nil {
			pairs = append(pairs, yamledit.P("with", yamledit.Map(yamledit.P("registries", yamledit.Str(m[1])))))
		}
		e.ReplaceItem(j.stepsNode, s.node, yamledit.Map(pairs...))
		fc.detail("job %s: %s logs in to ECR with aws-actions/amazon-ecr-login", j.id, s.label())
	}
}

// rawScalar returns a scalar as YAML text that reads back the same.
func rawScalar(n *yaml.Node) string {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(n.Value, "\n") {
		return yamledit.Quote(n.Value)
	}
	if n.Tag == "!!str" && n.Style == 0 {
		return yamledit.Quote(n.Value)
	}
	if n.Tag != "!!str" {
		return n.Value
	}
	return yamledit.Quote(n.Value)
}

func countKeys(m *yaml.Node, names []string) int {
	c := 0
	for _, n := range names {
		if yamledit.Get(m, n) != nil {
			c++
		}
	}
	return c
}
