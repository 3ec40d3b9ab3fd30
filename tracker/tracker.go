// Package tracker is the adoption tracker's domain: teams, adoption reports
// (events), the current state of each team's practices, staleness, and the
// Store interface that the SQLite and PostgreSQL stores implement.
//
// It knows no HTTP and no SQL. It may import generator/catalog (the practice
// catalog contract) and nothing else from this module.
package tracker

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is what a team says about one practice.
type Status string

// The statuses a team can report, in the order a practice usually moves.
const (
	NotStarted Status = "not-started"
	Trying     Status = "trying"
	Adopted    Status = "adopted"
	Dropped    Status = "dropped"
)

// Statuses lists every valid status in display order.
var Statuses = []Status{NotStarted, Trying, Adopted, Dropped}

// ParseStatus returns the status named s, or an error listing the valid ones.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q (valid: not-started, trying, adopted, dropped)", s)
}

// MaxNoteLen is the longest note a report may carry, in bytes.
const MaxNoteLen = 1000

// Errors a Store returns; callers test them with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("already exists")
	ErrDuplicate = errors.New("duplicate report")
	// ErrUnknownTeam is Append's error for a team that does not exist or
	// was removed; it is also an ErrNotFound.
	ErrUnknownTeam = fmt.Errorf("unknown or removed team: %w", ErrNotFound)
)

// Team is a group that reports adoption together. Its join token is never
// stored; only its SHA-256 hash is.
type Team struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Event is one adoption report, append-only. Reconfirm marks a "still doing
// this" report that keeps the status and renews its review date.
type Event struct {
	ID             int64
	TeamID         int64
	TeamName       string
	PracticeID     string
	Status         Status
	Note           string
	Reconfirm      bool
	IdempotencyKey string
	At             time.Time // UTC
}

// State is the current status of one practice for one team, kept in step
// with the events in the same transaction.
type State struct {
	TeamID      int64
	TeamName    string
	PracticeID  string
	Status      Status
	Note        string    // note of the latest report that carried one
	Since       time.Time // when the team moved to Status
	ConfirmedAt time.Time // latest report or re-confirmation
}

// Stale reports whether an adopted practice has gone without a report or
// re-confirmation for longer than reviewAfter at now.
func (s State) Stale(now time.Time, reviewAfter time.Duration) bool {
	return stale(s.Status, s.ConfirmedAt, now, reviewAfter)
}

// Mark is the part of a State that the dashboard's board shows: its
// status and whether it is stale. Without names, notes and the join they
// need, a store reads 100,000 of them several times faster than States.
type Mark struct {
	TeamID      int64
	PracticeID  string
	Status      Status
	ConfirmedAt time.Time // latest report or re-confirmation
}

// Stale is State.Stale for a mark.
func (m Mark) Stale(now time.Time, reviewAfter time.Duration) bool {
	return stale(m.Status, m.ConfirmedAt, now, reviewAfter)
}

func stale(s Status, confirmedAt, now time.Time, reviewAfter time.Duration) bool {
	return s == Adopted && reviewAfter > 0 && now.Sub(confirmedAt) > reviewAfter
}

// StateFilter narrows States; zero fields match everything.
type StateFilter struct {
	TeamID     int64
	PracticeID string
}

// EventFilter narrows Events; zero fields match everything.
type EventFilter struct {
	TeamID      int64
	PracticeID  string
	Since       time.Time
	Limit       int // 0: no limit
	NewestFirst bool
}

// DayCounts is the number of (team, practice) pairs in each status at the
// end of one UTC day.
type DayCounts struct {
	Day    time.Time
	Counts map[Status]int
}

// Store keeps teams, events and current state. Implementations must make
// Append durable before returning: a report that Append acknowledged
// survives a crash.
type Store interface {
	// CreateTeam adds a team; ErrConflict if the name is taken.
	CreateTeam(ctx context.Context, name string, tokenHash []byte) (Team, error)
	// SetTeamToken replaces a team's token hash; ErrNotFound if no such team.
	SetTeamToken(ctx context.Context, name string, tokenHash []byte) error
	// RemoveTeam deletes a team; its events are kept for history. Its
	// current states go (History counts them out on the day of removal)
	// and its name may be given to a new team, which gets a new ID.
	RemoveTeam(ctx context.Context, name string) error
	// Teams lists the teams by name; removed teams are not listed.
	Teams(ctx context.Context) ([]Team, error)
	// TeamByName finds a team; ErrNotFound if none.
	TeamByName(ctx context.Context, name string) (Team, error)
	// TeamByTokenHash finds the team whose token hashes to tokenHash;
	// ErrNotFound if none. Implementations compare in constant time.
	TeamByTokenHash(ctx context.Context, tokenHash []byte) (Team, error)

	// Append records a report and updates the team's current state in one
	// transaction. A report whose IdempotencyKey was already recorded is
	// not recorded again: Append returns the first event and ErrDuplicate.
	// An empty IdempotencyKey never matches. A zero At means now; At is
	// stored in UTC at microsecond precision and the returned event
	// carries the stored values (ID, TeamName, At). A Reconfirm report
	// records the current status whatever Status says, and fails with
	// ErrNotFound when the practice has no current state. A report for an
	// unknown or removed team fails with ErrUnknownTeam, unless its
	// IdempotencyKey was recorded before: a retry of a report is a
	// duplicate even once its team is gone.
	Append(ctx context.Context, e Event) (Event, error)
	// States returns the current states matching f, ordered by team name
	// then practice id.
	States(ctx context.Context, f StateFilter) ([]State, error)
	// Marks returns the current state of every team's practices in
	// short form (the board's view of States), in no particular
	// order.
	Marks(ctx context.Context) ([]Mark, error)
	// Events returns events in id order (or newest first), removed
	// teams' events included; Since is inclusive.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// History returns, for each UTC day on which a status changed, how
	// many (team, practice) pairs were in each status at the end of that
	// day, oldest first. It must not scan every event: implementations
	// keep per-day counts up to date in Append's transaction.
	History(ctx context.Context) ([]DayCounts, error)

	// SessionKey returns the key that signs team session cookies, creating
	// a random 32-byte key on first use; every process sharing the
	// database gets the same key.
	SessionKey(ctx context.Context) ([]byte, error)

	Close() error
}
