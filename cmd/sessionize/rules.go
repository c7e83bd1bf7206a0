package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/detectors"
)

func newRulesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules and the credential knowledge base",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List every rule with its credential type, lifetime class and expectation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runRulesList()
		},
	}, &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule or credential type in full",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRulesShow(args[0])
		},
	})
	return cmd
}

func (a *app) runRulesList() error {
	d, err := a.newDetector(".")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tTYPE\tPROVIDER\tLIFETIME\tPRIVILEGE")
	for _, r := range d.Rules() {
		ct := d.KB().ForRule(r.ID)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, ct.Type, ct.Provider, ct.Lifetime, ct.Privilege)
	}
	return tw.Flush()
}

func (a *app) runRulesShow(id string) error {
	d, err := a.newDetector(".")
	if err != nil {
		return err
	}
	for _, r := range d.Rules() {
		if r.ID != id {
			continue
		}
		return a.printRule(d, r)
	}
	if ct, ok := d.KB().Type(id); ok {
		fmt.Fprintf(a.out, "type:      %s\nname:      %s\nprovider:  %s\nlifetime:  %s\nprivilege: %s\n", ct.Type, ct.Name, ct.Provider, ct.Lifetime, ct.Privilege)
		return nil
	}
	return usageError{fmt.Errorf("no rule or credential type %q (see sessionize rules list)", id)}
}

func (a *app) printRule(d *detectors.Detector, r detectors.RuleInfo) error {
	ct := d.KB().ForRule(r.ID)
	var b strings.Builder
	fmt.Fprintf(&b, "id:          %s\n", r.ID)
	fmt.Fprintf(&b, "description: %s\n", r.Description)
	fmt.Fprintf(&b, "source:      %s\n", r.Source)
	if r.Regex != "" {
		fmt.Fprintf(&b, "regex:       %s\n", r.Regex)
	}
	if r.Path != "" {
		fmt.Fprintf(&b, "path:        %s\n", r.Path)
	}
	if len(r.Keywords) > 0 {
		fmt.Fprintf(&b, "keywords:    %s\n", strings.Join(r.Keywords, ", "))
	}
	if r.Entropy > 0 {
		fmt.Fprintf(&b, "entropy:     %.2f\n", r.Entropy)
	}
	fmt.Fprintf(&b, "type:        %s (%s)\nprovider:    %s\nlifetime:    %s\nprivilege:   %s\n", ct.Type, ct.Name, ct.Provider, ct.Lifetime, ct.Privilege)
	if ct.Revoke != "" {
		fmt.Fprintf(&b, "revoke:      %s\n", ct.Revoke)
	}
	_, err := fmt.Fprint(a.out, b.String())
	return err
}
