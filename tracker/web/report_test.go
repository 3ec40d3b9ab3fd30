package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/web"
)

func TestJoinLinkSetsTeamCookieAndDropsTokenFromURL(t *testing.T) {
	e := newEnv(t)
	tok := e.addTeam("alpha")
	b := e.browser()

	r := b.get("/track/join?token=" + tok)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/track/teams/alpha" {
		t.Errorf("redirect to %q, want the clean team page", loc)
	}
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q on the join link, want no-referrer", got)
	}
	c := b.cookies["playbook_team"]
	if c == nil {
		t.Fatal("no team cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/track/" {
		t.Errorf("cookie HttpOnly=%v Secure=%v SameSite=%v Path=%q; want HttpOnly, Secure, Lax, /track/",
			c.HttpOnly, c.Secure, c.SameSite, c.Path)
	}
	if strings.Contains(c.Value, tok) {
		t.Error("cookie carries the join token")
	}
	r = b.get("/track/teams/alpha")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Team alpha", "Post-call debrief")
}

func TestJoinLinkWithWrongTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	for _, tok := range []string{"aaaaaaaaaaaaaaaaaaaaaaaaaa", "not-a-token", e.tokens["alpha"] + "x"} {
		r := b.get("/track/join?token=" + url.QueryEscape(tok))
		wantStatus(t, r, http.StatusForbidden)
		wantBody(t, r, "not valid")
	}
	if b.cookies["playbook_team"] != nil {
		t.Error("a wrong token set a team cookie")
	}
}

func TestReportRedirectsToConfirmation(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")

	r := b.report("debrief", "adopted", "We debrief after every call.", "")
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/track/reported?") || !strings.Contains(loc, "practice=debrief") {
		t.Fatalf("redirect to %q, want the confirmation page", loc)
	}
	r = b.get(loc)
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Team <strong>alpha</strong> is now", ">adopted<", "We debrief after every call.",
		`href="https://playbook.example.org/practices/debrief/"`, "Adopted by 1 of 1 teams")

	if got, want := statusesOf(e.states(teamID(t, e, "alpha"))), []string{"debrief=adopted"}; !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
}

func TestReportWithoutTeamAsksForJoinCodeThenRecords(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()

	r := b.report("huddle", "trying", "Started on Monday", "k-123456")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Which team are you?", `name="code"`,
		`name="practice" value="huddle"`, `name="status" value="trying"`,
		`name="note" value="Started on Monday"`, `name="key" value="k-123456"`)
	if n := len(e.events(tracker.EventFilter{})); n != 0 {
		t.Fatalf("%d events before the team was known, want 0", n)
	}

	form := url.Values{"code": {"  " + strings.ToUpper(e.tokens["alpha"]) + " "}, "practice": {"huddle"},
		"status": {"trying"}, "note": {"Started on Monday"}, "key": {"k-123456"}, "return": {"/practices/huddle/"}}
	r = b.post("/track/join", form)
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Header.Get("Location"), "/track/reported?") {
		t.Errorf("redirect to %q, want the confirmation", r.Header.Get("Location"))
	}
	ev := e.events(tracker.EventFilter{})
	if len(ev) != 1 || ev[0].PracticeID != "huddle" || ev[0].Status != tracker.Trying || ev[0].Note != "Started on Monday" {
		t.Fatalf("events %+v, want one huddle=trying with the note", ev)
	}
	// The join form also takes the whole link pasted in.
	b2 := e.browser()
	r = b2.post("/track/join", url.Values{"code": {siteOrigin + "/track/join?token=" + e.tokens["alpha"]}})
	wantStatus(t, r, http.StatusSeeOther)
	if b2.cookies["playbook_team"] == nil {
		t.Error("pasting the join link did not set the team cookie")
	}
}

func TestJoinFormRejectsWrongCode(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	r := b.post("/track/join", url.Values{"code": {"hello"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantBody(t, r, "Paste the join code")
	r = b.post("/track/join", url.Values{"code": {"abcdefghijklmnopqrstuvwxyz"}})
	wantStatus(t, r, http.StatusForbidden)
	wantBody(t, r, "does not match any team")
	r = b.get("/track/join")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Join your team")
}

func TestDoubleSubmitRecordsOnce(t *testing.T) {
	tests := []struct {
		name       string
		keys       [2]string
		before     time.Duration // from 09:30:00
		advance    time.Duration // between the two reports
		wantEvents int
	}{
		{"same key", [2]string{"view-1", "view-1"}, 0, time.Hour, 1},
		{"no key, same minute", [2]string{"", ""}, 0, 20 * time.Second, 1},
		{"different keys", [2]string{"view-1", "view-2"}, 0, 0, 2},
		{"no key, a minute later", [2]string{"", ""}, 0, time.Minute, 2},
		{"no key, across a minute boundary", [2]string{"", ""}, 59 * time.Second, 2 * time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.addTeam("alpha")
			b := e.browser()
			b.join("alpha")
			e.clock.Advance(tt.before)
			for i, key := range tt.keys {
				if i == 1 {
					e.clock.Advance(tt.advance)
				}
				wantStatus(t, b.report("debrief", "trying", "first try", key), http.StatusSeeOther)
			}
			if got := len(e.events(tracker.EventFilter{})); got != tt.wantEvents {
				t.Errorf("%d events, want %d", got, tt.wantEvents)
			}
		})
	}
}

func TestSameKeyIsNotSharedBetweenTeams(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	e.addTeam("beta")
	a, b := e.browser(), e.browser()
	a.join("alpha")
	b.join("beta")
	// A static page may send the same key to everyone.
	wantStatus(t, a.report("debrief", "adopted", "", "static-key"), http.StatusSeeOther)
	wantStatus(t, b.report("debrief", "adopted", "", "static-key"), http.StatusSeeOther)
	if got := len(e.events(tracker.EventFilter{})); got != 2 {
		t.Errorf("%d events, want one per team", got)
	}
}

func TestTwoReplicasOnOneDatabaseCountAKeyOnce(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	// A second process: its own store on the same file, its own handler.
	srv2, _ := e.serve(e.openDB())

	b1 := e.browser()
	b1.join("alpha")
	b2 := e.browserOn(srv2)
	b2.cookies = b1.cookies // the same browser, load-balanced to the other replica

	wantStatus(t, b1.report("debrief", "adopted", "note", "view-42"), http.StatusSeeOther)
	wantStatus(t, b2.report("debrief", "adopted", "note", "view-42"), http.StatusSeeOther)
	wantStatus(t, b2.report("debrief", "trying", "note", ""), http.StatusSeeOther)
	wantStatus(t, b1.report("debrief", "trying", "note", ""), http.StatusSeeOther)
	if got := len(e.events(tracker.EventFilter{})); got != 2 {
		t.Errorf("%d events, want 2 (one per distinct report)", got)
	}
}

func TestReportForUnknownPracticeIs400(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	r := b.report("no-such-practice", "adopted", "", "")
	wantStatus(t, r, http.StatusBadRequest)
	wantBody(t, r, "not in the playbook")
	// Without a team the answer is the same: no join form for a bad id.
	wantStatus(t, e.browser().report("no-such-practice", "adopted", "", ""), http.StatusBadRequest)
}

func TestInvalidReportIs422WithMessages(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	tests := []struct {
		name   string
		status string
		note   string
		key    string
		want   string
	}{
		{"unknown status", "done", "keep me", "", "Choose one of"},
		{"empty status", "", "keep me", "", "Choose one of"},
		{"note too long", "adopted", strings.Repeat("x", tracker.MaxNoteLen+1), "", "The note is too long"},
		{"control characters", "adopted", "bell\x07", "", "control characters"},
		{"bad key", "adopted", "keep me", "<k>", "key is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.report("debrief", tt.status, tt.note, tt.key)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, tt.want, `action="/track/report"`, `name="practice" value="debrief"`)
			if len(tt.note) < 100 {
				wantBody(t, r, ">"+strings.ReplaceAll(tt.note, "\x07", "")[:4])
			}
		})
	}
	if n := len(e.events(tracker.EventFilter{})); n != 0 {
		t.Errorf("%d events recorded from invalid reports", n)
	}
	// The note limit is inclusive.
	wantStatus(t, b.report("debrief", "adopted", strings.Repeat("é", tracker.MaxNoteLen/2), ""), http.StatusSeeOther)
}

func TestBodyOver8KiBIs413(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	r := b.report("debrief", "adopted", strings.Repeat("a", 9<<10), "")
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if n := len(e.events(tracker.EventFilter{})); n != 0 {
		t.Errorf("%d events recorded from an oversized body", n)
	}
}

func TestWrongMethodIs405(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, tc := range []struct{ method, path string }{
		{http.MethodPut, "/track/report"},
		{http.MethodDelete, "/track/join"},
		{http.MethodGet, "/track/logout"},
		{http.MethodPost, "/track/export/events.csv"},
	} {
		r := b.do(tc.method, tc.path, nil)
		if r.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tc.method, tc.path, r.StatusCode)
		}
	}
}

func TestUnknownPagesAre404(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.header.Set("Authorization", "Bearer admin-secret")
	for _, p := range []string{"/track/nothing-here", "/track/practices/never-existed",
		"/track/teams/nobody", "/track/export/passwords.csv", "/track/reported?practice=nope"} {
		r := b.get(p)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.StatusCode)
		}
	}
}

func TestRateLimitsAre429(t *testing.T) {
	t.Run("per team", func(t *testing.T) {
		e := newEnv(t, withLimits(web.Limits{PerTeam: web.Rate{Burst: 2, Every: time.Minute}}))
		e.addTeam("alpha")
		b := e.browser()
		b.join("alpha")
		wantStatus(t, b.report("debrief", "trying", "", "a1"), http.StatusSeeOther)
		wantStatus(t, b.report("debrief", "adopted", "", "a2"), http.StatusSeeOther)
		r := b.report("debrief", "dropped", "", "a3")
		wantStatus(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		e.clock.Advance(time.Minute)
		wantStatus(t, b.report("debrief", "dropped", "", "a3"), http.StatusSeeOther)
	})
	t.Run("per address", func(t *testing.T) {
		e := newEnv(t, withLimits(web.Limits{PerIP: web.Rate{Burst: 3, Every: time.Minute}}))
		e.addTeam("alpha")
		b := e.browser()
		for range 3 {
			wantStatus(t, b.post("/track/join", url.Values{"code": {"abcdefghijklmnopqrstuvwxyz"}}), http.StatusForbidden)
		}
		// Guessing join codes stops here, whatever the code.
		r := b.post("/track/join", url.Values{"code": {e.tokens["alpha"]}})
		wantStatus(t, r, http.StatusTooManyRequests)
		wantBody(t, r, "Too many")
	})
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-site but another origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.org"}, http.StatusForbidden},
		{"the playbook site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": siteOrigin}, http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.header = http.Header{}
			for k, v := range tt.header {
				b.header.Set(k, v)
			}
			r := b.report("debrief", "trying", "", "x-"+string(rune('a'+i)))
			wantStatus(t, r, tt.want)
		})
	}
	if n := len(e.events(tracker.EventFilter{})); n != 1 {
		t.Errorf("%d events, want only the playbook site's", n)
	}
}

func TestReturnNeverRedirectsOffSite(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	for i, ret := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/ok\r\nX: y"} {
		f := url.Values{"practice": {"debrief"}, "status": {"trying"}, "return": {ret}, "key": {"r" + string(rune('a'+i))}}
		r := b.post("/track/report", f)
		wantStatus(t, r, http.StatusSeeOther)
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, "/track/reported?") || strings.Contains(loc, "evil") {
			t.Errorf("return %q: redirect to %q", ret, loc)
		}
		page := b.get(loc)
		wantBody(t, page, `href="https://playbook.example.org/practices/debrief/"`, "! evil.example", "! javascript:")
	}
}

func TestNotesAreEscaped(t *testing.T) {
	e := newEnv(t, withAdminToken(""))
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	payloads := []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`</textarea><svg onload=alert(1)>`,
	}
	for i, p := range payloads {
		wantStatus(t, b.report([]string{"debrief", "huddle", "one-to-one"}[i], "trying", p, ""), http.StatusSeeOther)
	}
	pages := []string{"/track/", "/track/teams/alpha", "/track/practices/debrief", "/track/practices/huddle",
		"/track/reported?practice=one-to-one", "/track/report?practice=one-to-one"}
	for _, p := range pages {
		r := b.get(p)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "! <script>alert", "! <img src=x", "! <svg onload", "! </textarea><svg")
	}
	wantBody(t, b.get("/track/teams/alpha"), "&lt;script&gt;alert(1)&lt;/script&gt;")
	// 422 re-renders the note into the textarea, escaped.
	r := b.report("debrief", "bogus", `</textarea><script>alert(2)</script>`, "")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantBody(t, r, "! <script>alert(2)", "&lt;/textarea&gt;&lt;script&gt;")
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, p := range []string{"/track/join", "/track/", "/track/style.css", "/track/nothing"} {
		r := b.get(p)
		h := r.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", p)
		}
	}
	r := b.get("/track/style.css")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style.css served as %q", ct)
	}
	wantBody(t, r, "prefers-color-scheme: dark", ":focus-visible")
	// Pages carry no inline script or style that the CSP would block.
	page := b.get("/track/join")
	wantBody(t, page, "! <script", "! style=", "! <style")
}

func TestAnotherBasePathIsUsedInLinksAndCookies(t *testing.T) {
	e := newEnv(t, func(c *web.Config) { c.BasePath = "/adoption" })
	tok := e.addTeam("alpha")
	b := e.browser()
	r := b.get("/adoption/join?token=" + tok)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/adoption/teams/alpha" {
		t.Errorf("join redirects to %q", loc)
	}
	if c := b.cookies["playbook_team"]; c == nil || c.Path != "/adoption/" {
		t.Fatalf("team cookie %+v, want path /adoption/", c)
	}
	r = b.post("/adoption/report", url.Values{"practice": {"debrief"}, "status": {"trying"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/adoption/reported?") {
		t.Errorf("report redirects to %q", loc)
	}
	r = b.get("/adoption/teams/alpha")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, `href="/adoption/style.css"`, `action="/adoption/logout"`, "! /track/")
	if _, err := web.New(web.Config{Store: e.db, CatalogPath: e.catPath, BasePath: "track/"}); err == nil {
		t.Error("a base path without a leading slash was accepted")
	}
}
