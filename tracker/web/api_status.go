package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

// adoption is where the current teams stand on one practice.
type adoption struct {
	states []tracker.State // of current teams, by team name
	teams  int             // how many teams there are
}

// adoption reads a practice's states and the number of teams, fresh on
// every page view. A team removed between the two reads is left out, so
// that a count never exceeds the teams.
func (h *Handler) adoption(ctx context.Context, practice string) (adoption, error) {
	teams, err := h.store.Teams(ctx)
	if err != nil {
		return adoption{}, err
	}
	states, err := h.store.States(ctx, tracker.StateFilter{PracticeID: practice})
	if err != nil {
		return adoption{}, err
	}
	current := make(map[int64]bool, len(teams))
	for _, t := range teams {
		current[t.ID] = true
	}
	a := adoption{states: states[:0], teams: len(teams)}
	for _, s := range states {
		if current[s.TeamID] {
			a.states = append(a.states, s)
		}
	}
	return a, nil
}

// adopted counts the teams that have adopted the practice.
func (a adoption) adopted() int {
	n := 0
	for _, s := range a.states {
		if s.Status == tracker.Adopted {
			n++
		}
	}
	return n
}

// of returns one team's state.
func (a adoption) of(team int64) (tracker.State, bool) {
	for _, s := range a.states {
		if s.TeamID == team {
			return s, true
		}
	}
	return tracker.State{}, false
}

// statusJSON is the answer of GET /api/status?practice=ID, for the
// theme's script to show a team's status and "adopted by N of M teams".
type statusJSON struct {
	Practice string `json:"practice"`
	Team     string `json:"team"`   // "" when the browser has no team cookie
	Status   string `json:"status"` // "" when the team has not reported
	Since    string `json:"since,omitempty"`
	Stale    bool   `json:"stale"`
	Adopted  int    `json:"adopted"`
	Teams    int    `json:"teams"`
}

func (h *Handler) apiStatus(w http.ResponseWriter, r *http.Request) {
	cat := h.currentCatalog()
	p, ok := cat.Lookup(r.URL.Query().Get("practice"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown practice"})
		return
	}
	a, err := h.adoption(r.Context(), p.ID)
	if err != nil {
		h.log.Error("read adoption", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	out := statusJSON{Practice: p.ID, Adopted: a.adopted(), Teams: a.teams}
	if team, ok := h.session(r); ok {
		out.Team = team.Name
		if st, has := a.of(team.ID); has {
			out.Status = string(st.Status)
			out.Since = st.Since.UTC().Format(time.RFC3339)
			out.Stale = st.Stale(h.now(), tracker.ReviewAfter(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
