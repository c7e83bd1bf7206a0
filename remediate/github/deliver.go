package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	gh "github.com/google/go-github/v62/github"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/scanner"
)

// Request is a set of changes to deliver to one repository.
type Request struct {
	// Repo is the repository on GitHub.
	Repo Repository
	// Base is the branch pull requests target; empty means the
	// repository's default branch.
	Base string
	// Changes are the rewrites (remediate.Result.Changes), one pull
	// request each, branch sessionize/<Change.Fixer>/<slug of Change.Path>.
	Changes []remediate.Change
	// Report is the scan the changes were planned from: it supplies the
	// summary (type, score, severity, lines) and the raw values to keep out
	// of everything sent. May be nil.
	Report *scanner.Report
	// Fix are the options the changes were planned with; a file that
	// differs on the base branch is fixed again with them.
	Fix remediate.Options
	// Author is the author and committer of the tool's commits; zero
	// means DefaultAuthor. Commits by another email are someone else's.
	Author Author
	// Draft opens new pull requests as drafts.
	Draft bool
	// Labels are added to security, sessionize and the platform label.
	Labels []string
	// ToolVersion is shown at the end of bodies.
	ToolVersion string
	// Max bounds the pull requests created (updates do not count); 0 means
	// no limit.
	Max int
	// Now is the commit time's clock; nil means time.Now.
	Now func() time.Time
	// WorkDir is where the temporary clone goes; empty means the system's
	// temporary directory.
	WorkDir string
}

func (r *Request) author() Author {
	if r.Author.Email == "" {
		return DefaultAuthor
	}
	return r.Author
}

func (r *Request) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Action is what [Client.Deliver] did about one change.
type Action string

// The actions of an [Outcome].
const (
	// Created: branch pushed, pull request opened.
	Created Action = "created"
	// Updated: the open pull request's branch was force-pushed with the
	// change regenerated from the base, or its description was updated.
	Updated Action = "updated"
	// Unchanged: the open pull request is up to date.
	Unchanged Action = "unchanged"
	// Commented: the branch holds someone else's commits, so it was not
	// pushed; the pull request got a comment (once per change).
	Commented Action = "commented"
	// Skipped: nothing was done, for Reason (closed without merging and
	// the finding is the same; nothing left to fix on the base; Max).
	Skipped Action = "skipped"
	// Failed: Err says why.
	Failed Action = "failed"
)

// Outcome is what happened to one change.
type Outcome struct {
	Path, Fixer, Branch string
	Action              Action
	// Number and URL identify the pull request, when there is one.
	Number int
	URL    string
	// Reason explains Skipped, Commented and Unchanged.
	Reason string
	// Err is set when Action is Failed.
	Err error
}

// Result is the outcome of every change, in the order of the request.
type Result struct {
	Base     string
	Outcomes []Outcome
}

// Err joins the errors of the failed outcomes; nil when none failed.
func (r *Result) Err() error {
	var errs []error
	for _, o := range r.Outcomes {
		if o.Err != nil {
			errs = append(errs, o.Err)
		}
	}
	return errors.Join(errs...)
}

// Deliver opens or updates one pull request per change (see the package
// documentation). The returned error is reserved for what stops every
// pull request (the repository or its base branch cannot be read); each
// change's failure is in its [Outcome], and the others carry on.
func (c *Client) Deliver(ctx context.Context, req Request) (*Result, error) {
	if req.Repo.Owner == "" || req.Repo.Name == "" {
		return nil, errors.New("deliver pull requests: no repository")
	}
	base := req.Base
	if base == "" {
		info, err := c.Repository(ctx, req.Repo)
		if err != nil {
			return nil, err
		}
		base = info.DefaultBranch
	}
	dir, err := os.MkdirTemp(req.WorkDir, "sessionize-pr-")
	if err != nil {
		return nil, fmt.Errorf("create work directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	g, err := cloneBase(ctx, dir, c.GitURL(req.Repo), c.token, base)
	if err != nil {
		return nil, err
	}
	branches, err := g.remoteBranches(ctx)
	if err != nil {
		return nil, err
	}
	var creator pullRequestCreator = c.api.PullRequests
	if c.creator != nil {
		creator = c.creator
	}
	d := &delivery{c: c, creator: creator, req: &req, base: base, git: g, branches: branches, secrets: secretsOf(req.Report), labels: map[string]bool{}}
	res := &Result{Base: base}
	for i := range req.Changes {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		o := d.one(ctx, &req.Changes[i])
		if o.Err != nil {
			o.Action = Failed
		}
		c.logger.Info("pull request", "action", string(o.Action), "branch", o.Branch, "number", o.Number, "reason", o.Reason)
		res.Outcomes = append(res.Outcomes, o)
	}
	return res, nil
}

// pullRequestCreator opens pull requests. go-github's PullRequestsService
// satisfies it; tests wrap it.
type pullRequestCreator interface {
	Create(ctx context.Context, owner, repo string, pull *gh.NewPullRequest) (*gh.PullRequest, *gh.Response, error)
}

// delivery is one run of Deliver.
type delivery struct {
	c        *Client
	creator  pullRequestCreator
	req      *Request
	base     string
	git      *gitBase
	branches map[string]plumbing.Hash
	secrets  secretSet
	// labels are those known to exist.
	labels  map[string]bool
	created int
}

// one delivers one change.
func (d *delivery) one(ctx context.Context, ch *remediate.Change) Outcome {
	o := Outcome{Path: ch.Path, Fixer: ch.Fixer, Branch: BranchName(ch.Fixer, ch.Path)}
	nc, reason, err := d.regenerate(ch)
	if err != nil || nc == nil {
		o.Action, o.Reason, o.Err = Skipped, reason, err
		return o
	}
	p, err := propose(nc, d.req, d.secrets)
	if err != nil {
		o.Err = err
		return o
	}
	p.Base = d.base
	o.Fixer, o.Branch = p.Fixer, p.Branch
	commit, tree, err := d.git.commitFile(p.Path, p.Change.After, d.req.author(), d.req.now(), p.CommitMessage)
	if err != nil {
		o.Err = fmt.Errorf("commit %q: %w", p.Path, err)
		return o
	}
	prs, err := d.pullRequests(ctx, p.Branch)
	if err != nil {
		o.Err = err
		return o
	}
	if open := firstOpen(prs); open != nil {
		return d.update(ctx, &p, open, commit, tree, o)
	}
	if closed := lastClosed(prs); closed != nil && !closed.GetMerged() {
		if m, ok := ParseMarker(closed.GetBody()); ok && m.Finding == p.Marker.Finding {
			o.Action, o.Number, o.URL = Skipped, closed.GetNumber(), closed.GetHTMLURL()
			o.Reason = fmt.Sprintf("#%d was closed without merging and the finding has not changed since; not reopened", closed.GetNumber())
			return o
		}
	}
	return d.create(ctx, &p, commit, o)
}

// regenerate returns the change rebuilt from the base branch's copy of the
// file: the change itself when the copies are equal, else the fixers run
// again on the base's copy. nil with a reason when nothing is left to fix.
func (d *delivery) regenerate(ch *remediate.Change) (*remediate.Change, string, error) {
	data, ok, err := d.git.file(ch.Path)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", fmt.Errorf("pull request for %q: the file is not on base branch %q: push it first", ch.Path, d.base)
	}
	if bytes.Equal(data, ch.Before) {
		return ch, "", nil
	}
	opts := d.req.Fix
	opts.Only = ch.Fixers
	nc, _ := remediate.FixFile(ch.Path, data, opts)
	if nc == nil {
		return nil, fmt.Sprintf("%s differs on %s from the scanned working tree and the fixers find nothing to change there "+
			"(fixed already, or a source file whose literal moved: scan a checkout of %s)", ch.Path, d.base, d.base), nil
	}
	if len(nc.Fingerprints) == 0 {
		nc.Fingerprints = ch.Fingerprints
	}
	if slices.Contains(nc.Fixers, ch.Fixer) {
		nc.Fixer = ch.Fixer
	}
	return nc, "", nil
}

// pullRequests lists the pull requests, in any state, whose head is
// branch of the repository itself, newest first.
func (d *delivery) pullRequests(ctx context.Context, branch string) ([]*gh.PullRequest, error) {
	r := d.req.Repo
	opts := &gh.PullRequestListOptions{State: "all", Head: r.Owner + ":" + branch, Sort: "created", Direction: "desc", ListOptions: gh.ListOptions{PerPage: 100}}
	var out []*gh.PullRequest
	for {
		list, resp, err := d.c.api.PullRequests.List(ctx, r.Owner, r.Name, opts)
		if err != nil {
			return nil, d.c.translate(fmt.Sprintf("list pull requests of branch %q", branch), r, err)
		}
		for _, pr := range list {
			if pr.GetHead().GetRef() == branch {
				out = append(out, pr)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	slices.SortStableFunc(out, func(a, b *gh.PullRequest) int { return b.GetNumber() - a.GetNumber() })
	return out, nil
}

func firstOpen(prs []*gh.PullRequest) *gh.PullRequest {
	for _, pr := range prs {
		if pr.GetState() == "open" {
			return pr
		}
	}
	return nil
}

func lastClosed(prs []*gh.PullRequest) *gh.PullRequest {
	for _, pr := range prs {
		if pr.GetState() == "closed" {
			return pr
		}
	}
	return nil
}

// create pushes the branch and opens its pull request.
func (d *delivery) create(ctx context.Context, p *Proposal, commit plumbing.Hash, o Outcome) Outcome {
	if d.req.Max > 0 && d.created >= d.req.Max {
		o.Action, o.Reason = Skipped, fmt.Sprintf("the limit of %d new pull requests is reached", d.req.Max)
		return o
	}
	lease := plumbing.ZeroHash
	if tip, ok := d.branches[p.Branch]; ok {
		st, err := d.branchState(ctx, p.Branch, tip, plumbing.ZeroHash)
		if err != nil {
			o.Err = err
			return o
		}
		if len(st.foreign) > 0 {
			o.Err = fmt.Errorf("branch %q has commits by others (%s) and no open pull request: sessionize leaves it alone; delete the branch to let it start over",
				p.Branch, strings.Join(st.foreign, ", "))
			return o
		}
		lease = tip
	}
	if err := d.git.push(ctx, p.Branch, commit, lease, p.Path); err != nil {
		o.Err = err
		return o
	}
	d.branches[p.Branch] = commit
	r := d.req.Repo
	pr, _, err := d.creator.Create(ctx, r.Owner, r.Name, &gh.NewPullRequest{
		Title: gh.String(p.Title), Head: gh.String(p.Branch), Base: gh.String(p.Base), Body: gh.String(p.Body), Draft: gh.Bool(d.req.Draft),
	})
	if err != nil {
		err = d.c.translate(fmt.Sprintf("create pull request for branch %q", p.Branch), r, err)
		if errors.Is(err, ErrValidation) && strings.Contains(err.Error(), "already exists") {
			// Opened meanwhile (or missed by the list): update it instead.
			if prs, lerr := d.pullRequests(ctx, p.Branch); lerr == nil {
				if open := firstOpen(prs); open != nil {
					return d.update(ctx, p, open, commit, plumbing.ZeroHash, o)
				}
			}
		}
		o.Err = err
		return o
	}
	d.created++
	o.Action, o.Number, o.URL = Created, pr.GetNumber(), pr.GetHTMLURL()
	if err := d.addLabels(ctx, pr, p.Labels); err != nil {
		o.Err = fmt.Errorf("pull request #%d opened, but: %w", pr.GetNumber(), err)
	}
	return o
}

// update refreshes the open pull request pr of p's branch: force-push when
// the branch holds only the tool's commits and differs, else comment;
// then title, body, base and labels. tree is the new commit's tree (zero:
// unknown, push regardless).
func (d *delivery) update(ctx context.Context, p *Proposal, pr *gh.PullRequest, commit, tree plumbing.Hash, o Outcome) Outcome {
	o.Number, o.URL = pr.GetNumber(), pr.GetHTMLURL()
	tip, exists := d.branches[p.Branch]
	pushed := false
	if exists {
		st, err := d.branchState(ctx, p.Branch, tip, tree)
		if err != nil {
			o.Err = err
			return o
		}
		if len(st.foreign) > 0 {
			return d.comment(ctx, p, pr, st, o)
		}
		if !st.upToDate {
			if err := d.git.push(ctx, p.Branch, commit, tip, p.Path); err != nil {
				o.Err = err
				return o
			}
			d.branches[p.Branch] = commit
			pushed = true
		}
	} else {
		// The open pull request's branch is gone: push it again.
		if err := d.git.push(ctx, p.Branch, commit, plumbing.ZeroHash, p.Path); err != nil {
			o.Err = err
			return o
		}
		d.branches[p.Branch] = commit
		pushed = true
	}
	edited, err := d.edit(ctx, p, pr)
	if err != nil {
		o.Err = err
		return o
	}
	if err := d.addLabels(ctx, pr, p.Labels); err != nil {
		o.Err = err
		return o
	}
	switch {
	case pushed:
		o.Action, o.Reason = Updated, "regenerated from "+d.base+" and force-pushed"
	case edited:
		o.Action, o.Reason = Updated, "description updated"
	default:
		o.Action, o.Reason = Unchanged, "up to date"
	}
	return o
}

// edit sets the pull request's title, body and base to p's when they
// differ, keeping the boxes a reviewer ticked.
func (d *delivery) edit(ctx context.Context, p *Proposal, pr *gh.PullRequest) (bool, error) {
	body := keepChecks(p.Body, pr.GetBody())
	patch := &gh.PullRequest{}
	changed := false
	if pr.GetTitle() != p.Title {
		patch.Title, changed = gh.String(p.Title), true
	}
	if pr.GetBody() != body {
		patch.Body, changed = gh.String(body), true
	}
	if pr.GetBase().GetRef() != p.Base {
		patch.Base, changed = &gh.PullRequestBranch{Ref: gh.String(p.Base)}, true
	}
	if !changed {
		return false, nil
	}
	r := d.req.Repo
	if _, _, err := d.c.api.PullRequests.Edit(ctx, r.Owner, r.Name, pr.GetNumber(), patch); err != nil {
		return false, d.c.translate(fmt.Sprintf("update pull request #%d", pr.GetNumber()), r, err)
	}
	return true, nil
}

// keepChecks ticks the boxes of body that are ticked in old (the rollout
// checklist a reviewer works through).
func keepChecks(body, old string) string {
	ticked := map[string]bool{}
	for l := range strings.Lines(old) {
		if i := strings.Index(l, "[x] "); i >= 0 {
			ticked[strings.TrimSpace(l[:i]+"[ ] "+l[i+4:])] = true
		}
	}
	if len(ticked) == 0 {
		return body
	}
	var b strings.Builder
	for l := range strings.Lines(body) {
		if ticked[strings.TrimSpace(l)] {
			l = strings.Replace(l, "[ ] ", "[x] ", 1)
		}
		b.WriteString(l)
	}
	return b.String()
}

// branchInfo is what the tool knows about a branch on GitHub.
type branchInfo struct {
	// foreign lists the commits on the branch (not on the base) by
	// someone else, as "abc1234 by Name".
	foreign []string
	// upToDate: the branch is one commit of the tool's on the base's tip
	// with the tree the tool would push.
	upToDate bool
}

// branchState compares the branch's tip with the base's tip.
func (d *delivery) branchState(ctx context.Context, branch string, tip, tree plumbing.Hash) (branchInfo, error) {
	r := d.req.Repo
	var st branchInfo
	comp, _, err := d.c.api.Repositories.CompareCommits(ctx, r.Owner, r.Name, d.git.tip.Hash.String(), tip.String(), &gh.ListOptions{PerPage: 250})
	if err != nil {
		return st, d.c.translate(fmt.Sprintf("compare branch %q with %q", branch, d.base), r, err)
	}
	email := d.req.author().Email
	for _, c := range comp.Commits {
		if !strings.EqualFold(c.GetCommit().GetAuthor().GetEmail(), email) {
			st.foreign = append(st.foreign, fmt.Sprintf("%.7s by %s", c.GetSHA(), c.GetCommit().GetAuthor().GetName()))
		}
	}
	if n := comp.GetTotalCommits(); n > len(comp.Commits) {
		st.foreign = append(st.foreign, fmt.Sprintf("%d more commits not checked", n-len(comp.Commits)))
	}
	if len(comp.Commits) == 1 && len(st.foreign) == 0 {
		c := comp.Commits[0]
		st.upToDate = !tree.IsZero() && c.GetCommit().GetTree().GetSHA() == tree.String() &&
			len(c.Parents) == 1 && c.Parents[0].GetSHA() == d.git.tip.Hash.String()
	}
	return st, nil
}
