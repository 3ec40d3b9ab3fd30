package storetest

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clients runs b.N reports from clients concurrent clients (see Drive)
// and reports throughput (reports/s) and the p50 and p99 latency of one
// call (p50-ms, p99-ms). The first error fails the benchmark.
func Clients(b *testing.B, clients int, report func(client int, i int64) error) {
	b.Helper()
	b.ResetTimer()
	start := time.Now()
	all, err := Drive(int64(b.N), clients, report)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	slices.Sort(all)
	ms := func(q float64) float64 {
		return float64(all[int(q*float64(len(all)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "reports/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// Drive makes n reports from clients concurrent clients, each calling
// report(client, i) for the i-th report (1 to n) until they are all made,
// and returns the latency of every call. A client stops at its first
// error, which Drive returns once the others are done.
func Drive(n int64, clients int, report func(client int, i int64) error) ([]time.Duration, error) {
	var (
		next      atomic.Int64
		wg        sync.WaitGroup
		latencies = make([][]time.Duration, clients)
		errs      = make([]error, clients)
	)
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				t := time.Now()
				if errs[c] = report(c, i); errs[c] != nil {
					return
				}
				latencies[c] = append(latencies[c], time.Since(t))
			}
		})
	}
	wg.Wait()
	return slices.Concat(latencies...), errors.Join(errs...)
}
