package web_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/web"
)

const siteOrigin = "https://playbook.example.org"

// rendered collects the page templates the suite executed; TestMain fails
// the run when one was never rendered (so no template rots untested).
var rendered sync.Map

var dataPage = regexp.MustCompile(`<body data-page="([a-z_-]+)">`)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		if len(web.Pages()) < 8 {
			fmt.Fprintf(os.Stderr, "web.Pages() lists %d templates, want the 8 pages\n", len(web.Pages()))
			code = 1
		}
		for _, name := range web.Pages() {
			if _, ok := rendered.Load(name); !ok {
				fmt.Fprintf(os.Stderr, "template %s.html was never rendered by the tests\n", name)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// clock is an injected time that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testCatalog has a practice that goes stale after 30 days, one that never
// does, and one that goes stale after 60.
func testCatalog() *catalog.Catalog {
	return &catalog.Catalog{
		Site: catalog.Site{Title: "Test playbook", BaseURL: siteOrigin, TrackerURL: "/track"},
		Practices: []catalog.Practice{
			{ID: "debrief", Title: "Post-call debrief", Kind: "practice", URL: "/practices/debrief/", ReviewAfterDays: 30},
			{ID: "huddle", Title: "Morning huddle", Kind: "practice", URL: "/practices/huddle/"},
			{ID: "one-to-one", Title: "Weekly one-to-one", Kind: "practice", URL: "/practices/one-to-one/", ReviewAfterDays: 60},
		},
	}
}

// env is a tracker on a real SQLite file behind a real HTTP server.
type env struct {
	tb      testing.TB
	dir     string
	dbPath  string
	catPath string
	db      *sqldb.DB
	clock   *clock
	srv     *httptest.Server
	h       *web.Handler
	tokens  map[string]string
}

type envOption func(*web.Config)

func withAdminToken(tok string) envOption { return func(c *web.Config) { c.AdminToken = tok } }
func withLimits(l web.Limits) envOption   { return func(c *web.Config) { c.Limits = l } }

func newEnv(tb testing.TB, opts ...envOption) *env {
	tb.Helper()
	return newEnvOn(tb, "", opts...)
}

// newEnvOn is newEnv on the store at dsn; "" is a SQLite file in the
// env's temporary directory.
func newEnvOn(tb testing.TB, dsn string, opts ...envOption) *env {
	tb.Helper()
	dir := tb.TempDir()
	if dsn == "" {
		dsn = filepath.Join(dir, "tracker.db")
	}
	e := &env{tb: tb, dir: dir, dbPath: dsn,
		catPath: filepath.Join(dir, "catalog.json"), tokens: map[string]string{},
		clock: &clock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}}
	if err := catalog.Write(e.catPath, testCatalog()); err != nil {
		tb.Fatal(err)
	}
	e.db = e.openDB()
	e.srv, e.h = e.serve(e.db, opts...)
	return e
}

func quietLogger() *slog.Logger {
	if os.Getenv("WEBTEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (e *env) openDB() *sqldb.DB {
	e.tb.Helper()
	db, err := sqldb.Open(context.Background(), e.dbPath, sqldb.Options{Now: e.clock.Now, Logger: quietLogger()})
	if err != nil {
		e.tb.Fatal(err)
	}
	e.tb.Cleanup(func() { db.Close() })
	return db
}

// serve starts a handler on db, mounted at /track/ like `playbook serve`
// mounts it.
func (e *env) serve(db tracker.Store, opts ...envOption) (*httptest.Server, *web.Handler) {
	e.tb.Helper()
	cfg := web.Config{
		Store:       db,
		CatalogPath: e.catPath,
		SiteOrigin:  siteOrigin,
		AdminToken:  "admin-secret",
		Now:         e.clock.Now,
		Logger:      quietLogger(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := web.New(cfg)
	if err != nil {
		e.tb.Fatal(err)
	}
	mux := http.NewServeMux()
	base := cfg.BasePath
	if base == "" {
		base = "/track"
	}
	mux.Handle(base+"/", h)
	srv := httptest.NewServer(mux)
	e.tb.Cleanup(srv.Close)
	return srv, h
}

// addTeam creates a team and remembers its join token.
func (e *env) addTeam(name string) string {
	e.tb.Helper()
	tok, hash, err := tracker.NewJoinToken()
	if err != nil {
		e.tb.Fatal(err)
	}
	if _, err := e.db.CreateTeam(context.Background(), name, hash); err != nil {
		e.tb.Fatal(err)
	}
	e.tokens[name] = tok
	return tok
}

// writeCatalog replaces the catalog file.
func (e *env) writeCatalog(c *catalog.Catalog) {
	e.tb.Helper()
	data, err := c.Marshal()
	if err != nil {
		e.tb.Fatal(err)
	}
	e.writeCatalogFile(data)
}

// writeCatalogFile replaces the catalog file and moves its mtime forward,
// so the change is seen even on a file system with coarse timestamps.
func (e *env) writeCatalogFile(data []byte) {
	e.tb.Helper()
	fi, err := os.Stat(e.catPath)
	if err != nil {
		e.tb.Fatal(err)
	}
	if err := os.WriteFile(e.catPath, data, 0o644); err != nil {
		e.tb.Fatal(err)
	}
	later := fi.ModTime().Add(2 * time.Second)
	if err := os.Chtimes(e.catPath, later, later); err != nil {
		e.tb.Fatal(err)
	}
}

func (e *env) events(f tracker.EventFilter) []tracker.Event {
	e.tb.Helper()
	ev, err := e.db.Events(context.Background(), f)
	if err != nil {
		e.tb.Fatal(err)
	}
	return ev
}

func (e *env) states(teamID int64) []tracker.State {
	e.tb.Helper()
	st, err := e.db.States(context.Background(), tracker.StateFilter{TeamID: teamID})
	if err != nil {
		e.tb.Fatal(err)
	}
	return st
}

// browser is one user agent: it keeps cookies (including Secure ones over
// the test server's http), never follows redirects, and sends the fetch
// metadata a browser would for a same-origin request.
type browser struct {
	e       *env
	base    string
	cookies map[string]*http.Cookie
	header  http.Header
}

func (e *env) browser() *browser { return e.browserOn(e.srv) }

func (e *env) browserOn(srv *httptest.Server) *browser {
	return &browser{e: e, base: srv.URL, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// response is an HTTP answer with its body read.
type response struct {
	*http.Response
	Body string
}

func (b *browser) do(method, path string, form url.Values) response {
	b.e.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.e.tb.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range b.header {
		req.Header[k] = v
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		b.e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.tb.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	if m := dataPage.FindStringSubmatch(string(data)); m != nil {
		rendered.Store(m[1], true)
	}
	return response{resp, string(data)}
}

func (b *browser) get(path string) response { return b.do(http.MethodGet, path, nil) }
func (b *browser) post(path string, form url.Values) response {
	return b.do(http.MethodPost, path, form)
}

// join opens the team's join link.
func (b *browser) join(team string) {
	b.e.tb.Helper()
	r := b.get("/track/join?token=" + b.e.tokens[team])
	if r.StatusCode != http.StatusSeeOther {
		b.e.tb.Fatalf("join %s: status %d, want 303\n%s", team, r.StatusCode, r.Body)
	}
}

// report posts the form a practice page posts.
func (b *browser) report(practice, status, note, key string) response {
	b.e.tb.Helper()
	f := url.Values{"practice": {practice}, "status": {status}, "note": {note},
		"return": {"/practices/" + practice + "/"}}
	if key != "" {
		f.Set("key", key)
	}
	return b.post("/track/report", f)
}

func wantStatus(tb testing.TB, r response, want int) {
	tb.Helper()
	if r.StatusCode != want {
		tb.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
}

// wantBody checks substrings of the body; a leading "! " negates.
func wantBody(tb testing.TB, r response, subs ...string) {
	tb.Helper()
	for _, s := range subs {
		if neg, ok := strings.CutPrefix(s, "! "); ok {
			if strings.Contains(r.Body, neg) {
				tb.Errorf("%s: body contains %q, want it absent", r.Request.URL.Path, neg)
			}
			continue
		}
		if !strings.Contains(r.Body, s) {
			tb.Errorf("%s: body lacks %q", r.Request.URL.Path, s)
		}
	}
}

func teamID(tb testing.TB, e *env, name string) int64 {
	tb.Helper()
	t, err := e.db.TeamByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return t.ID
}

func statusesOf(states []tracker.State) []string {
	var out []string
	for _, s := range states {
		out = append(out, s.PracticeID+"="+string(s.Status))
	}
	slices.Sort(out)
	return out
}
