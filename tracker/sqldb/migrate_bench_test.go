package sqldb_test

import (
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// copyBenchEvents is the size of the tracker BenchmarkCopy migrates:
// many times what BenchmarkAppend writes in a run.
const copyBenchEvents = 100_000

// BenchmarkCopy measures `playbook track migrate` from SQLite to
// PostgreSQL: Copy of a tracker holding copyBenchEvents reports of the
// shape BenchmarkAppend writes (64 teams, 5 practices each, changing
// statuses, a key per report) into a fresh schema, checksums of both
// sides included. It reports rows (of all tables) copied per second and
// fails when the copy does not match its source.
func BenchmarkCopy(b *testing.B) {
	ctx := b.Context()
	// The first target, made before seeding so that a run without
	// PostgreSQL skips at once.
	target := storetest.PostgresDSN(b)
	src := openDB(b, freshSQLite(b), nil)
	seedAppendShape(b, src, 64, copyBenchEvents)

	var (
		rows    int64
		copying time.Duration
	)
	for b.Loop() {
		b.StopTimer()
		if target == "" {
			target = storetest.PostgresDSN(b)
		}
		dst := openDB(b, target, nil)
		target = ""
		b.StartTimer()

		start := time.Now()
		report, err := sqldb.Copy(ctx, src, dst, nil)
		copying += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		if !report.Match() {
			b.Fatalf("the copy does not match its source: %+v", report.Tables)
		}
		for _, t := range report.Tables {
			if t.Copied != t.SourceRows {
				b.Fatalf("%s: copied %d of %d rows into an empty store", t.Table, t.Copied, t.SourceRows)
			}
			rows += t.Copied
		}
		if got := rowsOf(report, "events"); got != copyBenchEvents {
			b.Fatalf("%d events copied, want %d", got, copyBenchEvents)
		}
		// Free this target's connections now; its schema goes when the
		// benchmark ends.
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/copying.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

// seedAppendShape appends n reports the way BenchmarkAppend does, from
// one goroutine per team so that the SQLite writer commits them in
// batches.
func seedAppendShape(tb testing.TB, db *sqldb.DB, teams, n int) {
	tb.Helper()
	ids := createTeams(tb, db, teams)
	if _, err := storetest.Drive(int64(n), teams, func(c int, i int64) error {
		return appendShape(tb.Context(), db, ids[c], c, i)
	}); err != nil {
		tb.Fatal(err)
	}
}
