package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

type practiceCounts struct{ adopted, teams int }

// counts returns how many current teams have adopted practice, and how
// many teams there are: two indexed reads, fresh on every page view.
func (h *Handler) counts(r *http.Request, practice string) (practiceCounts, error) {
	teams, err := h.store.Teams(r.Context())
	if err != nil {
		return practiceCounts{}, err
	}
	states, err := h.store.States(r.Context(), tracker.StateFilter{PracticeID: practice})
	if err != nil {
		return practiceCounts{}, err
	}
	current := make(map[int64]bool, len(teams))
	for _, t := range teams {
		current[t.ID] = true
	}
	c := practiceCounts{teams: len(teams)}
	for _, s := range states {
		if s.Status == tracker.Adopted && current[s.TeamID] {
			c.adopted++
		}
	}
	return c, nil
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
	out := statusJSON{Practice: p.ID}
	if team, ok := h.session(r); ok {
		out.Team = team.Name
		st, has, err := h.teamState(r, team, p.ID)
		if err != nil {
			h.log.Error("read state", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		if has {
			out.Status = string(st.Status)
			out.Since = st.Since.UTC().Format(time.RFC3339)
			out.Stale = st.Stale(h.now(), tracker.ReviewAfter(p))
		}
	}
	c, err := h.counts(r, p.ID)
	if err != nil {
		h.log.Error("count adoption", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	out.Adopted, out.Teams = c.adopted, c.teams
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
