package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newFixCmd builds `sessionize fix [PATH]`.
func newFixCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "fix [PATH]",
		Short: "Rewrite files to fetch session-scoped credentials",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
