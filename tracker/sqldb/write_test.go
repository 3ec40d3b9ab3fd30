package sqldb_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// batchCounter is a slog handler that records the size of each committed
// SQLite batch.
type batchCounter struct {
	mu    sync.Mutex
	sizes []int64
}

func (h *batchCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *batchCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *batchCounter) WithGroup(string) slog.Handler            { return h }
func (h *batchCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "batch committed" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "writes" {
			h.mu.Lock()
			h.sizes = append(h.sizes, a.Value.Int64())
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func TestConcurrentAppendsShareCommits(t *testing.T) {
	counter := &batchCounter{}
	db, err := sqldb.Open(t.Context(), freshSQLite(t), sqldb.Options{Logger: slog.New(counter)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	team, err := db.CreateTeam(t.Context(), "Apps", storetest.TokenHash("a"))
	if err != nil {
		t.Fatal(err)
	}
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
