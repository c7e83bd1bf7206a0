package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/scanner/audit"
)

type reportMergeOptions struct {
	inputs []string
	output string
	format string
}

// newReportCmd builds `sessionize report`, whose subcommand `merge`
// combines the JSON reports of audit shards.
func newReportCmd(a *app) *cobra.Command { return reportCommand(a, nil) }

func reportCommand(a *app, runMerge func(context.Context, *reportMergeOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with reports (merge audit shard reports)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{errors.New("report needs a subcommand: merge")}
		},
	}
	o := &reportMergeOptions{}
	if runMerge == nil {
		runMerge = a.runReportMerge
	}
	merge := &cobra.Command{
		Use:   "merge -o FILE SHARD.json...",
		Short: "Merge the JSON reports of audit shards into one",
		Long: `Merge combines the JSON reports of "sessionize audit --shard I/N" runs into
the report a single machine would have written: repositories sorted by
name, summary and cross-repository references recomputed. Every shard of
the split must be given once, with the same organisation, rules version and
filters. A single report merges to itself, so merge also converts a report
to markdown or HTML.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.inputs = args
			if err := audit.CheckFormat(o.format); err != nil || o.format == "sarif" && (o.output == "" || o.output == "-") {
				if err == nil {
					err = errors.New("sarif writes one file per repository: give a directory with -o")
				}
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			return runMerge(cmd.Context(), o)
		},
	}
	merge.Flags().StringVarP(&o.output, "output", "o", "", "write the merged report to this file (a directory for sarif) instead of stdout")
	merge.Flags().StringVar(&o.format, "format", "json", "output format: "+strings.Join(audit.Formats(), ", "))
	cmd.AddCommand(merge)
	return cmd
}

func (a *app) runReportMerge(_ context.Context, o *reportMergeOptions) error {
	var reports []*audit.Report
	for _, p := range o.inputs {
		r, err := readOrgReport(p)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	merged, err := audit.Merge(reports...)
	if err != nil {
		return err
	}
	return a.writeAuditReport(merged, o.format, o.output)
}

func readOrgReport(p string) (*audit.Report, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read report %q: %w", p, err)
	}
	defer f.Close()
	r, err := audit.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return r, nil
}
