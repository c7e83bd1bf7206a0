package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newAuditCmd builds `sessionize audit --org ORG`.
func newAuditCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "audit --org ORG",
		Short: "Audit every repository of a GitHub organisation",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("not implemented yet")
		},
	}
}
