package github

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
)

// Labels every pull request gets (besides the platform label and the
// configured ones).
const (
	LabelSecurity   = "security"
	LabelSessionize = "sessionize"
)

// maxBody is below GitHub's 65536-character limit on bodies and comments.
const maxBody = 60000

// Proposal is one pull request as the tool opens it: everything here is
// what is sent (nothing holds a raw secret).
type Proposal struct {
	// Path is the file the change rewrites; Fixer names the branch.
	Path, Fixer string
	Branch      string
	// Base is the branch the pull request targets; empty in a dry run
	// that does not know the default branch.
	Base          string
	Title         string
	Body          string
	CommitMessage string
	Labels        []string
	// Diff is the change as a unified diff, redacted as in the body.
	Diff   string
	Marker Marker
	// Change is the rewrite; its After is what is committed.
	Change remediate.Change
}

// Propose renders the pull requests of req offline, one per change, in
// the order of req.Changes: what --dry-run prints. A change whose texts
// would hold a known secret is left out and its error returned (joined
// with the others).
func Propose(req Request) ([]Proposal, error) {
	ss := secretsOf(req.Report)
	var out []Proposal
	var errs []error
	for i := range req.Changes {
		p, err := propose(&req.Changes[i], &req, ss)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// propose renders one change's pull request and checks that none of its
// texts holds a known secret.
func propose(c *remediate.Change, req *Request, ss secretSet) (Proposal, error) {
	p := Proposal{
		Path: c.Path, Fixer: c.Fixer, Branch: BranchName(c.Fixer, c.Path), Base: req.Base,
		Marker: markerFor(c), Change: *c, Diff: redactDiff(c.UnifiedDiff(), ss),
	}
	p.Title = title(c)
	p.Labels = labelsFor(c, req.Labels)
	p.CommitMessage = commitMessage(c, p.Title, p.Marker)
	p.Body = renderBody(c, req, &p, ss, true)
	if len(p.Body) > maxBody {
		p.Body = renderBody(c, req, &p, ss, false)
	}
	for _, s := range []string{p.Branch, p.Title, p.Body, p.CommitMessage, string(c.After), strings.Join(p.Labels, "\n")} {
		if fp, ok := ss.find(s); ok {
			return Proposal{}, fmt.Errorf("pull request for %q: refused: the text or the rewritten file would hold credential %s; fix this file by hand", c.Path, fp)
		}
	}
	return p, nil
}

// title is the change's summary, without its parenthesis, and the path.
func title(c *remediate.Change) string {
	s := strings.TrimSpace(c.Summary)
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	if s == "" {
		s = "Replace standing credentials with session-scoped ones"
	}
	t := s + " in " + c.Path
	if len(t) > 250 {
		t = t[:250]
	}
	return t
}

// platformLabel is the CI platform a fixer rewrites, as a label.
func platformLabel(fixer string) string {
	switch {
	case strings.HasPrefix(fixer, "gha-"):
		return "github-actions"
	case strings.HasPrefix(fixer, "gitlab-"):
		return "gitlab-ci"
	case strings.HasPrefix(fixer, "circleci-"):
		return "circleci"
	case strings.HasPrefix(fixer, "bitbucket-"):
		return "bitbucket-pipelines"
	}
	return ""
}

func labelsFor(c *remediate.Change, extra []string) []string {
	out := []string{LabelSecurity, LabelSessionize}
	if l := platformLabel(c.Fixer); l != "" {
		out = append(out, l)
	}
	for _, l := range extra {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func commitMessage(c *remediate.Change, title string, m Marker) string {
	var b strings.Builder
	b.WriteString(title + "\n\n")
	for _, d := range c.Details {
		b.WriteString("- " + d + "\n")
	}
	if len(c.Details) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Fixers: %s\n", strings.Join(c.Fixers, ", "))
	if len(m.Creds) > 0 {
		fmt.Fprintf(&b, "Credentials (fingerprints): %s\n", strings.Join(m.Creds, ", "))
	}
	return b.String()
}

// renderBody writes the body of SPEC §7: summary, changes, provider-side
// setup, rollout, caveats, marker.
func renderBody(c *remediate.Change, req *Request, p *Proposal, ss secretSet, withDiff bool) string {
	var b strings.Builder
	writeSummary(&b, c, req.Report)
	writeChanges(&b, c, p.Diff, withDiff)
	writeSetup(&b, c)
	writeRollout(&b, c)
	writeCaveats(&b, c)
	b.WriteString("---\n<sub>Opened by sessionize")
	if req.ToolVersion != "" {
		b.WriteString(" " + req.ToolVersion)
	}
	b.WriteString(". A re-run of `sessionize pr` regenerates this change from the base branch and updates this pull request " +
		"as long as its branch holds only sessionize's commits; after anyone else pushes to it, sessionize comments instead. " +
		"Closed without merging, it is not reopened unless the finding changes.</sub>\n\n")
	b.WriteString(p.Marker.String() + "\n")
	return ss.redact(b.String())
}

func writeSummary(b *strings.Builder, c *remediate.Change, r *scanner.Report) {
	b.WriteString("## Summary\n\n")
	fmt.Fprintf(b, "sessionize found standing credentials in %s. This change: %s.\n\n", code(c.Path), lowerFirst(strings.TrimSuffix(c.Summary, ".")))
	creds := credentialsOf(c, r)
	if len(creds) > 0 {
		b.WriteString("| Credential | Type | Lifetime | Where | Score | Severity | Fingerprint |\n| --- | --- | --- | --- | --- | --- | --- |\n")
		var expected []string
		for _, cr := range creds {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %s | %s |\n", cell(code(cr.RedactedSecret())), cell(cr.Type), cell(string(cr.Lifetime)),
				cell(where(cr, c.Path)), cr.Score, cell(string(cr.Severity)), code(cr.Fingerprint))
			if cr.Expected != "" && !slices.Contains(expected, cr.Expected) {
				expected = append(expected, cr.Expected)
			}
		}
		b.WriteString("\n")
		if len(expected) > 0 {
			fmt.Fprintf(b, "Expected instead: %s.\n\n", strings.Join(expected, "; "))
		}
		return
	}
	if len(c.Revoke) > 0 {
		b.WriteString("Credentials retired:\n\n")
		for _, rv := range c.Revoke {
			fmt.Fprintf(b, "- %s", code(rv.Credential))
			if rv.Type != "" {
				fmt.Fprintf(b, " (%s)", rv.Type)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
}

// credentialsOf returns the report's credentials the change retires,
// highest score first.
func credentialsOf(c *remediate.Change, r *scanner.Report) []*scanner.Credential {
	if r == nil {
		return nil
	}
	var out []*scanner.Credential
	for i := range r.Credentials {
		cr := &r.Credentials[i]
		if slices.Contains(c.Fingerprints, cr.Fingerprint) {
			out = append(out, cr)
		}
	}
	slices.SortStableFunc(out, func(a, b *scanner.Credential) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	return out
}

// where lists the places of the credential in the file (path:line), and
// how many other places hold it.
func where(cr *scanner.Credential, p string) string {
	var lines []int
	others := 0
	for _, o := range cr.Occurrences {
		switch {
		case o.Path != p || o.Where == scanner.WhereHistory:
			others++
		case !slices.Contains(lines, o.Line):
			lines = append(lines, o.Line)
		}
	}
	slices.Sort(lines)
	var places []string
	for _, l := range lines {
		places = append(places, code(p+":"+strconv.Itoa(l)))
	}
	if len(places) == 0 {
		places = append(places, code(p))
	}
	s := strings.Join(places, ", ")
	if others > 0 {
		s += fmt.Sprintf(" and %d other place(s)", others)
	}
	return s
}

func writeChanges(b *strings.Builder, c *remediate.Change, diff string, withDiff bool) {
	b.WriteString("## Changes\n\n")
	fmt.Fprintf(b, "### %s\n\n", code(c.Path))
	b.WriteString(fixersLine(c.Fixers) + "\n\n")
	for _, d := range c.Details {
		fmt.Fprintf(b, "- %s\n", d)
	}
	if len(c.Details) > 0 {
		b.WriteString("\n")
	}
	if len(c.Permissions) > 0 {
		b.WriteString("`GITHUB_TOKEN` permissions:\n\n")
		for _, pc := range c.Permissions {
			fmt.Fprintf(b, "- job %s: %s → %s\n", code(pc.Job), pc.Before, pc.After)
		}
		b.WriteString("\n")
	}
	if !withDiff {
		b.WriteString("The diff is too large for this description: see the Files changed tab.\n\n")
		return
	}
	b.WriteString("<details><summary>Diff</summary>\n\n")
	b.WriteString(fenced("diff", diff))
	b.WriteString("\n</details>\n\n")
}

func writeSetup(b *strings.Builder, c *remediate.Change) {
	if len(c.Setup) == 0 {
		return
	}
	b.WriteString("## Required provider-side setup (before merging)\n\n")
	for _, s := range c.Setup {
		fmt.Fprintf(b, "### %s\n\n", s.Title)
		if len(s.Subjects) > 0 {
			b.WriteString("The provider must trust exactly these subject (`sub`) claims")
			if len(s.Subjects) > 1 {
				b.WriteString(" (where both forms appear, the legacy and the immutable one: repositories created, renamed or transferred after 2026-07-15 carry owner and repository IDs; trust both during the transition)")
			}
			b.WriteString(":\n\n")
			for _, sub := range s.Subjects {
				fmt.Fprintf(b, "- %s\n", code(sub))
			}
			b.WriteString("\n")
		}
		if len(s.Variables) > 0 {
			b.WriteString("Variables the rewritten file reads (not secrets):\n\n")
			for _, v := range s.Variables {
				fmt.Fprintf(b, "- %s: %s\n", code(v.Name), v.Description)
			}
			b.WriteString("\n")
		}
		for _, st := range s.Steps {
			fmt.Fprintf(b, "- [ ] %s\n", st)
		}
		if len(s.Steps) > 0 {
			b.WriteString("\n")
		}
		if s.Terraform != "" {
			b.WriteString("Terraform:\n\n" + fenced("hcl", s.Terraform) + "\n")
		}
		if s.CLI != "" {
			b.WriteString("CLI:\n\n" + fenced("sh", s.CLI) + "\n")
		}
	}
}

// revokeSteps splits the revoke commands into revoking the credential and
// deleting the stored secret, each command once with the credentials it
// is for.
func revokeSteps(c *remediate.Change) (revoke, del []string) {
	type cmdFor struct {
		cmd   string
		creds []string
	}
	var rv, dl []*cmdFor
	add := func(list []*cmdFor, cmd, cred string) []*cmdFor {
		for _, x := range list {
			if x.cmd == cmd {
				if !slices.Contains(x.creds, cred) {
					x.creds = append(x.creds, cred)
				}
				return list
			}
		}
		return append(list, &cmdFor{cmd: cmd, creds: []string{cred}})
	}
	for _, r := range c.Revoke {
		name := r.Credential
		if r.Type != "" {
			name += " (" + r.Type + ")"
		}
		for _, cmd := range r.Commands {
			if strings.HasPrefix(cmd, "gh secret delete") {
				dl = add(dl, cmd, r.Credential)
			} else {
				rv = add(rv, cmd, name)
			}
		}
	}
	for _, x := range rv {
		revoke = append(revoke, fmt.Sprintf("%s: %s", strings.Join(x.creds, ", "), code(x.cmd)))
	}
	for _, x := range dl {
		del = append(del, code(x.cmd))
	}
	return revoke, del
}

func writeRollout(b *strings.Builder, c *remediate.Change) {
	b.WriteString("## Rollout\n\n")
	n := 1
	step := func(s string) {
		fmt.Fprintf(b, "%d. [ ] %s\n", n, s)
		n++
	}
	switch {
	case hasSubjects(c):
		step("Do the provider-side setup above (this pull request's own runs cannot test it: they carry another `sub`, or no token at all from forks).")
	case len(c.Setup) > 0:
		step("Do the provider-side setup above.")
	}
	step("Merge this pull request.")
	step("Wait for a green run that uses the new credentials.")
	revoke, del := revokeSteps(c)
	if len(revoke) > 0 {
		step("Revoke the old credentials (not before the green run; removing them from the file is not enough):")
		for _, r := range revoke {
			fmt.Fprintf(b, "   - %s\n", r)
		}
	} else {
		step("Revoke the old credentials at their provider (not before the green run).")
	}
	if len(del) > 0 {
		step("Delete the stored secrets nothing reads any more:")
		for _, d := range del {
			fmt.Fprintf(b, "   - %s\n", d)
		}
	}
	b.WriteString("\n")
}

var registries = map[string]bool{"pypi": true, "npm": true, "rubygems": true, "crates": true, "nuget": true}

// caveats are the change's own and those this package knows apply.
func caveats(c *remediate.Change) []string {
	out := slices.Clone(c.Caveats)
	has := func(word string) bool {
		for _, cv := range out {
			if strings.Contains(strings.ToLower(cv), word) {
				return true
			}
		}
		return false
	}
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	var subs []string
	registry := slices.Contains([]string{"gha-pypi-trusted-publishing", "gha-npm-trusted-publishing"}, c.Fixer)
	for _, s := range c.Setup {
		subs = append(subs, s.Subjects...)
		registry = registry || registries[s.Provider]
	}
	workflow := strings.HasPrefix(c.Path, ".github/workflows/")
	if workflow && len(subs) > 0 && !has("fork") && slices.ContainsFunc(subs, func(s string) bool { return strings.HasSuffix(s, ":pull_request") }) {
		add("Runs for pull requests from forks get no OIDC token (id-token: write is never granted to them): such runs must stay skipped or read-only.")
	}
	if len(c.Permissions) > 0 {
		var jobs []string
		for _, p := range c.Permissions {
			jobs = append(jobs, code(p.Job))
		}
		add(fmt.Sprintf("The `GITHUB_TOKEN` permissions of job %s change as listed above: a `permissions` block replaces the defaults, so every scope the job needs is now explicit.", strings.Join(jobs, ", ")))
	}
	if len(subs) > 0 {
		add("The trust above is keyed on the `sub` claim: adding, renaming or removing an `environment:` on the job, changing its triggers, or customising the repository's OIDC subject template changes the claim and breaks the trust until the provider side is updated.")
	}
	if workflow && registry {
		add(fmt.Sprintf("The registry trusts the workflow by its file name (%s): renaming it, or moving the publishing step into a reusable workflow, breaks publishing until the trusted publisher is updated.", code(path.Base(c.Path))))
	}
	return out
}

func writeCaveats(b *strings.Builder, c *remediate.Change) {
	cv := caveats(c)
	if len(cv) == 0 {
		return
	}
	b.WriteString("## Caveats\n\n")
	for _, s := range cv {
		fmt.Fprintf(b, "- %s\n", s)
	}
	b.WriteString("\n")
}

func hasSubjects(c *remediate.Change) bool {
	return slices.ContainsFunc(c.Setup, func(s remediate.Setup) bool { return len(s.Subjects) > 0 })
}

// fixersLine names the fixers with the catalog row each implements.
func fixersLine(names []string) string {
	info := map[string]remediate.FixerInfo{}
	for _, f := range remediate.Fixers() {
		info[f.Name] = f
	}
	var parts []string
	for _, n := range names {
		f, ok := info[n]
		if !ok {
			parts = append(parts, code(n))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (REMEDIATION.md %s: %s)", code(n), f.Row, f.Description))
	}
	return "Fixer: " + strings.Join(parts, "; ") + "."
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// code renders s as inline code, with a longer delimiter when s holds
// backticks.
func code(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return "`` " + s + " ``"
}

// cell escapes a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// fenced renders s as a fenced code block whose fence is longer than any
// run of backticks in s.
func fenced(lang, s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return fence + lang + "\n" + s + fence + "\n"
}
