package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// batchCounter is a slog handler that records the size of each committed
// SQLite batch, and how many ran again with savepoints.
type batchCounter struct {
	mu       sync.Mutex
	sizes    []int64
	isolated int
}

func (h *batchCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *batchCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *batchCounter) WithGroup(string) slog.Handler            { return h }
func (h *batchCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "batch committed" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		switch {
		case a.Key == "writes":
			h.sizes = append(h.sizes, a.Value.Int64())
		case a.Key == "isolated" && a.Value.Bool():
			h.isolated++
		}
		return true
	})
	return nil
}

// countedSQLite opens a SQLite store whose batches are counted, with one
// team, Apps.
func countedSQLite(t *testing.T) (*sqldb.DB, *batchCounter, tracker.Team) {
	t.Helper()
	counter := &batchCounter{}
	db, err := sqldb.Open(t.Context(), freshSQLite(t), sqldb.Options{Logger: slog.New(counter)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	team, err := db.CreateTeam(t.Context(), "Apps", storetest.TokenHash("a"))
	if err != nil {
		t.Fatal(err)
	}
	return db, counter, team
}

func TestConcurrentAppendsShareCommits(t *testing.T) {
	db, counter, team := countedSQLite(t)
	const goroutines, each = 64, 10
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if _, err := db.Append(t.Context(), tracker.Event{TeamID: team.ID,
					PracticeID: fmt.Sprintf("p%d", g), Status: tracker.Statuses[i%4]}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	counter.mu.Lock()
	defer counter.mu.Unlock()
	var total, largest int64
	for _, n := range counter.sizes {
		total += n
		largest = max(largest, n)
	}
	// The batch is logged before its writers are answered.
	if total != goroutines*each+1 {
		t.Errorf("batches committed %d writes, want %d (one team, %d reports)",
			total, goroutines*each+1, goroutines*each)
	}
	if len(counter.sizes) >= goroutines*each || largest < 2 {
		t.Errorf("%d appends took %d commits (largest batch %d): no group commit",
			total, len(counter.sizes), largest)
	}
	t.Logf("%d appends in %d commits, largest batch %d", total, len(counter.sizes), largest)
}

// TestRepeatedReportsKeepTheirBatch sends every report twice at once, and
// re-confirms practices that have no state: those fail before writing, so
// the reports batched with them commit in the first pass, without the
// savepoint rerun that a failing write costs.
func TestRepeatedReportsKeepTheirBatch(t *testing.T) {
	db, counter, team := countedSQLite(t)
	const reports = 200
	ids := make([][2]int64, reports)
	dups := make([]int, reports)
	var wg sync.WaitGroup
	for i := range reports {
		for copy := range 2 {
			wg.Go(func() {
				e := tracker.Event{TeamID: team.ID, PracticeID: fmt.Sprintf("p%d", i),
					Status: tracker.Trying, IdempotencyKey: fmt.Sprintf("k%d", i)}
				got, err := db.Append(t.Context(), e)
				switch {
				case errors.Is(err, tracker.ErrDuplicate):
					counter.mu.Lock()
					dups[i]++
					counter.mu.Unlock()
				case err != nil:
					t.Error(err)
				}
				ids[i][copy] = got.ID
			})
		}
		wg.Go(func() {
			_, err := db.Append(t.Context(), tracker.Event{TeamID: team.ID,
				PracticeID: fmt.Sprintf("none%d", i), Reconfirm: true})
			if !errors.Is(err, tracker.ErrNotFound) {
				t.Errorf("re-confirm without a state: %v, want ErrNotFound", err)
			}
		})
	}
	wg.Wait()
	for i := range reports {
		if dups[i] != 1 || ids[i][0] != ids[i][1] || ids[i][0] == 0 {
			t.Errorf("report %d sent twice: %d duplicates, event ids %v; want one duplicate of one event", i, dups[i], ids[i])
		}
	}
	events, err := db.Events(t.Context(), tracker.EventFilter{TeamID: team.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != reports {
		t.Errorf("%d events recorded, want %d", len(events), reports)
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if counter.isolated != 0 {
		t.Errorf("%d of %d batches ran again with savepoints for writes that failed before writing",
			counter.isolated, len(counter.sizes))
	}
	t.Logf("%d batches, %d rerun with savepoints", len(counter.sizes), counter.isolated)
}
