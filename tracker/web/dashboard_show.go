package web

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

// cell is one square of the heatmap: a class for the colour and a short
// text label, so that the status never depends on colour alone.
type cell struct {
	Class string
	Label string
}

// cells for each status, and for no report and stale adoptions. The
// labels are spelled out in the legend.
var (
	noCell    = cell{"st-none", "·"}
	staleCell = cell{"st-stale", "A!"}
)

func statusCell(s tracker.Status) cell {
	switch s {
	case tracker.Adopted:
		return cell{"st-adopted", "A"}
	case tracker.Trying:
		return cell{"st-trying", "T"}
	case tracker.Dropped:
		return cell{"st-dropped", "D"}
	default:
		return cell{"st-not-started", "N"}
	}
}

type heatRow struct {
	Team  string
	Cells []cell
	// HTML is the row's cells as markup, built in Go: a 500 x 200 board
	// is 100,000 cells, and running each through the template's escaper
	// costs more than the rest of the page. Only the fixed classes and
	// labels above go into it, never text from a user.
	HTML template.HTML
}

type practiceBar struct {
	Practice catalog.Practice
	Adopted  int
	Trying   int
	Teams    int
	Bar      bar
}

type retiredPractice struct {
	ID      string
	Teams   int
	Adopted int
}

type staleItem struct {
	Team        string
	Practice    catalog.Practice
	ConfirmedAt time.Time
	Due         time.Time
}

type dashboardPage struct {
	Practices []catalog.Practice
	Rows      []heatRow
	Bars      []practiceBar
	Retired   []retiredPractice
	Chart     lineChart
	Notes     []tracker.Event
	Stale     []staleItem
	Teams     int
}

// dashboardShow is the admin overview: heatmap, adoption bars, adoption
// over time, recent notes and stale adoptions.
func (h *Handler) dashboardShow(w http.ResponseWriter, r *http.Request) {
	if !h.requireAdmin(w, r) {
		return
	}
	ctx := r.Context()
	cat := h.currentCatalog()
	teams, err := h.store.Teams(ctx)
	if err != nil {
		h.internal(w, r, "list teams", err)
		return
	}
	states, err := h.store.States(ctx, 0)
	if err != nil {
		h.internal(w, r, "read states", err)
		return
	}
	history, err := h.store.History(ctx)
	if err != nil {
		h.internal(w, r, "read history", err)
		return
	}
	recent, err := h.store.Events(ctx, tracker.EventFilter{NewestFirst: true, Limit: 500})
	if err != nil {
		h.internal(w, r, "read events", err)
		return
	}
	now := h.now()

	col := make(map[string]int, len(cat.Practices))
	for i, p := range cat.Practices {
		col[p.ID] = i
	}
	rowOf := make(map[int64]int, len(teams))
	page := dashboardPage{Practices: cat.Practices, Teams: len(teams)}
	page.Rows = make([]heatRow, len(teams))
	for i, t := range teams {
		rowOf[t.ID] = i
		cells := make([]cell, len(cat.Practices))
		for j := range cells {
			cells[j] = noCell
		}
		page.Rows[i] = heatRow{Team: t.Name, Cells: cells}
	}
	bars := make([]practiceBar, len(cat.Practices))
	for i, p := range cat.Practices {
		bars[i] = practiceBar{Practice: p, Teams: len(teams)}
	}
	retired := map[string]*retiredPractice{}
	for _, s := range states {
		row, current := rowOf[s.TeamID]
		j, inCatalog := col[s.PracticeID]
		if !inCatalog {
			rp := retired[s.PracticeID]
			if rp == nil {
				rp = &retiredPractice{ID: s.PracticeID}
				retired[s.PracticeID] = rp
			}
			rp.Teams++
			if s.Status == tracker.Adopted {
				rp.Adopted++
			}
			continue
		}
		if !current {
			continue // a removed team: kept in exports, not on the board
		}
		p := cat.Practices[j]
		c := statusCell(s.Status)
		if s.Stale(now, tracker.ReviewAfter(p)) {
			c = staleCell
			page.Stale = append(page.Stale, staleItem{Team: s.TeamName, Practice: p,
				ConfirmedAt: s.ConfirmedAt, Due: s.ConfirmedAt.Add(tracker.ReviewAfter(p))})
		}
		page.Rows[row].Cells[j] = c
		switch s.Status {
		case tracker.Adopted:
			bars[j].Adopted++
		case tracker.Trying:
			bars[j].Trying++
		}
	}
	for i := range page.Rows {
		page.Rows[i].HTML = cellsHTML(page.Rows[i].Cells)
	}
	for i := range bars {
		bars[i].Bar = newBar(bars[i].Adopted, bars[i].Trying, bars[i].Teams)
	}
	page.Bars = bars
	for _, rp := range retired {
		page.Retired = append(page.Retired, *rp)
	}
	slices.SortFunc(page.Retired, func(a, b retiredPractice) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(page.Stale, func(a, b staleItem) int { return a.Due.Compare(b.Due) })
	for _, e := range recent {
		if e.Note != "" {
			page.Notes = append(page.Notes, e)
			if len(page.Notes) == 20 {
				break
			}
		}
	}
	page.Chart = newLineChart(history, now)
	h.render(w, r, http.StatusOK, "dashboard", "Adoption", page)
}

func cellsHTML(cells []cell) template.HTML {
	var b strings.Builder
	b.Grow(len(cells) * 32)
	for _, c := range cells {
		b.WriteString(`<td class="`)
		b.WriteString(c.Class)
		b.WriteString(`">`)
		b.WriteString(c.Label)
		b.WriteString(`</td>`)
	}
	return template.HTML(b.String())
}
