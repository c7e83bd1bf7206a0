package remediate

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sessionize/sessionize/remediate/internal/yamledit"
)

var (
	orbAWSCLI     = regexp.MustCompile(`^circleci/aws-cli@(\d+)`)
	circleKeyArgs = []string{"aws-access-key-id", "aws_access_key_id", "aws-secret-access-key", "aws_secret_access_key"}
	awsKeyRef     = regexp.MustCompile(`\$\{?AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)\b`)
)

// fixCircleCI replaces CircleCI's static AWS keys with a role assumed
// through $CIRCLE_OIDC_TOKEN_V2 (CI-2): aws-cli/setup steps get role_arn,
// and jobs with the keys in their environment get a step that assumes the
// role.
func fixCircleCI(fc *fileCtx) {
	d, err := yamledit.Parse(fc.src)
	if err != nil {
		fc.refuseErr(err)
		return
	}
	if d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return
	}
	alias, major := "", 0
	if orbs := mapping(yamledit.Get(d.Root, "orbs")); orbs != nil {
		for i := 0; i+1 < len(orbs.Content); i += 2 {
			if m := orbAWSCLI.FindStringSubmatch(scalar(orbs.Content[i+1])); m != nil {
				alias = orbs.Content[i].Value
				major, _ = strconv.Atoi(m[1])
			}
		}
	}
	jobs := mapping(yamledit.Get(d.Root, "jobs"))
	if jobs == nil {
		return
	}
	role := firstNonEmpty(fc.opts.IDs.AWSRoleARN, "${AWS_ROLE_ARN}")
	e := d.Edit()
	fixed := 0
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		id, jn := jobs.Content[i].Value, jobs.Content[i+1]
		steps := yamledit.Get(jn, "steps")
		if jn.Kind != yaml.MappingNode || steps == nil || steps.Kind != yaml.SequenceNode {
			continue
		}
		env := mapping(yamledit.Get(jn, "environment"))
		envKeys := countKeys(env, awsKeyEnv) > 0
		var setups []*yaml.Node
		refusal := ""
		for _, st := range steps.Content {
			if alias != "" {
				if p := yamledit.Get(st, alias+"/setup"); p != nil {
					if p.Kind == yaml.MappingNode && yamledit.Get(p, "role_arn") == nil && yamledit.Get(p, "role-arn") == nil {
						setups = append(setups, p)
					} else if p.Kind != yaml.MappingNode {
						refusal = "job " + id + ": " + alias + "/setup has no parameters to rewrite; add role_arn by hand"
					}
				}
			}
			if run := yamledit.Get(st, "run"); run != nil && awsKeyRef.MatchString(nodeText(run)) {
				refusal = "job " + id + ": a run step reads the AWS keys directly; sessionize rewrites orb parameters and environment entries only"
			}
		}
		if len(setups) == 0 && !envKeys && refusal == "" {
			continue
		}
		if len(setups) > 0 && major < 4 {
			refusal = "job " + id + ": circleci/aws-cli@" + strconv.Itoa(major) + " predates its OIDC parameters; upgrade the orb to 4.x or later (snake_case parameters) and re-run"
		}
		if refusal != "" {
			fc.refuse(jn.Line, "%s", refusal)
			continue
		}
		for _, p := range setups {
			for _, k := range circleKeyArgs {
				e.DeletePair(p, k)
			}
			e.SetPair(p, yamledit.P("role_arn", yamledit.Str(role)))
			if yamledit.Get(p, "role_session_name") == nil {
				e.SetPair(p, yamledit.P("role_session_name", yamledit.Raw("circleci-${CIRCLE_BUILD_NUM}")))
			}
			fc.detail("job %s: %s/setup assumes %s with the job's OIDC token", id, alias, role)
		}
		if envKeys {
			deleteEnvKey(e, jn, "environment", env, awsKeyEnv)
			if len(setups) == 0 {
				first := steps.Content[0]
				for _, st := range steps.Content {
					if scalar(st) != "checkout" {
						first = st
						break
					}
				}
				e.InsertItems(steps, first, yamledit.Map(yamledit.P("run", yamledit.Map(
					yamledit.P("name", yamledit.Raw("Assume the AWS role (OIDC)")),
					yamledit.P("command", yamledit.Lit(`creds=$(aws sts assume-role-with-web-identity \
  --role-arn "`+role+`" \
  --role-session-name "circleci-${CIRCLE_BUILD_NUM}" \
  --web-identity-token "${CIRCLE_OIDC_TOKEN_V2}" \
  --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
AWS_ACCESS_KEY_ID=$(echo "$creds" | cut -f1)
AWS_SECRET_ACCESS_KEY=$(echo "$creds" | cut -f2)
AWS_SESSION_TOKEN=$(echo "$creds" | cut -f3)
echo "export AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN=$AWS_SESSION_TOKEN" >> "$BASH_ENV"
`)),
				))))
			}
			fc.detail("job %s: removed the AWS keys from the environment; the job assumes the role with $CIRCLE_OIDC_TOKEN_V2", id)
		}
		fixed++
	}
	if fixed == 0 {
		return
	}
	if !fc.commit(e) {
		return
	}
	fc.summary = "Replace CircleCI's static AWS keys with a role assumed through the job's OIDC token"
	fc.caveat("remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the contexts and project settings only after a green run: while they exist, tools that read them first keep using them")
	fc.caveat("fork builds get OIDC tokens only with \"Pass secrets to builds from forked pull requests\", and then the trust must check the vcs-origin claim")
	fc.retireRef("aws-access-key", "$AWS_ACCESS_KEY_ID", "delete AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the CircleCI context or project settings")
	owner, name := fc.opts.repo()
	var vars []Variable
	if fc.opts.IDs.AWSRoleARN == "" {
		vars = append(vars, Variable{Name: "AWS_ROLE_ARN", Description: "ARN of the IAM role (project environment variable or context)"})
	}
	subs := []string{"org/<ORG_ID>/project/<PROJECT_ID>/user/*/vcs-origin/github.com/" + owner + "/" + name + "/vcs-ref/refs/heads/" + fc.opts.defaultBranch()}
	s := awsRoleSetup(fc.opts, "oidc.circleci.com/org/<ORG_ID>", "https://oidc.circleci.com/org/<ORG_ID>", "<ORG_ID>", subs, "", vars)
	s.Steps = append(s.Steps, "Replace <ORG_ID> and <PROJECT_ID> with the CircleCI organization and project IDs (Organization Settings → Overview, Project Settings → Overview).")
	fc.addSetup(s)
}

// fixBitbucket replaces Bitbucket Pipelines' AWS keys with OIDC (CI-3):
// pipes get AWS_OIDC_ROLE_ARN instead of the keys, build images get
// oidc-role, and the steps get oidc: true.
func fixBitbucket(fc *fileCtx) {
	d, err := yamledit.Parse(fc.src)
	if err != nil {
		fc.refuseErr(err)
		return
	}
	if d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return
	}
	role := firstNonEmpty(fc.opts.IDs.AWSRoleARN, "$AWS_OIDC_ROLE_ARN")
	e := d.Edit()
	fixed := 0
	for _, st := range bitbucketSteps(d.Root) {
		var pipes []*yaml.Node
		var imgAWS *yaml.Node
		refusal := ""
		if img := mapping(yamledit.Get(st, "image")); img != nil {
			if a := mapping(yamledit.Get(img, "aws")); a != nil && yamledit.Get(a, "access-key") != nil {
				imgAWS = img
			}
		}
		if sc := yamledit.Get(st, "script"); sc != nil && sc.Kind == yaml.SequenceNode {
			for _, it := range sc.Content {
				if vars := mapping(yamledit.Get(it, "variables")); vars != nil && strings.HasPrefix(scalar(yamledit.Get(it, "pipe")), "atlassian/aws-") &&
					countKeys(vars, awsKeyEnv[:2]) > 0 {
					pipes = append(pipes, vars)
					continue
				}
				if awsKeyRef.MatchString(nodeText(it)) && yamledit.Get(it, "pipe") == nil {
					refusal = "the script line at line " + itoa(it.Line) + " reads the AWS keys directly; sessionize rewrites pipes and build images only"
				}
			}
		}
		if len(pipes) == 0 && imgAWS == nil {
			continue
		}
		if refusal != "" {
			fc.refuse(st.Line, "%s", refusal)
			continue
		}
		for _, v := range pipes {
			for _, k := range awsKeyEnv {
				e.DeletePair(v, k)
			}
			e.SetPair(v, yamledit.P("AWS_OIDC_ROLE_ARN", yamledit.Str(role)))
		}
		if imgAWS != nil {
			e.SetPair(imgAWS, yamledit.P("aws", yamledit.Map(yamledit.P("oidc-role", yamledit.Str(role)))))
		}
		if scalar(yamledit.Get(st, "oidc")) != "true" {
			e.SetPair(st, yamledit.P("oidc", yamledit.Raw("true")), "script")
		}
		fc.detail("step at line %d: AWS access through OIDC (oidc: true) instead of repository variables", st.Line)
		fixed++
	}
	if fixed == 0 {
		return
	}
	if !fc.commit(e) {
		return
	}
	fc.summary = "Replace Bitbucket Pipelines' AWS keys with OIDC (oidc: true, AWS_OIDC_ROLE_ARN)"
	fc.caveat("the OIDC discovery document becomes reachable only after a step has used OIDC once in the workspace")
	fc.retireRef("aws-access-key", "$AWS_ACCESS_KEY_ID", "delete AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the repository or deployment variables")
	owner, _ := fc.opts.repo()
	var vars []Variable
	if fc.opts.IDs.AWSRoleARN == "" {
		vars = append(vars, Variable{Name: "AWS_OIDC_ROLE_ARN", Description: "ARN of the IAM role (repository variable)"})
	}
	host := "api.bitbucket.org/2.0/workspaces/" + owner + "/pipelines-config/identity/oidc"
	s := awsRoleSetup(fc.opts, host, "https://"+host, "ari:cloud:bitbucket::workspace/<WORKSPACE_UUID>", []string{"{<REPOSITORY_UUID>}:*"}, "", vars)
	s.Steps = append(s.Steps, "Copy the identity provider URL, audience and repository UUID from Repository settings → OpenID Connect; replace <WORKSPACE_UUID> and <REPOSITORY_UUID>.")
	fc.addSetup(s)
}

// bitbucketSteps returns every step mapping under pipelines and
// definitions.
func bitbucketSteps(root *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "step" && n.Content[i+1].Kind == yaml.MappingNode {
					out = append(out, n.Content[i+1])
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(yamledit.Get(root, "pipelines"))
	walk(yamledit.Get(root, "definitions"))
	return out
}
