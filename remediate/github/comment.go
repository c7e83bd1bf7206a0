package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// comment tells the pull request why its branch was not updated, once per
// regenerated change.
func (d *delivery) comment(ctx context.Context, p *Proposal, pr *gh.PullRequest, st branchInfo, o Outcome) Outcome {
	r := d.req.Repo
	tag := fmt.Sprintf("<!-- sessionize:v1 blocked finding=%s base=%.12s -->", p.Marker.Finding, d.git.tip.Hash.String())
	comments, err := d.comments(ctx, pr.GetNumber())
	if err != nil {
		o.Err = err
		return o
	}
	o.Action = Commented
	for _, c := range comments {
		if strings.Contains(c.GetBody(), tag) {
			o.Reason = "the branch has commits by others (" + strings.Join(st.foreign, ", ") + "); commented on an earlier run"
			return o
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sessionize did not update this branch: it has commits by others (%s), and sessionize force-pushes only branches that hold nothing but its own commits.\n\n",
		strings.Join(st.foreign, ", "))
	fmt.Fprintf(&b, "The change regenerated from `%s` (%.7s) is below. Apply it by hand, or close this pull request and delete the branch `%s` so that the next run opens a fresh one.\n\n",
		d.base, d.git.tip.Hash.String(), p.Branch)
	diff := p.Diff
	if len(diff) > maxBody-2000 {
		diff = "(the diff is too large for a comment)\n"
	}
	b.WriteString("<details><summary>Diff</summary>\n\n" + fenced("diff", diff) + "\n</details>\n\n" + tag + "\n")
	body := d.secrets.redact(b.String())
	if fp, ok := d.secrets.find(body); ok {
		o.Err = fmt.Errorf("comment on #%d: refused: it would hold credential %s", pr.GetNumber(), fp)
		return o
	}
	if _, _, err := d.c.api.Issues.CreateComment(ctx, r.Owner, r.Name, pr.GetNumber(), &gh.IssueComment{Body: gh.String(body)}); err != nil {
		o.Err = d.c.translate(fmt.Sprintf("comment on pull request #%d", pr.GetNumber()), r, err)
		return o
	}
	o.Reason = "the branch has commits by others (" + strings.Join(st.foreign, ", ") + "); not pushed, commented"
	return o
}

func (d *delivery) comments(ctx context.Context, number int) ([]*gh.IssueComment, error) {
	r := d.req.Repo
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	var out []*gh.IssueComment
	for {
		list, resp, err := d.c.api.Issues.ListComments(ctx, r.Owner, r.Name, number, opts)
		if err != nil {
			return nil, d.c.translate(fmt.Sprintf("list comments of pull request #%d", number), r, err)
		}
		out = append(out, list...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
