package web

import (
	"net/http"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

type practiceRow struct {
	State tracker.State
	Stale bool
}

type practicePage struct {
	Practice catalog.Practice
	Retired  bool // in the history but no longer in the catalog
	Rows     []practiceRow
	Events   []tracker.Event
	Counts   map[string]int
	Teams    int
	Bar      bar
}

// practiceShow lists which teams do one practice, since when, and what
// they say. The admin and every team may read it: teams learn from each
// other. A practice that left the catalog keeps its page, marked retired.
func (h *Handler) practiceShow(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.session(r); !ok && !h.isAdmin(r) {
		h.unauthorized(w, r, "Open your team's join link first, or sign in as the admin.")
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	cat := h.currentCatalog()
	p, inCatalog := cat.Lookup(id)
	events, err := h.store.Events(ctx, tracker.EventFilter{PracticeID: id, NewestFirst: true, Limit: 100})
	if err != nil {
		h.internal(w, r, "read events", err)
		return
	}
	if !inCatalog && len(events) == 0 {
		h.fail(w, r, http.StatusNotFound, "There is no practice with that id, now or in the history.")
		return
	}
	if !inCatalog {
		p = catalog.Practice{ID: id, Title: id}
	}
	a, err := h.adoption(ctx, id)
	if err != nil {
		h.internal(w, r, "read adoption", err)
		return
	}
	page := practicePage{Practice: p, Retired: !inCatalog, Events: events,
		Counts: map[string]int{}, Teams: a.teams}
	now := h.now()
	for _, s := range a.states {
		page.Counts[string(s.Status)]++
		page.Rows = append(page.Rows, practiceRow{State: s, Stale: inCatalog && s.Stale(now, tracker.ReviewAfter(p))})
	}
	page.Bar = newBar(page.Counts["adopted"], page.Counts["trying"], page.Teams)
	h.render(w, r, http.StatusOK, "practice", p.Title, page)
}
