package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

type checkItem struct {
	Practice catalog.Practice
	State    tracker.State
	Reported bool
	Stale    bool
	Due      time.Time // when an adoption needs re-confirming; zero if never
}

type teamPage struct {
	Team    tracker.Team
	Own     bool // the viewer reports as this team and may re-confirm
	Items   []checkItem
	Retired []tracker.State
	Events  []tracker.Event
	Counts  map[string]int
	Stale   int
}

// teamShow is one team's checklist. The team itself (its cookie) and the
// admin may read it.
func (h *Handler) teamShow(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	viewer, hasTeam := h.session(r)
	admin := h.isAdmin(r)
	switch {
	case hasTeam && viewer.Name == name:
	case admin:
	case hasTeam:
		h.fail(w, r, http.StatusForbidden, "You can see your own team's page, "+viewer.Name+", not another team's.")
		return
	default:
		h.unauthorized(w, r, "Open your team's join link first, or sign in as the admin.")
		return
	}
	ctx := r.Context()
	team, err := h.store.TeamByName(ctx, name)
	if errors.Is(err, tracker.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "There is no team with that name.")
		return
	}
	if err != nil {
		h.internal(w, r, "find team", err)
		return
	}
	states, err := h.store.States(ctx, tracker.StateFilter{TeamID: team.ID})
	if err != nil {
		h.internal(w, r, "read states", err)
		return
	}
	events, err := h.store.Events(ctx, tracker.EventFilter{TeamID: team.ID, NewestFirst: true, Limit: 50})
	if err != nil {
		h.internal(w, r, "read events", err)
		return
	}
	cat := h.currentCatalog()
	now := h.now()
	page := teamPage{Team: team, Own: hasTeam && viewer.ID == team.ID, Events: events,
		Counts: map[string]int{}}
	byID := make(map[string]tracker.State, len(states))
	for _, s := range states {
		if _, ok := cat.Lookup(s.PracticeID); !ok {
			page.Retired = append(page.Retired, s)
			continue
		}
		byID[s.PracticeID] = s
	}
	for _, p := range cat.Practices {
		it := checkItem{Practice: p}
		if s, ok := byID[p.ID]; ok {
			it.State, it.Reported = s, true
			page.Counts[string(s.Status)]++
			if ra := tracker.ReviewAfter(p); ra > 0 && s.Status == tracker.Adopted {
				it.Due = s.ConfirmedAt.Add(ra)
				it.Stale = s.Stale(now, ra)
			}
			if it.Stale {
				page.Stale++
			}
		}
		page.Items = append(page.Items, it)
	}
	h.render(w, r, http.StatusOK, "team", "Team "+team.Name, page)
}
