package rules

import (
	"bytes"
	_ "embed" // the embedded scoring policy
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"

	"github.com/sessionize/sessionize/internal/tomlpos"
)

//go:embed policy.toml
var policyTOML []byte

// PolicyFile is the name the embedded policy has in error messages.
const PolicyFile = "rules/policy.toml"

// Context is the kind of place an occurrence sits in, for scoring
// (docs/DESIGN.md, "Scoring contexts").
type Context string

// The scoring contexts.
const (
	// ContextCI: stored secrets wired into CI jobs by a CI definition, and
	// literals written in CI definitions.
	ContextCI Context = "ci"
	// ContextSource: literals in code in the working tree or the index.
	ContextSource Context = "source"
	// ContextConfig: literals in configuration files in the working tree or
	// the index.
	ContextConfig Context = "config"
	// ContextHistory: literals only in history, no longer in HEAD.
	ContextHistory Context = "history"
	// ContextLocal: literals in files git ignores, on developer machines.
	ContextLocal Context = "local"
)

// Contexts lists the scoring contexts in the order reports show them.
var Contexts = []Context{ContextCI, ContextSource, ContextConfig, ContextHistory, ContextLocal}

// Valid reports whether c is one of [Contexts].
func (c Context) Valid() bool { return slices.Contains(Contexts, c) }

// Exposure is how readable an occurrence is, for the exposure component.
type Exposure string

// The exposure classes, from the most to the least exposed.
const (
	// ExposureTree: a literal in the working tree, the index or HEAD.
	ExposureTree Exposure = "tree"
	// ExposureHistory: a literal only in history, still valid until rotated.
	ExposureHistory Exposure = "history"
	// ExposureCI: a stored CI secret referenced by a workflow.
	ExposureCI Exposure = "ci"
	// ExposureLocal: a literal in a file git ignores.
	ExposureLocal Exposure = "local"
)

// Exposures lists the exposure classes from the most to the least exposed.
var Exposures = []Exposure{ExposureTree, ExposureHistory, ExposureCI, ExposureLocal}

// CISystems lists the CI systems an expectation may be restricted to; they
// are the values of detectors.CIRef.System.
var CISystems = []string{"github-actions", "gitlab-ci", "circleci", "azure-pipelines", "bitbucket-pipelines", "travis", "buildkite", "jenkins"}

// AnyProvider is the provider of an expectation that applies to every
// provider.
const AnyProvider = "*"

// ContextPolicy is what one context accepts.
type ContextPolicy struct {
	Description string
	// MaxLifetime is the longest lifetime class acceptable in the context.
	MaxLifetime Lifetime
}

// Expectation is the session-scoped mechanism expected in place of a
// credential of a provider in a context.
type Expectation struct {
	Context Context
	// Provider is a credential provider, or [AnyProvider].
	Provider string
	// CI restricts the expectation to CI references of one CI system.
	CI string
	// Files restricts it to occurrences in files matching one of these
	// patterns (see [Policy.Expect]).
	Files []string
	// Mechanism names the replacement, Duration says how long it lives and
	// Detail how it is wired.
	Mechanism, Duration, Detail string
	// Fixer is the fixer that rewrites such an occurrence, if any.
	Fixer string
}

// Summary returns the mechanism and its duration: "AWS OIDC role, 1 h".
func (e Expectation) Summary() string {
	if e.Duration == "" {
		return e.Mechanism
	}
	return e.Mechanism + ", " + e.Duration
}

// String returns the summary followed by the detail in parentheses.
func (e Expectation) String() string {
	if e.Detail == "" {
		return e.Summary()
	}
	return e.Summary() + " (" + e.Detail + ")"
}

func (e Expectation) key() string {
	return strings.Join([]string{string(e.Context), e.Provider, e.CI, strings.Join(e.Files, ",")}, "\x00")
}

func (e Expectation) specificity() int {
	n := 0
	if len(e.Files) > 0 {
		n += 4
	}
	if e.Provider != AnyProvider {
		n += 2
	}
	if e.CI != "" {
		n++
	}
	return n
}

// AgeStep awards Points to a credential exposed for at least Days days.
type AgeStep struct {
	Days, Points int
}

// Weights are the points of the score's components (scanner/score).
type Weights struct {
	// LifetimeGap is indexed by the credential's class, then by the
	// context's maximum class; missing combinations are worth 0.
	LifetimeGap map[Lifetime]map[Lifetime]int
	// Exposure and Public (added for public repositories) by exposure class.
	Exposure map[Exposure]int
	Public   map[Exposure]int
	// Privilege by privilege tier (PrivilegeCritical, ...).
	Privilege map[string]int
	// Sprawl per place beyond the first, and per repository beyond the
	// first, each capped.
	SprawlPerPlace, SprawlPlacesMax            int
	SprawlPerRepository, SprawlRepositoriesMax int
	// Age steps, longest first; the first one reached counts.
	Age []AgeStep
	// Live is added when a verification found the credential live.
	Live int
	// Ceiling caps the score by the credential's own lifetime class;
	// classes without a ceiling are capped at 100.
	Ceiling map[Lifetime]int
	// ExpiredCap and RevokedCap cap the score of a credential that has
	// expired or was verified revoked.
	ExpiredCap, RevokedCap int
}

// Gap returns the lifetime-gap points of a credential of class have where
// the context accepts at most limit.
func (w Weights) Gap(have, limit Lifetime) int { return w.LifetimeGap[have][limit] }

// CeilingFor returns the highest score a credential of class l can have.
func (w Weights) CeilingFor(l Lifetime) int {
	if c, ok := w.Ceiling[l]; ok {
		return c
	}
	return 100
}

// AgePoints returns the points of an exposure of the given number of days.
func (w Weights) AgePoints(days int) int {
	for _, s := range w.Age {
		if days >= s.Days {
			return s.Points
		}
	}
	return 0
}

func (w Weights) clone() Weights {
	c := w
	c.LifetimeGap = map[Lifetime]map[Lifetime]int{}
	for k, m := range w.LifetimeGap {
		c.LifetimeGap[k] = cloneMap(m)
	}
	c.Exposure = cloneMap(w.Exposure)
	c.Public = cloneMap(w.Public)
	c.Privilege = cloneMap(w.Privilege)
	c.Ceiling = cloneMap(w.Ceiling)
	c.Age = slices.Clone(w.Age)
	return c
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Policy is the scoring policy: per context, the longest acceptable
// lifetime and the expected mechanism per provider; and the weights of the
// score. A Policy is immutable and safe for concurrent use; obtain one from
// [DefaultPolicy] or [ParsePolicy], and derive one with [Policy.Merge].
type Policy struct {
	contexts map[Context]ContextPolicy
	expect   []Expectation
	weights  Weights
}

// Context returns what context c accepts.
func (p *Policy) Context(c Context) ContextPolicy { return p.contexts[c] }

// Weights returns a copy of the policy's weights.
func (p *Policy) Weights() Weights { return p.weights.clone() }

// Expectations returns every expectation, in definition order (overrides
// last). The caller owns the returned slice.
func (p *Policy) Expectations() []Expectation {
	out := make([]Expectation, len(p.expect))
	for i, e := range p.expect {
		e.Files = slices.Clone(e.Files)
		out[i] = e
	}
	return out
}

// ExpectQuery says what an expectation is looked up for.
type ExpectQuery struct {
	Context  Context
	Provider string
	// CI is the CI system of a CI reference, or of the CI definition a
	// literal was written in; empty otherwise.
	CI string
	// Path is the occurrence's slash-separated path, matched against the
	// expectations' Files patterns.
	Path string
}

// Expect returns the expectation for q: among the entries of q's context
// whose provider is q's or "*", whose CI system (if any) is q's and whose
// file patterns (if any) match q's path, the most specific (files 4,
// provider 2, CI system 1), the one defined last on a tie. A pattern without
// "/" matches the path's base name; one with "/" matches the path or any
// trailing part of it that starts after a "/". A complete policy has a "*"
// entry for every context, so only an unknown context yields the zero
// Expectation.
func (p *Policy) Expect(q ExpectQuery) Expectation {
	best, bestSpec := -1, -1
	for i, e := range p.expect {
		if e.Context != q.Context || (e.Provider != AnyProvider && e.Provider != q.Provider) {
			continue
		}
		if e.CI != "" && e.CI != q.CI {
			continue
		}
		if len(e.Files) > 0 && !matchFiles(e.Files, q.Path) {
			continue
		}
		if s := e.specificity(); s >= bestSpec {
			best, bestSpec = i, s
		}
	}
	if best < 0 {
		return Expectation{}
	}
	e := p.expect[best]
	e.Files = slices.Clone(e.Files)
	return e
}

func matchFiles(patterns []string, p string) bool {
	for _, pat := range patterns {
		if !strings.Contains(pat, "/") {
			if ok, _ := path.Match(pat, path.Base(p)); ok {
				return true
			}
			continue
		}
		for i := 0; i < len(p); i++ {
			if i > 0 && p[i-1] != '/' {
				continue
			}
			if ok, _ := path.Match(pat, p[i:]); ok {
				return true
			}
		}
	}
	return false
}

// DefaultPolicy returns the embedded policy, rules/policy.toml.
func DefaultPolicy() (*Policy, error) { return defaultPolicy() }

// defaultPolicy parses the embedded policy once: a Policy is immutable
// (Merge returns a new one), so every caller can share it.
var defaultPolicy = sync.OnceValues(func() (*Policy, error) { return ParsePolicy(PolicyFile, policyTOML) })

// ParsePolicy parses and validates a complete policy document: every
// context defined with its max_lifetime and a "*" expectation, every weight
// given. name is used in error messages, which carry positions and are all
// reported together as an [ErrorList].
func ParsePolicy(name string, data []byte) (*Policy, error) {
	var f policyFile
	if err := decodeStrict(name, data, &f, ""); err != nil {
		return nil, err
	}
	ix := tomlpos.Build(data)
	c := &policyChecker{name: name, ix: ix}
	c.check(&f)
	c.complete(&f)
	if len(c.errs) > 0 {
		return nil, sortErrors(c.errs)
	}
	p := &Policy{contexts: map[Context]ContextPolicy{}}
	p.apply(&f)
	return p, nil
}

// PolicyOverride is a partial policy from the [policy] section of a
// .sessionize.toml, applied with [Policy.Merge]. The zero value overrides
// nothing.
type PolicyOverride struct {
	f policyFile
}

// IsZero reports whether o overrides nothing.
func (o *PolicyOverride) IsZero() bool {
	return o == nil || (len(o.f.Context) == 0 && len(o.f.Expect) == 0 && o.f.Weights.isZero())
}

// ParsePolicyOverride parses the [policy] section of a configuration file
// (a whole .sessionize.toml: other sections are left to their readers). The
// section has the schema of rules/policy.toml under the "policy." prefix
// ([policy.context.ci], [[policy.expect]], [policy.weights]); every key is
// optional, and what is given is validated as in [ParsePolicy], with
// positions in the configuration file. A file without the section yields an
// override that changes nothing.
func ParsePolicyOverride(name string, data []byte) (*PolicyOverride, error) {
	var doc struct {
		Policy policyFile `toml:"policy"`
	}
	if err := decodeStrict(name, data, &doc, "policy"); err != nil {
		return nil, err
	}
	c := &policyChecker{name: name, ix: tomlpos.Build(data), prefix: []string{"policy"}}
	c.check(&doc.Policy)
	if len(c.errs) > 0 {
		return nil, sortErrors(c.errs)
	}
	return &PolicyOverride{f: doc.Policy}, nil
}

// Merge returns p with o applied: context fields given in o replace p's;
// an expectation of o with the same context, provider, ci and files as one
// of p's replaces it whole, others are added after p's; weights given in o
// replace p's (map entries one by one, the age steps as a list). p is not
// modified. A nil or zero o returns p.
func (p *Policy) Merge(o *PolicyOverride) *Policy {
	if o.IsZero() {
		return p
	}
	out := &Policy{contexts: cloneMap(p.contexts), expect: slices.Clone(p.expect), weights: p.weights.clone()}
	out.apply(&o.f)
	return out
}

// LoadPolicy returns the embedded policy merged with the [policy] section of
// a configuration file; data nil means no configuration file.
func LoadPolicy(configName string, data []byte) (*Policy, error) {
	p, err := DefaultPolicy()
	if err != nil {
		return nil, err
	}
	if data == nil {
		return p, nil
	}
	o, err := ParsePolicyOverride(configName, data)
	if err != nil {
		return nil, err
	}
	return p.Merge(o), nil
}

// The file schema. Pointers and maps tell given keys from missing ones, so
// that an override replaces only what it names.
type policyFile struct {
	Context map[string]contextFile `toml:"context"`
	Expect  []expectFile           `toml:"expect"`
	Weights weightsFile            `toml:"weights"`
}

type contextFile struct {
	Description *string `toml:"description"`
	MaxLifetime *string `toml:"max_lifetime"`
}

type expectFile struct {
	Context   string   `toml:"context"`
	Provider  string   `toml:"provider"`
	CI        string   `toml:"ci"`
	Files     []string `toml:"files"`
	Mechanism string   `toml:"mechanism"`
	Duration  string   `toml:"duration"`
	Detail    string   `toml:"detail"`
	Fixer     string   `toml:"fixer"`
}

type weightsFile struct {
	LifetimeGap           map[string]map[string]int `toml:"lifetime_gap"`
	Exposure              map[string]int            `toml:"exposure"`
	Public                map[string]int            `toml:"public"`
	Privilege             map[string]int            `toml:"privilege"`
	SprawlPerPlace        *int                      `toml:"sprawl_per_place"`
	SprawlPlacesMax       *int                      `toml:"sprawl_places_max"`
	SprawlPerRepository   *int                      `toml:"sprawl_per_repository"`
	SprawlRepositoriesMax *int                      `toml:"sprawl_repositories_max"`
	Age                   []ageFile                 `toml:"age"`
	Live                  *int                      `toml:"live"`
	Ceiling               map[string]int            `toml:"ceiling"`
	ExpiredCap            *int                      `toml:"expired_cap"`
	RevokedCap            *int                      `toml:"revoked_cap"`
}

type ageFile struct {
	Days   int `toml:"days"`
	Points int `toml:"points"`
}

func (w *weightsFile) isZero() bool {
	return len(w.LifetimeGap) == 0 && len(w.Exposure) == 0 && len(w.Public) == 0 && len(w.Privilege) == 0 &&
		w.SprawlPerPlace == nil && w.SprawlPlacesMax == nil && w.SprawlPerRepository == nil &&
		w.SprawlRepositoriesMax == nil && w.Age == nil && w.Live == nil && len(w.Ceiling) == 0 &&
		w.ExpiredCap == nil && w.RevokedCap == nil
}

// scalars lists the scalar weights with their keys, in file order.
func (w *weightsFile) scalars() []struct {
	key string
	v   *int
} {
	return []struct {
		key string
		v   *int
	}{
		{"sprawl_per_place", w.SprawlPerPlace},
		{"sprawl_places_max", w.SprawlPlacesMax},
		{"sprawl_per_repository", w.SprawlPerRepository},
		{"sprawl_repositories_max", w.SprawlRepositoriesMax},
		{"live", w.Live},
		{"expired_cap", w.ExpiredCap},
		{"revoked_cap", w.RevokedCap},
	}
}

// DecodeSection decodes a TOML document into v, which holds one section of
// it (the [fix] or [pr] table of .sessionize.toml, say): unknown keys inside
// that section are errors with their positions, keys of the document's other
// sections belong to other readers and are not. An empty section checks
// every key. name is used in errors.
func DecodeSection(name string, data []byte, v any, section string) error {
	return decodeStrict(name, data, v, section)
}

// decodeStrict decodes data into v, reporting unknown keys with positions.
// With a non-empty section, only unknown keys under that top-level key are
// errors: the rest of the file belongs to other readers.
func decodeStrict(name string, data []byte, v any, section string) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var strict *toml.StrictMissingError
	if section != "" && errors.As(err, &strict) {
		var errs []PosError
		for _, e := range strict.Errors {
			key := e.Key()
			if len(key) == 0 || key[0] != section {
				continue
			}
			line, col := e.Position()
			errs = append(errs, PosError{File: name, Line: line, Column: col, Msg: fmt.Sprintf("unknown key %q", strings.Join(key, "."))})
		}
		if len(errs) == 0 {
			return nil
		}
		return sortErrors(errs)
	}
	return decodeError(name, err)
}

var fixerName = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// policyChecker validates a decoded policy document and collects positioned
// errors.
type policyChecker struct {
	name   string
	ix     *tomlpos.Index
	prefix []string
	errs   []PosError
}

func (c *policyChecker) bad(key []string, format string, args ...any) {
	pos, _ := c.ix.Lookup(append(slices.Clone(c.prefix), key...)...)
	c.errs = append(c.errs, PosError{File: c.name, Line: pos.Line, Column: pos.Column, Msg: fmt.Sprintf(format, args...)})
}

func (c *policyChecker) check(f *policyFile) {
	for _, name := range slices.Sorted(maps.Keys(f.Context)) {
		ctx := f.Context[name]
		if !Context(name).Valid() {
			c.bad([]string{"context", name}, "unknown context %q (want ci, source, config, history or local)", name)
			continue
		}
		if ctx.MaxLifetime != nil && !Lifetime(*ctx.MaxLifetime).Valid() {
			c.bad([]string{"context", name, "max_lifetime"}, "context %q: unknown lifetime class %q (want session, short, bounded or standing)", name, *ctx.MaxLifetime)
		}
	}
	seen := map[string]int{}
	for i, e := range f.Expect {
		c.checkExpect(i, e, seen)
	}
	c.checkWeights(&f.Weights)
}

func (c *policyChecker) checkExpect(i int, e expectFile, seen map[string]int) {
	at := func(key string) []string { return []string{"expect", fmt.Sprint(i), key} }
	if !Context(e.Context).Valid() {
		c.bad(at("context"), "expectation %d: unknown context %q (want ci, source, config, history or local)", i+1, e.Context)
	}
	if e.Provider == "" {
		c.bad(at("provider"), "expectation %d: no provider (use \"*\" for any)", i+1)
	}
	if e.CI != "" {
		if !slices.Contains(CISystems, e.CI) {
			c.bad(at("ci"), "expectation %d: unknown CI system %q (want %s)", i+1, e.CI, strings.Join(CISystems, ", "))
		} else if e.Context != string(ContextCI) {
			c.bad(at("ci"), "expectation %d: a CI system applies only to the ci context", i+1)
		}
	}
	for _, pat := range e.Files {
		if _, err := path.Match(pat, ""); err != nil || pat == "" {
			c.bad(at("files"), "expectation %d: bad file pattern %q", i+1, pat)
		}
	}
	if strings.TrimSpace(e.Mechanism) == "" {
		c.bad(at("mechanism"), "expectation %d: no mechanism", i+1)
	}
	if e.Fixer != "" && !fixerName.MatchString(e.Fixer) {
		c.bad(at("fixer"), "expectation %d: bad fixer name %q (lowercase words joined by hyphens)", i+1, e.Fixer)
	}
	k := e.toExpectation().key()
	if prev, dup := seen[k]; dup {
		c.bad(at("context"), "expectation %d repeats expectation %d (same context, provider, ci and files)", i+1, prev+1)
		return
	}
	seen[k] = i
}

func (c *policyChecker) checkWeights(w *weightsFile) {
	for _, have := range slices.Sorted(maps.Keys(w.LifetimeGap)) {
		key := []string{"weights", "lifetime_gap", have}
		hl := Lifetime(have)
		if !hl.Valid() {
			c.bad(key, "weights.lifetime_gap: unknown lifetime class %q", have)
			continue
		}
		for _, limit := range slices.Sorted(maps.Keys(w.LifetimeGap[have])) {
			ml := Lifetime(limit)
			switch {
			case !ml.Valid():
				c.bad(append(key, limit), "weights.lifetime_gap.%s: unknown lifetime class %q", have, limit)
			case ml.Rank() >= hl.Rank():
				c.bad(append(key, limit), "weights.lifetime_gap.%s.%s: no gap (a %s credential is within %s)", have, limit, have, limit)
			default:
				c.points(append(key, limit), w.LifetimeGap[have][limit])
			}
		}
	}
	c.keyed("exposure", w.Exposure, func(k string) bool { return slices.Contains(Exposures, Exposure(k)) }, "tree, history, ci or local")
	c.keyed("public", w.Public, func(k string) bool { return slices.Contains(Exposures, Exposure(k)) }, "tree, history, ci or local")
	c.keyed("privilege", w.Privilege, func(k string) bool { _, ok := privileges[k]; return ok }, "critical, high, medium or low")
	c.keyed("ceiling", w.Ceiling, func(k string) bool { return Lifetime(k).Valid() }, "session, short, bounded or standing")
	for _, s := range w.scalars() {
		if s.v != nil {
			c.points([]string{"weights", s.key}, *s.v)
		}
	}
	days := map[int]bool{}
	for i, a := range w.Age {
		key := []string{"weights", "age", fmt.Sprint(i)}
		if a.Days <= 0 {
			c.bad(append(key, "days"), "weights.age: days must be positive, not %d", a.Days)
		} else if days[a.Days] {
			c.bad(append(key, "days"), "weights.age: %d days given twice", a.Days)
		}
		days[a.Days] = true
		c.points(append(key, "points"), a.Points)
	}
}

func (c *policyChecker) keyed(table string, m map[string]int, valid func(string) bool, want string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		key := []string{"weights", table, k}
		if !valid(k) {
			c.bad(key, "weights.%s: unknown key %q (want %s)", table, k, want)
			continue
		}
		c.points(key, m[k])
	}
}

func (c *policyChecker) points(key []string, v int) {
	if v < 0 || v > 100 {
		c.bad(key, "%s: %d is out of range (0 to 100)", strings.Join(key, "."), v)
	}
}

// complete checks that a full policy document defines everything.
func (c *policyChecker) complete(f *policyFile) {
	for _, ctx := range Contexts {
		cf, ok := f.Context[string(ctx)]
		if !ok {
			c.bad(nil, "context %q is not defined", ctx)
			continue
		}
		if cf.MaxLifetime == nil {
			c.bad([]string{"context", string(ctx)}, "context %q has no max_lifetime", ctx)
		}
		if !slices.ContainsFunc(f.Expect, func(e expectFile) bool {
			return e.Context == string(ctx) && e.Provider == AnyProvider && e.CI == "" && len(e.Files) == 0
		}) {
			c.bad([]string{"context", string(ctx)}, "context %q has no expectation for provider \"*\" without ci or files", ctx)
		}
	}
	w := &f.Weights
	for _, t := range []struct {
		table string
		have  map[string]int
		want  []string
	}{
		{"exposure", w.Exposure, exposureNames()},
		{"public", w.Public, exposureNames()},
		{"privilege", w.Privilege, []string{PrivilegeCritical, PrivilegeHigh, PrivilegeMedium, PrivilegeLow}},
	} {
		for _, k := range t.want {
			if _, ok := t.have[k]; !ok {
				c.bad([]string{"weights", t.table}, "weights.%s: missing %q", t.table, k)
			}
		}
	}
	for _, s := range w.scalars() {
		if s.v == nil {
			c.bad([]string{"weights"}, "weights: missing %s", s.key)
		}
	}
}

func exposureNames() []string {
	out := make([]string, len(Exposures))
	for i, e := range Exposures {
		out[i] = string(e)
	}
	return out
}

func (e expectFile) toExpectation() Expectation {
	return Expectation{
		Context: Context(e.Context), Provider: e.Provider, CI: e.CI, Files: slices.Clone(e.Files),
		Mechanism: strings.TrimSpace(e.Mechanism), Duration: strings.TrimSpace(e.Duration),
		Detail: strings.TrimSpace(e.Detail), Fixer: e.Fixer,
	}
}

// apply merges a validated document into p.
func (p *Policy) apply(f *policyFile) {
	for name, cf := range f.Context {
		cp := p.contexts[Context(name)]
		if cf.Description != nil {
			cp.Description = *cf.Description
		}
		if cf.MaxLifetime != nil {
			cp.MaxLifetime = Lifetime(*cf.MaxLifetime)
		}
		p.contexts[Context(name)] = cp
	}
	for _, ef := range f.Expect {
		e := ef.toExpectation()
		if i := slices.IndexFunc(p.expect, func(x Expectation) bool { return x.key() == e.key() }); i >= 0 {
			p.expect[i] = e
			continue
		}
		p.expect = append(p.expect, e)
	}
	p.weights.apply(&f.Weights)
}

func (w *Weights) apply(f *weightsFile) {
	if w.LifetimeGap == nil {
		w.LifetimeGap = map[Lifetime]map[Lifetime]int{}
	}
	for have, m := range f.LifetimeGap {
		if w.LifetimeGap[Lifetime(have)] == nil {
			w.LifetimeGap[Lifetime(have)] = map[Lifetime]int{}
		}
		for limit, v := range m {
			w.LifetimeGap[Lifetime(have)][Lifetime(limit)] = v
		}
	}
	w.Exposure = mergeKeyed(w.Exposure, f.Exposure, func(k string) Exposure { return Exposure(k) })
	w.Public = mergeKeyed(w.Public, f.Public, func(k string) Exposure { return Exposure(k) })
	w.Privilege = mergeKeyed(w.Privilege, f.Privilege, func(k string) string { return k })
	w.Ceiling = mergeKeyed(w.Ceiling, f.Ceiling, func(k string) Lifetime { return Lifetime(k) })
	for _, s := range []struct {
		dst *int
		src *int
	}{
		{&w.SprawlPerPlace, f.SprawlPerPlace},
		{&w.SprawlPlacesMax, f.SprawlPlacesMax},
		{&w.SprawlPerRepository, f.SprawlPerRepository},
		{&w.SprawlRepositoriesMax, f.SprawlRepositoriesMax},
		{&w.Live, f.Live},
		{&w.ExpiredCap, f.ExpiredCap},
		{&w.RevokedCap, f.RevokedCap},
	} {
		if s.src != nil {
			*s.dst = *s.src
		}
	}
	if f.Age != nil {
		w.Age = make([]AgeStep, len(f.Age))
		for i, a := range f.Age {
			w.Age[i] = AgeStep(a)
		}
		sort.SliceStable(w.Age, func(i, j int) bool { return w.Age[i].Days > w.Age[j].Days })
	}
}

func mergeKeyed[K comparable](dst map[K]int, src map[string]int, conv func(string) K) map[K]int {
	if dst == nil {
		dst = map[K]int{}
	}
	for k, v := range src {
		dst[conv(k)] = v
	}
	return dst
}
