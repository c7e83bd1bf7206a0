package detectors

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	stdregexp "regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/zricethezav/gitleaks/v8/config"
	glregexp "github.com/zricethezav/gitleaks/v8/regexp"

	"github.com/sessionize/sessionize/internal/tomlpos"
	"github.com/sessionize/sessionize/rules"
)

// ConfigFile is a gitleaks-format configuration supplied by the user
// (.sessionize.toml or .gitleaks.toml), with [extend] semantics:
// useDefault = true extends the built-in rules (gitleaks' defaults plus the
// project's packs), path = "other.toml" extends that file (relative to Dir),
// and without [extend] the file replaces the built-in rules entirely.
type ConfigFile struct {
	// Name is the file's path as shown in error messages.
	Name string
	// Data is its content.
	Data []byte
	// Dir resolves [extend] path; ReadFile reads it (nil: extending a path
	// is an error).
	Dir      string
	ReadFile func(name string) ([]byte, error)
	// Lenient reports unknown keys as warnings instead of errors, as gitleaks
	// does; set for .gitleaks.toml files written for gitleaks.
	Lenient bool
}

// ruleSet is an assembled, uncompiled configuration: rule specs in order and
// global allowlists.
type ruleSet struct {
	rules     []*ruleSpec
	byID      map[string]*ruleSpec
	allow     []*allowSpec
	targeted  []*allowSpec // allowlists with targetRules
	configRef string       // path of the user's config file, skipped when scanned
	warnings  []string

	// The global and targeted allowlists, compiled once for every detector
	// over this rule set (a detector and its Restrict and MultiLine
	// variants): the global ones take milliseconds.
	allowOnce sync.Once
	global    []*config.Allowlist
	targetedC []*config.Allowlist // compiled rs.targeted, same order
	allowErr  error
	// kw finds the rules' keywords for Restrict, built on first use.
	kwOnce sync.Once
	kw     *keywordIndex
}

type specFile struct {
	Title       string       `toml:"title"`
	Description string       `toml:"description"`
	MinVersion  string       `toml:"minVersion"`
	Extend      extendSpec   `toml:"extend"`
	Rules       []*ruleSpec  `toml:"rules"`
	AllowList   *allowSpec   `toml:"allowlist"`
	Allowlists  []*allowSpec `toml:"allowlists"`

	// Sections of .sessionize.toml that other parts of sessionize read
	// (scoring policy, fix identifiers, pull requests, audits); the rules
	// loader accepts and ignores them.
	Policy map[string]any `toml:"policy"`
	Fix    map[string]any `toml:"fix"`
	PR     map[string]any `toml:"pr"`
	Audit  map[string]any `toml:"audit"`
	Scan   map[string]any `toml:"scan"`
}

type extendSpec struct {
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	UseDefault    bool     `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
}

type ruleSpec struct {
	ID          string          `toml:"id"`
	Description string          `toml:"description"`
	Path        string          `toml:"path"`
	Regex       string          `toml:"regex"`
	SecretGroup int             `toml:"secretGroup"`
	Entropy     float64         `toml:"entropy"`
	Keywords    []string        `toml:"keywords"`
	Tags        []string        `toml:"tags"`
	AllowList   *allowSpec      `toml:"allowlist"`
	Allowlists  []*allowSpec    `toml:"allowlists"`
	Required    []*requiredSpec `toml:"required"`
	SkipReport  bool            `toml:"skipReport"`

	pos string // "file:line:col" of the rule, for errors

	mlOnce  sync.Once
	ml      bool
	padOnce sync.Once
	padN    int
}

type allowSpec struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Commits     []string `toml:"commits"`
	Paths       []string `toml:"paths"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	TargetRules []string `toml:"targetRules"`

	pos string
}

type requiredSpec struct {
	ID            string `toml:"id"`
	WithinLines   *int   `toml:"withinLines"`
	WithinColumns *int   `toml:"withinColumns"`
}

// parseSpec decodes one gitleaks-format document and checks every regular
// expression, reporting all problems with positions.
func parseSpec(name string, data []byte, lenient bool) (*specFile, []string, error) {
	return parseSpecChecked(name, data, lenient, true)
}

// parseTrusted decodes gitleaks' embedded default configuration without
// compiling its regular expressions to check them (gitleaks' tests and ours,
// which compile every rule, do): that costs 10 ms of CPU at every start, on
// every commit. Positions are still recorded for later errors.
func parseTrusted(name string, data []byte) (*specFile, error) {
	f, _, err := parseSpecChecked(name, data, true, false)
	return f, err
}

func parseSpecChecked(name string, data []byte, lenient, check bool) (*specFile, []string, error) {
	var f specFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	if !lenient {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&f); err != nil {
		return nil, nil, rules.DecodeError(name, err)
	}
	var warnings []string
	if lenient && check {
		// Decode again strictly only to name what gitleaks would ignore.
		strict := toml.NewDecoder(bytes.NewReader(data))
		strict.DisallowUnknownFields()
		if err := strict.Decode(&specFile{}); err != nil {
			warnings = append(warnings, rules.DecodeError(name, err).Error())
		}
	}
	ix := tomlpos.Build(data)
	at := func(p ...string) string {
		pos, ok := ix.Lookup(p...)
		if !ok {
			return name
		}
		return fmt.Sprintf("%s:%d:%d", name, pos.Line, pos.Column)
	}
	var errs []string
	checkRe := func(where, what, expr string) {
		if expr == "" || !check {
			return
		}
		if _, err := stdregexp.Compile(expr); err != nil {
			errs = append(errs, fmt.Sprintf("%s: invalid %s: %v", where, what, err))
		}
	}
	checkAllow := func(a *allowSpec, base ...string) {
		a.pos = at(base...)
		for i, re := range a.Regexes {
			checkRe(at(append(base, "regexes")...), "allowlist regex "+strconv.Itoa(i+1), re)
		}
		for i, re := range a.Paths {
			checkRe(at(append(base, "paths")...), "allowlist path "+strconv.Itoa(i+1), re)
		}
		switch strings.ToUpper(a.Condition) {
		case "", "OR", "||", "AND", "&&":
		default:
			errs = append(errs, fmt.Sprintf("%s: unknown allowlist condition %q (want and, or)", at(append(base, "condition")...), a.Condition))
		}
		switch a.RegexTarget {
		case "", "secret", "match", "line":
		default:
			errs = append(errs, fmt.Sprintf("%s: unknown allowlist regexTarget %q (want secret, match, line)", at(append(base, "regexTarget")...), a.RegexTarget))
		}
		if len(a.Commits)+len(a.Paths)+len(a.Regexes)+len(a.StopWords) == 0 {
			errs = append(errs, fmt.Sprintf("%s: allowlist must contain at least one of commits, paths, regexes or stopwords", a.pos))
		}
	}
	for i, r := range f.Rules {
		idx := strconv.Itoa(i)
		r.pos = at("rules", idx)
		if strings.TrimSpace(r.ID) == "" {
			errs = append(errs, fmt.Sprintf("%s: rule has no id", r.pos))
		}
		checkRe(at("rules", idx, "regex"), "regex", r.Regex)
		checkRe(at("rules", idx, "path"), "path", r.Path)
		if r.Regex == "" && r.Path == "" && !f.Extend.UseDefault && f.Extend.Path == "" {
			errs = append(errs, fmt.Sprintf("%s: rule %q has neither regex nor path", r.pos, r.ID))
		}
		if check && r.Regex != "" && r.SecretGroup > 0 {
			if re, err := stdregexp.Compile(r.Regex); err == nil && r.SecretGroup > re.NumSubexp() {
				errs = append(errs, fmt.Sprintf("%s: secretGroup %d but the regex has %d groups", at("rules", idx, "secretGroup"), r.SecretGroup, re.NumSubexp()))
			}
		}
		if r.AllowList != nil {
			if len(r.Allowlists) > 0 {
				errs = append(errs, fmt.Sprintf("%s: [rules.allowlist] cannot be used alongside [[rules.allowlists]]", r.pos))
			}
			r.Allowlists = append(r.Allowlists, r.AllowList)
			r.AllowList = nil
		}
		for j, a := range r.Allowlists {
			checkAllow(a, "rules", idx, "allowlists", strconv.Itoa(j))
		}
		for k, kw := range r.Keywords {
			r.Keywords[k] = strings.ToLower(kw)
		}
	}
	if f.AllowList != nil {
		if len(f.Allowlists) > 0 {
			errs = append(errs, fmt.Sprintf("%s: [allowlist] cannot be used alongside [[allowlists]]", name))
		}
		f.Allowlists = append(f.Allowlists, f.AllowList)
		f.AllowList = nil
	}
	for j, a := range f.Allowlists {
		checkAllow(a, "allowlists", strconv.Itoa(j))
	}
	if f.Extend.Path != "" && f.Extend.UseDefault {
		errs = append(errs, fmt.Sprintf("%s: [extend] cannot set both path and useDefault", at("extend")))
	}
	if f.Extend.URL != "" {
		errs = append(errs, fmt.Sprintf("%s: [extend] url is not supported", at("extend", "url")))
	}
	if len(errs) > 0 {
		sortPositioned(errs)
		return nil, warnings, errors.New(strings.Join(errs, "\n"))
	}
	return &f, warnings, nil
}

// sortPositioned sorts "file:line:col: msg" strings by file, line, column.
func sortPositioned(msgs []string) {
	key := func(s string) (string, int, int) {
		parts := strings.SplitN(s, ":", 4)
		if len(parts) < 3 {
			return s, 0, 0
		}
		l, _ := strconv.Atoi(parts[1])
		c, _ := strconv.Atoi(parts[2])
		return parts[0], l, c
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		fi, li, ci := key(msgs[i])
		fj, lj, cj := key(msgs[j])
		if fi != fj {
			return fi < fj
		}
		if li != lj {
			return li < lj
		}
		return ci < cj
	})
}

// newRuleSet starts a rule set from one document (its own rules and
// allowlists, ignoring [extend]).
func newRuleSet(f *specFile) *ruleSet {
	rs := &ruleSet{byID: map[string]*ruleSpec{}}
	for _, r := range f.Rules {
		if _, ok := rs.byID[r.ID]; ok {
			// A later rule with the same ID replaces an earlier one, as in
			// gitleaks, where rules are kept in a map.
			for i, prev := range rs.rules {
				if prev.ID == r.ID {
					rs.rules[i] = r
				}
			}
			rs.byID[r.ID] = r
			continue
		}
		rs.rules = append(rs.rules, r)
		rs.byID[r.ID] = r
	}
	for _, a := range f.Allowlists {
		if len(a.TargetRules) > 0 {
			rs.targeted = append(rs.targeted, a)
		} else {
			rs.allow = append(rs.allow, a)
		}
	}
	return rs
}

// extend merges base under rs with gitleaks' [extend] semantics: base rules
// not disabled and not defined in rs are added; rules defined in both take
// rs's description, entropy, secretGroup, regex and path when set and the
// union of tags, keywords and allowlists; global allowlists are appended.
func (rs *ruleSet) extend(base *ruleSet, disabled []string) {
	off := map[string]bool{}
	for _, id := range disabled {
		if _, ok := base.byID[id]; !ok {
			rs.warnings = append(rs.warnings, fmt.Sprintf("disabled rule %q does not exist in the extended configuration", id))
		}
		off[id] = true
	}
	merged := make([]*ruleSpec, 0, len(base.rules)+len(rs.rules))
	for _, b := range base.rules {
		if off[b.ID] {
			continue
		}
		cur, ok := rs.byID[b.ID]
		if !ok {
			merged = append(merged, b)
			continue
		}
		m := ruleSpec{
			ID: b.ID, Description: b.Description, Path: b.Path, Regex: b.Regex, SecretGroup: b.SecretGroup,
			Entropy: b.Entropy, Keywords: b.Keywords, Tags: b.Tags, Allowlists: b.Allowlists, Required: b.Required,
			SkipReport: b.SkipReport, pos: b.pos,
		}
		if cur.Description != "" {
			m.Description = cur.Description
		}
		if cur.Entropy != 0 {
			m.Entropy = cur.Entropy
		}
		if cur.SecretGroup != 0 {
			m.SecretGroup = cur.SecretGroup
		}
		if cur.Regex != "" {
			m.Regex = cur.Regex
		}
		if cur.Path != "" {
			m.Path = cur.Path
		}
		m.Tags = append(append([]string{}, b.Tags...), cur.Tags...)
		m.Keywords = append(append([]string{}, b.Keywords...), cur.Keywords...)
		m.Allowlists = append(append([]*allowSpec{}, b.Allowlists...), cur.Allowlists...)
		m.pos = cur.pos
		merged = append(merged, &m)
	}
	for _, r := range rs.rules {
		if _, inBase := base.byID[r.ID]; !inBase {
			merged = append(merged, r)
		}
	}
	rs.rules = merged
	rs.byID = make(map[string]*ruleSpec, len(merged))
	for _, r := range merged {
		rs.byID[r.ID] = r
	}
	rs.allow = append(rs.allow, base.allow...)
	rs.targeted = append(rs.targeted, base.targeted...)
	rs.warnings = append(rs.warnings, base.warnings...)
}

// builtinRuleSet assembles gitleaks' default rules extended by the project's
// packs (every *.toml at the root of packs, in name order). The regular
// expressions of embedded packs are not compiled to be checked: their test
// does it (10 ms of CPU at every start otherwise).
func builtinRuleSet(packs fs.FS, embedded bool) (*ruleSet, error) {
	def, err := parseTrusted("gitleaks default config", []byte(config.DefaultConfig))
	if err != nil {
		return nil, fmt.Errorf("parse gitleaks default rules: %w", err)
	}
	rs := newRuleSet(def)
	if packs == nil {
		return rs, nil
	}
	names, err := fs.Glob(packs, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("list rule packs: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fs.ReadFile(packs, n)
		if err != nil {
			return nil, fmt.Errorf("read rule pack %q: %w", n, err)
		}
		f, _, err := parseSpecChecked(path.Join("rules/gitleaks", n), data, false, !embedded)
		if err != nil {
			return nil, err
		}
		pack := newRuleSet(f)
		pack.extend(rs, nil)
		rs = pack
	}
	return rs, nil
}

// userRuleSet applies the user's configuration on top of builtin.
func userRuleSet(cf *ConfigFile, builtin *ruleSet, depth int) (*ruleSet, error) {
	f, warnings, err := parseSpec(cf.Name, cf.Data, cf.Lenient)
	if err != nil {
		return nil, err
	}
	rs := newRuleSet(f)
	rs.warnings = append(rs.warnings, warnings...)
	switch {
	case f.Extend.UseDefault:
		rs.extend(builtin, f.Extend.DisabledRules)
	case f.Extend.Path != "":
		if depth >= 2 {
			return nil, fmt.Errorf("%s: [extend] chain deeper than 2 files", cf.Name)
		}
		if cf.ReadFile == nil {
			return nil, fmt.Errorf("%s: [extend] path %q cannot be read here", cf.Name, f.Extend.Path)
		}
		p := f.Extend.Path
		if !path.IsAbs(p) && cf.Dir != "" {
			p = path.Join(cf.Dir, p)
		}
		data, err := cf.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: read extended config %q: %w", cf.Name, f.Extend.Path, err)
		}
		base, err := userRuleSet(&ConfigFile{Name: p, Data: data, Dir: path.Dir(p), ReadFile: cf.ReadFile, Lenient: cf.Lenient}, builtin, depth+1)
		if err != nil {
			return nil, err
		}
		rs.extend(base, f.Extend.DisabledRules)
	}
	for _, r := range rs.rules {
		if r.Regex == "" && r.Path == "" {
			return nil, fmt.Errorf("%s: rule %q has neither regex nor path", r.pos, r.ID)
		}
	}
	return rs, nil
}

// compile builds a gitleaks configuration from the rule set, keeping only the
// rules for which keep returns true (all when keep is nil). Without goRegex
// the rules' own regular expressions are not compiled with Go's regexp (the
// matcher compiles them with RE2 instead): Rule.Regex stays nil and the
// expression is in the rule set.
func (rs *ruleSet) compile(keep func(*ruleSpec) bool, goRegex bool) (cfg config.Config, err error) {
	defer func() {
		// gitleaks' regexp.MustCompile panics; every expression was checked
		// with the standard library already, so this only catches engines
		// (gore2regex) that reject what the standard library accepts.
		if r := recover(); r != nil {
			err = fmt.Errorf("compile rules: %v", r)
		}
	}()
	cfg = config.Config{
		Rules:    map[string]config.Rule{},
		Keywords: map[string]struct{}{},
		Path:     rs.configRef,
	}
	global, targeted, err := rs.allowlists()
	if err != nil {
		return config.Config{}, err
	}
	cfg.Allowlists = append(cfg.Allowlists, global...)
	for _, r := range rs.rules {
		if keep != nil && !keep(r) {
			continue
		}
		cr := config.Rule{
			RuleID:      r.ID,
			Description: r.Description,
			Entropy:     r.Entropy,
			SecretGroup: r.SecretGroup,
			Keywords:    append([]string{}, r.Keywords...),
			Tags:        append([]string{}, r.Tags...),
			SkipReport:  r.SkipReport,
		}
		if cr.Keywords == nil {
			cr.Keywords = []string{}
		}
		if r.Regex != "" && goRegex {
			cr.Regex = glregexp.MustCompile(r.Regex)
		}
		if r.Path != "" {
			cr.Path = glregexp.MustCompile(r.Path)
		}
		for _, a := range r.Allowlists {
			al, err := compileAllow(a)
			if err != nil {
				return config.Config{}, err
			}
			cr.Allowlists = append(cr.Allowlists, al)
		}
		for _, req := range r.Required {
			cr.RequiredRules = append(cr.RequiredRules, &config.Required{RuleID: req.ID, WithinLines: req.WithinLines, WithinColumns: req.WithinColumns})
		}
		for _, k := range cr.Keywords {
			cfg.Keywords[k] = struct{}{}
		}
		cfg.Rules[r.ID] = cr
		cfg.OrderedRules = append(cfg.OrderedRules, r.ID)
	}
	for i, a := range rs.targeted {
		al := targeted[i]
		for _, id := range a.TargetRules {
			r, ok := cfg.Rules[id]
			if !ok {
				if _, known := rs.byID[id]; known {
					continue // filtered out by keep
				}
				return config.Config{}, fmt.Errorf("%s: allowlist targets rule %q, which does not exist", a.pos, id)
			}
			r.Allowlists = append(r.Allowlists, al)
			cfg.Rules[id] = r
		}
	}
	for id, r := range cfg.Rules {
		for _, req := range r.RequiredRules {
			if _, ok := cfg.Rules[req.RuleID]; !ok {
				return config.Config{}, fmt.Errorf("%s: rule %q requires rule %q, which does not exist", rs.byID[id].pos, id, req.RuleID)
			}
		}
		if err := validateRule(r, rs.byID[id].Regex); err != nil {
			return config.Config{}, fmt.Errorf("%s: %w", rs.byID[id].pos, err)
		}
	}
	sort.Strings(cfg.OrderedRules)
	return cfg, nil
}

// allowlists returns the compiled global and targeted allowlists, compiled
// on first use and shared by every compilation of the rule set: a compiled
// allowlist is only read afterwards.
func (rs *ruleSet) allowlists() (global, targeted []*config.Allowlist, err error) {
	rs.allowOnce.Do(func() {
		defer func() {
			// As in compile: an expression the regular-expression engine
			// rejects panics; the error must outlive the Once.
			if r := recover(); r != nil {
				rs.global, rs.targetedC = nil, nil
				rs.allowErr = fmt.Errorf("compile allowlists: %v", r)
			}
		}()
		for _, a := range rs.allow {
			al, err := compileAllow(a)
			if err != nil {
				rs.allowErr = err
				return
			}
			rs.global = append(rs.global, al)
		}
		for _, a := range rs.targeted {
			al, err := compileAllow(a)
			if err != nil {
				rs.allowErr = err
				return
			}
			rs.targetedC = append(rs.targetedC, al)
		}
	})
	return rs.global, rs.targetedC, rs.allowErr
}

func compileAllow(a *allowSpec) (*config.Allowlist, error) {
	cond := config.AllowlistMatchOr
	if s := strings.ToUpper(a.Condition); s == "AND" || s == "&&" {
		cond = config.AllowlistMatchAnd
	}
	target := a.RegexTarget
	if target == "secret" {
		target = ""
	}
	// Stopwords and commits are normalised as gitleaks' Validate does; its
	// stopword automaton (megabytes for generic-api-key's list) is not built:
	// the matcher keeps a compact one per allowlist.
	al := &config.Allowlist{
		Description:    a.Description,
		MatchCondition: cond,
		Commits:        lowerUnique(a.Commits),
		RegexTarget:    target,
		StopWords:      lowerUnique(a.StopWords),
	}
	for _, re := range a.Regexes {
		al.Regexes = append(al.Regexes, glregexp.MustCompile(re))
	}
	for _, p := range a.Paths {
		al.Paths = append(al.Paths, glregexp.MustCompile(p))
	}
	if len(al.Commits)+len(al.Paths)+len(al.Regexes)+len(al.StopWords) == 0 {
		return nil, fmt.Errorf("%s: allowlist must contain at least one of commits, paths, regexes or stopwords", a.pos)
	}
	return al, nil
}

func lowerUnique(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// validateRule is gitleaks' Rule.Validate without validating allowlists
// (compileAllow checked them); expr is the rule's regular expression.
func validateRule(r config.Rule, expr string) error {
	if strings.TrimSpace(r.RuleID) == "" {
		return errors.New("rule id is missing or empty")
	}
	if expr == "" && r.Path == nil {
		return fmt.Errorf("%s: both regex and path are empty, this rule would have no effect", r.RuleID)
	}
	if expr != "" && r.SecretGroup > 0 {
		re, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			return fmt.Errorf("%s: invalid regex: %w", r.RuleID, err)
		}
		if n := re.MaxCap(); r.SecretGroup > n {
			return fmt.Errorf("%s: invalid regex secret group %d, max regex secret group %d", r.RuleID, r.SecretGroup, n)
		}
	}
	return nil
}

// composite reports whether a rule requires others (gitleaks' multi-part
// rules), which only gitleaks' engine evaluates.
func (rs *ruleSet) composite() bool {
	for _, r := range rs.rules {
		if len(r.Required) > 0 || r.SkipReport {
			return true
		}
	}
	return false
}
