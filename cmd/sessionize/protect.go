package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newProtectCmd builds `sessionize protect --staged`.
func newProtectCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "protect --staged",
		Short: "Block a commit that adds a credential (pre-commit entry point)",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
