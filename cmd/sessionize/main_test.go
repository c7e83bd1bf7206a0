package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain registers the sessionize command, so that scripts run the test
// binary as the tool (coverage counts).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sessionize": func() {
			os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
		},
	})
}

// TestScript runs testdata/script/*.txtar. Custom commands:
//
//	gitc init DIR               create a repository (branch main) at DIR
//	gitc commit DIR MESSAGE     stage every change in DIR's work tree and
//	                            commit it; author "Alice <alice@example.com>",
//	                            time 2024-01-01 plus one hour per commit
//	gitc branch DIR NAME        create branch NAME at HEAD and check it out
//	gitc checkout DIR NAME      check out branch NAME
//	gitc tag DIR NAME           create a lightweight tag at HEAD
//	gitc rm DIR PATH            remove PATH from the work tree and the index
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("HOME", env.WorkDir+"/home")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gitc": cmdGitc,
		},
	})
}

var commitClock = map[string]time.Time{}

func cmdGitc(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("gitc does not support !")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: gitc init|commit|branch|checkout|tag|rm DIR [ARG]")
	}
	dir := ts.MkAbs(args[1])
	arg := ""
	if len(args) > 2 {
		arg = strings.Join(args[2:], " ")
	}
	if err := gitc(args[0], dir, arg); err != nil {
		ts.Fatalf("gitc %s: %v", args[0], err)
	}
}

func gitc(op, dir, arg string) error {
	if op == "init" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		r, err := git.PlainInit(dir, false)
		if err != nil {
			return err
		}
		return r.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main")))
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		return err
	}
	wt, err := r.Worktree()
	if err != nil {
		return err
	}
	switch op {
	case "commit":
		if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
			return err
		}
		when, ok := commitClock[dir]
		if !ok {
			when = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		commitClock[dir] = when.Add(time.Hour)
		sig := &object.Signature{Name: "Alice", Email: "alice@example.com", When: when}
		_, err := wt.Commit(arg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
		return err
	case "branch":
		return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(arg), Create: true, Keep: true})
	case "checkout":
		return wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(arg)})
	case "tag":
		head, err := r.Head()
		if err != nil {
			return err
		}
		_, err = r.CreateTag(arg, head.Hash(), nil)
		return err
	case "rm":
		if err := os.Remove(filepath.Join(dir, arg)); err != nil {
			return err
		}
		_, err := wt.Remove(arg)
		return err
	}
	return fmt.Errorf("unknown operation %q", op)
}
