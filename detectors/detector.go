package detectors

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/sessionize/sessionize/detectors/classify"
	"github.com/sessionize/sessionize/rules"
)

// DefaultMaxDecodeDepth is gitleaks' CLI default for recursive decoding of
// base64, hex and percent-encoded content.
const DefaultMaxDecodeDepth = 5

// Options configures a [Detector]. The zero value means gitleaks' default
// rules extended by the project's packs, the embedded knowledge base and
// decoding to depth 5.
type Options struct {
	// Config is the user's configuration file, nil for the built-in rules.
	Config *ConfigFile
	// MaxDecodeDepth limits recursive decoding; 0 means the default, a
	// negative value turns decoding off.
	MaxDecodeDepth int
	// KB classifies findings; nil means the embedded knowledge base.
	KB *rules.KB
	// Packs replaces the project's rule packs (tests); nil means rules.Packs().
	Packs fs.FS
	// NoPacks leaves the project's packs out: gitleaks' defaults only.
	NoPacks bool
	// RE2 runs the rules' regular expressions with RE2 (go-re2, through
	// WebAssembly) instead of Go's regexp package: the same syntax and
	// results, several times faster on large inputs, but a tenth of a second
	// to start. For history and other large scans, not pre-commit hooks.
	RE2 bool
	// GitleaksEngine matches with gitleaks' own detect engine instead of
	// sessionize's keyword-windowed matcher (same results, several times
	// slower); for benchmarks and differential checks.
	GitleaksEngine bool
}

// Detector matches gitleaks-format rules against content. Building one
// parses the rules but compiles nothing; the regular expressions are
// compiled on first use, all of them, or only those a given content can need
// with [Detector.Restrict]. A Detector is safe for concurrent use.
type Detector struct {
	rs    *ruleSet
	kb    *rules.KB
	depth int
	keep  func(*ruleSpec) bool

	once sync.Once
	cfg  config.Config
	m    *matcher
	err  error
	// reference makes Detect use gitleaks' own engine unchanged (tests
	// compare the two).
	reference bool
	// re2 matches with RE2 (Options.RE2).
	re2 bool
}

// New parses the rules named by opts. Errors name the file and position.
func New(opts Options) (*Detector, error) {
	packs := opts.Packs
	if packs == nil && !opts.NoPacks {
		packs = rules.Packs()
	}
	// The embedded packs are checked by TestEmbeddedPacksValid, not at
	// every start.
	builtin, err := builtinRuleSet(packs, opts.Packs == nil)
	if err != nil {
		return nil, err
	}
	rs := builtin
	if opts.Config != nil {
		rs, err = userRuleSet(opts.Config, builtin, 0)
		if err != nil {
			return nil, err
		}
		rs.configRef = opts.Config.Name
	}
	kb := opts.KB
	if kb == nil {
		if kb, err = rules.DefaultKB(); err != nil {
			return nil, err
		}
	}
	depth := opts.MaxDecodeDepth
	switch {
	case depth == 0:
		depth = DefaultMaxDecodeDepth
	case depth < 0:
		depth = 0
	}
	return &Detector{rs: rs, kb: kb, depth: depth, reference: opts.GitleaksEngine, re2: opts.RE2}, nil
}

// Warnings returns what loading the configuration noticed without failing
// (keys gitleaks would ignore, disabled rules that do not exist).
func (d *Detector) Warnings() []string { return d.rs.warnings }

// KB returns the knowledge base findings are classified with.
func (d *Detector) KB() *rules.KB { return d.kb }

// derive returns a Detector over the same rules restricted by keep.
func (d *Detector) derive(keep func(*ruleSpec) bool) *Detector {
	return &Detector{rs: d.rs, kb: d.kb, depth: d.depth, keep: keep, reference: d.reference, re2: d.re2}
}

func (d *Detector) engine() (*matcher, error) {
	d.once.Do(func() {
		// With RE2 the rules' expressions need no Go compilation, unless
		// gitleaks' engine runs: as the reference, or for composite rules.
		goRegex := !d.re2 || d.reference || d.rs.composite()
		cfg, err := d.rs.compile(d.keep, goRegex)
		if err != nil {
			d.err = err
			return
		}
		d.cfg = cfg
		d.m = newMatcher(cfg, d.depth, d.re2 && !goRegex, func(id string) (int, string) {
			r := d.rs.byID[id]
			return r.pad(), r.Regex
		})
	})
	return d.m, d.err
}

// Compile compiles the rules now rather than on first use, and reports a
// rule that the regular-expression engine rejects.
func (d *Detector) Compile() error {
	_, err := d.engine()
	return err
}

// Fragment is content to match: a whole file, or a run of lines of one.
type Fragment struct {
	// Path is slash-separated, relative to the scanned root.
	Path string
	// Content is the text.
	Content string
	// StartLine is the 1-based line number of Content's first line.
	StartLine int
	// Commit is the commit the content comes from, if any (gitleaks
	// allowlists can name commits).
	Commit string
}

// Detect matches the content rules against f and returns the findings in
// order of position. Findings on a line carrying "gitleaks:allow" or
// "sessionize:allow", documented example values and matches gitleaks'
// allowlists discard are left out.
func (d *Detector) Detect(ctx context.Context, f Fragment) ([]Finding, error) {
	m, err := d.engine()
	if err != nil {
		return nil, err
	}
	start := f.StartLine
	if start == 0 {
		start = 1
	}
	frag := detect.Fragment{Raw: f.Content, FilePath: f.Path, CommitSHA: f.Commit, StartLine: start}
	var raw []report.Finding
	if d.reference {
		raw = m.gitleaks().DetectContext(ctx, frag)
	} else {
		raw = m.detect(ctx, frag)
	}
	out := make([]Finding, 0, len(raw))
	for _, r := range raw {
		if strings.Contains(r.Line, AllowComment) {
			continue
		}
		if IsDocumentedExample(r.Secret) {
			continue
		}
		out = append(out, d.convert(r, f.Path, f.Content, start))
	}
	SortFindings(out)
	return out, nil
}

// AllowComment on a line keeps findings on it out of reports, like
// gitleaks:allow.
const AllowComment = "sessionize:allow"

func (d *Detector) convert(r report.Finding, path, content string, start int) Finding {
	// The match views the scanned content (which may be a whole blob): a copy
	// keeps the finding from holding the content alive.
	secret := strings.Clone(r.Secret)
	if secret == "" && r.Match != "" && strings.HasPrefix(r.Match, "file detected: ") {
		// Path-only rules match the file itself: the path stands in.
		secret = "file:" + path
	}
	f := Finding{
		RuleID:      r.RuleID,
		Description: r.Description,
		Kind:        KindContent,
		Secret:      NewSecret(secret),
		Path:        path,
		Line:        r.StartLine,
		Column:      r.StartColumn,
		EndLine:     r.EndLine,
		EndColumn:   r.EndColumn,
	}
	if f.Line == 0 {
		f.Line, f.EndLine = 1, 1
	}
	f.Column = column(content, start, r)
	d.Classify(&f)
	return f
}

// column returns the 1-based byte column of the secret on its line. gitleaks
// reports the column of the whole match, one too far on every line but the
// first of a fragment; the line's text is searched for the secret instead.
func column(content string, startLine int, r report.Finding) int {
	col := r.StartColumn
	if r.StartLine > startLine {
		col--
	}
	line := nthLine(content, r.StartLine-startLine)
	if r.Secret != "" {
		from := max(col-1, 0)
		if from > len(line) {
			from = 0
		}
		if i := strings.Index(line[from:], r.Secret); i >= 0 {
			return from + i + 1
		}
		if i := strings.Index(line, r.Secret); i >= 0 {
			return i + 1
		}
	}
	return max(col, 1)
}

// nthLine returns line n (0-based) of s without its newline.
func nthLine(s string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Classify fills f's type, provider, family, lifetime, privilege, expiry and
// notes from the knowledge base and from what the value says about itself.
// Fields already set are kept, so structured detectors can be precise.
func (d *Detector) Classify(f *Finding) {
	Classify(d.kb, f)
}

// Classify is [Detector.Classify] with an explicit knowledge base.
func Classify(kb *rules.KB, f *Finding) {
	ct := kb.ForRule(f.RuleID)
	facts := classify.Value(f.RuleID, f.Secret.Reveal())
	if facts.Type != "" {
		if t, ok := kb.Type(facts.Type); ok {
			ct = t
		} else {
			ct.Type = facts.Type
		}
	}
	if f.Type == "" {
		f.Type = ct.Type
	}
	if f.Provider == "" {
		f.Provider = ct.Provider
	}
	if f.Family == "" {
		f.Family = ct.Family
	}
	if f.Privilege == "" {
		f.Privilege = ct.Privilege
	}
	if f.Lifetime == "" {
		f.Lifetime = ct.Lifetime
		if facts.Lifetime != "" {
			f.Lifetime = facts.Lifetime
		}
	}
	if f.ExpiresAt.IsZero() {
		f.ExpiresAt = facts.ExpiresAt
	}
	if f.IssuedAt.IsZero() {
		f.IssuedAt = facts.IssuedAt
	}
	f.Notes = append(f.Notes, facts.Notes...)
	if facts.Invalid {
		f.Invalid = true
	}
}

// SortFindings orders findings by path, line, column, rule and fingerprint.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Fingerprint() < b.Fingerprint()
	})
}

// RuleInfo describes one content rule for listings.
type RuleInfo struct {
	ID          string
	Description string
	Keywords    []string
	Regex       string
	Path        string
	Entropy     float64
	// Source is "gitleaks" for gitleaks' defaults, else where the rule was
	// defined ("rules/gitleaks/db.toml:12:1").
	Source string
}

// Rules lists the content rules in ID order.
func (d *Detector) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(d.rs.rules))
	for _, r := range d.rs.rules {
		src := r.pos
		if strings.HasPrefix(src, "gitleaks default config") {
			src = "gitleaks"
		}
		out = append(out, RuleInfo{ID: r.ID, Description: r.Description, Keywords: r.Keywords, Regex: r.Regex, Path: r.Path, Entropy: r.Entropy, Source: src})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// String describes the detector without any secret.
func (d *Detector) String() string {
	return fmt.Sprintf("detectors.Detector(%d rules)", len(d.rs.rules))
}
