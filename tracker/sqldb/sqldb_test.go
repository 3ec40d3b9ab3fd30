package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

func freshSQLite(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "tracker.db")
}

// openDB opens a store and closes it after the test.
func openDB(tb testing.TB, dsn string, now func() time.Time) *sqldb.DB {
	tb.Helper()
	if now == nil {
		now = time.Now
	}
	db, err := sqldb.Open(context.Background(), dsn, sqldb.Options{Now: now})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func opener(fresh func(tb testing.TB) string) storetest.Opener {
	return storetest.Opener{
		Fresh: func(t *testing.T) string { return fresh(t) },
		Open: func(t *testing.T, dsn string, now func() time.Time) tracker.Store {
			return openDB(t, dsn, now)
		},
	}
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, opener(freshSQLite))
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, opener(storetest.PostgresDSN))
}

func TestDialectFromDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, dsn, want string
	}{
		{"plain path", filepath.Join(dir, "a.db"), sqldb.SQLite},
		{"sqlite prefix", "sqlite:" + filepath.Join(dir, "b.db"), sqldb.SQLite},
		{"file prefix", "file:" + filepath.Join(dir, "c.db"), sqldb.SQLite},
	}
	if os.Getenv(storetest.PostgresEnv) != "" {
		tests = append(tests, struct{ name, dsn, want string }{"postgres url", storetest.PostgresDSN(t), sqldb.Postgres})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, tt.dsn, nil)
			if got := db.Dialect(); got != tt.want {
				t.Errorf("Dialect = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMigrationsPairedPerDialect(t *testing.T) {
	names := func(dialect string) []string {
		ms, err := sqldb.Migrations(dialect)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%d %s", m.Version, m.Name))
		}
		return out
	}
	lite, pg := names(sqldb.SQLite), names(sqldb.Postgres)
	if len(lite) == 0 {
		t.Fatal("no SQLite migrations embedded")
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations differ:\nsqlite   %q\npostgres %q", lite, pg)
	}
}

// eachDialect runs f on a fresh database of each dialect: SQLite, and
// PostgreSQL when PLAYBOOK_TEST_POSTGRES names a server.
func eachDialect(t *testing.T, f func(t *testing.T, dsn string)) {
	fresh := map[string]func(testing.TB) string{sqldb.SQLite: freshSQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		fresh[sqldb.Postgres] = storetest.PostgresDSN
	}
	for dialect, fresh := range fresh {
		t.Run(dialect, func(t *testing.T) { f(t, fresh(t)) })
	}
}

func TestMigrationsRecordedOnce(t *testing.T) {
	ms, err := sqldb.Migrations(sqldb.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.Version)
	}
	eachDialect(t, func(t *testing.T, dsn string) {
		for range 3 {
			db := openDB(t, dsn, nil)
			got, err := db.AppliedMigrations(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("applied = %v, want %v", got, want)
			}
			db.Close()
		}
	})
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	db := openDB(t, freshSQLite(t), nil)
	team, err := db.CreateTeam(t.Context(), "Apps", storetest.TokenHash("t"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.Append(t.Context(), tracker.Event{TeamID: team.ID, PracticeID: "retro",
			Status: tracker.Statuses[i%4], IdempotencyKey: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Reports keep arriving while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.Append(t.Context(), tracker.Event{TeamID: team.ID,
					PracticeID: fmt.Sprintf("p%d", i%3), Status: tracker.Statuses[(g+i)%4],
					IdempotencyKey: fmt.Sprintf("live-%d-%d", g, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	err = db.Backup(t.Context(), path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := db.Backup(t.Context(), path); err == nil {
		t.Error("Backup overwrote an existing file")
	}
	backup := openDB(t, path, nil)
	if err := backup.IntegrityCheck(t.Context()); err != nil {
		t.Error(err)
	}
	events, err := backup.Events(t.Context(), tracker.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 50 {
		t.Errorf("backup has %d events, want at least the 50 acknowledged before it", len(events))
	}
	// A consistent copy: states and counts agree with its events.
	assertStatesMatchEvents(t, backup)
}

func TestPostgresBackupPointsToPgDump(t *testing.T) {
	db := openDB(t, storetest.PostgresDSN(t), nil)
	err := db.Backup(t.Context(), filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup on postgres: err = %v, want a pointer to pg_dump", err)
	}
	if err := db.IntegrityCheck(t.Context()); err != nil {
		t.Errorf("IntegrityCheck on postgres: %v", err)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	db := openDB(t, freshSQLite(t), nil)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(t.Context(), "Apps", storetest.TokenHash("t")); err == nil {
		t.Error("CreateTeam after Close succeeded")
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCanceledContextDoesNotRecord(t *testing.T) {
	db := openDB(t, freshSQLite(t), nil)
	team, err := db.CreateTeam(t.Context(), "Apps", storetest.TokenHash("t"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = db.Append(ctx, tracker.Event{TeamID: team.ID, PracticeID: "retro", Status: tracker.Trying})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	events, err := db.Events(t.Context(), tracker.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Errorf("canceled report was recorded: %+v", events)
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		dbs := make([]*sqldb.DB, 4)
		errs := make([]error, len(dbs))
		var wg sync.WaitGroup
		for i := range dbs {
			wg.Go(func() { dbs[i], errs[i] = sqldb.Open(t.Context(), dsn, sqldb.Options{}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Open %d: %v", i, err)
			}
			defer dbs[i].Close()
		}
		got, err := dbs[0].AppliedMigrations(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0] != 1 {
			t.Errorf("applied migrations = %v", got)
		}
		if _, err := dbs[1].CreateTeam(t.Context(), "Apps", storetest.TokenHash("a")); err != nil {
			t.Fatal(err)
		}
		if _, err := dbs[2].TeamByName(t.Context(), "Apps"); err != nil {
			t.Errorf("other handle does not see the team: %v", err)
		}
	})
}
