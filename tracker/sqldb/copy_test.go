package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// fill gives a store teams (one removed), reports of every kind across
// several days, and a session key.
func fill(tb testing.TB, db *sqldb.DB, clock *storetest.Clock) {
	tb.Helper()
	ctx := tb.Context()
	var teams []tracker.Team
	for _, name := range []string{"Apps", "Data", "Équipe 🚀", "Gone"} {
		team, err := db.CreateTeam(ctx, name, storetest.TokenHash(name))
		if err != nil {
			tb.Fatal(err)
		}
		teams = append(teams, team)
	}
	start := time.Date(2026, 2, 1, 8, 0, 0, 123456000, time.UTC)
	for i := range 1200 {
		at := start.Add(time.Duration(i) * 37 * time.Minute)
		clock.Set(at)
		e := tracker.Event{TeamID: teams[i%4].ID, PracticeID: fmt.Sprintf("practice-%d", i%9),
			Status: tracker.Statuses[(i/4)%4], Note: fmt.Sprintf("note %d 👍 مرحبا", i), At: at}
		if i%3 == 0 {
			e.IdempotencyKey = fmt.Sprintf("key-%d", i)
		}
		if i%11 == 0 && i > 40 {
			e.Status, e.Reconfirm = "", true
		}
		if _, err := db.Append(ctx, e); err != nil {
			tb.Fatalf("append %d: %v", i, err)
		}
	}
	if err := db.RemoveTeam(ctx, "Gone"); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SessionKey(ctx); err != nil {
		tb.Fatal(err)
	}
}

func TestCopy(t *testing.T) {
	tests := []struct {
		name     string
		from, to func(testing.TB) string
	}{
		{"sqlite to sqlite", freshSQLite, freshSQLite},
		{"sqlite to postgres", freshSQLite, storetest.PostgresDSN},
		{"postgres to sqlite", storetest.PostgresDSN, freshSQLite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			to := openDB(t, tt.to(t), clock.Now)
			from := openDB(t, tt.from(t), clock.Now)
			fill(t, from, clock)

			progress := map[string]int64{}
			report, err := sqldb.Copy(t.Context(), from, to, func(table string, done, total int64) {
				if done > total {
					t.Errorf("%s: progress %d of %d", table, done, total)
				}
				progress[table] = done
			})
			if err != nil {
				t.Fatalf("Copy: %v", err)
			}
			logReport(t, report)
			if !report.Match() {
				t.Errorf("first copy does not match")
			}
			for _, tr := range report.Tables {
				if tr.Copied != tr.SourceRows || progress[tr.Table] != tr.SourceRows {
					t.Errorf("%s: copied %d, progress %d, source has %d", tr.Table, tr.Copied,
						progress[tr.Table], tr.SourceRows)
				}
			}
			if got := rowsOf(report, "events"); got != 1200 {
				t.Errorf("%d events copied, want 1200", got)
			}

			again, err := sqldb.Copy(t.Context(), from, to, nil)
			if err != nil {
				t.Fatalf("second Copy: %v", err)
			}
			for _, tr := range again.Tables {
				if tr.Copied != 0 {
					t.Errorf("second copy wrote %d %s rows, want 0", tr.Copied, tr.Table)
				}
			}
			if !again.Match() || fmt.Sprint(again.Tables) != fmt.Sprint(zeroCopied(report.Tables)) {
				t.Errorf("second copy reports %+v\nfirst reported  %+v", again.Tables, report.Tables)
			}
			sameContent(t, from, to)

			// Changes made to the source since are copied on the next run.
			apps, err := from.TeamByName(t.Context(), "Apps")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := from.Append(t.Context(), tracker.Event{TeamID: apps.ID,
				PracticeID: "practice-0", Status: tracker.Dropped}); err != nil {
				t.Fatal(err)
			}
			third, err := sqldb.Copy(t.Context(), from, to, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := copiedOf(third, "events"); got != 1 {
				t.Errorf("third copy copied %d events, want 1", got)
			}
			if got := copiedOf(third, "states"); got != 1 {
				t.Errorf("third copy updated %d states, want 1", got)
			}
			sameContent(t, from, to)

			// The target keeps working: new ids follow the copied ones.
			team, err := to.TeamByName(t.Context(), "Apps")
			if err != nil {
				t.Fatal(err)
			}
			e, err := to.Append(t.Context(), tracker.Event{TeamID: team.ID, PracticeID: "new",
				Status: tracker.Trying})
			if err != nil {
				t.Fatalf("append on the copy: %v", err)
			}
			if e.ID <= 1200 {
				t.Errorf("new event id %d reuses a copied id", e.ID)
			}
			if _, err := to.CreateTeam(t.Context(), "New", storetest.TokenHash("new")); err != nil {
				t.Errorf("create team on the copy: %v", err)
			}
			assertStatesMatchEvents(t, to)

		})
	}
}

func logReport(tb testing.TB, r sqldb.CopyReport) {
	tb.Helper()
	for _, t := range r.Tables {
		tb.Logf("%-20s copied %5d  source %5d %016x  target %5d %016x", t.Table, t.Copied,
			t.SourceRows, t.SourceSum, t.TargetRows, t.TargetSum)
	}
}

func rowsOf(r sqldb.CopyReport, table string) int64 {
	for _, t := range r.Tables {
		if t.Table == table {
			return t.SourceRows
		}
	}
	return -1
}

func copiedOf(r sqldb.CopyReport, table string) int64 {
	for _, t := range r.Tables {
		if t.Table == table {
			return t.Copied
		}
	}
	return -1
}

func zeroCopied(ts []sqldb.TableReport) []sqldb.TableReport {
	out := slices.Clone(ts)
	for i := range out {
		out[i].Copied = 0
	}
	return out
}

// sameContent compares what the two stores answer through the Store
// interface.
func sameContent(tb testing.TB, a, b *sqldb.DB) {
	tb.Helper()
	ctx := tb.Context()
	for _, f := range []tracker.EventFilter{{}, {NewestFirst: true, Limit: 7}, {PracticeID: "practice-3"}} {
		ea, err := a.Events(ctx, f)
		if err != nil {
			tb.Fatal(err)
		}
		eb, err := b.Events(ctx, f)
		if err != nil {
			tb.Fatal(err)
		}
		if !slices.Equal(ea, eb) {
			tb.Errorf("Events(%+v) differ: %d vs %d events", f, len(ea), len(eb))
		}
	}
	sa, err := a.States(ctx, tracker.StateFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	sb, err := b.States(ctx, tracker.StateFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	if !slices.Equal(sa, sb) {
		tb.Errorf("States differ: %d vs %d", len(sa), len(sb))
	}
	ha, err := a.History(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	hb, err := b.History(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if fmt.Sprint(ha) != fmt.Sprint(hb) {
		tb.Errorf("History differs:\n%v\n%v", ha, hb)
	}
	ka, _ := a.SessionKey(ctx)
	kb, _ := b.SessionKey(ctx)
	if string(ka) != string(kb) {
		tb.Error("session keys differ")
	}
	ta, _ := a.Teams(ctx)
	tb2, _ := b.Teams(ctx)
	if !slices.Equal(ta, tb2) {
		tb.Errorf("Teams differ: %+v vs %+v", ta, tb2)
	}
	if _, err := b.TeamByTokenHash(ctx, storetest.TokenHash("Data")); err != nil {
		tb.Errorf("token lookup on the copy: %v", err)
	}
}
