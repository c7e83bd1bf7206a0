package remediate

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/rhysd/actionlint"
)

// lintMu serialises actionlint: NewLinter writes a package-level flag of
// its colour library, which concurrent callers would race on.
var lintMu sync.Mutex

var lintPos = regexp.MustCompile(`line:\s*\d+,\s*col:\s*\d+|line \d+|:\d+:\d+`)

// lintWorkflow returns actionlint's errors for a workflow as "kind:
// message" strings without positions (which move with the edit).
// Shellcheck and pyflakes are not run; nothing is read from disk.
func lintWorkflow(content []byte) ([]string, error) {
	lintMu.Lock()
	defer lintMu.Unlock()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Color: actionlint.ColorOptionKindNever})
	if err != nil {
		return nil, fmt.Errorf("start actionlint: %w", err)
	}
	errs, err := l.Lint("<stdin>", content, nil)
	if err != nil {
		return nil, fmt.Errorf("lint workflow: %w", err)
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Kind+": "+lintPos.ReplaceAllString(e.Message, "#"))
	}
	sort.Strings(out)
	return out, nil
}

// lintable rewrites the pins sessionize inserts to their major tags, whose
// inputs actionlint knows, so that the inserted steps' inputs are checked.
func lintable(content []byte) []byte {
	s := string(content)
	for action, p := range pins {
		s = strings.ReplaceAll(s, action+"@"+p.sha, pinnedMajor(action))
	}
	return []byte(s)
}

// newLintErrors returns the actionlint errors after has that before did
// not (as a multiset).
func newLintErrors(before, after []byte) ([]string, error) {
	b, err := lintWorkflow(before)
	if err != nil {
		return nil, err
	}
	a, err := lintWorkflow(lintable(after))
	if err != nil {
		return nil, err
	}
	return added(b, a), nil
}

// added returns the messages of after that before does not have, counted
// as a multiset: a rewrite may keep the errors a file had, not add one.
func added(before, after []string) []string {
	count := map[string]int{}
	for _, e := range before {
		count[e]++
	}
	var out []string
	for _, e := range after {
		if count[e] > 0 {
			count[e]--
			continue
		}
		out = append(out, e)
	}
	return out
}
