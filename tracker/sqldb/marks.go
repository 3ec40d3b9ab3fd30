package sqldb

import (
	"context"
	"fmt"
	"slices"
	"time"

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
	// Scanned into variables declared once: a Mark declared in the loop
	// would be allocated for each row, as Scan takes pointers into it.
	var (
		marks    []tracker.Mark
		teamID   int64
		practice string
		status   string
		at       time.Time
	)
	for rows.Next() {
		if err := rows.Scan(&teamID, &practice, &status, timeScan{&at}); err != nil {
			return nil, fmt.Errorf("marks: %w", err)
		}
		if len(marks) == cap(marks) {
			// Double: append grows a large slice by a quarter at a
			// time, copying 100,000 marks many times over.
			marks = slices.Grow(marks, max(len(marks), 256))
		}
		marks = append(marks, tracker.Mark{TeamID: teamID, PracticeID: practice,
			Status: knownStatus(status), ConfirmedAt: at})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("marks: %w", err)
	}
	return marks, nil
}

// knownStatus returns the constant equal to s, so that 100,000 marks share
// four strings instead of keeping one each; s itself if it is none of them.
func knownStatus(s string) tracker.Status {
	if st, err := tracker.ParseStatus(s); err == nil {
		return st
	}
	return tracker.Status(s)
}
