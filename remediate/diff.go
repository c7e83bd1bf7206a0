package remediate

import (
	"fmt"
	"strings"
)

// The line diff is a small Myers diff written here rather than a
// dependency: the edits are small (Myers is O((N+M)·D) after trimming the
// common head and tail), and writing it keeps control of CRLF lines and
// of the "\ No newline at end of file" markers that git apply expects.

// UnifiedDiff renders the change as a unified diff (3 lines of context)
// with a/ and b/ paths, as git diff does; empty when nothing changes.
// Lines keep their carriage returns, so the patch applies to CRLF files.
func (c *Change) UnifiedDiff() string {
	return unifiedDiff("a/"+c.Path, "b/"+c.Path, c.Before, c.After, 3)
}

type diffOp struct {
	kind byte // ' ', '-', '+'
	a, b int  // line indexes in before (for ' ' and '-') and after (for ' ' and '+')
}

// splitLines splits content into lines that keep their "\n"; a last line
// without one is kept as is.
func splitLines(s []byte) []string {
	if len(s) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(s), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines returns the edit script from a to b.
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := range pre {
		ops = append(ops, diffOp{' ', i, i})
	}
	for _, op := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		op.a += pre
		op.b += pre
		ops = append(ops, op)
	}
	for i := range suf {
		ops = append(ops, diffOp{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// myers computes a shortest edit script (Myers 1986, with the trace kept
// to walk back).
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	maxD := n + m
	if maxD == 0 {
		return nil
	}
	off := maxD
	v := make([]int, 2*maxD+2)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, a, b, off, d)
			}
		}
	}
	return nil
}

func backtrack(trace [][]int, a, b []string, off, d int) []diffOp {
	x, y := len(a), len(b)
	var rev []diffOp
	for ; d > 0; d-- {
		v := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := v[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', x, y})
		}
		if x == px {
			y--
			rev = append(rev, diffOp{'+', x, y})
		} else {
			x--
			rev = append(rev, diffOp{'-', x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', x, y})
	}
	ops := make([]diffOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}

// removedLines returns the 1-based lines of before that the change to
// after deletes or rewrites.
func removedLines(before, after []byte) map[int]bool {
	out := map[int]bool{}
	for _, op := range diffLines(splitLines(before), splitLines(after)) {
		if op.kind == '-' {
			out[op.a+1] = true
		}
	}
	return out
}

func unifiedDiff(nameA, nameB string, before, after []byte, context int) string {
	a, b := splitLines(before), splitLines(after)
	ops := diffLines(a, b)
	var changes []int
	for i, op := range ops {
		if op.kind != ' ' {
			changes = append(changes, i)
		}
	}
	if len(changes) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for i := 0; i < len(changes); {
		start := max(changes[i]-context, 0)
		end := changes[i]
		j := i
		for j < len(changes) && changes[j]-end <= 2*context {
			end = changes[j]
			j++
		}
		end = min(end+context, len(ops)-1)
		writeHunk(&out, ops[start:end+1], a, b)
		i = j
	}
	return out.String()
}

func writeHunk(out *strings.Builder, ops []diffOp, a, b []string) {
	aStart, bStart, aN, bN := -1, -1, 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			if aStart < 0 {
				aStart = op.a
			}
			aN++
		}
		if op.kind != '-' {
			if bStart < 0 {
				bStart = op.b
			}
			bN++
		}
	}
	if aStart < 0 {
		aStart = ops[0].a
	}
	if bStart < 0 {
		bStart = ops[0].b
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aN), hunkRange(bStart, bN))
	for _, op := range ops {
		var line string
		switch op.kind {
		case '+':
			line = b[op.b]
		default:
			line = a[op.a]
		}
		out.WriteByte(op.kind)
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
