package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// memoryFloor is the soft memory limit while the live heap is small.
const memoryFloor = 32 << 20

// governMemory keeps the Go heap compact while it is small and lets it grow
// as GOGC=100 would once it is not: it sets a soft memory limit of
// memoryFloor and, every 50 ms, raises it to twice the live heap whenever
// the heap has outgrown it. A scan's live data is small next to what it
// allocates (blobs, fragments), so the limit keeps peak memory low without
// collecting continuously; a large history raises it. GOGC or GOMEMLIMIT in
// the environment leave the runtime alone. The returned function stops it.
func governMemory(getenv func(string) string) func() {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := int64(memoryFloor)
	debug.SetMemoryLimit(limit)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			live := int64(min(sample[0].Value.Uint64(), 1<<62)) // a heap, never near 2^63
			if 2*live > limit {
				limit = 2 * live
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
