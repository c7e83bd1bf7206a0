package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newReportCmd builds `sessionize report merge`.
func newReportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "report merge",
		Short: "Work with reports (merge shard reports)",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
