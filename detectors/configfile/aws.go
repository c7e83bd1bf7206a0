package configfile

import (
	"context"
	"path"
	"strings"
)

// Rules of the aws-config detector.
const (
	ruleAWSAccessKey      = "aws-credentials-access-key"
	ruleAWSSecretKey      = "aws-credentials-secret-key"
	ruleAWSSSOProfile     = "aws-config-sso-profile"
	ruleAWSCredProcess    = "aws-config-credential-process"
	ruleAWSAssumeRole     = "aws-config-assume-role"
	ruleAWSWebIdentity    = "aws-config-web-identity"
	ruleAWSLoginSession   = "aws-config-login-session"
	typeAWSSessionProfile = "aws-session-profile"
)

// awsINIExt are the extensions an explicitly named AWS credentials file may
// have (aws-credentials.ini); code files that mention AWS config are not
// credentials files.
var awsINIExt = set("", ".ini", ".cfg", ".conf", ".txt", ".credentials", ".config", ".properties")

// matchAWSConfig: credentials and config under .aws/ (or aws/), and files
// named for what they are: aws_credentials, aws-credentials.ini,
// aws.config...
func matchAWSConfig(p string) bool {
	b := baseName(p)
	if equalsAny(b, "credentials", "config") {
		return underDir(p, ".aws") || underDir(p, "aws")
	}
	if !hasPrefixFold(b, "aws") || !(containsFold(b, "credentials") || containsFold(b, "config")) {
		return false
	}
	ext := strings.ToLower(path.Ext(b))
	if ext != "" && (containsFold(ext, "credentials") || containsFold(ext, "config")) {
		ext = "" // aws.credentials, aws.config
	}
	return awsINIExt[ext]
}

// scanAWSConfig reports static key pairs per profile (one finding per pair,
// at the access key ID; ASIA keys with a session token are session
// credentials) and records session-friendly profiles (IAM Identity Center,
// credential_process, role assumption, web identity, aws login) as
// inventory.
func scanAWSConfig(ctx context.Context, f *file) error {
	ls, err := iniLines(ctx, f.src, iniOptions{seps: "=:", inlineComments: true})
	sections := map[string][]kvLine{}
	var order []string
	for _, l := range ls {
		if l.indented {
			continue // nested settings (s3 = ...) hold no credentials
		}
		if _, ok := sections[l.section]; !ok {
			order = append(order, l.section)
		}
		sections[l.section] = append(sections[l.section], l)
	}
	r := scopeRules{awsKey: ruleAWSAccessKey, awsSecret: ruleAWSSecretKey, inAWS: true}
	for _, s := range order {
		es := make([]entry, 0, len(sections[s]))
		for _, l := range sections[s] {
			es = append(es, entryOf(l, s))
		}
		r.provider = "aws"
		f.scanEntries(es, &r)
		f.awsSessionProfile(s, sections[s], sections)
	}
	return err
}

// awsSessionProfile records a profile whose credentials are minted per
// session.
func (f *file) awsSessionProfile(section string, ls []kvLine, all map[string][]kvLine) {
	get := func(ls []kvLine, key string) (kvLine, bool) {
		for _, l := range ls {
			if strings.EqualFold(l.key, key) && isLiteral(l.value) {
				return l, true
			}
		}
		return kvLine{}, false
	}
	if strings.HasPrefix(section, "sso-session ") || strings.HasPrefix(section, "services ") {
		return // settings shared by profiles, not a profile
	}
	profile := strings.TrimSpace(strings.TrimPrefix(section, "profile "))
	add := func(rule string, at kvLine, id, note string) {
		v, q := unquote(at.value)
		f.add(cand{
			rule: rule, value: id, off: at.off + q, end: at.off + q + len(v), session: true,
			typ: typeAWSSessionProfile, provider: "aws", notes: []string{"profile " + profile + ": " + note},
		})
	}
	if l, ok := get(ls, "sso_session"); ok {
		start := ""
		if s, ok := get(all["sso-session "+l.value], "sso_start_url"); ok {
			start = s.value
		}
		acct, _ := get(ls, "sso_account_id")
		role, _ := get(ls, "sso_role_name")
		add(ruleAWSSSOProfile, l, "aws-sso:"+start+":"+acct.value+":"+role.value, "IAM Identity Center session")
	} else if l, ok := get(ls, "sso_start_url"); ok {
		acct, _ := get(ls, "sso_account_id")
		role, _ := get(ls, "sso_role_name")
		add(ruleAWSSSOProfile, l, "aws-sso:"+l.value+":"+acct.value+":"+role.value, "IAM Identity Center (legacy configuration)")
	}
	if l, ok := get(ls, "credential_process"); ok {
		add(ruleAWSCredProcess, l, "aws-credential-process:"+l.value, "credentials from an external process")
	}
	if l, ok := get(ls, "login_session"); ok {
		add(ruleAWSLoginSession, l, "aws-login:"+l.value, "aws login console credentials")
	}
	role, ok := get(ls, "role_arn")
	if !ok {
		return
	}
	if _, ok := get(ls, "web_identity_token_file"); ok {
		add(ruleAWSWebIdentity, role, "aws-web-identity:"+role.value, "role assumed with a web identity token")
		return
	}
	src, ok := get(ls, "source_profile")
	if !ok {
		src, ok = get(ls, "credential_source")
	}
	if ok {
		add(ruleAWSAssumeRole, role, "aws-assume-role:"+role.value, "role assumed from "+src.value)
	}
}
