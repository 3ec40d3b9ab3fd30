package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
	"github.com/playbook-dev/playbook/tracker/web"
)

// newPostgresEnv is newEnv on a fresh PostgreSQL schema instead of a
// SQLite file; it skips loudly without PLAYBOOK_TEST_POSTGRES.
func newPostgresEnv(tb testing.TB, opts ...envOption) *env {
	tb.Helper()
	return newEnvOn(tb, storetest.PostgresDSN(tb), opts...)
}

// replica is a second `playbook track` process on the same database: its
// own store handle (its own connection pool) and its own handler.
func (e *env) replica(opts ...envOption) (*httptest.Server, *sqldb.DB) {
	e.tb.Helper()
	db := e.openDB()
	srv, _ := e.serve(db, opts...)
	return srv, db
}

// teamCookie joins team through the first replica and returns the Cookie
// header that a browser would send from then on, to either replica.
func (e *env) teamCookie(team string) string {
	e.tb.Helper()
	b := e.browser()
	b.join(team)
	var parts []string
	for _, c := range b.cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// noRedirects is a client for many goroutines at once; unlike browser, it
// returns errors instead of failing the test, so goroutines may use it.
var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send makes one request as a browser on the site would.
func send(ctx context.Context, base, method, path, cookie string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return resp.StatusCode, string(data), nil
}

func reportForm(practice, status, note, key string) url.Values {
	return url.Values{"practice": {practice}, "status": {status}, "note": {note}, "key": {key},
		"return": {"/practices/" + practice + "/"}}
}

// problems collects failures from many goroutines and reports the first
// few, so that a broken run does not print thousands of lines.
type problems struct {
	mu   sync.Mutex
	list []string
}

func (p *problems) add(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *problems) report(tb testing.TB) {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range p.list {
		if i == 20 {
			tb.Errorf("... and %d more", len(p.list)-i)
			break
		}
		tb.Error(s)
	}
}

func TestTwoReplicasOnPostgresCountEachKeyOnce(t *testing.T) {
	noLimits := withLimits(web.Limits{Off: true})
	e := newPostgresEnv(t, noLimits)
	srv2, db2 := e.replica(noLimits)
	bases := [2]string{e.srv.URL, srv2.URL}

	const keysPerTeam = 60
	teams := []string{"alpha", "beta", "Équipe ✓", "delta"}
	cookies := map[string]string{}
	for _, name := range teams {
		e.addTeam(name)
		cookies[name] = e.teamCookie(name)
	}
	practices := []string{"debrief", "huddle", "one-to-one"}

	// Every report is sent twice at once, one copy to each replica: a
	// browser retrying through a load balancer that picked the other one.
	type job struct {
		team    string
		k       int
		replica int
	}
	var jobs []job
	for k := range keysPerTeam {
		for _, name := range teams {
			jobs = append(jobs, job{name, k, 0}, job{name, k, 1})
		}
	}
	queue := make(chan job)
	var (
		wg    sync.WaitGroup
		probs problems
	)
	for range 16 {
		wg.Go(func() {
			for j := range queue {
				form := reportForm(practices[j.k%3], string(tracker.Statuses[(j.k/3)%4]),
					fmt.Sprintf("report %d of %s ✓", j.k, j.team), fmt.Sprintf("view-%d", j.k))
				code, body, err := send(t.Context(), bases[j.replica], http.MethodPost, "/track/report",
					cookies[j.team], form)
				switch {
				case err != nil:
					probs.add("%s key %d on replica %d: %v", j.team, j.k, j.replica+1, err)
				case code != http.StatusSeeOther:
					probs.add("%s key %d on replica %d: status %d, want 303\n%s", j.team, j.k,
						j.replica+1, code, body)
				}
			}
		})
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	probs.report(t)

	// Each key is recorded once, whichever replica won.
	events := e.events(tracker.EventFilter{})
	if got, want := len(events), len(teams)*keysPerTeam; got != want {
		t.Errorf("%d events, want %d (one per key)", got, want)
	}
	seen := map[string]int{}
	for _, ev := range events {
		seen[ev.TeamName+"|"+ev.Note]++
	}
	for _, name := range teams {
		for k := range keysPerTeam {
			note := fmt.Sprintf("report %d of %s ✓", k, name)
			if n := seen[name+"|"+note]; n != 1 {
				t.Errorf("%s key %d recorded %d times, want once", name, k, n)
			}
		}
	}

	// Both processes read the same current states, and each is what the
	// team's latest report on the practice said.
	states1, states2 := e.states(0), storeStates(t, db2)
	if !slices.Equal(states1, states2) {
		t.Errorf("the replicas read different states:\n%v\n%v", states1, states2)
	}
	statesMatchLatestEvents(t, states1, events)
	if got, want := len(states1), len(teams)*len(practices); got != want {
		t.Errorf("%d states, want %d", got, want)
	}
	h1, h2 := storeHistory(t, e.db), storeHistory(t, db2)
	if fmt.Sprint(h1) != fmt.Sprint(h2) {
		t.Errorf("the replicas read different history:\n%v\n%v", h1, h2)
	}
	if len(h1) == 0 {
		t.Fatal("no history")
	}
	total := 0
	for _, n := range h1[len(h1)-1].Counts {
		total += n
	}
	if total != len(states1) {
		t.Errorf("history counts %d pairs today, there are %d states", total, len(states1))
	}

	// What a team's browser shows agrees on both replicas.
	for _, name := range teams {
		want := map[string]string{}
		for _, s := range states1 {
			if s.TeamName == name {
				want[s.PracticeID] = string(s.Status)
			}
		}
		for i, base := range bases {
			for _, p := range practices {
				code, body, err := send(t.Context(), base, http.MethodGet, "/track/api/status?practice="+p,
					cookies[name], nil)
				if err != nil || code != http.StatusOK {
					t.Fatalf("status of %s on replica %d: %d %v\n%s", p, i+1, code, err, body)
				}
				var got struct{ Team, Status string }
				if err := json.Unmarshal([]byte(body), &got); err != nil {
					t.Fatalf("status JSON: %v\n%s", err, body)
				}
				if got.Team != name || got.Status != want[p] {
					t.Errorf("replica %d shows %s %s=%q, want %s %q", i+1, got.Team, p, got.Status,
						name, want[p])
				}
			}
		}
	}
}

func storeStates(tb testing.TB, s tracker.Store) []tracker.State {
	tb.Helper()
	st, err := s.States(context.Background(), tracker.StateFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func storeHistory(tb testing.TB, s tracker.Store) []tracker.DayCounts {
	tb.Helper()
	h, err := s.History(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// statesMatchLatestEvents checks that there is a state for each (team,
// practice) with events, and that it says what the latest of them said.
func statesMatchLatestEvents(tb testing.TB, states []tracker.State, events []tracker.Event) {
	tb.Helper()
	latest := map[string]tracker.Event{}
	for _, ev := range events { // id order
		latest[fmt.Sprintf("%d/%s", ev.TeamID, ev.PracticeID)] = ev
	}
	if len(states) != len(latest) {
		tb.Errorf("%d states for %d (team, practice) pairs with events", len(states), len(latest))
	}
	for _, s := range states {
		ev, ok := latest[fmt.Sprintf("%d/%s", s.TeamID, s.PracticeID)]
		if !ok || s.Status != ev.Status || s.Note != ev.Note || !s.ConfirmedAt.Equal(ev.At) {
			tb.Errorf("state %+v disagrees with the latest event %+v", s, ev)
		}
	}
}

// catalogV2 is the next build of the playbook: debrief and huddle stay
// (debrief renamed), one-to-one is retired, pairing is new.
func catalogV2() *catalog.Catalog {
	c := testCatalog()
	c.Practices = []catalog.Practice{
		{ID: "debrief", Title: "Post-call debrief, revised", Kind: "practice", URL: "/practices/debrief/", ReviewAfterDays: 45},
		{ID: "huddle", Title: "Morning huddle", Kind: "practice", URL: "/practices/huddle/"},
		{ID: "pairing", Title: "Pair on hard calls", Kind: "practice", URL: "/practices/pairing/"},
	}
	return c
}

// replaceCatalog writes c beside the catalog and renames it over it, as a
// site build does, stamping it with mtime so that every version is seen as
// a change even on a file system with coarse timestamps.
func replaceCatalog(path string, c *catalog.Catalog, mtime time.Time) error {
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func TestCatalogReloadsDoNotDisturbRequestsOnTwoReplicas(t *testing.T) {
	opts := []envOption{withLimits(web.Limits{Off: true}), withAdminToken("")}
	e := newPostgresEnv(t, opts...)
	srv2, _ := e.replica(opts...)
	bases := [2]string{e.srv.URL, srv2.URL}
	teams := []string{"alpha", "beta", "gamma"}
	cookies := map[string]string{}
	for _, name := range teams {
		e.addTeam(name)
		cookies[name] = e.teamCookie(name)
	}
	versions := []*catalog.Catalog{testCatalog(), catalogV2()}
	stamp := time.Now().Add(time.Hour)

	// One request of each kind a replica serves while the catalog moves
	// under it. check says whether the answer is valid for either catalog.
	type request struct {
		method, path string
		form         func(client, n int) url.Values
		want         []int
		body         string // a 200 carries it
	}
	report := func(practice string) func(int, int) url.Values {
		return func(c, n int) url.Values {
			return reportForm(practice, string(tracker.Statuses[n%4]), "", fmt.Sprintf("c%d-n%d", c, n))
		}
	}
	requests := []request{
		{method: "POST", path: "/track/report", form: report("debrief"), want: []int{303}},
		{method: "POST", path: "/track/report", form: report("huddle"), want: []int{303}},
		{method: "POST", path: "/track/report", form: report("one-to-one"), want: []int{303, 400}},
		{method: "POST", path: "/track/report", form: report("pairing"), want: []int{303, 400}},
		{method: "GET", path: "/track/practices/debrief", want: []int{200}, body: "Post-call debrief"},
		{method: "GET", path: "/track/practices/pairing", want: []int{200, 404}, body: "</html>"},
		{method: "GET", path: "/track/report?practice=huddle", want: []int{200}, body: "Morning huddle"},
		{method: "GET", path: "/track/api/status?practice=debrief", want: []int{200}, body: `"practice":"debrief"`},
		{method: "GET", path: "/track/api/status?practice=one-to-one", want: []int{200, 400}, body: `"practice"`},
		{method: "GET", path: "/track/reported?practice=debrief", want: []int{200}, body: "</html>"},
		{method: "GET", path: "/track/", want: []int{200}, body: "Morning huddle"},
		{method: "GET", path: "/track/teams/alpha", want: []int{200, 403}, body: "</html>"},
		{method: "GET", path: "/track/export/state.csv", want: []int{200}, body: "team,practice,title"},
	}

	const rewrites = 150
	var (
		served   atomic.Int64 // requests answered so far
		accepted atomic.Int64 // reports answered 303
		revised  atomic.Int64 // debrief pages showing the second catalog
		done     = make(chan struct{})
		tick     = make(chan struct{}, 64) // a request was answered
		wg       sync.WaitGroup
		probs    problems
	)
	for c := range 12 {
		wg.Go(func() {
			team := teams[c%len(teams)]
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				rq := requests[(c+n)%len(requests)]
				base := bases[n%2]
				var form url.Values
				if rq.form != nil {
					form = rq.form(c, n)
				}
				code, body, err := send(t.Context(), base, rq.method, rq.path, cookies[team], form)
				served.Add(1)
				select {
				case tick <- struct{}{}:
				default:
				}
				if err != nil {
					probs.add("%s %s on replica %d: %v", rq.method, rq.path, n%2+1, err)
					continue
				}
				if !slices.Contains(rq.want, code) {
					probs.add("%s %s on replica %d: status %d, want one of %v\n%.300s", rq.method,
						rq.path, n%2+1, code, rq.want, body)
					continue
				}
				if code == 200 && !strings.Contains(body, rq.body) {
					probs.add("%s %s on replica %d: body lacks %q\n%.300s", rq.method, rq.path,
						n%2+1, rq.body, body)
				}
				if code == 303 && rq.method == "POST" {
					accepted.Add(1)
				}
				if strings.Contains(body, "Post-call debrief, revised") {
					revised.Add(1)
				}
			}
		})
	}
	// Replace the catalog again and again, each time after the replicas
	// answered a few more requests (clients never block, so the writer
	// always gets its ticks), alternating the two versions.
	for i := range rewrites {
		if err := replaceCatalog(e.catPath, versions[(i+1)%2], stamp.Add(time.Duration(i)*time.Second)); err != nil {
			t.Error(err)
			break
		}
		for drained := false; !drained; {
			select {
			case <-tick:
			default:
				drained = true
			}
		}
		for range 6 {
			select {
			case <-tick:
			case <-t.Context().Done():
			}
		}
	}
	close(done)
	wg.Wait()
	probs.report(t)
	t.Logf("%d requests during %d catalog rewrites; %d reports accepted; %d answers showed the revised catalog",
		served.Load(), rewrites, accepted.Load(), revised.Load())

	// Every accepted report was recorded once, and the state agrees.
	events := e.events(tracker.EventFilter{})
	if got := int64(len(events)); got != accepted.Load() {
		t.Errorf("%d events recorded, %d reports accepted", got, accepted.Load())
	}
	statesMatchLatestEvents(t, e.states(0), events)

	// Both replicas now serve whichever catalog was written last.
	for i, v := range versions {
		if err := replaceCatalog(e.catPath, v, stamp.Add(time.Duration(rewrites+i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		for r, base := range bases {
			code, body, err := send(t.Context(), base, http.MethodGet, "/track/practices/debrief",
				cookies["alpha"], nil)
			if err != nil || code != 200 || !strings.Contains(body, v.Practices[0].Title+"</") {
				t.Errorf("catalog %d on replica %d: debrief page %d %v, want the title %q", i+1, r+1,
					code, err, v.Practices[0].Title)
			}
			code, _, err = send(t.Context(), base, http.MethodPost, "/track/report", cookies["alpha"],
				reportForm("pairing", "trying", "", fmt.Sprintf("final-%d-%d", i, r)))
			want := []int{400, 303}[i]
			if err != nil || code != want {
				t.Errorf("catalog %d on replica %d: report on pairing got %d %v, want %d", i+1, r+1,
					code, err, want)
			}
		}
	}
}
