package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A one-off build allocates about ten times what it ever holds (10,000
// pages: 1.5 GB allocated, at most 120 MB live, most of it the sources,
// which hold no pointers). With the default GOGC=100 the collector runs
// each time the heap doubles, 27 times, marking the same pages again and
// again. Letting the heap grow to a memory limit instead runs it 18 times
// (about 5% of a build's CPU) with the same peak RSS.
//
// A limit pays only while the live heap is well below it: near it, the
// collector runs back to back. So once a cycle finds more than half the
// limit live (a site several times larger), the defaults come back and
// the heap grows with the site as it would have.
const (
	buildMemoryLimit = 256 << 20
	buildGCPercent   = 300
)

// tuneGC sets the collector for a one-off build or check and returns what
// restores the settings before it. gogc and gomemlimit are the
// environment's GOGC and GOMEMLIMIT: a setting there wins.
func tuneGC(gogc, gomemlimit string) (restore func()) {
	if gogc != "" || gomemlimit != "" {
		return func() {}
	}
	return limitGC(buildMemoryLimit, buildGCPercent)
}

// limitGC sets the GC percent and memory limit until a cycle finds more
// than half the limit live, or until restore.
func limitGC(limit int64, percent int) (restore func()) {
	prevPercent := debug.SetGCPercent(percent)
	prevLimit := debug.SetMemoryLimit(limit)
	var done atomic.Bool
	back := func() {
		if done.CompareAndSwap(false, true) {
			debug.SetGCPercent(prevPercent)
			debug.SetMemoryLimit(prevLimit)
		}
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var watch func(struct{})
	arm := func() {
		// A cleanup runs after the cycle that found its object
		// unreachable: a look at the live heap once per cycle. The object
		// is large enough to stay out of the tiny allocator.
		runtime.AddCleanup(new([32]byte), watch, struct{}{})
	}
	watch = func(struct{}) {
		if done.Load() {
			return
		}
		metrics.Read(live)
		if live[0].Value.Kind() == metrics.KindUint64 && live[0].Value.Uint64() > uint64(limit/2) {
			back()
			return
		}
		arm()
	}
	arm()
	return back
}
