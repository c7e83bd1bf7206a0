package github

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// labelStyle is the colour and description of labels the tool creates.
var labelStyle = map[string][2]string{
	LabelSecurity:         {"d73a4a", "Security fix"},
	LabelSessionize:       {"5319e7", "Standing credential replaced by a session-scoped one (sessionize)"},
	"github-actions":      {"000000", "GitHub Actions workflows"},
	"gitlab-ci":           {"fc6d26", "GitLab CI"},
	"circleci":            {"343434", "CircleCI"},
	"bitbucket-pipelines": {"0052cc", "Bitbucket Pipelines"},
}

// addLabels creates the labels the pull request lacks if the repository
// lacks them, and adds them.
func (d *delivery) addLabels(ctx context.Context, pr *gh.PullRequest, labels []string) error {
	var missing []string
	for _, l := range labels {
		if !slices.ContainsFunc(pr.Labels, func(x *gh.Label) bool { return strings.EqualFold(x.GetName(), l) }) {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for _, l := range missing {
		if err := d.ensureLabel(ctx, l); err != nil {
			return err
		}
	}
	r := d.req.Repo
	if _, _, err := d.c.api.Issues.AddLabelsToIssue(ctx, r.Owner, r.Name, pr.GetNumber(), missing); err != nil {
		return d.c.translate(fmt.Sprintf("label pull request #%d", pr.GetNumber()), r, err)
	}
	return nil
}

// ensureLabel creates label in the repository unless it exists.
func (d *delivery) ensureLabel(ctx context.Context, name string) error {
	if d.labels[name] {
		return nil
	}
	r := d.req.Repo
	_, _, err := d.c.api.Issues.GetLabel(ctx, r.Owner, r.Name, name)
	if err == nil {
		d.labels[name] = true
		return nil
	}
	if terr := d.c.translate("", r, err); !errors.Is(terr, ErrNotFound) {
		return d.c.translate(fmt.Sprintf("look up label %q", name), r, err)
	}
	style, ok := labelStyle[name]
	if !ok {
		style = [2]string{"ededed", ""}
	}
	_, _, err = d.c.api.Issues.CreateLabel(ctx, r.Owner, r.Name, &gh.Label{Name: gh.String(name), Color: gh.String(style[0]), Description: gh.String(style[1])})
	if err != nil {
		terr := d.c.translate(fmt.Sprintf("create label %q", name), r, err)
		if !errors.Is(terr, ErrValidation) { // 422: created meanwhile
			return terr
		}
	}
	d.labels[name] = true
	return nil
}
