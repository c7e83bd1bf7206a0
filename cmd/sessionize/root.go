package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "sessionize",
		Short: "Find long-lived credentials and replace them with per-session access",
		Long: `sessionize finds credentials in working trees, git history, staged changes,
configuration files and CI definitions, scores each one against the
session-scoped credential that should stand in its place, and rewrites files
so they fetch a session-scoped credential at runtime.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.setupLogging()
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "configuration file (default: .sessionize.toml, else .gitleaks.toml, in the scanned repository)")
	pf.BoolVar(&a.noColor, "no-color", false, "no colours (also when NO_COLOR is set)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only errors on stderr")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "print debugging information on stderr")
	root.AddCommand(
		newScanCmd(a, nil),
		newTUICmd(a),
		newFixCmd(a),
		newPRCmd(a),
		newAuditCmd(a),
		newReportCmd(a),
		newProtectCmd(a),
		newHookCmd(a),
		newRulesCmd(a),
		newVersionCmd(a),
	)
	return root
}
