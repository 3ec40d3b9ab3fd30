package sqldb_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// BenchmarkAppend measures durable appends (each returns after its commit
// reached the disk) from 1, 16 and 64 concurrent clients, each client a
// team reporting on a few practices with changing statuses. It reports
// throughput and the p50/p99 latency of one Append.
func BenchmarkAppend(b *testing.B) {
	stores := []struct {
		name  string
		fresh func(testing.TB) string
	}{
		{"sqlite", freshSQLite},
		{"postgres", storetest.PostgresDSN},
	}
	for _, st := range stores {
		for _, clients := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", st.name, clients), func(b *testing.B) {
				benchAppend(b, st.fresh, clients)
			})
		}
	}
}

func benchAppend(b *testing.B, fresh func(testing.TB) string, clients int) {
	db := openDB(b, fresh(b), nil)
	teams := make([]tracker.Team, clients)
	for i := range teams {
		team, err := db.CreateTeam(b.Context(), fmt.Sprintf("team-%d", i),
			storetest.TokenHash(fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		teams[i] = team
	}
	storetest.Clients(b, clients, func(c int, i int64) error {
		_, err := db.Append(b.Context(), tracker.Event{TeamID: teams[c].ID,
			PracticeID: fmt.Sprintf("practice-%d", i%5), Status: tracker.Statuses[i%4],
			Note: "benchmark", IdempotencyKey: fmt.Sprintf("%d-%d", c, i)})
		return err
	})
}

// BenchmarkFsync is the baseline for BenchmarkAppend: how many times per
// second this disk makes one small appended record durable (write, then
// fsync), in the same temporary directory the SQLite benchmarks use.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	record := []byte("one small report record, about the size of a WAL frame header\n")
	n := 0
	for b.Loop() {
		if _, err := f.Write(record); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "fsyncs/s")
}
