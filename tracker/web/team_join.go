package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

// joinPage is the "which team are you?" form. When it interrupts a report,
// Report carries the report's fields as hidden inputs.
type joinPage struct {
	Report   reportInput
	Practice catalog.Practice
	Message  string
}

// joinShow exchanges a join link's token for a team cookie, then redirects
// to a URL without the token; without a token it shows the join form.
func (h *Handler) joinShow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	raw := r.URL.Query().Get("token")
	if raw == "" {
		h.render(w, r, http.StatusOK, "join", "Join your team", joinPage{})
		return
	}
	if !h.allowIP(w, r) {
		return
	}
	team, ok, err := h.teamForCode(r, raw)
	if err != nil {
		h.internal(w, r, "look up join token", err)
		return
	}
	if !ok {
		h.log.Warn("join link refused", "ip", h.clientIP(r))
		h.render(w, r, http.StatusForbidden, "join", "Join your team",
			joinPage{Message: "This join link is not valid (any more). Ask for a new one."})
		return
	}
	if err := h.startSession(w, r, team); err != nil {
		h.internal(w, r, "start session", err)
		return
	}
	h.log.Info("team joined", "team", team.Name)
	http.Redirect(w, r, h.href("/teams/"+url.PathEscape(team.Name)), http.StatusSeeOther)
}

// joinCreate takes a join code typed or pasted into the form. If the form
// carried a report, the report is recorded right away.
func (h *Handler) joinCreate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !h.allowIP(w, r) {
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	in := readReport(r.PostForm)
	var p catalog.Practice
	if in.hasReport() {
		var ok bool
		if p, ok = h.currentCatalog().Lookup(in.Practice); !ok {
			h.fail(w, r, http.StatusBadRequest, "This practice is not in the playbook (any more).")
			return
		}
	}
	code := r.PostForm.Get("code")
	if tracker.NormalizeJoinToken(code) == "" {
		h.render(w, r, http.StatusUnprocessableEntity, "join", "Which team are you?",
			joinPage{Report: in, Practice: p, Message: "Paste the join code or link your coach gave your team."})
		return
	}
	team, ok, err := h.teamForCode(r, code)
	if err != nil {
		h.internal(w, r, "look up join token", err)
		return
	}
	if !ok {
		h.log.Warn("join code refused", "ip", h.clientIP(r))
		h.render(w, r, http.StatusForbidden, "join", "Which team are you?",
			joinPage{Report: in, Practice: p, Message: "That join code does not match any team."})
		return
	}
	if err := h.startSession(w, r, team); err != nil {
		h.internal(w, r, "start session", err)
		return
	}
	h.log.Info("team joined", "team", team.Name)
	if in.hasReport() {
		h.record(w, r, team, in)
		return
	}
	http.Redirect(w, r, h.href("/teams/"+url.PathEscape(team.Name)), http.StatusSeeOther)
}

// teamForCode finds the team whose join token is code.
func (h *Handler) teamForCode(r *http.Request, code string) (tracker.Team, bool, error) {
	tok := tracker.NormalizeJoinToken(code)
	if tok == "" {
		return tracker.Team{}, false, nil
	}
	team, err := h.store.TeamByTokenHash(r.Context(), tracker.HashJoinToken(tok))
	if errors.Is(err, tracker.ErrNotFound) {
		return tracker.Team{}, false, nil
	}
	if err != nil {
		return tracker.Team{}, false, err
	}
	return team, true, nil
}

type loginPage struct {
	Next    string
	Message string
}

func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	next, ok := safeReturn(r.URL.Query().Get("next"))
	if !ok {
		next = h.href("/")
	}
	h.render(w, r, http.StatusOK, "login", "Sign in", loginPage{Next: next})
}

// loginCreate checks the admin token from the form and sets the admin cookie.
func (h *Handler) loginCreate(w http.ResponseWriter, r *http.Request) {
	if !h.allowIP(w, r) {
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	next, ok := safeReturn(r.PostForm.Get("next"))
	if !ok {
		next = h.href("/")
	}
	if !h.checkAdminToken(r.PostForm.Get("token")) {
		h.log.Warn("admin login refused", "ip", h.clientIP(r))
		w.Header().Set("WWW-Authenticate", `Bearer realm="playbook tracker"`)
		h.render(w, r, http.StatusUnauthorized, "login", "Sign in",
			loginPage{Next: next, Message: "That admin token is not right."})
		return
	}
	if err := h.startAdminSession(w, r); err != nil {
		h.internal(w, r, "start admin session", err)
		return
	}
	h.log.Info("admin signed in", "ip", h.clientIP(r))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout forgets both the team and the admin cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	h.clearCookie(w, r, teamCookie)
	h.clearCookie(w, r, adminCookie)
	http.Redirect(w, r, h.href("/join"), http.StatusSeeOther)
}
