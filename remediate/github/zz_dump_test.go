package github_test

import (
	"fmt"
	"testing"

	"github.com/sessionize/sessionize/remediate"
	"github.com/sessionize/sessionize/remediate/github/githubtest"
)

func TestZZDump(t *testing.T) {
	srv := githubtest.New(t, githubtest.Options{Token: token})
	files := map[string]string{".npmrc": "# registry auth\n//registry.npmjs.org/:_authToken=" + npmToken() + "\n", workflowPath: deployYML}
	srv.AddRepo(owner, name, files)
	res, r := plan(t, files, remediate.Options{OwnerID: "1001", RepoID: "6002"})
	deliver(t, newClient(t, srv, token, newClock()), request(res, r))
	for _, p := range srv.Pulls(owner, name) {
		fmt.Printf("=== %s\n%s\n%s\n", p.Head, p.Title, p.Body)
	}
}
