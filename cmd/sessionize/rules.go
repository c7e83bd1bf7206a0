package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/configfile"
	"github.com/sessionize/sessionize/rules"
)

func newRulesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules and the credential knowledge base",
	}
	var context string
	list := &cobra.Command{
		Use:   "list",
		Short: "List every rule and credential type with its lifetime class and the session-scoped credential expected in its place",
		Long: `List every content rule with the credential type it finds, then the knowledge
base's other types (found by the CI-definition and configuration-file
detectors), each with its provider, lifetime class, privilege, and the
session-scoped credential the scoring policy expects in its place, and the
fixer that gets it there. The context of that expectation is where the rule
finds credentials (source for content rules, config for the configuration-file
detectors, ci for CI-definition types) unless --context names one.
"sessionize rules show ID" shows the expectation in every context.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := rules.Context(context)
			if context != "" && !ctx.Valid() {
				return usageError{fmt.Errorf("--context %q: want %s", context, rulesContextNames())}
			}
			return a.runRulesList(ctx)
		},
	}
	list.Flags().StringVar(&context, "context", "", "context of the expectation shown (default: where each rule finds credentials): "+rulesContextNames())
	cmd.AddCommand(list, &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule or credential type in full, with its expectation in every context",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRulesShow(args[0])
		},
	})
	return cmd
}

func rulesContextNames() string {
	names := make([]string, len(rules.Contexts))
	for i, c := range rules.Contexts {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// loadPolicy returns the scoring policy for a scan of root: the embedded
// one, merged with the [policy] section of the configuration file.
func (a *app) loadPolicy(root string) (*rules.Policy, error) {
	cf, err := a.findConfig(root)
	if err != nil {
		return nil, err
	}
	if cf == nil {
		return rules.DefaultPolicy()
	}
	return rules.LoadPolicy(cf.Name, cf.Data)
}

func (a *app) runRulesList(ctx rules.Context) error {
	d, err := a.newDetector(".")
	if err != nil {
		return err
	}
	p, err := a.loadPolicy(".")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "RULE\tTYPE\tPROVIDER\tLIFETIME\tPRIVILEGE\tCONTEXT\tEXPECTED\tFIXER\n")
	covered := map[string]bool{}
	for _, r := range allRules(d) {
		ct := d.KB().ForRule(r.ID)
		covered[ct.Type] = true
		c := ctx
		if c == "" {
			c = rules.ContextSource
			if strings.HasPrefix(r.Source, "configfile/") {
				c = rules.ContextConfig
			}
		}
		rulesListRow(tw, r.ID, ct, p, c)
	}
	for _, ct := range d.KB().Types() {
		if !covered[ct.Type] {
			c := ctx
			if c == "" {
				// The types no content or configuration rule finds are those
				// of the CI-definition detectors.
				c = rules.ContextCI
			}
			rulesListRow(tw, "-", ct, p, c)
		}
	}
	return tw.Flush()
}

func rulesListRow(w io.Writer, rule string, ct rules.CredentialType, p *rules.Policy, ctx rules.Context) {
	e := p.Expect(rules.ExpectQuery{Context: ctx, Provider: ct.Provider})
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s (max %s)\t%s\t%s\n", rule, ct.Type, ct.Provider, ct.Lifetime, ct.Privilege, ctx, p.Context(ctx).MaxLifetime, e.Summary(), rulesDash(e.Fixer))
}

func rulesDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *app) runRulesShow(id string) error {
	d, err := a.newDetector(".")
	if err != nil {
		return err
	}
	p, err := a.loadPolicy(".")
	if err != nil {
		return err
	}
	for _, r := range allRules(d) {
		if r.ID != id {
			continue
		}
		return a.printRule(d, r, p)
	}
	if ct, ok := d.KB().Type(id); ok {
		var b strings.Builder
		fmt.Fprintf(&b, "type:        %s\nname:        %s\n", ct.Type, ct.Name)
		rulesPrintType(&b, ct, p)
		_, err := fmt.Fprint(a.out, b.String())
		return err
	}
	return usageError{fmt.Errorf("no rule or credential type %q (see sessionize rules list)", id)}
}

func (a *app) printRule(d *detectors.Detector, r detectors.RuleInfo, p *rules.Policy) error {
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
	fmt.Fprintf(&b, "type:        %s (%s)\n", ct.Type, ct.Name)
	rulesPrintType(&b, ct, p)
	_, err := fmt.Fprint(a.out, b.String())
	return err
}

// rulesPrintType prints a credential type's classification and, for every
// context, the longest lifetime accepted there and the expected mechanism,
// followed by the variants the policy defines for the type's provider (per
// CI system, per kind of file).
func rulesPrintType(b *strings.Builder, ct rules.CredentialType, p *rules.Policy) {
	fmt.Fprintf(b, "provider:    %s\nlifetime:    %s\nprivilege:   %s\n", ct.Provider, ct.Lifetime, ct.Privilege)
	if ct.Revoke != "" {
		fmt.Fprintf(b, "revoke:      %s\n", ct.Revoke)
	}
	if ct.Notes != "" {
		fmt.Fprintf(b, "notes:       %s\n", ct.Notes)
	}
	fmt.Fprintf(b, "expected in its place, by context:\n")
	all := p.Expectations()
	for _, ctx := range rules.Contexts {
		cp := p.Context(ctx)
		e := p.Expect(rules.ExpectQuery{Context: ctx, Provider: ct.Provider})
		fmt.Fprintf(b, "  %-8s max %-8s %s%s\n", ctx, cp.MaxLifetime, e, rulesFixerNote(e.Fixer))
		for _, v := range all {
			if v.Context != ctx || (v.CI == "" && len(v.Files) == 0) {
				continue
			}
			if v.Provider != ct.Provider {
				continue
			}
			// Show a variant only where it is what a query would return.
			q := rules.ExpectQuery{Context: ctx, Provider: ct.Provider, CI: v.CI}
			if len(v.Files) > 0 {
				q.Path = v.Files[0]
				if strings.ContainsAny(q.Path, "*?[") {
					q.Path = strings.NewReplacer("*", "x", "?", "x", "[", "", "]", "").Replace(q.Path)
				}
			}
			if got := p.Expect(q); got.Summary() != v.Summary() || !slices.Equal(got.Files, v.Files) || got.CI != v.CI {
				continue
			}
			fmt.Fprintf(b, "    %-20s %s%s\n", rulesVariantLabel(v), v.Summary(), rulesFixerNote(v.Fixer))
		}
	}
}

func rulesVariantLabel(e rules.Expectation) string {
	if e.CI != "" {
		return e.CI + ":"
	}
	return strings.Join(e.Files, ", ") + ":"
}

func rulesFixerNote(f string) string {
	if f == "" {
		return ""
	}
	return " [fix: " + f + "]"
}

// allRules lists the content rules and the configuration-file detectors'
// rules, in ID order. (CI-definition findings are listed by credential type.)
func allRules(d *detectors.Detector) []detectors.RuleInfo {
	out := append(d.Rules(), configfile.Rules()...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
