package score

import (
	"fmt"
	"strings"
	"time"

	"github.com/sessionize/sessionize/rules"
	"github.com/sessionize/sessionize/scanner"
)

// Component names, as in [scanner.ScoreComponent.Name].
const (
	ComponentLifetime  = "lifetime"
	ComponentExposure  = "exposure"
	ComponentPublic    = "public"
	ComponentPrivilege = "privilege"
	ComponentSprawl    = "sprawl"
	ComponentAge       = "age"
	ComponentVerified  = "verified"
	ComponentCeiling   = "ceiling"
	ComponentExpired   = "expired"
	ComponentRevoked   = "revoked"
	ComponentCap       = "cap"
	ComponentSession   = "session"
	ComponentInvalid   = "invalid"

	// invalidCeiling caps values that fail their format's checks: low.
	invalidCeiling = 25
)

// Options configures scoring. The zero value scores with the embedded
// policy, the current time, a private repository, no cross-repository
// counts and no ignored files.
type Options struct {
	// Now is the clock for ages and expiries; nil means time.Now. Set it for
	// reproducible scores.
	Now func() time.Time
	// Policy replaces the embedded policy (rules.DefaultPolicy), e.g. with a
	// .sessionize.toml [policy] section merged in (rules.LoadPolicy).
	Policy *rules.Policy
	// PublicRepo marks the scanned repository as public: literals there are
	// readable by anyone.
	PublicRepo bool
	// RepoCount returns how many repositories a credential (by its 16-digit
	// fingerprint) was seen in, this one included; audits pass it. nil, or
	// a count below 2, means this repository only.
	RepoCount func(fingerprint string) int
	// Ignored reports whether git ignores a path (files scanned with
	// --include-ignored); their literals are in the local context. nil
	// means no file is ignored.
	Ignored func(path string) bool
}

// Apply scores every credential of r: it sets Score, Severity, Expected,
// Reasons, Components and, when the policy names one and the credential has
// none, Fixer; then it finalizes r (sorting and summary). It fails only when
// the embedded policy does not load.
func Apply(r *scanner.Report, opts Options) error {
	p := opts.Policy
	if p == nil {
		var err error
		if p, err = rules.DefaultPolicy(); err != nil {
			return fmt.Errorf("load scoring policy: %w", err)
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	s := &scorer{policy: p, w: p.Weights(), now: now().UTC(), opts: opts}
	for i := range r.Credentials {
		s.credential(&r.Credentials[i])
	}
	r.Finalize()
	return nil
}

type scorer struct {
	policy *rules.Policy
	w      rules.Weights
	now    time.Time
	opts   Options
}

// tally accumulates components and keeps their sum.
type tally struct {
	parts []scanner.ScoreComponent
	sum   int
}

func (t *tally) add(name string, points int, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	t.parts = append(t.parts, scanner.ScoreComponent{Name: name, Points: points, Reason: fmt.Sprintf("%s (%s).", reason, signed(points))})
	t.sum += points
}

// limit adds a negative component bringing the sum down to at most ceil;
// nothing when the sum is already there.
func (t *tally) limit(name string, ceil int, format string, args ...any) {
	if t.sum <= ceil {
		return
	}
	t.add(name, ceil-t.sum, format, args...)
}

// lower is limit for facts worth stating even when they change nothing.
func (t *tally) lower(name string, ceil int, format string, args ...any) {
	t.add(name, min(0, ceil-t.sum), format, args...)
}

func signed(n int) string {
	if n < 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("+%d", n)
}

func (s *scorer) credential(c *scanner.Credential) {
	scanner.SortOccurrences(c.Occurrences)
	if c.Session {
		s.inventory(c)
		return
	}
	occ, pl := s.mostExposed(c)
	exp := s.expect(c, occ, pl)
	var t tally
	s.lifetime(&t, c, pl)
	s.exposure(&t, c, occ, pl)
	s.rest(&t, c)
	if c.Invalid {
		// Still reported (and still blocking at the default threshold), as
		// gitleaks reports it, but ranked below values that can be live.
		t.lower(ComponentInvalid, invalidCeiling, "The value fails its format's checks (%s), so it is most likely a test value, not a live credential: capped at %d", strings.Join(c.Notes, "; "), invalidCeiling)
	}
	c.Score = t.sum
	c.Severity = scanner.SeverityOf(c.Score)
	c.Components = t.parts
	c.Reasons = reasons(t.parts)
	c.Expected = exp.String()
	if c.Fixer == "" {
		c.Fixer = exp.Fixer
	}
}

// inventory scores session-scoped wiring: info, expectation met.
func (s *scorer) inventory(c *scanner.Credential) {
	pl := place{context: rules.ContextCI, exposure: rules.ExposureCI}
	var occ *scanner.Occurrence
	if len(c.Occurrences) > 0 {
		occ = &c.Occurrences[0]
		pl = s.placeOf(*occ)
	}
	exp := s.expect(c, occ, pl)
	var t tally
	t.add(ComponentSession, 0, "Session-scoped wiring: the expectation is met")
	c.Score = 0
	c.Severity = scanner.SeverityOf(0)
	c.Components = t.parts
	c.Reasons = reasons(t.parts)
	c.Expected = exp.String()
}

func (s *scorer) placeOf(o scanner.Occurrence) place {
	ignored := s.opts.Ignored != nil && s.opts.Ignored(o.Path)
	return placeOf(o, ignored)
}

// mostExposed returns the occurrence with the most lifetime, exposure and
// public points (the first on a tie) and its place; nil when there is none.
func (s *scorer) mostExposed(c *scanner.Credential) (*scanner.Occurrence, place) {
	var best *scanner.Occurrence
	bestPlace := place{context: rules.ContextSource, exposure: rules.ExposureTree}
	bestPoints := -1
	for i := range c.Occurrences {
		o := &c.Occurrences[i]
		pl := s.placeOf(*o)
		pts := s.w.Gap(effectiveLifetime(c), s.policy.Context(pl.context).MaxLifetime) + s.w.Exposure[pl.exposure]
		if s.opts.PublicRepo {
			pts += s.w.Public[pl.exposure]
		}
		if pts > bestPoints {
			best, bestPlace, bestPoints = o, pl, pts
		}
	}
	return best, bestPlace
}

func (s *scorer) expect(c *scanner.Credential, occ *scanner.Occurrence, pl place) rules.Expectation {
	q := rules.ExpectQuery{Context: pl.context, Provider: c.Provider, CI: pl.ci}
	if occ != nil {
		q.Path = occ.Path
	}
	return s.policy.Expect(q)
}

// effectiveLifetime is the credential's class; an unknown class counts as
// standing, the cautious reading.
func effectiveLifetime(c *scanner.Credential) rules.Lifetime {
	if c.Lifetime.Valid() {
		return c.Lifetime
	}
	return rules.Standing
}

func (s *scorer) lifetime(t *tally, c *scanner.Credential, pl place) {
	have := effectiveLifetime(c)
	limit := s.policy.Context(pl.context).MaxLifetime
	pts := s.w.Gap(have, limit)
	what := lifetimePhrase(c.Lifetime)
	if have.Rank() <= limit.Rank() {
		t.add(ComponentLifetime, pts, "%s: within what %s accepts (%s)", what, contextPhrase(pl.context), limit)
		return
	}
	t.add(ComponentLifetime, pts, "%s where %s expects %s: lifetime gap", what, contextPhrase(pl.context), accepts(limit))
}

func lifetimePhrase(l rules.Lifetime) string {
	switch l {
	case rules.Session:
		return "Session credential (lives about an hour)"
	case rules.Short:
		return "Short-lived credential (expires within 24 h)"
	case rules.Bounded:
		return "Bounded credential (expires in more than 24 h)"
	case rules.Standing:
		return "Standing credential (no expiry)"
	}
	return "Credential of unknown lifetime (counted as standing)"
}

func accepts(l rules.Lifetime) string {
	switch l {
	case rules.Session:
		return "session-scoped access"
	case rules.Short:
		return "at most short-lived access (24 h)"
	case rules.Bounded:
		return "an expiring credential"
	}
	return "any credential"
}

func (s *scorer) exposure(t *tally, c *scanner.Credential, occ *scanner.Occurrence, pl place) {
	pts := s.w.Exposure[pl.exposure]
	if occ == nil {
		t.add(ComponentExposure, 0, "No occurrence recorded")
		return
	}
	at := fmt.Sprintf("%s:%d", occ.Path, occ.Line)
	switch pl.exposure {
	case rules.ExposureCI:
		ref := c.Reference
		if ref == "" {
			ref = "a stored secret"
		}
		t.add(ComponentExposure, pts, "Stored CI secret %s referenced at %s", ref, at)
	case rules.ExposureHistory:
		t.add(ComponentExposure, pts, "Literal only in history at %s%s, still valid until rotated", at, commitNote(occ.Commit))
	case rules.ExposureLocal:
		t.add(ComponentExposure, pts, "Literal in a file git ignores at %s", at)
	default:
		switch occ.Where {
		case scanner.WhereStaged:
			t.add(ComponentExposure, pts, "Literal staged for commit at %s", at)
		case scanner.WhereHistory:
			t.add(ComponentExposure, pts, "Literal in HEAD at %s", at)
		default:
			t.add(ComponentExposure, pts, "Literal in the working tree at %s", at)
		}
	}
	if s.opts.PublicRepo {
		if p := s.w.Public[pl.exposure]; p > 0 {
			t.add(ComponentPublic, p, "The repository is public")
		}
	}
}

func commitNote(sha string) string {
	if sha == "" {
		return ""
	}
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return " (commit " + sha + ")"
}

// rest adds the credential-wide components and the adjustments.
func (s *scorer) rest(t *tally, c *scanner.Credential) {
	s.privilege(t, c)
	s.sprawl(t, c)
	first := firstDate(c)
	s.age(t, first)
	if c.Verified == "live" {
		t.add(ComponentVerified, s.w.Live, "Verified live")
	}
	have := effectiveLifetime(c)
	if ceil := s.w.CeilingFor(have); ceil < 100 {
		t.limit(ComponentCeiling, ceil, "%s, so it is capped at %d", ceilingPhrase(have), ceil)
	}
	s.expired(t, c, have, first)
	if c.Verified == "revoked" {
		t.lower(ComponentRevoked, s.w.RevokedCap, "Verified revoked: capped at %d", s.w.RevokedCap)
	}
	t.limit(ComponentCap, 100, "Capped at 100")
}

func ceilingPhrase(l rules.Lifetime) string {
	switch l {
	case rules.Session:
		return "A session credential expires within about an hour"
	case rules.Short:
		return "A short-lived credential expires within 24 h"
	}
	return "The policy sets a ceiling for " + string(l) + " credentials"
}

func (s *scorer) privilege(t *tally, c *scanner.Credential) {
	tier := c.Privilege
	pts, ok := s.w.Privilege[tier]
	if !ok {
		t.add(ComponentPrivilege, s.w.Privilege[rules.PrivilegeMedium], "Unknown privilege for %s, counted as medium", typeName(c))
		return
	}
	t.add(ComponentPrivilege, pts, "Privilege %s for %s", tier, typeName(c))
}

func typeName(c *scanner.Credential) string {
	if c.Type != "" {
		return c.Type
	}
	if c.Rule != "" {
		return c.Rule
	}
	return "this type"
}

func (s *scorer) sprawl(t *tally, c *scanner.Credential) {
	places := len(c.Occurrences)
	repos := 1
	if s.opts.RepoCount != nil {
		repos = max(1, s.opts.RepoCount(c.Fingerprint))
	}
	pp := min(s.w.SprawlPerPlace*max(0, places-1), s.w.SprawlPlacesMax)
	rp := min(s.w.SprawlPerRepository*(repos-1), s.w.SprawlRepositoriesMax)
	switch {
	case places > 1 && repos > 1:
		t.add(ComponentSprawl, pp+rp, "Found in %d places and %d repositories", places, repos)
	case places > 1:
		t.add(ComponentSprawl, pp, "Found in %d places", places)
	case repos > 1:
		t.add(ComponentSprawl, rp, "Found in %d repositories", repos)
	}
}

// firstDate is the earliest commit date among the occurrences; zero when
// none came from a commit.
func firstDate(c *scanner.Credential) time.Time {
	var first time.Time
	for _, o := range c.Occurrences {
		if !o.Date.IsZero() && (first.IsZero() || o.Date.Before(first)) {
			first = o.Date
		}
	}
	return first
}

func (s *scorer) age(t *tally, first time.Time) {
	if first.IsZero() {
		return
	}
	days := max(0, int(s.now.Sub(first).Hours()/24))
	if pts := s.w.AgePoints(days); pts > 0 {
		t.add(ComponentAge, pts, "First committed on %s, %s ago", first.UTC().Format(time.DateOnly), plural(days, "day"))
	}
}

// expired caps a credential that no longer works: its expiry has passed, or
// it is session-scoped or short-lived (at most 24 h) and was committed more
// than 24 h ago, so it was issued before that.
func (s *scorer) expired(t *tally, c *scanner.Credential, have rules.Lifetime, first time.Time) {
	limit := s.w.ExpiredCap
	if !c.ExpiresAt.IsZero() {
		if !c.ExpiresAt.After(s.now) {
			t.lower(ComponentExpired, limit, "Expired on %s: capped at %d", c.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), limit)
		}
		return
	}
	if (have == rules.Session || have == rules.Short) && !first.IsZero() && s.now.Sub(first) > 24*time.Hour {
		t.lower(ComponentExpired, limit, "Lives at most 24 h and was first committed on %s: expired by now, capped at %d", first.UTC().Format(time.DateOnly), limit)
	}
}

func reasons(parts []scanner.ScoreComponent) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.Reason
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
