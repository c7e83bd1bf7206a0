package detectors

import (
	mathbits "math/bits"
	"strings"

	"github.com/zricethezav/gitleaks/v8/detect/codec"
)

// Restrict returns a Detector that compiles only the rules the given content
// can trigger: rules without keywords, and rules with a keyword (in any
// ASCII case) in the content or in what its encoded segments decode to, as
// the decoding passes of [Detector.Detect] see them (base64, hex, percent and
// unicode segments, decoded recursively up to the detector's decoding depth
// with gitleaks' own decoder, on the lines where a segment may decode). It
// is how a pre-commit hook stays fast: the regular expressions of rules that
// cannot match are never compiled.
//
// The rules are chosen when Restrict is called, in one pass over the
// content; the content is not retained. Restricting a restricted detector
// (or a [Detector.MultiLine] one) keeps only the rules both keep. The
// returned Detector shares the rule set, and the compiled global
// allowlists, with d.
func (d *Detector) Restrict(content ...[]byte) *Detector {
	idx := d.rs.keywordIndex()
	present := make([]bool, len(idx.words))
	for _, c := range content {
		text := string(c)
		idx.mark(text, d.reference, present)
		if d.depth > 0 {
			idx.markDecoded(text, d.depth, d.reference, present)
		}
	}
	kept := make(map[*ruleSpec]bool, len(d.rs.rules))
	for i, r := range d.rs.rules {
		if !idx.anyPresent(i, present) {
			continue
		}
		if d.keep != nil && !d.keep(r) {
			continue
		}
		kept[r] = true
	}
	return d.derive(func(r *ruleSpec) bool { return kept[r] })
}

// keywordIndex finds the keywords of every rule of a rule set in one pass,
// in ASCII case, as the engine's keyword automaton does. It is built for
// one Restrict in a short-lived process, so it is cheap to build rather
// than fastest to run: keywords are indexed by their first two bytes (a bit
// set of those pairs, then the keywords of each), where an Aho-Corasick
// automaton over gitleaks' 300-odd keywords takes a millisecond and a
// third of a megabyte to build. Restrict reads a pre-commit change once;
// the engine, which reads everything else, builds an automaton of its
// own over the rules it keeps.
type keywordIndex struct {
	words []string // lowercase, distinct
	// pairs has bit p set for the first two bytes p (lowercase, big
	// endian) of some keyword. byPair lists the keywords of each pair in
	// pairs' order: pair p's are byPair[rank(p)], where rank counts the
	// bits below p (before[p/64] of them in the words before p's).
	pairs  [1 << 16 / 64]uint64
	before [1 << 16 / 64]uint16
	byPair [][]int
	// single lists the one-byte keywords.
	single []int
	// byRule lists, per rule of the rule set (same order), the indexes of
	// its keywords in words; nil for a rule without keywords.
	byRule [][]int
}

// keywordIndex returns the rule set's keyword index, built on first use.
func (rs *ruleSet) keywordIndex() *keywordIndex {
	rs.kwOnce.Do(func() { rs.kw = newKeywordIndex(rs.rules) })
	return rs.kw
}

func newKeywordIndex(rules []*ruleSpec) *keywordIndex {
	idx := &keywordIndex{byRule: make([][]int, len(rules))}
	at := map[string]int{}
	byPair := map[uint16][]int{}
	for i, r := range rules {
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if k == "" {
				continue // gitleaks' automaton ignores it too
			}
			j, ok := at[k]
			if !ok {
				j = len(idx.words)
				at[k] = j
				idx.words = append(idx.words, k)
				if len(k) == 1 {
					idx.single = append(idx.single, j)
				} else {
					p := pairOf(k[0], k[1])
					idx.pairs[p/64] |= 1 << (p % 64)
					byPair[p] = append(byPair[p], j)
				}
			}
			idx.byRule[i] = append(idx.byRule[i], j)
		}
	}
	n := 0
	for w, bits := range idx.pairs {
		idx.before[w] = uint16(n)
		for ; bits != 0; bits &= bits - 1 {
			p := uint16(w*64 + mathbits.TrailingZeros64(bits)) //nolint:gosec // G115: w < 1024, so p < 1<<16
			idx.byPair = append(idx.byPair, byPair[p])
			n++
		}
	}
	return idx
}

// keywords returns the keywords whose first two bytes are p, nil for none.
func (idx *keywordIndex) keywords(p uint16) []int {
	w, bit := p/64, p%64
	if idx.pairs[w]&(1<<bit) == 0 {
		return nil
	}
	rank := int(idx.before[w]) + mathbits.OnesCount64(idx.pairs[w]&(1<<bit-1))
	return idx.byPair[rank]
}

// pairOf is the index of two bytes, lowercased, in keywordIndex.pairs.
func pairOf(a, b byte) uint16 { return uint16(lowerByte(a))<<8 | uint16(lowerByte(b)) }

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// mark sets present[k] for every keyword k that occurs in text. With lower,
// text is searched as strings.ToLower makes it, as gitleaks' engine does: a
// few non-ASCII letters turn into ASCII ones there (the Kelvin sign into
// "k").
func (idx *keywordIndex) mark(text string, lower bool, present []bool) {
	if lower {
		text = strings.ToLower(text)
	}
	for _, k := range idx.single {
		if !present[k] && indexFold(text, idx.words[k][0]) {
			present[k] = true
		}
	}
	for i := 0; i+1 < len(text); i++ {
		for _, k := range idx.keywords(pairOf(text[i], text[i+1])) {
			if !present[k] && hasPrefixFold(text[i:], idx.words[k]) {
				present[k] = true
			}
		}
	}
}

// hasPrefixFold reports whether s starts with the lowercase prefix in ASCII
// case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerByte(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// indexFold reports whether s holds the lowercase byte c in ASCII case.
func indexFold(s string, c byte) bool {
	if strings.IndexByte(s, c) >= 0 {
		return true
	}
	return 'a' <= c && c <= 'z' && strings.IndexByte(s, c-('a'-'A')) >= 0
}

// markDecoded marks the keywords of what text decodes to. Each maximal run
// of consecutive lines on which [mayDecode] finds a segment is decoded as the
// engine's decoding passes decode it, up to depth times, and searched after
// every pass. A run is decoded whole because a unicode segment ("U+0061
// U+0070 ...") may continue over line breaks; a segment never continues
// into a line without one, so that lines outside the runs decode to
// themselves, which mark has already searched. lower is mark's.
func (idx *keywordIndex) markDecoded(text string, depth int, lower bool, present []bool) {
	for start := 0; start < len(text); {
		end := lineEndAt(text, start)
		if !mayDecode(text[start:end]) {
			start = end
			continue
		}
		runEnd := end
		for runEnd < len(text) {
			next := lineEndAt(text, runEnd)
			if !mayDecode(text[runEnd:next]) {
				break
			}
			runEnd = next
		}
		idx.decodeAndMark(text[start:runEnd], depth, lower, present)
		start = runEnd
	}
}

// decodeAndMark runs gitleaks' decoder over s up to depth times, marking
// the keywords of each pass's result.
func (idx *keywordIndex) decodeAndMark(s string, depth int, lower bool, present []bool) {
	decoder := codec.NewDecoder()
	var segs []*codec.EncodedSegment
	for range depth {
		s, segs = decoder.Decode(s, segs)
		if len(segs) == 0 {
			return
		}
		idx.mark(s, lower, present)
	}
}

// anyPresent reports whether rule i of the rule set has no keywords or one
// that present marks.
func (idx *keywordIndex) anyPresent(i int, present []bool) bool {
	ks := idx.byRule[i]
	if len(ks) == 0 {
		return true
	}
	for _, k := range ks {
		if present[k] {
			return true
		}
	}
	return false
}

// lineEndAt returns the offset just after the newline ending the line that
// starts at start (or the end of s).
func lineEndAt(s string, start int) int {
	if i := strings.IndexByte(s[start:], '\n'); i >= 0 {
		return start + i + 1
	}
	return len(s)
}
