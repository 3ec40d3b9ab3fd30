// Package storetest is the conformance suite that every tracker.Store
// passes: teams and tokens, appends and idempotency, current state,
// staleness inputs, event filters, history, concurrency, reopening, text
// and time round trips.
//
// It imports tracker and the standard library only; it must not import a
// store implementation (each store's tests call Run with its own Opener).
package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

// Opener tells the suite how to get stores.
type Opener struct {
	// Fresh prepares a new, empty database for one test and returns what
	// Open needs to open it (a path, a DSN). It cleans up with t.Cleanup.
	Fresh func(t *testing.T) string
	// Open opens a handle on the database db with the clock now. The suite
	// opens one database several times, one after another and at once.
	// Open registers Close with t.Cleanup; Close must be safe to call
	// twice, as the suite closes handles itself to reopen them.
	Open func(t *testing.T, db string, now func() time.Time) tracker.Store
}

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, o Opener) {
	tests := []struct {
		name string
		run  func(t *testing.T, o Opener)
	}{
		{"Teams", testTeams},
		{"TeamNameReusableAfterRemove", testTeamNameReuse},
		{"TokenLookup", testTokenLookup},
		{"AppendReturnsStoredEvent", testAppendReturnsEvent},
		{"AppendRejectsInvalidReports", testAppendRejects},
		{"DuplicateReturnsFirstEvent", testIdempotency},
		{"StateTransitions", testStateTransitions},
		{"StalenessInputs", testStaleness},
		{"StateFilters", testStateFilters},
		{"MarksAreStatesInShort", testMarks},
		{"EventFilters", testEventFilters},
		{"History", testHistory},
		{"RemovedTeamKeepsEventsAndLeavesCounts", testRemovedTeam},
		{"ConcurrentAppends", testConcurrentAppends},
		{"RemoveWhileAppending", testRemoveWhileAppending},
		{"ReopenKeepsEverything", testReopen},
		{"TwoHandlesShareOneDatabase", testTwoHandles},
		{"TwoHandlesTakeTurnsOnOnePair", testTwoHandlesTakeTurns},
		{"UnicodeRoundTrip", testUnicode},
		{"TimesComeBackUTC", testUTC},
		{"SessionKeyStable", testSessionKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, o) })
	}
}

// Clock is a settable clock for Open's now; safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// t0 is the suite's starting time: not UTC, with nanoseconds, so that
// stores must convert and truncate.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("UTC+5:30", 5*3600+1800))

// TokenHash hashes a token the way the tracker does, for test data.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func open(t *testing.T, o Opener) (tracker.Store, *Clock) {
	t.Helper()
	clock := NewClock(t0)
	return o.Open(t, o.Fresh(t), clock.Now), clock
}

func createTeam(tb testing.TB, s tracker.Store, name string) tracker.Team {
	tb.Helper()
	team, err := s.CreateTeam(context.Background(), name, TokenHash("token-"+name))
	if err != nil {
		tb.Fatalf("CreateTeam(%q): %v", name, err)
	}
	return team
}

func appendOK(tb testing.TB, s tracker.Store, e tracker.Event) tracker.Event {
	tb.Helper()
	got, err := s.Append(context.Background(), e)
	if err != nil {
		tb.Fatalf("Append(%+v): %v", e, err)
	}
	return got
}

func states(tb testing.TB, s tracker.Store, teamID int64) []tracker.State {
	tb.Helper()
	got, err := s.States(context.Background(), tracker.StateFilter{TeamID: teamID})
	if err != nil {
		tb.Fatalf("States(%d): %v", teamID, err)
	}
	return got
}

func events(tb testing.TB, s tracker.Store, f tracker.EventFilter) []tracker.Event {
	tb.Helper()
	got, err := s.Events(context.Background(), f)
	if err != nil {
		tb.Fatalf("Events(%+v): %v", f, err)
	}
	return got
}

func teamNames(tb testing.TB, s tracker.Store) []string {
	tb.Helper()
	teams, err := s.Teams(context.Background())
	if err != nil {
		tb.Fatalf("Teams: %v", err)
	}
	var names []string
	for _, team := range teams {
		names = append(names, team.Name)
	}
	return names
}

func eventIDs(es []tracker.Event) []int64 {
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

// us is t in UTC at the microsecond precision every store keeps.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func checkUTC(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(us(want)) {
		tb.Errorf("%s = %v, want %v", what, got, us(want))
	}
	if got.Location() != time.UTC {
		tb.Errorf("%s location = %v, want UTC", what, got.Location())
	}
}

func testTeams(t *testing.T, o Opener) {
	s, _ := open(t, o)
	ctx := t.Context()
	for _, name := range []string{"Platform", "Apps", "Data"} {
		createTeam(t, s, name)
	}
	if got, want := teamNames(t, s), []string{"Apps", "Data", "Platform"}; !slices.Equal(got, want) {
		t.Errorf("Teams = %q, want %q", got, want)
	}

	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"create taken name", func() error {
			_, err := s.CreateTeam(ctx, "Apps", TokenHash("other"))
			return err
		}, tracker.ErrConflict},
		{"find by name", func() error {
			team, err := s.TeamByName(ctx, "Data")
			if err == nil && team.Name != "Data" {
				return fmt.Errorf("got team %q", team.Name)
			}
			return err
		}, nil},
		{"find unknown name", func() error { _, err := s.TeamByName(ctx, "Nobody"); return err }, tracker.ErrNotFound},
		{"rotate token", func() error { return s.SetTeamToken(ctx, "Apps", TokenHash("new")) }, nil},
		{"rotate unknown team", func() error { return s.SetTeamToken(ctx, "Nobody", TokenHash("x")) }, tracker.ErrNotFound},
		{"remove", func() error { return s.RemoveTeam(ctx, "Data") }, nil},
		{"remove again", func() error { return s.RemoveTeam(ctx, "Data") }, tracker.ErrNotFound},
		{"find removed", func() error { _, err := s.TeamByName(ctx, "Data"); return err }, tracker.ErrNotFound},
		{"rotate removed", func() error { return s.SetTeamToken(ctx, "Data", TokenHash("y")) }, tracker.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.want == nil && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if got, want := teamNames(t, s), []string{"Apps", "Platform"}; !slices.Equal(got, want) {
		t.Errorf("Teams after remove = %q, want %q", got, want)
	}
}

func testTeamNameReuse(t *testing.T, o Opener) {
	s, _ := open(t, o)
	old := createTeam(t, s, "Apps")
	appendOK(t, s, tracker.Event{TeamID: old.ID, PracticeID: "retro", Status: tracker.Trying})
	if err := s.RemoveTeam(t.Context(), "Apps"); err != nil {
		t.Fatal(err)
	}
	fresh := createTeam(t, s, "Apps")
	if fresh.ID == old.ID {
		t.Fatalf("new team reuses id %d of the removed one", old.ID)
	}
	if got := states(t, s, fresh.ID); len(got) != 0 {
		t.Errorf("new team inherits states %+v", got)
	}
	if got := events(t, s, tracker.EventFilter{TeamID: old.ID}); len(got) != 1 {
		t.Errorf("removed team has %d events, want 1", len(got))
	}
}

func testTokenLookup(t *testing.T, o Opener) {
	s, _ := open(t, o)
	ctx := t.Context()
	apps := createTeam(t, s, "Apps")
	createTeam(t, s, "Data")
	if err := s.SetTeamToken(ctx, "Data", TokenHash("rotated")); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTeam(ctx, "Data"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		hash     []byte
		wantTeam string // "" means ErrNotFound
	}{
		{"current token", TokenHash("token-Apps"), "Apps"},
		{"unknown token", TokenHash("guess"), ""},
		{"empty hash", nil, ""},
		{"hash prefix", TokenHash("token-Apps")[:16], ""},
		{"token of a removed team", TokenHash("rotated"), ""},
		{"replaced token", TokenHash("token-Data"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			team, err := s.TeamByTokenHash(ctx, tt.hash)
			if tt.wantTeam == "" {
				if !errors.Is(err, tracker.ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", team, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if team.Name != tt.wantTeam || team.ID != apps.ID {
				t.Errorf("got team %d %q, want %d %q", team.ID, team.Name, apps.ID, tt.wantTeam)
			}
		})
	}
}

func testAppendReturnsEvent(t *testing.T, o Opener) {
	s, clock := open(t, o)
	apps := createTeam(t, s, "Apps")
	clock.Set(t0.Add(time.Hour))
	got := appendOK(t, s, tracker.Event{
		TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying, Note: "first try",
		IdempotencyKey: "k1",
	})
	if got.ID == 0 || got.TeamName != "Apps" || got.Status != tracker.Trying ||
		got.Note != "first try" || got.IdempotencyKey != "k1" || got.Reconfirm {
		t.Errorf("Append returned %+v", got)
	}
	checkUTC(t, "At (zero: the clock's now)", got.At, t0.Add(time.Hour))
	stored := events(t, s, tracker.EventFilter{})
	if len(stored) != 1 || stored[0] != got {
		t.Errorf("stored events %+v, want [%+v]", stored, got)
	}
}

func testAppendRejects(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps := createTeam(t, s, "Apps")
	ctx := t.Context()
	long := make([]byte, tracker.MaxNoteLen+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name     string
		e        tracker.Event
		notFound bool
	}{
		{"unknown team", tracker.Event{TeamID: apps.ID + 100, PracticeID: "retro", Status: tracker.Trying}, true},
		{"no team", tracker.Event{PracticeID: "retro", Status: tracker.Trying}, false},
		{"no practice", tracker.Event{TeamID: apps.ID, Status: tracker.Trying}, false},
		{"unknown status", tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: "done"}, false},
		{"note too long", tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying, Note: string(long)}, false},
		{"NUL in note", tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying, Note: "a\x00b"}, false},
		{"reconfirm without a status", tracker.Event{TeamID: apps.ID, PracticeID: "retro", Reconfirm: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Append(ctx, tt.e)
			if err == nil {
				t.Fatalf("Append accepted it: %+v", got)
			}
			if tt.notFound && !errors.Is(err, tracker.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
	if got := events(t, s, tracker.EventFilter{}); len(got) != 0 {
		t.Errorf("rejected reports were stored: %+v", got)
	}
	if got := states(t, s, 0); len(got) != 0 {
		t.Errorf("rejected reports changed state: %+v", got)
	}
	// A note of exactly the limit is fine.
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying,
		Note: string(long[:tracker.MaxNoteLen])})
}

func testIdempotency(t *testing.T, o Opener) {
	s, _ := open(t, o)
	ctx := t.Context()
	apps := createTeam(t, s, "Apps")
	first := appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro",
		Status: tracker.Trying, Note: "first", IdempotencyKey: "same", At: t0})

	tests := []struct {
		name string
		e    tracker.Event
	}{
		{"identical retry", tracker.Event{TeamID: apps.ID, PracticeID: "retro",
			Status: tracker.Trying, Note: "first", IdempotencyKey: "same", At: t0}},
		{"retry with other content", tracker.Event{TeamID: apps.ID, PracticeID: "standup",
			Status: tracker.Adopted, Note: "second", IdempotencyKey: "same", At: t0.Add(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Append(ctx, tt.e)
			if !errors.Is(err, tracker.ErrDuplicate) {
				t.Fatalf("err = %v, want ErrDuplicate", err)
			}
			if got != first {
				t.Errorf("got %+v, want the first event %+v", got, first)
			}
		})
	}
	if got := events(t, s, tracker.EventFilter{}); len(got) != 1 {
		t.Errorf("%d events stored, want 1", len(got))
	}
	st := states(t, s, 0)
	if len(st) != 1 || st[0].Status != tracker.Trying || st[0].Note != "first" {
		t.Errorf("states after duplicates = %+v", st)
	}
	// Reports without a key are never duplicates.
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Trying})
	if got := events(t, s, tracker.EventFilter{}); len(got) != 3 {
		t.Errorf("%d events stored, want 3", len(got))
	}
}

func testStateTransitions(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps := createTeam(t, s, "Apps")
	day := 24 * time.Hour
	steps := []struct {
		name          string
		e             tracker.Event
		wantStatus    tracker.Status
		wantNote      string
		wantSince     time.Time
		wantConfirmed time.Time
	}{
		{"first report", tracker.Event{Status: tracker.Trying, Note: "pilot", At: t0},
			tracker.Trying, "pilot", t0, t0},
		{"same status again", tracker.Event{Status: tracker.Trying, At: t0.Add(day)},
			tracker.Trying, "pilot", t0, t0.Add(day)},
		{"status changes", tracker.Event{Status: tracker.Adopted, Note: "weekly now", At: t0.Add(2 * day)},
			tracker.Adopted, "weekly now", t0.Add(2 * day), t0.Add(2 * day)},
		{"reconfirm keeps status", tracker.Event{Reconfirm: true, At: t0.Add(40 * day)},
			tracker.Adopted, "weekly now", t0.Add(2 * day), t0.Add(40 * day)},
		{"reconfirm ignores a status", tracker.Event{Reconfirm: true, Status: tracker.Dropped, Note: "still",
			At: t0.Add(50 * day)},
			tracker.Adopted, "still", t0.Add(2 * day), t0.Add(50 * day)},
		{"dropped", tracker.Event{Status: tracker.Dropped, At: t0.Add(60 * day)},
			tracker.Dropped, "still", t0.Add(60 * day), t0.Add(60 * day)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e := st.e
			e.TeamID, e.PracticeID = apps.ID, "retro"
			got := appendOK(t, s, e)
			if got.Status != st.wantStatus {
				t.Errorf("event status = %q, want %q", got.Status, st.wantStatus)
			}
			ss := states(t, s, apps.ID)
			if len(ss) != 1 {
				t.Fatalf("states = %+v, want one", ss)
			}
			cur := ss[0]
			if cur.Status != st.wantStatus || cur.Note != st.wantNote || cur.TeamName != "Apps" ||
				cur.PracticeID != "retro" || cur.TeamID != apps.ID {
				t.Errorf("state = %+v, want status %q note %q", cur, st.wantStatus, st.wantNote)
			}
			checkUTC(t, "Since", cur.Since, st.wantSince)
			checkUTC(t, "ConfirmedAt", cur.ConfirmedAt, st.wantConfirmed)
		})
	}
}

func testStateFilters(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps, data := createTeam(t, s, "Apps"), createTeam(t, s, "Data")
	gone := createTeam(t, s, "Gone")
	for _, team := range []tracker.Team{apps, data, gone} {
		for _, p := range []string{"retro", "pairing"} {
			appendOK(t, s, tracker.Event{TeamID: team.ID, PracticeID: p, Status: tracker.Trying, At: t0})
		}
	}
	if err := s.RemoveTeam(t.Context(), "Gone"); err != nil {
		t.Fatal(err)
	}
	pairs := func(ss []tracker.State) []string {
		var out []string
		for _, st := range ss {
			out = append(out, st.TeamName+"/"+st.PracticeID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    tracker.StateFilter
		want []string
	}{
		{"everything", tracker.StateFilter{}, []string{"Apps/pairing", "Apps/retro", "Data/pairing", "Data/retro"}},
		{"one team", tracker.StateFilter{TeamID: data.ID}, []string{"Data/pairing", "Data/retro"}},
		{"one practice", tracker.StateFilter{PracticeID: "retro"}, []string{"Apps/retro", "Data/retro"}},
		{"one pair", tracker.StateFilter{TeamID: apps.ID, PracticeID: "pairing"}, []string{"Apps/pairing"}},
		{"unknown practice", tracker.StateFilter{PracticeID: "nope"}, nil},
		{"removed team", tracker.StateFilter{TeamID: gone.ID}, nil},
	} {
		got, err := s.States(t.Context(), c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(pairs(got), c.want) {
			t.Errorf("%s: States(%+v) = %v, want %v", c.name, c.f, pairs(got), c.want)
		}
	}
}

func testStaleness(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps := createTeam(t, s, "Apps")
	day := 24 * time.Hour
	review := 30 * day
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Adopted, At: t0})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "pairing", Status: tracker.Trying, At: t0})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "standup", Status: tracker.Adopted, At: t0})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "standup", Reconfirm: true, At: t0.Add(20 * day)})

	now := t0.Add(31 * day)
	want := map[string]bool{"pairing": false, "retro": true, "standup": false}
	ss := states(t, s, apps.ID)
	if len(ss) != len(want) {
		t.Fatalf("states = %+v", ss)
	}
	for _, st := range ss {
		if got := st.Stale(now, review); got != want[st.PracticeID] {
			t.Errorf("%s: Stale = %v, want %v (state %+v)", st.PracticeID, got, want[st.PracticeID], st)
		}
	}
}

func testMarks(t *testing.T, o Opener) {
	s, clock := open(t, o)
	if got, err := s.Marks(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("Marks of an empty store = %+v, %v; want none", got, err)
	}
	apps := createTeam(t, s, "Apps")
	data := createTeam(t, s, "Data")
	gone := createTeam(t, s, "Gone")
	day := 24 * time.Hour
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Adopted, At: t0})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Reconfirm: true, At: t0.Add(20 * day)})
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "振り返り", Status: tracker.Trying,
		Note: "a note Marks leaves out", At: t0.Add(time.Hour)})
	appendOK(t, s, tracker.Event{TeamID: data.ID, PracticeID: "retro", Status: tracker.Trying, At: t0})
	appendOK(t, s, tracker.Event{TeamID: data.ID, PracticeID: "retro", Status: tracker.Dropped,
		At: t0.Add(2*day + 123456789)})
	appendOK(t, s, tracker.Event{TeamID: data.ID, PracticeID: "standup", Status: tracker.NotStarted, At: t0})
	appendOK(t, s, tracker.Event{TeamID: gone.ID, PracticeID: "retro", Status: tracker.Adopted, At: t0})
	clock.Set(t0.Add(30 * day))
	if err := s.RemoveTeam(t.Context(), "Gone"); err != nil {
		t.Fatal(err)
	}

	got, err := s.Marks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var want []tracker.Mark
	for _, st := range states(t, s, 0) {
		want = append(want, tracker.Mark{TeamID: st.TeamID, PracticeID: st.PracticeID,
			Status: st.Status, ConfirmedAt: st.ConfirmedAt})
	}
	if len(want) != 4 {
		t.Fatalf("States has %d entries, want 4 (the removed team's gone)", len(want))
	}
	// In no particular order: compare sorted.
	byPair := func(a, b tracker.Mark) int {
		if a.TeamID != b.TeamID {
			return int(a.TeamID - b.TeamID)
		}
		return strings.Compare(a.PracticeID, b.PracticeID)
	}
	slices.SortFunc(got, byPair)
	slices.SortFunc(want, byPair)
	if len(got) != len(want) {
		t.Fatalf("Marks = %+v\nwant %+v", got, want)
	}
	for i := range want {
		checkUTC(t, "Marks ConfirmedAt", got[i].ConfirmedAt, want[i].ConfirmedAt)
		got[i].ConfirmedAt = want[i].ConfirmedAt
		if got[i] != want[i] {
			t.Errorf("mark %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The re-confirmation renews ConfirmedAt, which staleness reads.
	for _, m := range got {
		if m.TeamID == apps.ID && m.PracticeID == "retro" {
			checkUTC(t, "re-confirmed ConfirmedAt", m.ConfirmedAt, t0.Add(20*day))
			if m.Stale(t0.Add(31*day), 30*day) || !m.Stale(t0.Add(51*day), 30*day) {
				t.Errorf("re-confirmed mark %+v: stale at 31 days or fresh at 51", m)
			}
		}
	}
}

func testEventFilters(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps := createTeam(t, s, "Apps")
	data := createTeam(t, s, "Data")
	hour := time.Hour
	var all []tracker.Event
	for i, r := range []struct {
		team     int64
		practice string
	}{
		{apps.ID, "retro"}, {data.ID, "retro"}, {apps.ID, "standup"},
		{apps.ID, "retro"}, {data.ID, "standup"}, {apps.ID, "retro"},
	} {
		all = append(all, appendOK(t, s, tracker.Event{TeamID: r.team, PracticeID: r.practice,
			Status: tracker.Trying, At: t0.Add(time.Duration(i) * hour)}))
	}
	ids := eventIDs(all)
	pick := func(is ...int) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, ids[i])
		}
		return out
	}
	tests := []struct {
		name string
		f    tracker.EventFilter
		want []int64
	}{
		{"all in id order", tracker.EventFilter{}, ids},
		{"team", tracker.EventFilter{TeamID: apps.ID}, pick(0, 2, 3, 5)},
		{"practice", tracker.EventFilter{PracticeID: "retro"}, pick(0, 1, 3, 5)},
		{"team and practice", tracker.EventFilter{TeamID: apps.ID, PracticeID: "retro"}, pick(0, 3, 5)},
		{"since is inclusive", tracker.EventFilter{Since: t0.Add(3 * hour)}, pick(3, 4, 5)},
		{"since in another zone", tracker.EventFilter{Since: t0.Add(3 * hour).In(time.FixedZone("-7", -7*3600))}, pick(3, 4, 5)},
		{"limit", tracker.EventFilter{Limit: 2}, pick(0, 1)},
		{"newest first", tracker.EventFilter{NewestFirst: true}, pick(5, 4, 3, 2, 1, 0)},
		{"newest first limited", tracker.EventFilter{NewestFirst: true, Limit: 2, TeamID: data.ID}, pick(4, 1)},
		{"no match", tracker.EventFilter{PracticeID: "nothing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventIDs(events(t, s, tt.f)); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
	got := events(t, s, tracker.EventFilter{TeamID: data.ID})
	if len(got) != 2 || got[0].TeamName != "Data" || got[0] != all[1] {
		t.Errorf("events of Data = %+v", got)
	}
}

func dayCounts(tb testing.TB, s tracker.Store) map[string]map[tracker.Status]int {
	tb.Helper()
	h, err := s.History(context.Background())
	if err != nil {
		tb.Fatalf("History: %v", err)
	}
	got := map[string]map[tracker.Status]int{}
	var last time.Time
	for _, d := range h {
		if !d.Day.After(last) && !last.IsZero() {
			tb.Errorf("History days out of order: %v after %v", d.Day, last)
		}
		last = d.Day
		if d.Day.Location() != time.UTC || !d.Day.Equal(d.Day.Truncate(24*time.Hour)) {
			tb.Errorf("History day %v is not a UTC midnight", d.Day)
		}
		counts := map[tracker.Status]int{}
		for st, n := range d.Counts {
			if n != 0 {
				counts[st] = n
			}
		}
		got[d.Day.Format("2006-01-02")] = counts
	}
	return got
}

func testHistory(t *testing.T, o Opener) {
	s, _ := open(t, o)
	apps := createTeam(t, s, "Apps")
	data := createTeam(t, s, "Data")
	d := func(n int, h int) time.Time {
		return time.Date(2026, 3, n, h, 0, 0, 0, time.UTC)
	}
	reports := []struct {
		team     int64
		practice string
		status   tracker.Status
		reconf   bool
		at       time.Time
	}{
		{apps.ID, "retro", tracker.Trying, false, d(1, 9)},
		{data.ID, "retro", tracker.Trying, false, d(1, 10)},
		{apps.ID, "standup", tracker.Adopted, false, d(1, 23)},
		{apps.ID, "retro", tracker.Adopted, false, d(3, 9)},
		{apps.ID, "retro", tracker.Adopted, false, d(4, 9)}, // no change: no day
		{apps.ID, "retro", "", true, d(5, 9)},               // reconfirm: no day
		{data.ID, "retro", tracker.Dropped, false, d(6, 9)},
		// 01:00 in UTC+2 on the 7th is the 6th in UTC.
		{apps.ID, "standup", tracker.Dropped, false, time.Date(2026, 3, 7, 1, 0, 0, 0, time.FixedZone("+2", 7200))},
	}
	for _, r := range reports {
		appendOK(t, s, tracker.Event{TeamID: r.team, PracticeID: r.practice, Status: r.status,
			Reconfirm: r.reconf, At: r.at})
	}
	want := map[string]map[tracker.Status]int{
		"2026-03-01": {tracker.Trying: 2, tracker.Adopted: 1},
		"2026-03-03": {tracker.Trying: 1, tracker.Adopted: 2},
		"2026-03-06": {tracker.Adopted: 1, tracker.Dropped: 2},
	}
	got := dayCounts(t, s)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("History = %v\nwant      %v", got, want)
	}
}

func testRemovedTeam(t *testing.T, o Opener) {
	s, clock := open(t, o)
	apps := createTeam(t, s, "Apps")
	data := createTeam(t, s, "Data")
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Adopted, At: at})
	appendOK(t, s, tracker.Event{TeamID: data.ID, PracticeID: "retro", Status: tracker.Adopted, At: at})
	appendOK(t, s, tracker.Event{TeamID: data.ID, PracticeID: "standup", Status: tracker.Trying, At: at})
	clock.Set(at.Add(48 * time.Hour))
	if err := s.RemoveTeam(t.Context(), "Data"); err != nil {
		t.Fatal(err)
	}
	if got := events(t, s, tracker.EventFilter{TeamID: data.ID}); len(got) != 2 || got[0].TeamName != "Data" {
		t.Errorf("events of the removed team = %+v, want its 2 events", got)
	}
	if got := states(t, s, 0); len(got) != 1 || got[0].TeamName != "Apps" {
		t.Errorf("states = %+v, want Apps' only", got)
	}
	if _, err := s.Append(t.Context(), tracker.Event{TeamID: data.ID, PracticeID: "retro",
		Status: tracker.Dropped}); !errors.Is(err, tracker.ErrUnknownTeam) || !errors.Is(err, tracker.ErrNotFound) {
		t.Errorf("Append for a removed team: err = %v, want ErrUnknownTeam (an ErrNotFound)", err)
	}
	if _, err := s.Append(t.Context(), tracker.Event{TeamID: 1 << 40, PracticeID: "retro",
		Status: tracker.Trying}); !errors.Is(err, tracker.ErrUnknownTeam) {
		t.Errorf("Append for a team that never was: err = %v, want ErrUnknownTeam", err)
	}
	want := map[string]map[tracker.Status]int{
		"2026-03-01": {tracker.Adopted: 2, tracker.Trying: 1},
		"2026-03-03": {tracker.Adopted: 1},
	}
	if got := dayCounts(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("History = %v\nwant      %v", got, want)
	}
	// A retry of a report recorded before the team went is a duplicate,
	// not a report of an unknown team: the client learns it was recorded.
	first, err := s.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "standup",
		Status: tracker.Trying, IdempotencyKey: "apps-standup-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTeam(t.Context(), "Apps"); err != nil {
		t.Fatal(err)
	}
	again, err := s.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "standup",
		Status: tracker.Trying, IdempotencyKey: "apps-standup-1"})
	if !errors.Is(err, tracker.ErrDuplicate) || again.ID != first.ID {
		t.Errorf("retry after the team's removal = %+v, %v; want event %d and ErrDuplicate", again, err, first.ID)
	}
	if _, err := s.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "standup",
		Status: tracker.Adopted, IdempotencyKey: "apps-standup-2"}); !errors.Is(err, tracker.ErrUnknownTeam) {
		t.Errorf("new report after the team's removal: err = %v, want ErrUnknownTeam", err)
	}
}

func testConcurrentAppends(t *testing.T, o Opener) {
	s, _ := open(t, o)
	const goroutines, each = 64, 8
	teams := make([]tracker.Team, 4)
	for i := range teams {
		teams[i] = createTeam(t, s, fmt.Sprintf("team-%d", i))
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		shared []tracker.Event
		won    int
	)
	for g := range goroutines {
		wg.Go(func() {
			team := teams[g%len(teams)]
			for i := range each {
				_, err := s.Append(t.Context(), tracker.Event{TeamID: team.ID,
					PracticeID: fmt.Sprintf("p%d", (g+i)%5), Status: tracker.Statuses[(g+i)%4],
					IdempotencyKey: fmt.Sprintf("g%d-%d", g, i)})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
			// Every goroutine also sends the same report.
			e, err := s.Append(t.Context(), tracker.Event{TeamID: teams[0].ID,
				PracticeID: "shared", Status: tracker.Adopted, IdempotencyKey: "shared"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case !errors.Is(err, tracker.ErrDuplicate):
				errs = append(errs, err)
				return
			}
			shared = append(shared, e)
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d appends failed, first: %v", len(errs), errs[0])
	}
	if won != 1 {
		t.Errorf("%d appends of the shared key succeeded, want 1", won)
	}
	for _, e := range shared {
		if e != shared[0] || e.ID == 0 {
			t.Fatalf("shared key answered with different events: %+v and %+v", e, shared[0])
		}
	}
	got := events(t, s, tracker.EventFilter{})
	if len(got) != goroutines*each+1 {
		t.Errorf("%d events, want %d", len(got), goroutines*each+1)
	}
	keys := map[string]int{}
	for _, e := range got {
		keys[e.IdempotencyKey]++
	}
	for g := range goroutines {
		for i := range each {
			if k := fmt.Sprintf("g%d-%d", g, i); keys[k] != 1 {
				t.Errorf("key %s stored %d times", k, keys[k])
			}
		}
	}
	// The current states and the history agree with the events.
	ss := states(t, s, 0)
	h, err := s.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[tracker.Status]int{}
	for _, st := range ss {
		byStatus[st.Status]++
	}
	for _, status := range tracker.Statuses {
		if got, want := h[len(h)-1].Counts[status], byStatus[status]; got != want {
			t.Errorf("History's last day counts %d pairs %s, States has %d", got, status, want)
		}
	}
}

func testRemoveWhileAppending(t *testing.T, o Opener) {
	s, _ := open(t, o)
	stay := createTeam(t, s, "Stay")
	gone := createTeam(t, s, "Gone")
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for g := range errs {
		wg.Go(func() {
			team := []tracker.Team{stay, gone}[g%2]
			for i := range 20 {
				_, err := s.Append(t.Context(), tracker.Event{TeamID: team.ID,
					PracticeID: fmt.Sprintf("p%d", (g+i)%6), Status: tracker.Statuses[(g+i)%4]})
				if err != nil && (team.ID != gone.ID || !errors.Is(err, tracker.ErrNotFound)) {
					errs[g] = err
					return
				}
			}
		})
	}
	if err := s.RemoveTeam(t.Context(), "Gone"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ss := states(t, s, 0)
	for _, st := range ss {
		if st.TeamID == gone.ID {
			t.Errorf("removed team still has state %+v", st)
		}
	}
	h, err := s.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	if len(h) > 0 {
		for _, n := range h[len(h)-1].Counts {
			total += n
		}
	}
	if total != len(ss) {
		t.Errorf("History counts %d pairs at the end, States has %d", total, len(ss))
	}
}

func testReopen(t *testing.T, o Opener) {
	clock := NewClock(t0)
	db := o.Fresh(t)
	s := o.Open(t, db, clock.Now)
	apps := createTeam(t, s, "Apps")
	e := appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Adopted,
		Note: "kept", IdempotencyKey: "k", At: t0})
	key, err := s.SessionKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantStates := states(t, s, 0)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Opening again runs the migrations again; they must be no-ops.
	for i := range 2 {
		s = o.Open(t, db, clock.Now)
		if got := events(t, s, tracker.EventFilter{}); len(got) != 1 || got[0] != e {
			t.Errorf("open %d: events = %+v, want [%+v]", i, got, e)
		}
		if got := states(t, s, 0); !slices.Equal(got, wantStates) {
			t.Errorf("open %d: states = %+v, want %+v", i, got, wantStates)
		}
		if got, err := s.SessionKey(t.Context()); err != nil || string(got) != string(key) {
			t.Errorf("open %d: session key changed (%v)", i, err)
		}
		if _, err := s.TeamByTokenHash(t.Context(), TokenHash("token-Apps")); err != nil {
			t.Errorf("open %d: token lookup: %v", i, err)
		}
		if _, err := s.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "retro",
			Status: tracker.Dropped, IdempotencyKey: "k"}); !errors.Is(err, tracker.ErrDuplicate) {
			t.Errorf("open %d: replayed key: err = %v, want ErrDuplicate", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

// testTwoHandlesTakeTurns has two handles (two processes on one SQLite
// file, or two replicas) report on the same team and practice in turn:
// each must build on what the other committed, not on what it saw last.
func testTwoHandlesTakeTurns(t *testing.T, o Opener) {
	a, b, apps := twoHandles(t, o)
	at := t0
	report := func(s tracker.Store, status tracker.Status, note string) {
		t.Helper()
		at = at.Add(time.Hour)
		appendOK(t, s, tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: status, Note: note, At: at})
	}
	report(a, tracker.Trying, "a pilot")
	report(b, tracker.Adopted, "")     // b changes what a saw
	report(a, tracker.Adopted, "")     // the same status again: since stays b's
	report(b, tracker.Adopted, "kept") // a note through b
	report(a, tracker.Dropped, "")     // a keeps b's note
	st := states(t, b, apps.ID)
	if len(st) != 1 || st[0].Status != tracker.Dropped || st[0].Note != "kept" {
		t.Fatalf("state = %+v, want dropped with note %q", st, "kept")
	}
	checkUTC(t, "Since", st[0].Since, t0.Add(5*time.Hour))
	h, err := a.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	last := h[len(h)-1].Counts
	if last[tracker.Dropped] != 1 || last[tracker.Adopted] != 0 || last[tracker.Trying] != 0 {
		t.Errorf("History's last day = %v, want one dropped", last)
	}
	// A team removed through one handle cannot report through the other.
	if err := b.RemoveTeam(t.Context(), "Apps"); err != nil {
		t.Fatal(err)
	}
	_, err = a.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "retro", Status: tracker.Adopted})
	if !errors.Is(err, tracker.ErrUnknownTeam) {
		t.Errorf("Append for a team removed through the other handle: %v, want ErrUnknownTeam", err)
	}
}

// twoHandles opens one fresh database twice and creates team Apps
// through the first handle.
func twoHandles(t *testing.T, o Opener) (a, b tracker.Store, apps tracker.Team) {
	clock := NewClock(t0)
	db := o.Fresh(t)
	a, b = o.Open(t, db, clock.Now), o.Open(t, db, clock.Now)
	return a, b, createTeam(t, a, "Apps")
}

func testTwoHandles(t *testing.T, o Opener) {
	a, b, apps := twoHandles(t, o)
	if _, err := b.CreateTeam(t.Context(), "Apps", TokenHash("x")); !errors.Is(err, tracker.ErrConflict) {
		t.Errorf("second handle created a taken name: %v", err)
	}
	var wg sync.WaitGroup
	results := make([]error, 16)
	for i := range results {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			_, results[i] = s.Append(t.Context(), tracker.Event{TeamID: apps.ID, PracticeID: "retro",
				Status: tracker.Adopted, IdempotencyKey: "once"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, tracker.ErrDuplicate):
			t.Errorf("Append: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d appends succeeded, want 1", ok)
	}
	for _, s := range []tracker.Store{a, b} {
		if got := events(t, s, tracker.EventFilter{}); len(got) != 1 {
			t.Errorf("%d events, want 1", len(got))
		}
	}
	ka, err := a.SessionKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.SessionKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if string(ka) != string(kb) {
		t.Error("two handles on one database have different session keys")
	}
}

func testUnicode(t *testing.T, o Opener) {
	s, _ := open(t, o)
	tests := []struct {
		name, team, practice, note string
	}{
		{"emoji", "Équipe 🚀", "retro", "we tried it 👍🏽 and it stuck 🎉"},
		{"right to left", "فريق", "مراجعة", "جربناها مرتين \u200f(أسبوعيا)"},
		{"combining and CJK", "チーム", "振り返り", "e\u0301 ñ 振り返りを毎週"},
		{"quotes and backslashes", `O'Brien "team"`, `a\b`, `it's "fine"; drop table teams; -- \n`},
		{"newlines and tabs", "Tab\tTeam", "retro", "line 1\nline 2\r\n\ttabbed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			team := createTeam(t, s, tt.team)
			got, err := s.TeamByName(t.Context(), tt.team)
			if err != nil || got.Name != tt.team {
				t.Fatalf("TeamByName(%q) = %+v, %v", tt.team, got, err)
			}
			e := appendOK(t, s, tracker.Event{TeamID: team.ID, PracticeID: tt.practice,
				Status: tracker.Trying, Note: tt.note, IdempotencyKey: "ключ-" + tt.name})
			stored := events(t, s, tracker.EventFilter{TeamID: team.ID, PracticeID: tt.practice})
			if len(stored) != 1 || stored[0] != e || stored[0].Note != tt.note {
				t.Errorf("stored %+v, want %+v", stored, e)
			}
			ss := states(t, s, team.ID)
			if len(ss) != 1 || ss[0].Note != tt.note || ss[0].TeamName != tt.team || ss[0].PracticeID != tt.practice {
				t.Errorf("state %+v", ss)
			}
		})
	}
}

func testUTC(t *testing.T, o Opener) {
	s, clock := open(t, o)
	zone := time.FixedZone("UTC-3:30", -(3*3600 + 1800))
	created := time.Date(2026, 12, 31, 22, 59, 59, 999999999, zone) // 2027 in UTC
	clock.Set(created)
	team := createTeam(t, s, "Apps")
	checkUTC(t, "CreateTeam CreatedAt", team.CreatedAt, created)
	got, err := s.TeamByName(t.Context(), "Apps")
	if err != nil {
		t.Fatal(err)
	}
	checkUTC(t, "stored CreatedAt", got.CreatedAt, created)

	at := time.Date(2026, 6, 30, 23, 30, 0, 123456789, time.FixedZone("UTC+14", 14*3600))
	e := appendOK(t, s, tracker.Event{TeamID: team.ID, PracticeID: "retro", Status: tracker.Adopted, At: at})
	checkUTC(t, "Append At", e.At, at)
	stored := events(t, s, tracker.EventFilter{})
	checkUTC(t, "stored At", stored[0].At, at)
	if got := stored[0].At.Nanosecond(); got != 123456000 {
		t.Errorf("stored At keeps %d ns, want 123456000 (microseconds)", got)
	}
	st := states(t, s, team.ID)
	checkUTC(t, "Since", st[0].Since, at)
	checkUTC(t, "ConfirmedAt", st[0].ConfirmedAt, at)
	h, err := s.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || !h[0].Day.Equal(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("History = %+v, want the UTC day 2026-06-30", h)
	}
}

func testSessionKey(t *testing.T, o Opener) {
	s, _ := open(t, o)
	a, err := s.SessionKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SessionKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 {
		t.Errorf("key is %d bytes, want 32", len(a))
	}
	if string(a) != string(b) {
		t.Error("SessionKey changed between calls")
	}
	if string(a) == string(make([]byte, 32)) {
		t.Error("SessionKey is all zeros")
	}
}
