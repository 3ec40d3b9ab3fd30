package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// The shape of the migrated tracker: a large organisation after a few
// months of reporting.
const (
	migrateTeams     = 50
	migratePractices = 40
	migrateReports   = 10 // per team and practice
)

// migrateNotes are what people write, unicode and all; the last is as long
// as a note may be, in multi-byte characters.
var migrateNotes = []string{
	"",
	"works well for us",
	"Ça marche, surtout le lundi 👍",
	"جرّبناها مع الفريق الجديد",
	"朝会で毎日やっています",
	"line one\nline two\twith a tab",
	`quotes "double" and 'single', a comma, and =SUM(A1)`,
	strings.Repeat("é", tracker.MaxNoteLen/2),
}

// fillTracker writes the data set into a new SQLite store at path through
// Store.Append, one goroutine per team as a busy server would, and returns
// each team's join token by name.
func fillTracker(tb testing.TB, path string) map[string]string {
	tb.Helper()
	ctx := tb.Context()
	db, err := sqldb.Open(ctx, path, sqldb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()

	tokens := map[string]string{}
	var teams []tracker.Team
	for i := range migrateTeams {
		name := fmt.Sprintf("Team %02d", i)
		switch i {
		case 7:
			name = "Équipe Lyon 🚀"
		case 8:
			name = "فريق الدعم"
		}
		tok, hash, err := tracker.NewJoinToken()
		if err != nil {
			tb.Fatal(err)
		}
		team, err := db.CreateTeam(ctx, name, hash)
		if err != nil {
			tb.Fatal(err)
		}
		tokens[name] = tok
		teams = append(teams, team)
	}

	start := time.Date(2025, 9, 1, 7, 45, 12, 345678000, time.UTC)
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(teams))
	)
	for ti, team := range teams {
		wg.Go(func() {
			for r := range migrateReports {
				for p := range migratePractices {
					e := tracker.Event{
						TeamID:     team.ID,
						PracticeID: fmt.Sprintf("practice-%02d", p),
						Status:     tracker.Statuses[(r+p+ti)%4],
						Note:       migrateNotes[(r*7+p+ti)%len(migrateNotes)],
						At: start.Add(time.Duration(r)*5*24*time.Hour + time.Duration(ti)*time.Minute +
							time.Duration(p)*time.Second + time.Duration(r*p)*time.Microsecond),
					}
					if (r+p)%2 == 0 {
						e.IdempotencyKey = fmt.Sprintf("view-%d-%d-%d", team.ID, p, r)
					}
					if r > 0 && (r+p)%5 == 0 {
						e.Status, e.Reconfirm = "", true
					}
					if _, err := db.Append(ctx, e); err != nil {
						errs[ti] = fmt.Errorf("append %s %s: %w", team.Name, e.PracticeID, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	// A team that left (its events stay, its states go) and a team whose
	// join link was replaced.
	if err := db.RemoveTeam(ctx, "Team 49"); err != nil {
		tb.Fatal(err)
	}
	delete(tokens, "Team 49")
	tok, hash, err := tracker.NewJoinToken()
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetTeamToken(ctx, "Team 03", hash); err != nil {
		tb.Fatal(err)
	}
	tokens["Team 03"] = tok
	if _, err := db.SessionKey(ctx); err != nil {
		tb.Fatal(err)
	}
	return tokens
}

// migrateRow is one line of the table `track migrate` prints.
type migrateRow struct {
	copied, source, target int64
	sourceSum, targetSum   string
	verdict                string
}

var migrateLine = regexp.MustCompile(`(?m)^\s*([a-z_]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-f]{16})\s+([0-9a-f]{16})\s+(ok|MISMATCH)\s*$`)

// migrateTable parses the report of `track migrate`, by table.
func migrateTable(tb testing.TB, out string) map[string]migrateRow {
	tb.Helper()
	rows := map[string]migrateRow{}
	for _, m := range migrateLine.FindAllStringSubmatch(out, -1) {
		n := func(s string) int64 {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return v
		}
		rows[m[1]] = migrateRow{n(m[2]), n(m[3]), n(m[4]), m[5], m[6], m[7]}
	}
	for _, table := range []string{"teams", "events", "states", "daily_status_counts", "settings"} {
		if _, ok := rows[table]; !ok {
			tb.Fatalf("the report has no line for %s:\n%s", table, out)
		}
	}
	if len(rows) != 5 {
		tb.Errorf("the report lists %d tables, want 5:\n%s", len(rows), out)
	}
	return rows
}

// migrate runs `playbook track migrate` and checks what any run must show:
// exit 0, both sides matching table by table, and "both sides match".
func migrate(tb testing.TB, c *cli, from, to string) map[string]migrateRow {
	tb.Helper()
	if code := c.run(tb.Context(), "track", "migrate", "--from", from, "--to", to); code != 0 {
		tb.Fatalf("migrate: exit %d\nstderr:\n%s\nstdout:\n%s", code, c.stderr, c.stdout)
	}
	out := c.stdout.String()
	tb.Logf("playbook track migrate --from %s --to %s\n%s%s", redactDSN(from), redactDSN(to), c.stderr, out)
	rows := migrateTable(tb, out)
	for table, r := range rows {
		if r.source != r.target || r.sourceSum != r.targetSum || r.verdict != "ok" {
			tb.Errorf("%s: source %d rows %s, target %d rows %s, %s", table, r.source, r.sourceSum,
				r.target, r.targetSum, r.verdict)
		}
	}
	if !strings.Contains(out, "both sides match") {
		tb.Errorf("no \"both sides match\" in:\n%s", out)
	}
	return rows
}

func TestMigrateToPostgresAndBackKeepsEverything(t *testing.T) {
	// A password in the DSN (the test server trusts any) must never be
	// printed.
	pgu, err := url.Parse(storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	pgu.User = url.UserPassword(pgu.User.Username(), "s3cret-pw")
	pg := pgu.String()

	dir := t.TempDir()
	src := filepath.Join(dir, "tracker.db")
	tokens := fillTracker(t, src)
	const events = migrateTeams * migratePractices * migrateReports

	c := &cli{}
	first := migrate(t, c, "sqlite:"+src, pg)
	if got := first["events"]; got.copied != events || got.source != events {
		t.Errorf("first run: events copied %d of %d, want %d", got.copied, got.source, events)
	}
	if got := first["teams"]; got.source != migrateTeams || got.copied != migrateTeams {
		t.Errorf("first run: teams copied %d of %d, want %d (the removed one too)", got.copied,
			got.source, migrateTeams)
	}
	for table, r := range first {
		if r.copied != r.source {
			t.Errorf("first run: %s copied %d of %d rows", table, r.copied, r.source)
		}
	}
	// Progress on a large table: several lines as the events go over,
	// ending with all of them.
	progress := regexp.MustCompile(`(?m)^\s*events\s+(\d+) / `+strconv.Itoa(events)+`$`).
		FindAllStringSubmatch(c.stderr.String(), -1)
	if len(progress) < 5 || progress[len(progress)-1][1] != strconv.Itoa(events) {
		t.Errorf("progress for events: %v, want at least 5 lines ending at %d\n%s", progress, events, c.stderr)
	}
	if strings.Contains(c.stderr.String()+c.stdout.String(), "s3cret-pw") {
		t.Errorf("migrate printed the database password:\n%s%s", c.stderr, c.stdout)
	}

	// Running it again copies nothing and reports the same sides.
	again := migrate(t, c, "sqlite:"+src, pg)
	for table, r := range again {
		want := first[table]
		want.copied = 0
		if r != want {
			t.Errorf("second run, %s: %+v, want %+v", table, r, want)
		}
	}

	// And back to a new SQLite file: the checksums do not depend on the
	// dialect, so they are the very ones of the first run.
	back := filepath.Join(dir, "back", "tracker.db")
	home := migrate(t, c, pg, "sqlite:"+back)
	for table, r := range home {
		if want := first[table]; r.source != want.source || r.sourceSum != want.sourceSum || r.copied != r.source {
			t.Errorf("back to SQLite, %s: %+v; the first run had %+v", table, r, want)
		}
	}

	orig := openStore(t, src)
	onPG := openStore(t, pg)
	round := openStore(t, back)
	for _, s := range []struct {
		name  string
		store *sqldb.DB
	}{{"PostgreSQL", onPG}, {"round trip", round}} {
		t.Run(s.name, func(t *testing.T) {
			sameStore(t, orig, s.store, tokens)
		})
	}

	// The round-tripped store keeps working: a report gets a new id.
	team, err := round.TeamByName(t.Context(), "Équipe Lyon 🚀")
	if err != nil {
		t.Fatal(err)
	}
	e, err := round.Append(t.Context(), tracker.Event{TeamID: team.ID, PracticeID: "practice-00",
		Status: tracker.Adopted, Note: "après la migration"})
	if err != nil {
		t.Fatalf("append after the round trip: %v", err)
	}
	if e.ID <= events {
		t.Errorf("new event id %d reuses a migrated one", e.ID)
	}
}

func openStore(tb testing.TB, dsn string) *sqldb.DB {
	tb.Helper()
	db, err := sqldb.Open(context.Background(), dsn, sqldb.Options{})
	if err != nil {
		tb.Fatalf("open %s: %v", redactDSN(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sameStore compares everything the two stores answer, field by field.
func sameStore(t *testing.T, want, got *sqldb.DB, tokens map[string]string) {
	t.Helper()
	ctx := t.Context()
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	filters := []tracker.EventFilter{
		{},
		{NewestFirst: true, Limit: 25},
		{PracticeID: "practice-17"},
		{Since: time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)},
	}
	for _, f := range filters {
		sameFields(t, fmt.Sprintf("Events(%+v)", f), must(want.Events(ctx, f)), must(got.Events(ctx, f)))
	}
	wantEvents := must(want.Events(ctx, tracker.EventFilter{})).([]tracker.Event)
	if len(wantEvents) != migrateTeams*migratePractices*migrateReports {
		t.Errorf("the source has %d events", len(wantEvents))
	}
	sameFields(t, "States", must(want.States(ctx, tracker.StateFilter{})), must(got.States(ctx, tracker.StateFilter{})))
	sameFields(t, "History", must(want.History(ctx)), must(got.History(ctx)))
	sameFields(t, "Teams", must(want.Teams(ctx)), must(got.Teams(ctx)))
	sameFields(t, "SessionKey", must(want.SessionKey(ctx)), must(got.SessionKey(ctx)))

	teams := must(want.Teams(ctx)).([]tracker.Team)
	if len(teams) != migrateTeams-1 {
		t.Errorf("%d teams, want %d", len(teams), migrateTeams-1)
	}
	for _, team := range teams {
		sameFields(t, "States of "+team.Name, must(want.States(ctx, tracker.StateFilter{TeamID: team.ID})), must(got.States(ctx, tracker.StateFilter{TeamID: team.ID})))
		// The join links people already hold still work.
		byToken, err := got.TeamByTokenHash(ctx, tracker.HashJoinToken(tokens[team.Name]))
		if err != nil || byToken.ID != team.ID {
			t.Errorf("join token of %s: %+v, %v", team.Name, byToken, err)
		}
	}
	if _, err := got.TeamByName(ctx, "Team 49"); err == nil {
		t.Error("the removed team came back")
	}
}

// sameFields compares two values of the same type field by field, time
// fields with Equal, and reports every difference by its path.
func sameFields(tb testing.TB, path string, want, got any) {
	tb.Helper()
	var diffs []string
	diffValues(path, reflect.ValueOf(want), reflect.ValueOf(got), &diffs)
	for i, d := range diffs {
		if i == 10 {
			tb.Errorf("... and %d more differences", len(diffs)-i)
			return
		}
		tb.Error(d)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func diffValues(path string, a, b reflect.Value, diffs *[]string) {
	if a.Type() == timeType {
		x, y := a.Interface().(time.Time), b.Interface().(time.Time)
		if !x.Equal(y) || x.Location() != y.Location() {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, want %v", path, y, x))
		}
		return
	}
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %d elements, want %d", path, b.Len(), a.Len()))
		}
		for i := range min(a.Len(), b.Len()) {
			diffValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), diffs)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			diffValues(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), diffs)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %#v, want %#v", path, b.Interface(), a.Interface()))
		}
	}
}
