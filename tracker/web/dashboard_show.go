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

// cellKind is what one square of the heatmap shows. Each kind has a class
// for the colour and a short text label, so that the status never depends
// on colour alone; the labels are spelled out in the legend.
type cellKind uint8

const (
	noneKind cellKind = iota // no report
	notStartedKind
	tryingKind
	adoptedKind
	droppedKind
	staleKind // adopted, re-confirmation overdue
)

// cellTD is each kind's cell as markup.
var cellTD = [...]string{
	noneKind:       `<td class="st-none">·</td>`,
	notStartedKind: `<td class="st-not-started">N</td>`,
	tryingKind:     `<td class="st-trying">T</td>`,
	adoptedKind:    `<td class="st-adopted">A</td>`,
	droppedKind:    `<td class="st-dropped">D</td>`,
	staleKind:      `<td class="st-stale">A!</td>`,
}

func statusKind(s tracker.Status) cellKind {
	switch s {
	case tracker.Adopted:
		return adoptedKind
	case tracker.Trying:
		return tryingKind
	case tracker.Dropped:
		return droppedKind
	default:
		return notStartedKind
	}
}

type heatRow struct {
	Team string
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

// staleShown caps the dashboard's list of stale adoptions: the most
// overdue come first, and the rest are counted. On a large board the
// full list is thousands of rows that nobody reads; each team's page and
// the stale column of state.csv have them all.
const staleShown = 100

type dashboardPage struct {
	Practices []catalog.Practice
	Rows      []heatRow
	Bars      []practiceBar
	Retired   []retiredPractice
	Chart     lineChart
	Notes     []tracker.Event
	Stale     []staleItem
	MoreStale int // stale adoptions not in Stale
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
	marks, err := h.store.Marks(ctx)
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
	reviewAfter := make([]time.Duration, len(cat.Practices))
	for i, p := range cat.Practices {
		col[p.ID] = i
		reviewAfter[i] = tracker.ReviewAfter(p)
	}
	rowOf := make(map[int64]int, len(teams))
	for i, t := range teams {
		rowOf[t.ID] = i
	}
	// The board as cell kinds, one row per team; noneKind is zero.
	width := len(cat.Practices)
	board := make([]cellKind, len(teams)*width)
	bars := make([]practiceBar, len(cat.Practices))
	for i, p := range cat.Practices {
		bars[i] = practiceBar{Practice: p, Teams: len(teams)}
	}
	retired := map[string]*retiredPractice{}
	type staleMark struct {
		row, col int
		at, due  time.Time
	}
	var stale []staleMark
	for _, m := range marks {
		row, current := rowOf[m.TeamID]
		j, inCatalog := col[m.PracticeID]
		if !inCatalog {
			rp := retired[m.PracticeID]
			if rp == nil {
				rp = &retiredPractice{ID: m.PracticeID}
				retired[m.PracticeID] = rp
			}
			rp.Teams++
			if m.Status == tracker.Adopted {
				rp.Adopted++
			}
			continue
		}
		if !current {
			continue // a team created since Teams was read: next time
		}
		k := statusKind(m.Status)
		if m.Stale(now, reviewAfter[j]) {
			k = staleKind
			stale = append(stale, staleMark{row, j, m.ConfirmedAt, m.ConfirmedAt.Add(reviewAfter[j])})
		}
		board[row*width+j] = k
		switch m.Status {
		case tracker.Adopted:
			bars[j].Adopted++
		case tracker.Trying:
			bars[j].Trying++
		}
	}
	page := dashboardPage{Practices: cat.Practices, Teams: len(teams)}
	page.Rows = make([]heatRow, len(teams))
	for i, t := range teams {
		page.Rows[i] = heatRow{Team: t.Name, HTML: cellsHTML(board[i*width : (i+1)*width])}
	}
	for i := range bars {
		bars[i].Bar = newBar(bars[i].Adopted, bars[i].Trying, bars[i].Teams)
	}
	page.Bars = bars
	for _, rp := range retired {
		page.Retired = append(page.Retired, *rp)
	}
	slices.SortFunc(page.Retired, func(a, b retiredPractice) int { return cmp.Compare(a.ID, b.ID) })
	// Most overdue first. The store returns marks in no particular order,
	// so ties go in board order (teams by name, practices as in the
	// catalog) to keep the page stable.
	slices.SortFunc(stale, func(a, b staleMark) int {
		return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	if len(stale) > staleShown {
		page.MoreStale = len(stale) - staleShown
		stale = stale[:staleShown]
	}
	page.Stale = make([]staleItem, len(stale))
	for i, s := range stale {
		page.Stale[i] = staleItem{Team: teams[s.row].Name, Practice: cat.Practices[s.col],
			ConfirmedAt: s.at, Due: s.due}
	}
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

func cellsHTML(cells []cellKind) template.HTML {
	n := 0
	for _, c := range cells {
		n += len(cellTD[c])
	}
	var b strings.Builder
	b.Grow(n)
	for _, c := range cells {
		b.WriteString(cellTD[c])
	}
	return template.HTML(b.String())
}
