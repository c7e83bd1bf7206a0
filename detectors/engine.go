package detectors

import (
	"context"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/sessionize/sessionize/detectors/internal/ac"
)

// matcher applies gitleaks rules to content with gitleaks' semantics (the
// same secret extraction, secret groups, entropy thresholds, global and rule
// allowlists, gitleaks:allow, location arithmetic and generic-rule
// de-duplication) but much less work:
//
//   - keywords are located once with one Aho-Corasick pass, and each rule's
//     regular expression runs only on the lines around its keywords' hits,
//     padded by the number of lines a match of that rule can span (rules
//     whose matches can span any number of lines, and rules without
//     keywords, run on the whole fragment);
//   - the decoding passes (base64, hex, percent, unicode) run only on lines
//     where a segment can decode to printable text, found by a byte scanner
//     that never misses a segment gitleaks' decoder would decode; there the
//     gitleaks engine itself does the decoding.
//
// gitleaks requires a rule's keyword anywhere in a fragment; the matcher
// requires it within a rule's padding of the match. gitleaks' rules have
// their keyword inside their match, so this finds the same secrets, which a
// differential test checks rule by rule.
type matcher struct {
	cfg   config.Config
	rules []*mrule
	trie  *ac.Automaton
	// stop holds each allowlist's stopwords as one automaton.
	stop     map[*config.Allowlist]*ac.Automaton
	keywords []string
	byKW     [][]int // keyword index -> rule indices
	depth    int
	// maxPad is the largest finite span of a rule, in lines.
	maxPad int
	// noKeywords lists the rules without keywords, which see every fragment.
	noKeywords []int
	scratch    sync.Pool // *hitScratch
	// gl is gitleaks' own engine, built on first use (decoding windows,
	// composite rules): its keyword automaton costs megabytes.
	glOnce sync.Once
	gl     *detect.Detector
	// fallback routes everything to gitleaks (composite rules).
	fallback bool
	// paths caches allowlist path verdicts: path regexes are costly and a
	// file's fragments repeat the same question.
	paths sync.Map // pathKey -> bool
}

type pathKey struct {
	a    *config.Allowlist
	path string
}

// pathAllowed is a.PathAllowed(p), cached.
func (m *matcher) pathAllowed(a *config.Allowlist, p string) bool {
	if p == "" || len(a.Paths) == 0 {
		return false
	}
	k := pathKey{a, p}
	if v, ok := m.paths.Load(k); ok {
		return v.(bool)
	}
	v := a.PathAllowed(p)
	m.paths.Store(k, v)
	return v
}

type mrule struct {
	rule config.Rule
	// fast is the rule's regex for matching: RE2 when the matcher uses it,
	// compiled on first use, else the rule's own Go regexp.
	fastOnce sync.Once
	fast     regex
	useRE2   bool
	// expr is the rule's regular expression ("" for path-only rules);
	// rule.Regex is nil when only RE2 compiles it.
	expr string
	// pad is how many lines a match can span beyond its keyword's line;
	// -1 when the rule must see whole fragments.
	pad int
}

func newMatcher(cfg config.Config, depth int, useRE2 bool, specOf func(id string) (pad int, expr string)) *matcher {
	m := &matcher{cfg: cfg, depth: depth}
	ids := make([]string, 0, len(cfg.Rules))
	for id, r := range cfg.Rules {
		ids = append(ids, id)
		if len(r.RequiredRules) > 0 || r.SkipReport {
			m.fallback = true
		}
	}
	sort.Strings(ids)
	kwIndex := map[string]int{}
	for i, id := range ids {
		r := cfg.Rules[id]
		pad, expr := specOf(id)
		m.rules = append(m.rules, &mrule{rule: r, pad: pad, expr: expr, useRE2: useRE2})
		m.maxPad = max(m.maxPad, m.rules[len(m.rules)-1].pad)
		if len(r.Keywords) == 0 {
			m.noKeywords = append(m.noKeywords, i)
		}
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			j, ok := kwIndex[k]
			if !ok {
				j = len(m.keywords)
				kwIndex[k] = j
				m.keywords = append(m.keywords, k)
				m.byKW = append(m.byKW, nil)
			}
			m.byKW[j] = append(m.byKW[j], i)
		}
	}
	m.trie = ac.BuildFold(m.keywords)
	m.scratch.New = func() any { return &hitScratch{hits: make([][]int, len(m.rules))} }
	m.stop = map[*config.Allowlist]*ac.Automaton{}
	addStop := func(as []*config.Allowlist) {
		for _, a := range as {
			if len(a.StopWords) > 0 {
				m.stop[a] = ac.BuildFold(a.StopWords)
			}
		}
	}
	addStop(cfg.Allowlists)
	for _, r := range cfg.Rules {
		addStop(r.Allowlists)
	}
	return m
}

// hitScratch is per-call scratch space: the keyword-hit lines of each rule
// and which rules have any.
type hitScratch struct {
	hits    [][]int
	touched []int
	order   []int
}

func (m *matcher) putScratch(sc *hitScratch) {
	for _, ri := range sc.touched {
		sc.hits[ri] = sc.hits[ri][:0]
	}
	sc.touched = sc.touched[:0]
	m.scratch.Put(sc)
}

// candidates returns, in rule order, the rules to run: those with a keyword
// hit and those without keywords.
func (m *matcher) candidates(sc *hitScratch) []int {
	sc.order = append(append(sc.order[:0], sc.touched...), m.noKeywords...)
	sort.Ints(sc.order)
	return sc.order
}

// gitleaks returns gitleaks' engine over the same configuration.
func (m *matcher) gitleaks() *detect.Detector {
	m.glOnce.Do(func() {
		m.gl = detect.NewDetectorContext(context.Background(), m.cfg)
		m.gl.MaxDecodeDepth = m.depth
	})
	return m.gl
}

// detect returns gitleaks findings for a fragment.
func (m *matcher) detect(ctx context.Context, f detect.Fragment) []report.Finding {
	if m.fallback {
		return m.gitleaks().DetectContext(ctx, f)
	}
	if m.pathOrCommitAllowed(f, m.cfg.Allowlists) {
		return nil
	}
	raw := f.Raw
	nl := newlines(raw)
	lines := len(nl) + 1
	// Lines of keyword hits, per rule: scratch space reused across calls
	// (a fresh slice per rule per fragment was most of the allocations).
	sc := m.scratch.Get().(*hitScratch)
	defer m.putScratch(sc)
	hitLines := sc.hits
	li := 0
	m.trie.WalkString(raw, func(pos, pattern int) bool {
		for li < len(nl) && nl[li] < pos {
			li++
		}
		for _, ri := range m.byKW[pattern] {
			h := hitLines[ri]
			if len(h) == 0 {
				sc.touched = append(sc.touched, ri)
			}
			if len(h) == 0 || h[len(h)-1] != li {
				hitLines[ri] = append(h, li)
			}
		}
		return true
	})
	var findings []report.Finding
	for _, i := range m.candidates(sc) {
		if ctx.Err() != nil {
			return nil
		}
		mr := m.rules[i]
		r := &mr.rule
		if m.pathOrCommitAllowed(f, r.Allowlists) {
			continue
		}
		if r.Path != nil {
			pathOK := r.Path.MatchString(f.FilePath) || (f.WindowsFilePath != "" && r.Path.MatchString(f.WindowsFilePath))
			if mr.expr == "" {
				if pathOK {
					findings = append(findings, pathFinding(f, r))
				}
				continue
			}
			if !pathOK {
				continue
			}
		}
		if mr.expr == "" {
			continue
		}
		lastEnd := 0
		for _, w := range windows(hitLines[i], mr.pad, len(r.Keywords) == 0, lines) {
			for _, c := range chunks(w, mr.pad) {
				if ctx.Err() != nil {
					return nil
				}
				start, end := lineStart(nl, c.from), lineEnd(nl, c.to, len(raw))
				limit := lineEnd(nl, c.own, len(raw))
				for _, mi := range mr.regex().FindAllStringIndex(raw[start:end], -1) {
					ms, me := mi[0]+start, mi[1]+start
					if ms >= limit {
						break // the next chunk's own lines
					}
					if ms < lastEnd {
						continue // inside a match of the previous chunk
					}
					lastEnd = me
					if fd, ok := m.finding(f, nl, mr, raw, nil, ms, me); ok {
						findings = append(findings, fd)
					}
				}
			}
		}
	}
	if m.depth > 0 {
		findings = append(findings, m.decoded(ctx, f, nl)...)
	}
	return dedupeGeneric(findings)
}

// windows returns the line ranges [from, to] (inclusive, 0-based) a rule's
// regex must see: each hit line padded, overlapping ranges merged; the whole
// fragment when the rule has no keyword or an unbounded span.
func windows(hits []int, pad int, whole bool, lines int) [][2]int {
	if whole || pad < 0 {
		return [][2]int{{0, lines - 1}}
	}
	var out [][2]int
	for _, h := range hits {
		from, to := max(h-pad, 0), min(h+pad, lines-1)
		if n := len(out); n > 0 && from <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], to)
			continue
		}
		out = append(out, [2]int{from, to})
	}
	return out
}

// chunkLines is the size of the pieces a long window is matched in, so that
// cancellation is noticed between pieces and no single regular-expression
// run is long.
const chunkLines = 256

// chunk is a piece of a window: lines from..to are matched, and matches
// starting on lines from..own are kept (the rest overlap into the next
// piece, which finds them).
type chunk struct{ from, own, to int }

// chunks splits window w of a rule whose matches span at most pad lines
// (-1: unbounded, never split).
func chunks(w [2]int, pad int) []chunk {
	if pad < 0 || w[1]-w[0]+1 <= chunkLines+pad {
		return []chunk{{w[0], w[1], w[1]}}
	}
	var out []chunk
	for from := w[0]; from <= w[1]; from += chunkLines {
		own := min(from+chunkLines-1, w[1])
		out = append(out, chunk{from, own, min(own+pad, w[1])})
	}
	return out
}

// newlines returns the offsets of every '\n' in s.
func newlines(s string) []int {
	var out []int
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return out
		}
		out = append(out, i+j)
		i += j + 1
	}
}

// lineStart is the offset where line l (0-based) starts.
func lineStart(nl []int, l int) int {
	if l == 0 {
		return 0
	}
	return nl[l-1] + 1
}

// lineEnd is the offset just after line l's newline (or the end).
func lineEnd(nl []int, l, n int) int {
	if l < len(nl) {
		return nl[l] + 1
	}
	return n
}

func lowerASCII(s string) []byte {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return b
}

// finding applies gitleaks' per-match logic (detect.(*Detector).detectRule,
// v8.30.1) to the match current[start:end]: current is the fragment's text
// (nl its newlines) in the plain pass, its decoded text in decoding passes,
// where segs are the decoded segments.
func (m *matcher) finding(f detect.Fragment, nl []int, mr *mrule, current string, segs []*codec.EncodedSegment, start, end int) (report.Finding, bool) {
	r := &mr.rule
	raw := f.Raw
	secret := strings.Trim(current[start:end], "\n")
	tags := r.Tags
	currentLine := ""
	if len(segs) > 0 {
		overlap := codec.SegmentsWithDecodedOverlap(segs, start, end)
		if len(overlap) == 0 {
			return report.Finding{}, false // found by an earlier pass
		}
		adj := codec.AdjustMatchIndex(overlap, []int{start, end})
		start, end = adj[0], adj[1]
		tags = append(append([]string{}, r.Tags...), codec.Tags(overlap)...)
		currentLine = codec.CurrentLine(overlap, current)
	} else {
		end = start + len(secret)
	}
	loc := locate(nl, raw, start, end)
	if end > loc.endLineIndex {
		loc.endLineIndex = end
	}
	fd := report.Finding{
		Commit:      f.CommitSHA,
		RuleID:      r.RuleID,
		Description: r.Description,
		StartLine:   f.StartLine + loc.startLine,
		EndLine:     f.StartLine + loc.endLine,
		StartColumn: loc.startColumn,
		EndColumn:   loc.endColumn,
		Line:        raw[loc.startLineIndex:loc.endLineIndex],
		Match:       secret,
		Secret:      secret,
		File:        f.FilePath,
		SymlinkFile: f.SymlinkFile,
		Tags:        tags,
	}
	if strings.Contains(fd.Line, "gitleaks:allow") {
		return fd, false
	}
	if currentLine == "" {
		currentLine = fd.Line
	}
	if groups := mr.regex().FindStringSubmatch(fd.Secret); len(groups) >= 2 {
		if r.SecretGroup > 0 {
			if len(groups) <= r.SecretGroup {
				return fd, false
			}
			fd.Secret = groups[r.SecretGroup]
		} else {
			for _, s := range groups[1:] {
				if len(s) > 0 {
					fd.Secret = s
					break
				}
			}
		}
	}
	entropy := shannonEntropy(fd.Secret)
	fd.Entropy = float32(entropy)
	if r.Entropy != 0 && entropy <= r.Entropy {
		return fd, false
	}
	if m.findingAllowed(fd, f, currentLine, m.cfg.Allowlists) || m.findingAllowed(fd, f, currentLine, r.Allowlists) {
		return fd, false
	}
	return fd, true
}

func pathFinding(f detect.Fragment, r *config.Rule) report.Finding {
	return report.Finding{
		Commit: f.CommitSHA, RuleID: r.RuleID, Description: r.Description, File: f.FilePath,
		SymlinkFile: f.SymlinkFile, Match: "file detected: " + f.FilePath, Tags: r.Tags,
	}
}

type location struct {
	startLine, endLine, startColumn, endColumn int
	startLineIndex, endLineIndex               int
}

// locate is gitleaks' location(): line numbers are 0-based indexes of the
// newline that ends the line, columns 1-based from the previous newline.
func locate(nl []int, raw string, start, end int) location {
	var loc location
	prev, lineSet, last := 0, false, 0
	idx := nl
	if len(idx) == 0 {
		idx = []int{len(raw)}
	}
	for lineNum, nlAt := range idx {
		last = lineNum
		if prev <= start && start < nlAt {
			lineSet = true
			loc.startLine, loc.endLine = lineNum, lineNum
			loc.startColumn = start - prev + 1
			loc.startLineIndex, loc.endLineIndex = prev, nlAt
		}
		if prev < end && end <= nlAt {
			loc.endLine = lineNum
			loc.endColumn = end - prev
			loc.endLineIndex = nlAt
		}
		prev = nlAt
	}
	if !lineSet {
		loc.startColumn = start - prev + 1
		loc.endColumn = end - prev
		loc.startLine, loc.endLine = last+1, last+1
		i := 0
		for end+i < len(raw) && raw[end+i] != '\n' && raw[end+i] != '\r' {
			i++
		}
		loc.endLineIndex = end + i
	}
	return loc
}

func shannonEntropy(data string) float64 {
	if data == "" {
		return 0
	}
	counts := map[rune]int{}
	for _, c := range data {
		counts[c]++
	}
	inv := 1.0 / float64(len(data))
	var e float64
	for _, n := range counts {
		freq := float64(n) * inv
		e -= freq * math.Log2(freq)
	}
	return e
}

// pathOrCommitAllowed is gitleaks' checkCommitOrPathAllowed.
func (m *matcher) pathOrCommitAllowed(f detect.Fragment, allowlists []*config.Allowlist) bool {
	if f.FilePath == "" && f.CommitSHA == "" {
		return false
	}
	for _, a := range allowlists {
		commitOK, _ := a.CommitAllowed(f.CommitSHA)
		pathOK := m.pathAllowed(a, f.FilePath) || m.pathAllowed(a, f.WindowsFilePath)
		if a.MatchCondition == config.AllowlistMatchAnd {
			if len(a.Regexes) > 0 || len(a.StopWords) > 0 {
				continue
			}
			checks := []bool{}
			if len(a.Commits) > 0 {
				checks = append(checks, commitOK)
			}
			if len(a.Paths) > 0 {
				checks = append(checks, pathOK)
			}
			if allTrue(checks) {
				return true
			}
			continue
		}
		if commitOK || pathOK {
			return true
		}
	}
	return false
}

// findingAllowed is gitleaks' checkFindingAllowed.
func (m *matcher) findingAllowed(fd report.Finding, f detect.Fragment, line string, allowlists []*config.Allowlist) bool {
	for _, a := range allowlists {
		target := fd.Secret
		switch a.RegexTarget {
		case "match":
			target = fd.Match
		case "line":
			target = line
		}
		regexOK := a.RegexAllowed(target)
		stop := false
		if sw := m.stop[a]; sw != nil {
			stop = sw.Any(fd.Secret)
		}
		if a.MatchCondition == config.AllowlistMatchAnd {
			var checks []bool
			if len(a.Commits) > 0 {
				ok, _ := a.CommitAllowed(f.CommitSHA)
				checks = append(checks, ok)
			}
			if len(a.Paths) > 0 {
				checks = append(checks, m.pathAllowed(a, f.FilePath) || m.pathAllowed(a, f.WindowsFilePath))
			}
			if len(a.Regexes) > 0 {
				checks = append(checks, regexOK)
			}
			if len(a.StopWords) > 0 {
				checks = append(checks, stop)
			}
			if allTrue(checks) {
				return true
			}
			continue
		}
		if regexOK || stop {
			return true
		}
	}
	return false
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
}

// dedupeGeneric is gitleaks' filter(): a generic rule's finding gives way to
// another rule's finding on the same line that contains its secret.
func dedupeGeneric(fs []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		keep := true
		if strings.Contains(strings.ToLower(f.RuleID), "generic") {
			for _, g := range fs {
				if f.StartLine == g.StartLine && f.Commit == g.Commit && f.RuleID != g.RuleID &&
					strings.Contains(g.Secret, f.Secret) && !strings.Contains(strings.ToLower(g.RuleID), "generic") {
					keep = false
					break
				}
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
