package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newHookCmd builds `sessionize hook install|uninstall`.
func newHookCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "hook install|uninstall",
		Short: "Install or remove the git pre-commit hook",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
