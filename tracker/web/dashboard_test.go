package web_test

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

func TestDashboardNeedsAdmin(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	paths := []string{"/track/", "/track/export/events.csv", "/track/export/state.json"}

	anon := e.browser()
	for _, p := range paths {
		r := anon.get(p)
		wantStatus(t, r, http.StatusUnauthorized)
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: 401 without WWW-Authenticate: Bearer", p)
		}
		wantBody(t, r, "Admin token", "! Team alpha")
	}

	team := e.browser()
	team.join("alpha")
	wantStatus(t, team.get("/track/"), http.StatusUnauthorized)

	wrong := e.browser()
	wrong.header.Set("Authorization", "Bearer admin-secreT")
	wantStatus(t, wrong.get("/track/"), http.StatusUnauthorized)

	bearer := e.browser()
	bearer.header.Set("Authorization", "Bearer admin-secret")
	for _, p := range paths {
		wantStatus(t, bearer.get(p), http.StatusOK)
	}

	login := e.browser()
	r := login.post("/track/login", url.Values{"token": {"nope"}, "next": {"/track/"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantBody(t, r, "not right")
	r = login.post("/track/login", url.Values{"token": {"admin-secret"}, "next": {"//evil.example"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/track/" {
		t.Errorf("login redirects to %q, want /track/", loc)
	}
	c := login.cookies["playbook_admin"]
	if c == nil || !c.HttpOnly || strings.Contains(c.Value, "admin-secret") {
		t.Fatalf("admin cookie %+v: want HttpOnly and no token inside", c)
	}
	wantStatus(t, login.get("/track/"), http.StatusOK)
	wantStatus(t, login.get("/track/teams/alpha"), http.StatusOK)

	// A forged admin cookie does not pass.
	forged := e.browser()
	forged.cookies["playbook_admin"] = &http.Cookie{Name: "playbook_admin", Value: "99999999999.AAAA"}
	wantStatus(t, forged.get("/track/"), http.StatusUnauthorized)

	wantStatus(t, login.post("/track/logout", url.Values{}), http.StatusSeeOther)
	wantStatus(t, login.get("/track/"), http.StatusUnauthorized)
}

func TestAdminCookieExpires(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	wantStatus(t, b.post("/track/login", url.Values{"token": {"admin-secret"}}), http.StatusSeeOther)
	wantStatus(t, b.get("/track/"), http.StatusOK)
	e.clock.Advance(13 * time.Hour)
	wantStatus(t, b.get("/track/"), http.StatusUnauthorized)
}

func TestTeamPageIsForItsTeamAndTheAdmin(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	e.addTeam("beta")
	a := e.browser()
	a.join("alpha")
	wantStatus(t, a.get("/track/teams/alpha"), http.StatusOK)
	r := a.get("/track/teams/beta")
	wantStatus(t, r, http.StatusForbidden)
	wantBody(t, r, "! Team beta</h1>")
	wantStatus(t, e.browser().get("/track/teams/alpha"), http.StatusUnauthorized)
	// Practice pages are open to every team.
	wantStatus(t, a.get("/track/practices/debrief"), http.StatusOK)
	wantStatus(t, e.browser().get("/track/practices/debrief"), http.StatusUnauthorized)
}

func TestRemovedTeamLosesItsSession(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	if err := e.db.RemoveTeam(context.Background(), "alpha"); err != nil {
		t.Fatal(err)
	}
	e.addTeam("alpha") // the name again, a new team
	wantStatus(t, b.get("/track/teams/alpha"), http.StatusUnauthorized)
	r := b.report("debrief", "adopted", "", "")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Which team are you?")
	if _, ok := b.cookies["playbook_team"]; ok {
		t.Error("the removed team's cookie is still set after its report was refused")
	}
	if got := e.events(tracker.EventFilter{}); len(got) != 0 {
		t.Errorf("a removed team's report was recorded: %+v", got)
	}
}

func TestOpenDashboardWithoutAdminToken(t *testing.T) {
	e := newEnv(t, withAdminToken(""))
	if !e.h.AdminOpen() {
		t.Fatal("AdminOpen is false without a token")
	}
	e.addTeam("alpha")
	r := e.browser().get("/track/")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "open to anyone", "alpha")
	wantStatus(t, e.browser().get("/track/teams/alpha"), http.StatusOK)
}

func TestDashboardShowsHeatmapBarsChartNotesAndStale(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	e.addTeam("beta")
	a, b := e.browser(), e.browser()
	a.join("alpha")
	b.join("beta")
	wantStatus(t, a.report("debrief", "adopted", "Every call, two questions.", ""), http.StatusSeeOther)
	wantStatus(t, b.report("debrief", "trying", "", ""), http.StatusSeeOther)
	e.clock.Advance(24 * time.Hour)
	wantStatus(t, b.report("huddle", "dropped", "Too early for the team.", ""), http.StatusSeeOther)
	e.clock.Advance(40 * 24 * time.Hour)

	admin := e.browser()
	admin.header.Set("Authorization", "Bearer admin-secret")
	r := admin.get("/track/")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r,
		"<caption", `<th scope="col"`, `<th scope="row"><a href="/track/teams/alpha">alpha</a></th>`,
		`class="st-stale">A!</td>`, `class="st-trying">T</td>`, `class="st-dropped">D</td>`, `class="st-none">·</td>`,
		`aria-label="1 of 2 teams adopted, 1 trying"`, // the bar for debrief
		"<polyline", "adopted 1", "trying 1", "dropped 1", // the line chart
		"Every call, two questions.", "Too early for the team.",
		"Stale adoptions", "2026-04-01", // alpha's debrief was due 30 days after 2026-03-02
		"! more, marked A!", // the whole list fits
	)
}

func TestDashboardListsTheMostOverdueStaleAdoptionsAndCountsTheRest(t *testing.T) {
	e := newEnv(t)
	// 120 teams adopt debrief (re-confirm after 30 days), two by two an
	// hour apart, in reverse name order: team-119's adoption is the most
	// overdue, then team-117's and team-118's (a tie, in name order).
	const teams = 120
	start := e.clock.Now()
	type adoption struct {
		hours int
		team  string
	}
	var want []adoption
	for i := range teams {
		name := fmt.Sprintf("team-%03d", i)
		e.addTeam(name)
		a := adoption{(teams - i) / 2, name}
		_, err := e.db.Append(context.Background(), tracker.Event{TeamID: teamID(t, e, name),
			PracticeID: "debrief", Status: tracker.Adopted, At: start.Add(time.Duration(a.hours) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	slices.SortFunc(want, func(a, b adoption) int { return cmp.Or(a.hours-b.hours, strings.Compare(a.team, b.team)) })
	e.clock.Advance(60 * 24 * time.Hour)

	admin := e.browser()
	admin.header.Set("Authorization", "Bearer admin-secret")
	r := admin.get("/track/")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "the 100 most overdue", "And 20 more, marked A!", `href="/track/export/state.csv"`)
	if got := strings.Count(r.Body, `class="st-stale">A!</td>`); got != teams {
		t.Errorf("heatmap has %d stale cells, want all %d", got, teams)
	}
	_, list, ok := strings.Cut(r.Body, `id="stale-h"`)
	if !ok {
		t.Fatal("no stale adoptions section")
	}
	list, _, _ = strings.Cut(list, "</section>")
	rows := regexp.MustCompile(`<th scope="row"><a href="/track/teams/(team-\d+)">`).FindAllStringSubmatch(list, -1)
	if len(rows) != 100 {
		t.Fatalf("stale list has %d rows, want 100", len(rows))
	}
	for i, m := range rows {
		if m[1] != want[i].team {
			t.Fatalf("stale row %d is %s, want %s (most overdue first)", i, m[1], want[i].team)
		}
	}
}

func TestStaleAdoptionCanBeReconfirmed(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	wantStatus(t, b.report("debrief", "adopted", "Keeps going", ""), http.StatusSeeOther)
	wantStatus(t, b.report("huddle", "adopted", "", ""), http.StatusSeeOther)

	status := func() map[string]any {
		t.Helper()
		r := b.get("/track/api/status?practice=debrief")
		wantStatus(t, r, http.StatusOK)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}

	e.clock.Advance(30*24*time.Hour - time.Minute)
	if status()["stale"] != false {
		t.Error("stale before its review period ended")
	}
	wantBody(t, b.get("/track/teams/alpha"), "! Still doing this")

	e.clock.Advance(2 * time.Minute)
	if status()["stale"] != true {
		t.Error("not stale after its review period")
	}
	r := b.get("/track/teams/alpha")
	wantBody(t, r, "Still doing this", "re-confirm due 2026-04-01", `name="reconfirm" value="1"`, "1 to re-confirm")
	wantBody(t, b.get("/track/report?practice=debrief"), "Still doing this", "Last confirmed 2026-03-02")
	wantBody(t, b.get("/track/report?practice=huddle"), "! Still doing this")
	// huddle has no review period: never stale, whatever the time.
	if strings.Count(r.Body, "Still doing this") != 1 {
		t.Errorf("want one re-confirm button (debrief only)")
	}

	f := url.Values{"practice": {"debrief"}, "status": {"adopted"}, "reconfirm": {"1"}, "return": {"/track/teams/alpha"}}
	r = b.post("/track/report", f)
	wantStatus(t, r, http.StatusSeeOther)
	wantBody(t, b.get(r.Header.Get("Location")), `href="/track/teams/alpha"`)
	if status()["stale"] != false {
		t.Error("still stale after the re-confirmation")
	}
	wantBody(t, b.get("/track/teams/alpha"), "! Still doing this", "(re-confirmed)", "Keeps going")
	ev := e.events(tracker.EventFilter{PracticeID: "debrief"})
	if len(ev) != 2 || !ev[1].Reconfirm || ev[1].Status != tracker.Adopted {
		t.Errorf("events %+v, want the adoption then a re-confirmation", ev)
	}
	// Nothing to re-confirm for a practice never reported: 422, not 500.
	f.Set("practice", "one-to-one")
	wantStatus(t, b.post("/track/report", f), http.StatusUnprocessableEntity)
}

func TestStatusAPI(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	e.addTeam("beta")
	e.addTeam("gamma")
	a, b := e.browser(), e.browser()
	a.join("alpha")
	b.join("beta")
	wantStatus(t, a.report("debrief", "adopted", "", ""), http.StatusSeeOther)
	wantStatus(t, b.report("debrief", "adopted", "", ""), http.StatusSeeOther)
	wantStatus(t, b.report("huddle", "trying", "", ""), http.StatusSeeOther)

	get := func(br *browser, practice string) (int, map[string]any) {
		t.Helper()
		r := br.get("/track/api/status?practice=" + practice)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		return r.StatusCode, m
	}
	code, m := get(b, "huddle")
	if code != 200 || m["team"] != "beta" || m["status"] != "trying" || m["adopted"] != 0.0 || m["teams"] != 3.0 {
		t.Errorf("beta huddle: %d %v", code, m)
	}
	code, m = get(a, "debrief")
	if code != 200 || m["team"] != "alpha" || m["status"] != "adopted" || m["adopted"] != 2.0 || m["teams"] != 3.0 {
		t.Errorf("alpha debrief: %d %v", code, m)
	}
	code, m = get(e.browser(), "debrief")
	if code != 200 || m["team"] != "" || m["status"] != "" || m["adopted"] != 2.0 {
		t.Errorf("anonymous debrief: %d %v", code, m)
	}
	// A new report shows at once, though counts are cached.
	g := e.browser()
	g.join("gamma")
	wantStatus(t, g.report("debrief", "adopted", "", ""), http.StatusSeeOther)
	if _, m = get(a, "debrief"); m["adopted"] != 3.0 {
		t.Errorf("after gamma adopted: %v, want adopted 3", m)
	}
	if code, _ := get(a, "nope"); code != http.StatusBadRequest {
		t.Errorf("unknown practice: %d, want 400", code)
	}
}

func TestExportsRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	e.addTeam("beta")
	a, b := e.browser(), e.browser()
	a.join("alpha")
	b.join("beta")
	notes := []string{"plain", "=HYPERLINK(\"http://x\")", "line one\nline two, \"quoted\"", "ünïcødé <b>"}
	for i, n := range notes {
		br := a
		if i%2 == 1 {
			br = b
		}
		wantStatus(t, br.report([]string{"debrief", "huddle"}[i/2], []string{"trying", "adopted"}[i%2], n, ""), http.StatusSeeOther)
		e.clock.Advance(time.Hour)
	}
	admin := e.browser()
	admin.header.Set("Authorization", "Bearer admin-secret")

	r := admin.get("/track/export/events.json")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Header.Get("Content-Disposition"), `filename="events.json"`) {
		t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
	}
	var got []tracker.ExportEvent
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := tracker.ExportEvents(e.events(tracker.EventFilter{}))
	if len(got) != len(want) || len(got) != len(notes) {
		t.Fatalf("exported %d events, store has %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) {
			t.Errorf("event %d at %v, want %v", i, got[i].At, want[i].At)
		}
		got[i].At = want[i].At
		if got[i] != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
		if got[i].Note != notes[i] {
			t.Errorf("event %d note %q, want %q", i, got[i].Note, notes[i])
		}
	}

	r = admin.get("/track/export/state.json")
	wantStatus(t, r, http.StatusOK)
	var states []tracker.ExportState
	if err := json.Unmarshal([]byte(r.Body), &states); err != nil {
		t.Fatal(err)
	}
	if len(states) != 4 || states[0].Team != "alpha" || states[0].Title == "" {
		t.Errorf("state export %+v", states)
	}

	r = admin.get("/track/export/events.csv")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("events.csv content type %q", ct)
	}
	rows, err := csv.NewReader(bytes.NewReader([]byte(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(notes)+1 || strings.Join(rows[0], ",") != "id,at,team,practice,status,reconfirm,note" {
		t.Fatalf("events.csv rows %q", rows)
	}
	if rows[2][6] != `'=HYPERLINK("http://x")` || rows[3][6] != notes[2] {
		t.Errorf("csv notes %q, %q: want the formula defused and the rest verbatim", rows[2][6], rows[3][6])
	}
	r = admin.get("/track/export/state.csv")
	wantStatus(t, r, http.StatusOK)
	rows, err = csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Errorf("state.csv: %d rows, %v", len(rows), err)
	}
}

func TestRetiredPracticeKeepsItsHistory(t *testing.T) {
	e := newEnv(t)
	e.addTeam("alpha")
	b := e.browser()
	b.join("alpha")
	wantStatus(t, b.report("huddle", "adopted", "We huddle at nine.", ""), http.StatusSeeOther)

	cat := testCatalog()
	// huddle and one-to-one leave the playbook; pairs joins it.
	cat.Practices = append(cat.Practices[:1:1],
		catalog.Practice{ID: "pairs", Title: "Peer pairs", Kind: "practice", URL: "/practices/pairs/"})
	e.writeCatalog(cat)

	wantStatus(t, b.report("huddle", "adopted", "", "again"), http.StatusBadRequest)
	wantStatus(t, b.report("pairs", "trying", "", ""), http.StatusSeeOther) // reloaded: the new one is known

	admin := e.browser()
	admin.header.Set("Authorization", "Bearer admin-secret")
	r := admin.get("/track/practices/huddle")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "retired", "We huddle at nine.", "alpha")
	r = admin.get("/track/")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "Retired practices", `href="/track/practices/huddle"`, "Peer pairs")
	r = b.get("/track/teams/alpha")
	wantBody(t, r, "Retired practices", "huddle", "We huddle at nine.")

	// A broken catalog file keeps the last good one.
	e.writeCatalogFile([]byte("{not json"))
	wantStatus(t, b.report("pairs", "adopted", "", ""), http.StatusSeeOther)
}

func TestLargePagesAreCompressed(t *testing.T) {
	e := newEnv(t)
	for i := range 150 {
		e.addTeam(fmt.Sprintf("team-%03d", i))
	}
	b := e.browser()
	b.header.Set("Authorization", "Bearer admin-secret")
	b.header.Set("Accept-Encoding", "gzip") // set by hand: the client no longer unzips
	r := b.get("/track/")
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", r.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "team-149") || len(page) <= len(r.Body) {
		t.Errorf("unzipped page: %d bytes from %d, has team-149: %v", len(page), len(r.Body), strings.Contains(string(page), "team-149"))
	}
	b.header.Del("Accept-Encoding")
	b.header.Set("Accept-Encoding", "identity")
	if r := b.get("/track/"); r.Header.Get("Content-Encoding") != "" || !strings.Contains(r.Body, "team-149") {
		t.Error("a client without gzip got a compressed page")
	}
}
