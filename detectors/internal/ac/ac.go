// Package ac is a compact Aho-Corasick automaton over bytes: it finds every
// occurrence of a set of keywords in one pass. Bytes are mapped to classes
// (the distinct bytes of the keywords plus one class for every other byte),
// so the transition table is states x classes instead of states x 256; for
// gitleaks' few hundred keywords it takes a few hundred kilobytes.
package ac

// Automaton matches a fixed set of patterns. It is immutable once built and
// safe for concurrent use.
type Automaton struct {
	class   [256]uint8
	classes int
	next    []int32 // state*classes + class -> state
	out     [][]int32
	lens    []int
}

// Build compiles the patterns, compared byte for byte. Empty patterns are
// ignored.
func Build(patterns []string) *Automaton { return build(patterns, false) }

// BuildFold compiles lowercase patterns that match regardless of ASCII case:
// an upper-case letter of the text takes the class of its lower-case form,
// so no lowered copy of the text is needed.
func BuildFold(patterns []string) *Automaton { return build(patterns, true) }

func build(patterns []string, fold bool) *Automaton {
	a := &Automaton{lens: make([]int, len(patterns))}
	for i, p := range patterns {
		a.lens[i] = len(p)
	}
	// Byte classes: 0 for bytes in no pattern.
	n := 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if fold && 'A' <= p[i] && p[i] <= 'Z' {
				continue // never reached: patterns are lowercase
			}
			if a.class[p[i]] == 0 {
				a.class[p[i]] = uint8(n)
				n++
			}
		}
	}
	if n > 256 {
		n = 256
	}
	if fold {
		for c := 'A'; c <= 'Z'; c++ {
			a.class[c] = a.class[c+'a'-'A']
		}
	}
	a.classes = n
	// Trie.
	goTo := [][]int32{make([]int32, n)}
	out := [][]int32{nil}
	for i, p := range patterns {
		if p == "" {
			continue
		}
		s := int32(0)
		for j := 0; j < len(p); j++ {
			c := a.class[p[j]]
			if goTo[s][c] == 0 {
				goTo = append(goTo, make([]int32, n))
				out = append(out, nil)
				goTo[s][c] = int32(len(goTo) - 1) //nolint:gosec // G115: states <= total keyword bytes, far below 2^31
			}
			s = goTo[s][c]
		}
		out[s] = append(out[s], int32(i))
	}
	// Failure links, breadth first, folded into a full transition table.
	fail := make([]int32, len(goTo))
	queue := make([]int32, 0, len(goTo))
	for c := 0; c < n; c++ {
		if t := goTo[0][c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(out[s], out[fail[s]]...)
		for c := 0; c < n; c++ {
			t := goTo[s][c]
			if t == 0 {
				goTo[s][c] = goTo[fail[s]][c]
				continue
			}
			fail[t] = goTo[fail[s]][c]
			queue = append(queue, t)
		}
	}
	a.next = make([]int32, 0, len(goTo)*n)
	for _, row := range goTo {
		a.next = append(a.next, row...)
	}
	a.out = out
	return a
}

// Any reports whether any pattern occurs in text.
func (a *Automaton) Any(text string) bool {
	s := int32(0)
	n := int32(a.classes) //nolint:gosec // G115: at most 257 byte classes
	for i := 0; i < len(text); i++ {
		s = a.next[s*n+int32(a.class[text[i]])]
		if len(a.out[s]) > 0 {
			return true
		}
	}
	return false
}

// WalkString is Walk over a string.
func (a *Automaton) WalkString(text string, fn func(start, pattern int) bool) {
	s := int32(0)
	n := int32(a.classes) //nolint:gosec // G115: at most 257 byte classes
	for i := 0; i < len(text); i++ {
		s = a.next[s*n+int32(a.class[text[i]])]
		for _, p := range a.out[s] {
			if !fn(i+1-a.lens[p], int(p)) {
				return
			}
		}
	}
}

// Walk calls fn for every occurrence of every pattern in text, in order of
// the occurrence's end, with the offset where it starts and the pattern's
// index. fn returns false to stop.
func (a *Automaton) Walk(text []byte, fn func(start, pattern int) bool) {
	s := int32(0)
	n := int32(a.classes) //nolint:gosec // G115: at most 257 byte classes
	for i := 0; i < len(text); i++ {
		s = a.next[s*n+int32(a.class[text[i]])]
		for _, p := range a.out[s] {
			if !fn(i+1-a.lens[p], int(p)) {
				return
			}
		}
	}
}

// Bytes reports the memory the transition table takes.
func (a *Automaton) Bytes() int { return 4 * len(a.next) }
