package web

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

// reportInput is the report form as posted by a practice page, the
// tracker's own form, or the join form carrying a report along.
type reportInput struct {
	Practice  string
	Status    string
	Note      string
	Key       string
	Return    string
	Reconfirm bool
}

// maxKeyLen bounds a client-sent idempotency key.
const maxKeyLen = 128

func readReport(f url.Values) reportInput {
	in := reportInput{
		Practice:  strings.TrimSpace(f.Get("practice")),
		Status:    strings.TrimSpace(f.Get("status")),
		Note:      strings.TrimSpace(strings.ReplaceAll(f.Get("note"), "\r\n", "\n")),
		Key:       strings.TrimSpace(f.Get("key")),
		Return:    f.Get("return"),
		Reconfirm: f.Get("reconfirm") == "1",
	}
	if in.Reconfirm && in.Status == "" {
		in.Status = string(tracker.Adopted)
	}
	if _, ok := safeReturn(in.Return); !ok {
		// Never redirect off-site; fall back to the practice's page.
		in.Return = ""
	}
	return in
}

// hasReport reports whether a form carries a report at all (the join form
// does when it interrupted one).
func (in reportInput) hasReport() bool { return in.Practice != "" }

// validate checks the fields a person controls and returns messages by field.
func (in reportInput) validate() map[string]string {
	errs := map[string]string{}
	if _, err := tracker.ParseStatus(in.Status); err != nil {
		errs["status"] = "Choose one of: not started, trying, adopted, dropped."
	}
	if in.Reconfirm && in.Status != string(tracker.Adopted) {
		errs["status"] = "Only an adopted practice can be re-confirmed."
	}
	switch {
	case len(in.Note) > tracker.MaxNoteLen:
		errs["note"] = "The note is too long: at most " + strconv.Itoa(tracker.MaxNoteLen) +
			" characters, it has " + strconv.Itoa(len(in.Note)) + "."
	case !utf8.ValidString(in.Note):
		errs["note"] = "The note contains invalid characters."
	case strings.ContainsFunc(in.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		errs["note"] = "The note contains control characters."
	}
	if len(in.Key) > maxKeyLen || strings.ContainsFunc(in.Key, func(r rune) bool {
		return !(r < utf8.RuneSelf && (r == '-' || r == '_' || r == '.' || r == ':' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'))
	}) {
		errs["key"] = "The form's key is malformed; reload the page and send it again."
	}
	return errs
}

// idempotencyKey is what the store deduplicates on. A key the page sent is
// scoped to the team and practice. Without one (a static page cannot make
// one per view), the report itself and the minute it arrived in make the
// key, so that a double click or a resubmitted form records once.
func (h *Handler) idempotencyKey(team tracker.Team, in reportInput) string {
	var s string
	if in.Key != "" {
		s = strings.Join([]string{"k", strconv.FormatInt(team.ID, 10), in.Practice, in.Key}, "\x00")
	} else {
		minute := h.now().UTC().Unix() / 60
		s = strings.Join([]string{"a", strconv.FormatInt(team.ID, 10), in.Practice, in.Status,
			strconv.FormatBool(in.Reconfirm), in.Note, strconv.FormatInt(minute, 10)}, "\x00")
	}
	// 128 bits of the hash are plenty to tell reports apart, and a short
	// key keeps the store's unique index small.
	sum := sha256.Sum256([]byte(s))
	return b64.EncodeToString(sum[:16])
}

// safeReturn accepts only a path on the site: "/x", never "//host",
// "/\host", a scheme, or control characters.
func safeReturn(s string) (string, bool) {
	if s == "" || len(s) > 1024 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\") ||
		strings.ContainsFunc(s, unicode.IsControl) {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "", false
	}
	return s, true
}

// backLink is where "back to the practice" points: the return path on the
// site (or on the tracker when it is one of its own pages), else the
// practice's URL from the catalog.
func (h *Handler) backLink(ret string, p catalog.Practice) string {
	if ret != "" {
		if strings.HasPrefix(ret, h.base+"/") {
			return ret
		}
		return h.cfg.SiteOrigin + ret
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			return p.URL
		}
		if r, ok := safeReturn(p.URL); ok {
			return h.cfg.SiteOrigin + r
		}
	}
	return h.href("/")
}

type reportFormPage struct {
	Practice catalog.Practice
	In       reportInput
	Errors   map[string]string
	Current  tracker.State
	HasState bool
	Stale    bool
	Back     string
}

// reportForm shows the tracker's own report form for one practice (for
// people without the site's form at hand, and the 422 re-render).
func (h *Handler) reportForm(w http.ResponseWriter, r *http.Request) {
	cat := h.currentCatalog()
	in := readReport(r.URL.Query())
	p, ok := cat.Lookup(in.Practice)
	if !ok {
		h.fail(w, r, http.StatusNotFound, "There is no practice with that id in the playbook.")
		return
	}
	page := reportFormPage{Practice: p, In: in, Back: h.backLink(in.Return, p)}
	if team, ok := h.session(r); ok {
		if st, ok, err := h.teamState(r, team, p.ID); err != nil {
			h.internal(w, r, "read state", err)
			return
		} else if ok {
			page.Current, page.HasState = st, true
			page.Stale = st.Stale(h.now(), tracker.ReviewAfter(p))
			if page.In.Status == "" {
				page.In.Status = string(st.Status)
			}
		}
	}
	h.render(w, r, http.StatusOK, "report", "Report: "+p.Title, page)
}

// reportCreate records a report: POST, then redirect to the confirmation.
func (h *Handler) reportCreate(w http.ResponseWriter, r *http.Request) {
	if !h.allowIP(w, r) {
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	in := readReport(r.PostForm)
	// The signed cookie is enough here: Append refuses a removed team.
	team, ok := h.teamClaim(r)
	if !ok {
		h.askTeam(w, r, in)
		return
	}
	h.record(w, r, team, in)
}

// askTeam answers a report without a (valid) team: "which team are you?",
// with the join-code field and the report carried along.
func (h *Handler) askTeam(w http.ResponseWriter, r *http.Request, in reportInput) {
	p, known := h.currentCatalog().Lookup(in.Practice)
	if !known {
		h.fail(w, r, http.StatusBadRequest, "This practice is not in the playbook (any more).")
		return
	}
	h.render(w, r, http.StatusOK, "join", "Which team are you?", joinPage{Report: in, Practice: p})
}

// record validates in and appends it for team, then redirects (303) to the
// confirmation page. Reports for practices not in the catalog get 400;
// invalid fields get 422 and the form again.
func (h *Handler) record(w http.ResponseWriter, r *http.Request, team tracker.Team, in reportInput) {
	cat := h.currentCatalog()
	p, ok := cat.Lookup(in.Practice)
	if !ok {
		h.fail(w, r, http.StatusBadRequest, "This practice is not in the playbook (any more).")
		return
	}
	if errs := in.validate(); len(errs) > 0 {
		page := reportFormPage{Practice: p, In: in, Errors: errs, Back: h.backLink(in.Return, p)}
		h.render(w, r, http.StatusUnprocessableEntity, "report", "Report: "+p.Title, page)
		return
	}
	if !h.allowTeam(w, r, team.Name) {
		return
	}
	st, _ := tracker.ParseStatus(in.Status)
	if in.Key == "" {
		// The minute in the derived key splits a double click that
		// straddles a minute boundary; the team's state catches that.
		cur, has, err := h.teamState(r, team, p.ID)
		if err != nil {
			h.internal(w, r, "read state", err)
			return
		}
		if has && repeats(cur, st, in.Note, h.now()) {
			h.log.Info("report", "team", team.Name, "practice", p.ID, "status", st, "duplicate", true)
			h.redirectDone(w, r, p, in)
			return
		}
	}
	e := tracker.Event{
		TeamID:         team.ID,
		TeamName:       team.Name,
		PracticeID:     p.ID,
		Status:         st,
		Note:           in.Note,
		Reconfirm:      in.Reconfirm,
		IdempotencyKey: h.idempotencyKey(team, in),
		At:             h.now().UTC(),
	}
	_, err := h.store.Append(r.Context(), e)
	dup := errors.Is(err, tracker.ErrDuplicate)
	switch {
	case errors.Is(err, tracker.ErrUnknownTeam):
		// The cookie's team was removed (its name may be in use by a new
		// team): forget it and ask again.
		h.clearCookie(w, r, teamCookie)
		h.askTeam(w, r, in)
		return
	case errors.Is(err, tracker.ErrNotFound) && in.Reconfirm:
		errs := map[string]string{"status": "There is no adoption to re-confirm yet; choose a status."}
		in.Reconfirm = false
		page := reportFormPage{Practice: p, In: in, Errors: errs, Back: h.backLink(in.Return, p)}
		h.render(w, r, http.StatusUnprocessableEntity, "report", "Report: "+p.Title, page)
		return
	case err != nil && !dup:
		h.internal(w, r, "append report", err)
		return
	}
	h.log.Info("report", "team", team.Name, "practice", p.ID, "status", st,
		"reconfirm", in.Reconfirm, "duplicate", dup)
	h.redirectDone(w, r, p, in)
}

// repeats reports whether a report of status and note says again what the
// team's state cur said less than a minute ago.
func repeats(cur tracker.State, status tracker.Status, note string, now time.Time) bool {
	return cur.Status == status && (note == "" || note == cur.Note) && now.Sub(cur.ConfirmedAt) < time.Minute
}

// redirectDone answers a recorded report: 303 to the confirmation page.
func (h *Handler) redirectDone(w http.ResponseWriter, r *http.Request, p catalog.Practice, in reportInput) {
	q := url.Values{"practice": {p.ID}}
	if in.Return != "" {
		q.Set("return", in.Return)
	}
	http.Redirect(w, r, h.href("/reported?"+q.Encode()), http.StatusSeeOther)
}

// parseForm reads a POST body, answering 413 when it is over the cap.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.fail(w, r, http.StatusRequestEntityTooLarge, "That form was too large to accept.")
			return false
		}
		h.fail(w, r, http.StatusBadRequest, "That form could not be read.")
		return false
	}
	return true
}

// teamState returns team's current state for one practice.
func (h *Handler) teamState(r *http.Request, team tracker.Team, practice string) (tracker.State, bool, error) {
	states, err := h.store.States(r.Context(), tracker.StateFilter{TeamID: team.ID, PracticeID: practice})
	if err != nil || len(states) == 0 {
		return tracker.State{}, false, err
	}
	return states[0], true, nil
}

type reportedPage struct {
	Practice catalog.Practice
	State    tracker.State
	HasState bool
	Stale    bool
	Adopted  int
	Teams    int
	Back     string
}

// reportDone is the page a report redirects to. It shows what the store
// holds for the team now, not what the query claims, so that a crafted
// link cannot show a false confirmation.
func (h *Handler) reportDone(w http.ResponseWriter, r *http.Request) {
	cat := h.currentCatalog()
	q := r.URL.Query()
	p, ok := cat.Lookup(q.Get("practice"))
	if !ok {
		h.fail(w, r, http.StatusNotFound, "There is no practice with that id in the playbook.")
		return
	}
	ret, _ := safeReturn(q.Get("return"))
	a, err := h.adoption(r.Context(), p.ID)
	if err != nil {
		h.internal(w, r, "read adoption", err)
		return
	}
	page := reportedPage{Practice: p, Back: h.backLink(ret, p), Adopted: a.adopted(), Teams: a.teams}
	if team, ok := h.session(r); ok {
		page.State, page.HasState = a.of(team.ID)
		page.Stale = page.HasState && page.State.Stale(h.now(), tracker.ReviewAfter(p))
	}
	h.render(w, r, http.StatusOK, "reported", "Report recorded", page)
}
