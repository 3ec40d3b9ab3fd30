package tracker

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
)

// ExportEvent is one event as the exports write it.
type ExportEvent struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Team      string    `json:"team"`
	Practice  string    `json:"practice"`
	Status    Status    `json:"status"`
	Reconfirm bool      `json:"reconfirm"`
	Note      string    `json:"note"`
}

// ExportState is one current state as the exports write it. Stale and
// Retired are only meaningful when the export had a catalog.
type ExportState struct {
	Team        string    `json:"team"`
	Practice    string    `json:"practice"`
	Title       string    `json:"title,omitempty"`
	Status      Status    `json:"status"`
	Since       time.Time `json:"since"`
	ConfirmedAt time.Time `json:"confirmed_at"`
	Stale       bool      `json:"stale"`
	Retired     bool      `json:"retired"`
	Note        string    `json:"note"`
}

// ExportEvents converts events for export.
func ExportEvents(events []Event) []ExportEvent {
	out := make([]ExportEvent, len(events))
	for i, e := range events {
		out[i] = ExportEvent{ID: e.ID, At: e.At.UTC(), Team: e.TeamName, Practice: e.PracticeID,
			Status: e.Status, Reconfirm: e.Reconfirm, Note: e.Note}
	}
	return out
}

// ExportStates converts states for export; with a catalog it fills in the
// title, staleness at now and whether the practice left the catalog.
func ExportStates(states []State, cat *catalog.Catalog, now time.Time) []ExportState {
	out := make([]ExportState, len(states))
	for i, s := range states {
		x := ExportState{Team: s.TeamName, Practice: s.PracticeID, Status: s.Status,
			Since: s.Since.UTC(), ConfirmedAt: s.ConfirmedAt.UTC(), Note: s.Note}
		if cat != nil {
			p, ok := cat.Lookup(s.PracticeID)
			x.Title, x.Retired = p.Title, !ok
			x.Stale = ok && s.Stale(now, ReviewAfter(p))
		}
		out[i] = x
	}
	return out
}

// ReviewAfter is how long an adoption of p stays fresh without a
// re-confirmation; 0 means it never goes stale.
func ReviewAfter(p catalog.Practice) time.Duration {
	return time.Duration(p.ReviewAfterDays) * 24 * time.Hour
}

// WriteJSON writes v (an export slice) as a JSON array, one element a line.
func WriteJSON[T any](w io.Writer, rows []T) error {
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	for i, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

// WriteEventsCSV writes events as CSV with a header row.
func WriteEventsCSV(w io.Writer, events []ExportEvent) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "team", "practice", "status", "reconfirm", "note"})
	for _, e := range events {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339), cell(e.Team),
			cell(e.Practice), string(e.Status), strconv.FormatBool(e.Reconfirm), cell(e.Note)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteStatesCSV writes states as CSV with a header row.
func WriteStatesCSV(w io.Writer, states []ExportState) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"team", "practice", "title", "status", "since", "confirmed_at", "stale", "retired", "note"})
	for _, s := range states {
		cw.Write([]string{cell(s.Team), cell(s.Practice), cell(s.Title), string(s.Status),
			s.Since.Format(time.RFC3339), s.ConfirmedAt.Format(time.RFC3339),
			strconv.FormatBool(s.Stale), strconv.FormatBool(s.Retired), cell(s.Note)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// cell defuses spreadsheet formulas: a free-text cell that a spreadsheet
// would evaluate (=, +, -, @, tab, CR first) gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
