package sqldb

import (
	"context"
	"fmt"

	"github.com/playbook-dev/playbook/tracker"
)

// Marks returns every current state in short form, in table order. A
// removed team's states are deleted with it, so no join with teams is
// needed; there is no sort either: the dashboard places each mark by its
// team and practice.
func (db *DB) Marks(ctx context.Context) ([]tracker.Mark, error) {
	rows, err := db.r.QueryContext(ctx, `select team_id, practice_id, status, confirmed_at from states`)
	if err != nil {
		return nil, fmt.Errorf("marks: %w", err)
	}
	defer rows.Close()
	var (
		marks  []tracker.Mark
		status string
	)
	for rows.Next() {
		var m tracker.Mark
		if err := rows.Scan(&m.TeamID, &m.PracticeID, &status, timeScan{&m.ConfirmedAt}); err != nil {
			return nil, fmt.Errorf("marks: %w", err)
		}
		m.Status = knownStatus(status)
		marks = append(marks, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("marks: %w", err)
	}
	return marks, nil
}

// knownStatus returns the constant equal to s, so that 100,000 marks share
// four strings instead of keeping one each; s itself if it is none of them.
func knownStatus(s string) tracker.Status {
	for _, st := range tracker.Statuses {
		if string(st) == s {
			return st
		}
	}
	return tracker.Status(s)
}
