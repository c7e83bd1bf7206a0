package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newTUICmd builds `sessionize tui [PATH]`.
func newTUICmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "tui [PATH]",
		Short: "Browse a scan interactively",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
