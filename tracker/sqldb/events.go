package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/playbook-dev/playbook/tracker"
)

// countShards spreads a day's counters over several rows on PostgreSQL,
// picked by team, so that transactions of different teams do not queue on
// one row lock. History sums the shards. SQLite, with one writer, uses
// shard 0.
const countShards = 16

// Append records a report, updates the team's current state and the day's
// counts in one transaction, and returns once that transaction committed.
// A zero At is the clock's now. A reconfirm report keeps the current status
// (tracker.ErrNotFound when there is none). A report whose IdempotencyKey
// was recorded before returns the first event and tracker.ErrDuplicate,
// even if its team was removed since; other reports of an unknown or
// removed team fail with tracker.ErrUnknownTeam.
// Reports apply to the current state in the order they are appended,
// whatever their At.
func (db *DB) Append(ctx context.Context, e tracker.Event) (tracker.Event, error) {
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = utc(e.At)
	e.ID, e.TeamName = 0, ""
	if err := validate(e); err != nil {
		return tracker.Event{}, fmt.Errorf("append: %w", err)
	}
	var out tracker.Event
	err := db.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, err = db.appendTx(ctx, tx, e)
		if errors.Is(err, tracker.ErrDuplicate) || errors.Is(err, tracker.ErrNotFound) {
			// appendTx finds these before it writes anything.
			return unwritten{err}
		}
		return err
	}, true)
	if errors.Is(err, tracker.ErrDuplicate) {
		return out, err
	}
	if err != nil {
		return tracker.Event{}, fmt.Errorf("append %s for team %d: %w", e.PracticeID, e.TeamID, err)
	}
	return out, nil
}

func validate(e tracker.Event) error {
	switch {
	case e.TeamID <= 0:
		return errors.New("no team")
	case e.PracticeID == "":
		return errors.New("no practice id")
	case len(e.Note) > tracker.MaxNoteLen:
		return fmt.Errorf("note longer than %d bytes", tracker.MaxNoteLen)
	case !utf8.ValidString(e.Note) || !utf8.ValidString(e.PracticeID) || !utf8.ValidString(e.IdempotencyKey):
		return errors.New("text is not valid UTF-8")
	case strings.ContainsRune(e.Note, 0) || strings.ContainsRune(e.PracticeID, 0) ||
		strings.ContainsRune(e.IdempotencyKey, 0):
		// PostgreSQL text cannot hold NUL; refuse it on both dialects.
		return errors.New("text contains NUL")
	}
	if e.Reconfirm && e.Status == "" {
		return nil
	}
	_, err := tracker.ParseStatus(string(e.Status))
	return err
}

const eventColumns = `e.id, e.team_id, t.name, e.practice_id, e.status, e.note, e.reconfirm,
	coalesce(e.idempotency_key, ''), e.at`

const eventByKey = `select ` + eventColumns + `
	from events e join teams t on t.id = e.team_id
	where e.idempotency_key = ?`

func scanEvent(s rowScanner) (tracker.Event, error) {
	var e tracker.Event
	err := s.Scan(&e.ID, &e.TeamID, &e.TeamName, &e.PracticeID, &e.Status, &e.Note,
		&e.Reconfirm, &e.IdempotencyKey, timeScan{&e.At})
	return e, err
}

// appendTx records e in tx. A repeated idempotency key is found by the
// insert itself, which then writes nothing (one statement fewer for every
// report that is not a repeat). Its ErrDuplicate and ErrNotFound errors all
// come before any write: Append relies on it.
func (db *DB) appendTx(ctx context.Context, tx *sql.Tx, e tracker.Event) (tracker.Event, error) {
	if db.dialect == Postgres {
		// Lock the team's row: appends of one team run one after the
		// other, so reading then writing its state below cannot race.
		// The read is a statement of its own so that it sees what the
		// previous holder of the lock committed. (SQLite has one writer.)
		var id int64
		err := db.queryRow(ctx, tx, `select id from teams
			where id = ? and removed_at is null for update`, e.TeamID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return db.unknownTeam(ctx, tx, e)
		}
		if err != nil {
			return tracker.Event{}, err
		}
	}
	key := pairKey{e.TeamID, e.PracticeID}
	cur, err := db.pairState(ctx, tx, key)
	if errors.Is(err, tracker.ErrUnknownTeam) {
		return db.unknownTeam(ctx, tx, e)
	}
	if err != nil {
		return tracker.Event{}, err
	}
	e.TeamName = cur.teamName
	found := cur.found
	if e.Reconfirm {
		if !found {
			return tracker.Event{}, fmt.Errorf("reconfirm %s: no current status: %w",
				e.PracticeID, tracker.ErrNotFound)
		}
		e.Status = cur.status
	}

	e.ID, err = db.insertEvent(ctx, tx, e)
	if errors.Is(err, sql.ErrNoRows) {
		// The key was recorded before (by a committed transaction, or
		// earlier in this one).
		first, err := scanEvent(db.queryRow(ctx, tx, eventByKey, e.IdempotencyKey))
		if err != nil {
			return tracker.Event{}, err
		}
		return first, tracker.ErrDuplicate
	}
	if err != nil {
		return tracker.Event{}, err
	}

	note := e.Note
	if note == "" {
		note = cur.note
	}
	since := cur.since
	if !found || cur.status != e.Status {
		since = e.At
	}
	db.cache.put(key, pairState{teamName: e.TeamName, found: true, status: e.Status, note: note, since: since})
	if !found {
		_, err = db.exec(ctx, tx, `insert into states
			(team_id, practice_id, status, note, since, confirmed_at, event_id)
			values (?, ?, ?, ?, ?, ?, ?)`,
			e.TeamID, e.PracticeID, string(e.Status), note, db.ts(e.At), db.ts(e.At), e.ID)
		if err != nil {
			return tracker.Event{}, err
		}
		return e, db.addCounts(ctx, tx, e.TeamID, e.At, []statusDelta{{e.Status, 1}})
	}

	_, err = db.exec(ctx, tx, `update states
		set status = ?, note = ?, since = ?, confirmed_at = ?, event_id = ?
		where team_id = ? and practice_id = ?`,
		string(e.Status), note, db.ts(since), db.ts(e.At), e.ID, e.TeamID, e.PracticeID)
	if err != nil {
		return tracker.Event{}, err
	}
	if cur.status == e.Status {
		return e, nil
	}
	return e, db.addCounts(ctx, tx, e.TeamID, e.At,
		[]statusDelta{{cur.status, -1}, {e.Status, 1}})
}

// unknownTeam answers a report whose team is unknown or removed:
// tracker.ErrUnknownTeam, or the first event and tracker.ErrDuplicate when
// its key was recorded before the team went, so that a retry of an
// acknowledged report learns that it was recorded.
func (db *DB) unknownTeam(ctx context.Context, tx *sql.Tx, e tracker.Event) (tracker.Event, error) {
	if e.IdempotencyKey != "" {
		first, err := scanEvent(db.queryRow(ctx, tx, eventByKey, e.IdempotencyKey))
		if err == nil {
			return first, tracker.ErrDuplicate
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return tracker.Event{}, err
		}
	}
	return tracker.Event{}, fmt.Errorf("team %d: %w", e.TeamID, tracker.ErrUnknownTeam)
}

// pairState returns the team's name and its current state of a practice,
// from the writer's cache or else with one statement that also checks
// that the team exists; tracker.ErrUnknownTeam if it does not.
func (db *DB) pairState(ctx context.Context, tx *sql.Tx, key pairKey) (pairState, error) {
	if s, ok := db.cache.get(key); ok {
		return s, nil
	}
	var (
		s            pairState
		status, note sql.NullString
	)
	err := db.queryRow(ctx, tx, `select t.name, s.status, s.note, s.since
		from teams t left join states s on s.team_id = t.id and s.practice_id = ?
		where t.id = ? and t.removed_at is null`, key.practice, key.team).
		Scan(&s.teamName, &status, &note, timeScan{&s.since})
	if errors.Is(err, sql.ErrNoRows) {
		return pairState{}, fmt.Errorf("team %d: %w", key.team, tracker.ErrUnknownTeam)
	}
	if err != nil {
		return pairState{}, err
	}
	s.found, s.status, s.note = status.Valid, tracker.Status(status.String), note.String
	return s, nil
}

const insertEvent = `insert into events
	(team_id, practice_id, status, note, reconfirm, idempotency_key, at)
	values (?, ?, ?, ?, ?, ?, ?)
	on conflict (idempotency_key) do nothing`

// insertEvent inserts e and returns its id, or sql.ErrNoRows when its
// idempotency key is taken. On SQLite a plain exec tells both (returning
// would collect the row in a temporary table first).
func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, e tracker.Event) (int64, error) {
	args := []any{e.TeamID, e.PracticeID, string(e.Status), e.Note, e.Reconfirm,
		nullString(e.IdempotencyKey), db.ts(e.At)}
	if db.dialect == Postgres {
		var id int64
		err := db.queryRow(ctx, tx, insertEvent+` returning id`, args...).Scan(&id)
		return id, err
	}
	res, err := db.exec(ctx, tx, insertEvent, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, cmp.Or(err, sql.ErrNoRows)
	}
	return res.LastInsertId()
}

// statusDelta is a change in the number of pairs in a status.
type statusDelta struct {
	status tracker.Status
	delta  int64
}

// countKey is one row of daily_status_counts.
type countKey struct {
	day    string
	status tracker.Status
	shard  int64
}

// addCounts adds deltas to the counts of at's day. On PostgreSQL it
// updates the team's shard right away, touching rows in status order so
// that two transactions never wait on each other's rows in opposite
// orders. On SQLite, where one writer commits batches, it adds them to
// the batch's pending counts, which flushCounts writes before the commit:
// one row per day and status for the whole batch.
func (db *DB) addCounts(ctx context.Context, tx *sql.Tx, teamID int64, at time.Time, deltas []statusDelta) error {
	if db.dialect == SQLite {
		for _, d := range deltas {
			db.pendingCounts[countKey{day(at), d.status, 0}] += d.delta
		}
		return nil
	}
	slices.SortFunc(deltas, func(a, b statusDelta) int { return cmp.Compare(a.status, b.status) })
	for _, d := range deltas {
		if err := db.upsertCount(ctx, tx, countKey{day(at), d.status, teamID % countShards}, d.delta); err != nil {
			return err
		}
	}
	return nil
}

// flushCounts writes the pending counts of a SQLite batch and clears them.
func (db *DB) flushCounts(ctx context.Context, tx *sql.Tx) error {
	for k, delta := range db.pendingCounts {
		if delta == 0 {
			continue
		}
		if err := db.upsertCount(ctx, tx, k, delta); err != nil {
			return err
		}
	}
	clear(db.pendingCounts)
	return nil
}

func (db *DB) upsertCount(ctx context.Context, tx *sql.Tx, k countKey, delta int64) error {
	_, err := db.exec(ctx, tx, `insert into daily_status_counts (day, status, shard, delta)
		values (?, ?, ?, ?)
		on conflict (day, status, shard)
		do update set delta = daily_status_counts.delta + excluded.delta`,
		k.day, string(k.status), k.shard, delta)
	if err != nil {
		return fmt.Errorf("count %s: %w", k.status, err)
	}
	return nil
}

// States returns the current states matching f, ordered by team name,
// then practice id.
func (db *DB) States(ctx context.Context, f tracker.StateFilter) ([]tracker.State, error) {
	query := `select s.team_id, t.name, s.practice_id, s.status, s.note, s.since, s.confirmed_at
		from states s join teams t on t.id = s.team_id`
	var (
		where []string
		args  []any
	)
	if f.TeamID != 0 {
		where = append(where, `s.team_id = ?`)
		args = append(args, f.TeamID)
	}
	if f.PracticeID != "" {
		where = append(where, `s.practice_id = ?`)
		args = append(args, f.PracticeID)
	}
	if len(where) > 0 {
		query += ` where ` + strings.Join(where, ` and `)
	}
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	defer rows.Close()
	var states []tracker.State
	for rows.Next() {
		var s tracker.State
		if err := rows.Scan(&s.TeamID, &s.TeamName, &s.PracticeID, &s.Status, &s.Note,
			timeScan{&s.Since}, timeScan{&s.ConfirmedAt}); err != nil {
			return nil, fmt.Errorf("states: %w", err)
		}
		states = append(states, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	// Sorted here rather than in SQL: the two dialects collate differently.
	slices.SortFunc(states, func(a, b tracker.State) int {
		return cmp.Or(cmp.Compare(a.TeamName, b.TeamName),
			cmp.Compare(a.PracticeID, b.PracticeID), cmp.Compare(a.TeamID, b.TeamID))
	})
	return states, nil
}

// Events returns the events matching f in id order, or newest first.
// Events of removed teams are included.
func (db *DB) Events(ctx context.Context, f tracker.EventFilter) ([]tracker.Event, error) {
	var (
		where []string
		args  []any
	)
	if f.TeamID != 0 {
		where = append(where, "e.team_id = ?")
		args = append(args, f.TeamID)
	}
	if f.PracticeID != "" {
		where = append(where, "e.practice_id = ?")
		args = append(args, f.PracticeID)
	}
	if !f.Since.IsZero() {
		where = append(where, "e.at >= ?")
		args = append(args, db.ts(f.Since))
	}
	query := `select ` + eventColumns + ` from events e join teams t on t.id = e.team_id`
	if len(where) > 0 {
		query += " where " + strings.Join(where, " and ")
	}
	if f.NewestFirst {
		query += " order by e.id desc"
	} else {
		query += " order by e.id"
	}
	if f.Limit > 0 {
		query += " limit ?"
		args = append(args, f.Limit)
	}
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var events []tracker.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return events, nil
}

// History returns, for each UTC day on which a status changed, how many
// (team, practice) pairs were in each status at the end of that day, oldest
// first. It reads the per-day counts, never the events.
func (db *DB) History(ctx context.Context) ([]tracker.DayCounts, error) {
	rows, err := db.r.QueryContext(ctx, `select day, status, sum(delta) from daily_status_counts
		group by day, status order by day`)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var (
		days    []tracker.DayCounts
		running = map[tracker.Status]int{}
	)
	for rows.Next() {
		var (
			d      time.Time
			status tracker.Status
			delta  int64
		)
		if err := rows.Scan(timeScan{&d}, &status, &delta); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		if len(days) == 0 || !days[len(days)-1].Day.Equal(d) {
			counts := make(map[tracker.Status]int, len(tracker.Statuses))
			for _, st := range tracker.Statuses {
				counts[st] = running[st]
			}
			days = append(days, tracker.DayCounts{Day: d, Counts: counts})
		}
		running[status] += int(delta)
		days[len(days)-1].Counts[status] = running[status]
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return days, nil
}
