package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
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
	teams := createTeams(b, db, clients)
	storetest.Clients(b, clients, func(c int, i int64) error {
		return appendShape(b.Context(), db, teams[c], c, i)
	})
}

// createTeams creates teams team-0, team-1, … and returns their ids.
func createTeams(tb testing.TB, db *sqldb.DB, n int) []int64 {
	tb.Helper()
	ids := make([]int64, n)
	for i := range ids {
		team, err := db.CreateTeam(tb.Context(), fmt.Sprintf("team-%d", i), storetest.TokenHash(fmt.Sprint(i)))
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = team.ID
	}
	return ids
}

// appendShape appends client c's i-th report of the benchmarks: five
// practices, the four statuses in turn, a short note, a unique key.
func appendShape(ctx context.Context, db *sqldb.DB, team int64, c int, i int64) error {
	_, err := db.Append(ctx, tracker.Event{TeamID: team,
		PracticeID: fmt.Sprintf("practice-%d", i%5), Status: tracker.Statuses[i%4],
		Note: "benchmark", IdempotencyKey: fmt.Sprintf("%d-%d", c, i)})
	return err
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
