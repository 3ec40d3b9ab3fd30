package sqldb

import (
	"cmp"
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/playbook-dev/playbook/tracker"
)

// CreateTeam adds a team; tracker.ErrConflict if a team (not removed) has
// the name.
func (db *DB) CreateTeam(ctx context.Context, name string, tokenHash []byte) (tracker.Team, error) {
	if strings.TrimSpace(name) == "" {
		return tracker.Team{}, errors.New("create team: empty name")
	}
	if len(tokenHash) == 0 {
		return tracker.Team{}, fmt.Errorf("create team %q: empty token hash", name)
	}
	t := tracker.Team{Name: name, CreatedAt: utc(db.now())}
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The only constraint this insert can hit is the unique name.
		return db.queryRow(ctx, tx, `insert into teams (name, token_hash, created_at)
			values (?, ?, ?) on conflict do nothing returning id`,
			name, tokenHash, db.ts(t.CreatedAt)).Scan(&t.ID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return tracker.Team{}, fmt.Errorf("create team %q: %w", name, tracker.ErrConflict)
	}
	if err != nil {
		return tracker.Team{}, fmt.Errorf("create team %q: %w", name, err)
	}
	return t, nil
}

// SetTeamToken replaces a team's token hash; tracker.ErrNotFound if there
// is no such team.
func (db *DB) SetTeamToken(ctx context.Context, name string, tokenHash []byte) error {
	if len(tokenHash) == 0 {
		return fmt.Errorf("set token of team %q: empty token hash", name)
	}
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `update teams set token_hash = ?
			where name = ? and removed_at is null`, tokenHash, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return tracker.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set token of team %q: %w", name, err)
	}
	return nil
}

// RemoveTeam marks a team removed and drops its current states, counting
// them out of History on the day of removal. Its events stay, and its name
// can be given to a new team.
func (db *DB) RemoveTeam(ctx context.Context, name string) error {
	now := utc(db.now())
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Marking the team first locks its row on PostgreSQL, so no
		// Append of this team can change its states while they are
		// counted out below.
		var id int64
		err := db.queryRow(ctx, tx, `update teams set removed_at = ?
			where name = ? and removed_at is null returning id`, db.ts(now), name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return tracker.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, db.q(`select status, count(*) from states
			where team_id = ? group by status order by status`), id)
		if err != nil {
			return err
		}
		var deltas []statusDelta
		for rows.Next() {
			var d statusDelta
			if err := rows.Scan(&d.status, &d.delta); err != nil {
				rows.Close()
				return err
			}
			d.delta = -d.delta
			deltas = append(deltas, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := db.addCounts(ctx, tx, id, now, deltas); err != nil {
			return err
		}
		_, err = db.exec(ctx, tx, `delete from states where team_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove team %q: %w", name, err)
	}
	return nil
}

// Teams lists the teams that are not removed, by name.
func (db *DB) Teams(ctx context.Context) ([]tracker.Team, error) {
	rows, err := db.r.QueryContext(ctx, `select id, name, created_at from teams
		where removed_at is null`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var teams []tracker.Team
	for rows.Next() {
		var t tracker.Team
		if err := rows.Scan(&t.ID, &t.Name, timeScan{&t.CreatedAt}); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		teams = append(teams, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	// Sorted here rather than in SQL: the two dialects collate differently.
	slices.SortFunc(teams, func(a, b tracker.Team) int { return cmp.Compare(a.Name, b.Name) })
	return teams, nil
}

// TeamByName finds a team that is not removed; tracker.ErrNotFound if none.
func (db *DB) TeamByName(ctx context.Context, name string) (tracker.Team, error) {
	var t tracker.Team
	err := db.r.QueryRowContext(ctx, db.q(`select id, name, created_at from teams
		where name = ? and removed_at is null`), name).Scan(&t.ID, &t.Name, timeScan{&t.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return tracker.Team{}, fmt.Errorf("team %q: %w", name, tracker.ErrNotFound)
	}
	if err != nil {
		return tracker.Team{}, fmt.Errorf("team %q: %w", name, err)
	}
	return t, nil
}

// TeamByTokenHash finds the team (not removed) whose token hashes to
// tokenHash; tracker.ErrNotFound if none. The index finds the row; the
// stored hash is then compared in constant time.
func (db *DB) TeamByTokenHash(ctx context.Context, tokenHash []byte) (tracker.Team, error) {
	if len(tokenHash) == 0 {
		return tracker.Team{}, fmt.Errorf("team by token: %w", tracker.ErrNotFound)
	}
	rows, err := db.r.QueryContext(ctx, db.q(`select id, name, created_at, token_hash from teams
		where token_hash = ? and removed_at is null`), tokenHash)
	if err != nil {
		return tracker.Team{}, fmt.Errorf("team by token: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t    tracker.Team
			hash []byte
		)
		if err := rows.Scan(&t.ID, &t.Name, timeScan{&t.CreatedAt}, &hash); err != nil {
			return tracker.Team{}, fmt.Errorf("team by token: %w", err)
		}
		if subtle.ConstantTimeCompare(hash, tokenHash) == 1 {
			return t, nil
		}
	}
	if err := rows.Err(); err != nil {
		return tracker.Team{}, fmt.Errorf("team by token: %w", err)
	}
	return tracker.Team{}, fmt.Errorf("team by token: %w", tracker.ErrNotFound)
}
