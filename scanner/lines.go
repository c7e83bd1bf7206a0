package scanner

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"
	"unsafe"

	"github.com/sessionize/sessionize/detectors"
)

// unsafeString views b as a string without copying. Content is never
// modified after it is read, and findings copy what they keep.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: zero-copy view, see the doc comment
}

// lineSeed keys the line hashes of one process; hashes never leave it.
var lineSeed = maphash.MakeSeed()

// lines is content split into lines: line i spans content[starts[i]:ends(i)]
// without its newline, and hashes[i] is the hash of that text.
type lines struct {
	content []byte
	starts  []int
	hashes  []uint64
}

func splitLines(content []byte) lines {
	n := bytes.Count(content, []byte{'\n'}) + 1
	l := lines{content: content, starts: make([]int, 0, n), hashes: make([]uint64, 0, n)}
	for off := 0; off <= len(content); {
		end := bytes.IndexByte(content[off:], '\n')
		if end < 0 {
			end = len(content) - off
		}
		if off == len(content) && len(l.starts) > 0 {
			break // a final newline does not open a new line
		}
		l.starts = append(l.starts, off)
		l.hashes = append(l.hashes, maphash.Bytes(lineSeed, content[off:off+end]))
		off += end + 1
	}
	return l
}

// text returns lines [from, to) including their newlines.
func (l *lines) text(from, to int) []byte {
	end := len(l.content)
	if to < len(l.starts) {
		end = l.starts[to]
	}
	return l.content[l.starts[from]:end]
}

// engine matches content, either whole or only the lines a line memory has
// not seen, and remembers where secrets were so that a line seen before is
// matched by lookup instead of by the rules.
type engine struct {
	det *detectors.Detector
	// ml holds the rules that match across lines; nil when there is none.
	ml *detectors.Detector
}

func newEngine(det *detectors.Detector) *engine {
	e := &engine{det: det}
	if ml, ok := det.MultiLine(); ok {
		e.ml = ml
	}
	return e
}

// detectWhole matches the rules against the whole content.
func (e *engine) detectWhole(ctx context.Context, path, commit string, content []byte) ([]detectors.Finding, error) {
	return e.det.Detect(ctx, detectors.Fragment{Path: path, Content: unsafeString(content), StartLine: 1, Commit: commit})
}

// detectNew matches the rules against each run of consecutive new lines,
// and the multi-line rules against the whole content when it has a new line
// and one of their keywords, keeping what touches a new line.
func (e *engine) detectNew(ctx context.Context, path, commit string, l *lines, isNew []bool) ([]detectors.Finding, error) {
	var out []detectors.Finding
	anyNew := false
	for i := 0; i < len(isNew); {
		if !isNew[i] {
			i++
			continue
		}
		j := i
		for j < len(isNew) && isNew[j] {
			j++
		}
		anyNew = true
		fs, err := e.det.Detect(ctx, detectors.Fragment{Path: path, Content: unsafeString(l.text(i, j)), StartLine: i + 1, Commit: commit})
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
		i = j
	}
	if !anyNew || e.ml == nil {
		return out, nil
	}
	if !e.ml.MayMatch(unsafeString(l.content)) {
		return out, nil
	}
	fs, err := e.ml.Detect(ctx, detectors.Fragment{Path: path, Content: unsafeString(l.content), StartLine: 1, Commit: commit})
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if touchesNew(f, isNew) && !hasFinding(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

func touchesNew(f detectors.Finding, isNew []bool) bool {
	for ln := f.Line; ln <= max(f.EndLine, f.Line) && ln-1 < len(isNew); ln++ {
		if ln >= 1 && isNew[ln-1] {
			return true
		}
	}
	return false
}

func hasFinding(fs []detectors.Finding, f detectors.Finding) bool {
	for _, g := range fs {
		if g.RuleID == f.RuleID && g.Line == f.Line && g.Column == f.Column && g.Secret == f.Secret {
			return true
		}
	}
	return false
}

// knownSecret is a finding remembered by the hash of its first line, with
// the hashes of its further lines for multi-line matches.
type knownSecret struct {
	f    detectors.Finding
	more []uint64
}

// memory remembers every line seen and where secrets were found. Writes
// happen from one goroutine; reads happen after writing ended.
type memory struct {
	mu      sync.Mutex
	secrets map[uint64][]knownSecret
}

func newMemory() *memory { return &memory{secrets: map[uint64][]knownSecret{}} }

// record remembers f, found in content split as l.
func (m *memory) record(f detectors.Finding, l *lines) {
	first := f.Line - 1
	last := max(f.EndLine, f.Line) - 1
	if first < 0 || last >= len(l.hashes) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := l.hashes[first]
	for _, k := range m.secrets[h] {
		if k.f.RuleID == f.RuleID && k.f.Secret == f.Secret && k.f.Column == f.Column {
			return
		}
	}
	m.secrets[h] = append(m.secrets[h], knownSecret{f: f, more: append([]uint64(nil), l.hashes[first+1:last+1]...)})
}

// lookup returns the remembered findings whose lines are line i of l and
// the lines after it, relocated to path.
func (m *memory) lookup(l *lines, i int, path string) []detectors.Finding {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []detectors.Finding
	for _, k := range m.secrets[l.hashes[i]] {
		if i+len(k.more) >= len(l.hashes) {
			continue
		}
		ok := true
		for j, h := range k.more {
			if l.hashes[i+1+j] != h {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		f := k.f
		f.Path = path
		span := max(f.EndLine, f.Line) - f.Line
		f.Line = i + 1
		f.EndLine = f.Line + span
		out = append(out, f)
	}
	return out
}
