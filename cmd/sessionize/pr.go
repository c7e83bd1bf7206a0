package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newPRCmd builds `sessionize pr [PATH]`.
func newPRCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "pr [PATH]",
		Short: "Open or update pull requests with fixes",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
