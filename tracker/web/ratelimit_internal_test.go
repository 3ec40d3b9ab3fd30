package web

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiterRefillsAtItsRate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{Burst: 2, Every: 10 * time.Second}, 100, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if got, _ := l.allow("a"); got != want {
			t.Fatalf("request %d: allow %v, want %v", i, got, want)
		}
	}
	if ok, wait := l.allow("a"); ok || wait != 10*time.Second {
		t.Errorf("spent bucket: allow %v, wait %v; want false, 10s", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Error("another key shares the spent bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Error("no token after one period")
	}
	if ok, _ := l.allow("a"); ok {
		t.Error("more than one token after one period")
	}
}

func TestLimiterMapStaysBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{Burst: 1, Every: time.Hour}, 50, func() time.Time { return now })
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		l.allow("10.0.0." + strconv.Itoa(i))
		if len(l.buckets) > 50 {
			t.Fatalf("%d buckets after %d keys, want at most 50", len(l.buckets), i+1)
		}
	}
	// The most recent keys are still limited: eviction drops the oldest.
	if ok, _ := l.allow("10.0.0.9999"); ok {
		t.Error("the newest key was forgotten")
	}
}
