package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

// Cookie names. The team cookie names the team a browser reports as; the
// admin cookie is set by the login form. Both are HMAC-signed, never hold
// a token, and are scoped to the base path.
const (
	teamCookie  = "playbook_team"
	adminCookie = "playbook_admin"

	teamSessionAge  = 180 * 24 * time.Hour
	adminSessionAge = 12 * time.Hour
)

var b64 = base64.RawURLEncoding

// sessionKey returns the store's cookie-signing key, fetched once.
func (h *Handler) sessionKey(r *http.Request) ([]byte, error) {
	if k := h.key.Load(); k != nil {
		return *k, nil
	}
	k, err := h.store.SessionKey(r.Context())
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	if len(k) < 16 {
		return nil, errors.New("session key: shorter than 16 bytes")
	}
	h.key.Store(&k)
	return k, nil
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func (h *Handler) cookiePath() string { return h.base + "/" }

// secureRequest reports whether the browser reached us over https, so
// cookies get the Secure attribute.
func (h *Handler) secureRequest(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(h.cfg.SiteOrigin, "https://") {
		return true
	}
	return h.cfg.TrustForwardedFor && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, age time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     h.cookiePath(),
		MaxAge:   int(age / time.Second),
		HttpOnly: true,
		Secure:   h.secureRequest(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Path: h.cookiePath(), MaxAge: -1, HttpOnly: true,
		Secure: h.secureRequest(r), SameSite: http.SameSiteLaxMode})
}

// startSession gives the browser a cookie naming team:
// base64(name).id.expiry.base64(hmac).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, team tracker.Team) error {
	key, err := h.sessionKey(r)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(team.ID, 10)
	exp := strconv.FormatInt(h.now().Add(teamSessionAge).Unix(), 10)
	sig := mac(key, "team", team.Name, id, exp)
	h.setCookie(w, r, teamCookie, b64.EncodeToString([]byte(team.Name))+"."+id+"."+exp+"."+b64.EncodeToString(sig), teamSessionAge)
	return nil
}

// sessionMemo keeps a request's session lookup: the handler and the page
// layout both ask, and each answer costs a store read.
type sessionMemo struct {
	done bool
	team tracker.Team
	ok   bool
}

type sessionMemoKey struct{}

// withSessionMemo gives r a place to keep its session lookup.
func withSessionMemo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), sessionMemoKey{}, &sessionMemo{}))
}

// session returns the team named by a valid team cookie. A cookie for a
// team that was removed (or removed and added again) is not valid.
func (h *Handler) session(r *http.Request) (tracker.Team, bool) {
	memo, _ := r.Context().Value(sessionMemoKey{}).(*sessionMemo)
	if memo != nil && memo.done {
		return memo.team, memo.ok
	}
	team, ok := h.lookupSession(r)
	if memo != nil {
		*memo = sessionMemo{done: true, team: team, ok: ok}
	}
	return team, ok
}

func (h *Handler) lookupSession(r *http.Request) (tracker.Team, bool) {
	claim, ok := h.teamClaim(r)
	if !ok {
		return tracker.Team{}, false
	}
	team, err := h.store.TeamByName(r.Context(), claim.Name)
	if err != nil || team.ID != claim.ID {
		return tracker.Team{}, false
	}
	return team, true
}

// teamClaim returns the team id and name of a team cookie whose signature
// and expiry are valid, without asking the store whether that team still
// exists: the report path leaves that to Append, which refuses removed
// teams (tracker.ErrUnknownTeam) in the same transaction that records the
// report. The store suite holds every store to that, SQLite's writer and
// its state cache included, also for a team removed by another process.
func (h *Handler) teamClaim(r *http.Request) (tracker.Team, bool) {
	c, err := r.Cookie(teamCookie)
	if err != nil {
		return tracker.Team{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 4 {
		return tracker.Team{}, false
	}
	name, err1 := b64.DecodeString(parts[0])
	sig, err2 := b64.DecodeString(parts[3])
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	id, err4 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return tracker.Team{}, false
	}
	key, err := h.sessionKey(r)
	if err != nil {
		h.log.Error("check team cookie", "err", err)
		return tracker.Team{}, false
	}
	if !hmac.Equal(sig, mac(key, "team", string(name), parts[1], parts[2])) || h.now().Unix() > exp {
		return tracker.Team{}, false
	}
	return tracker.Team{ID: id, Name: string(name)}, true
}

// adminKey derives the admin cookie key from the session key and the admin
// token, so that changing the token logs every admin out.
func (h *Handler) adminKey(r *http.Request) ([]byte, error) {
	key, err := h.sessionKey(r)
	if err != nil {
		return nil, err
	}
	return mac(key, "admin", h.cfg.AdminToken), nil
}

// checkAdminToken compares a presented token with the configured one in
// constant time (hashes first, so lengths leak nothing either).
func (h *Handler) checkAdminToken(tok string) bool {
	if h.cfg.AdminToken == "" || tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], h.admin[:]) == 1
}

// isAdmin reports whether r may see dashboards and exports: no admin token
// is configured, or r carries it as a bearer token, or a valid admin cookie.
func (h *Handler) isAdmin(r *http.Request) bool {
	if h.AdminOpen() {
		return true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && h.checkAdminToken(strings.TrimSpace(tok))
	}
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return false
	}
	expStr, sigStr, ok := strings.Cut(c.Value, ".")
	exp, err1 := strconv.ParseInt(expStr, 10, 64)
	sig, err2 := b64.DecodeString(sigStr)
	if !ok || err1 != nil || err2 != nil || h.now().Unix() > exp {
		return false
	}
	key, err := h.adminKey(r)
	if err != nil {
		h.log.Error("check admin cookie", "err", err)
		return false
	}
	return hmac.Equal(sig, mac(key, "admin-session", expStr))
}

func (h *Handler) startAdminSession(w http.ResponseWriter, r *http.Request) error {
	key, err := h.adminKey(r)
	if err != nil {
		return err
	}
	exp := strconv.FormatInt(h.now().Add(adminSessionAge).Unix(), 10)
	h.setCookie(w, r, adminCookie, exp+"."+b64.EncodeToString(mac(key, "admin-session", exp)), adminSessionAge)
	return nil
}

// requireAdmin lets admins through; anyone else gets 401 and the login form.
func (h *Handler) requireAdmin(w http.ResponseWriter, r *http.Request) bool {
	if h.isAdmin(r) {
		return true
	}
	h.unauthorized(w, r, "")
	return false
}

func (h *Handler) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="playbook tracker"`)
	next := r.URL.Path
	if r.Method != http.MethodGet {
		next = h.href("/")
	}
	h.render(w, r, http.StatusUnauthorized, "login", "Sign in", loginPage{Next: next, Message: msg})
}
