package storetest

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Clients runs b.N reports from clients concurrent clients, each calling
// report(client, i) for the i-th report (1 to b.N) until they are all
// made, and reports throughput (reports/s) and the p50 and p99 latency of
// one call (p50-ms, p99-ms). The first error fails the benchmark.
func Clients(b *testing.B, clients int, report func(client int, i int64) error) {
	b.Helper()
	var (
		next      atomic.Int64
		wg        sync.WaitGroup
		latencies = make([][]time.Duration, clients)
		errs      = make([]error, clients)
	)
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
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
	elapsed := time.Since(start)
	b.StopTimer()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	ms := func(q float64) float64 {
		return float64(all[int(q*float64(len(all)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "reports/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}
