package scanner

import (
	"container/heap"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitInfo is what the history scan keeps of a commit.
type commitInfo struct {
	hash    plumbing.Hash
	parents []plumbing.Hash
	tree    plumbing.Hash
	author  string
	when    time.Time
	// order is the commit's position in the scan: parents before children,
	// earlier commits first.
	order int
}

// order sorts the commits topologically, parents first, and among commits
// whose parents are done the earliest (author date, then hash) first, and
// numbers them.
func order(byHash map[plumbing.Hash]*commitInfo) []*commitInfo {
	pending := map[plumbing.Hash]int{}
	children := map[plumbing.Hash][]*commitInfo{}
	ready := &commitHeap{}
	for _, c := range byHash {
		n := 0
		for _, p := range c.parents {
			if _, ok := byHash[p]; ok {
				n++
				children[p] = append(children[p], c)
			}
		}
		pending[c.hash] = n
		if n == 0 {
			heap.Push(ready, c)
		}
	}
	out := make([]*commitInfo, 0, len(byHash))
	for ready.Len() > 0 {
		c := heap.Pop(ready).(*commitInfo)
		c.order = len(out)
		out = append(out, c)
		for _, ch := range children[c.hash] {
			pending[ch.hash]--
			if pending[ch.hash] == 0 {
				heap.Push(ready, ch)
			}
		}
	}
	return out
}

type commitHeap []*commitInfo

func (q commitHeap) Len() int { return len(q) }
func (q commitHeap) Less(i, j int) bool {
	if !q[i].when.Equal(q[j].when) {
		return q[i].when.Before(q[j].when)
	}
	return q[i].hash.String() < q[j].hash.String()
}
func (q commitHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitHeap) Push(x any)   { *q = append(*q, x.(*commitInfo)) }
func (q *commitHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
