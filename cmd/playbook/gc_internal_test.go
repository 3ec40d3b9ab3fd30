package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// These tests change the process's collector settings: not parallel.

func TestTuneGCLeavesTheEnvironmentsSettings(t *testing.T) {
	restore := tuneGC("50", "")
	defer restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d with GOGC set, want none", got)
	}
}

func TestGCLimitIsLiftedWhenTheLiveHeapNearsIt(t *testing.T) {
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)

	restore := limitGC(1<<20, 300)
	defer restore()
	if got := debug.SetMemoryLimit(-1); got != 1<<20 {
		t.Fatalf("memory limit %d, want %d", got, 1<<20)
	}
	live := make([]byte, 4<<20) // more than half the limit, live
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the limit stayed with twice its size live")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	runtime.KeepAlive(live)
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("GC percent %d after the limit was lifted, want %d", got, before)
	}
}

func TestGCSettingsComeBackAfterABuild(t *testing.T) {
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	restore := limitGC(1<<30, 300)
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d after restore, want none", got)
	}
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("GC percent %d after restore, want %d", got, before)
	}
}
