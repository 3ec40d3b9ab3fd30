package devserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/devserver/devservertest"
)

// builtSite writes a small built site and returns its directory.
func builtSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":   `<!doctype html><html><head><link rel="stylesheet" href="/css/site.css"></head><body><p>Home</p></body></html>`,
		"a/index.html": `<!doctype html><html><body><p>Page A</p></BODY></html>`,
		"404.html":     `<!doctype html><html><body><p>Nothing here</p></body></html>`,
		"css/site.css": `body { color: black; }`,
		"catalog.json": `{"practices":[]}`,
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil))
	return rec
}

const scriptTag = `<script src="/__playbook/live.js" defer></script>`

func TestServerServesTheSiteWithTheScriptInHTMLOnly(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	tests := []struct {
		name     string
		target   string
		status   int
		contains []string // "! " prefix: must be absent
	}{
		{"home", "/", 200, []string{"<p>Home</p>" + scriptTag + "</body>"}},
		{"page, upper-case body tag", "/a/", 200, []string{"<p>Page A</p>" + scriptTag + "</BODY>"}},
		{"index.html by name", "/a/index.html", 200, []string{"Page A", scriptTag}},
		{"stylesheet", "/css/site.css", 200, []string{"color: black", "! <script"}},
		{"json", "/catalog.json", 200, []string{"practices", "! <script"}},
		{"missing page", "/nope/", 404, []string{"Nothing here", scriptTag}},
		{"the script", "/__playbook/live.js", 200, []string{"EventSource", "/__playbook/events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			body := rec.Body.String()
			for _, c := range tt.contains {
				if neg, ok := strings.CutPrefix(c, "! "); ok {
					if strings.Contains(body, neg) {
						t.Errorf("body has %q:\n%s", neg, body)
					}
				} else if !strings.Contains(body, c) {
					t.Errorf("body lacks %q:\n%s", c, body)
				}
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
		})
	}
}

func TestServerRedirectsDirectoriesToTheirSlash(t *testing.T) {
	rec := get(t, devserver.New(builtSite(t), nil), "/a")
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/a/" {
		t.Fatalf("got %d to %q, want a redirect to /a/", rec.Code, rec.Header().Get("Location"))
	}
}

func TestServerMountsHandlersBesideTheSite(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	s.Mount("/track/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tracker at "+r.URL.Path)
	}))
	if got := get(t, s, "/track/teams").Body.String(); got != "tracker at /track/teams" {
		t.Errorf("mounted handler answered %q", got)
	}
	if got := get(t, s, "/a/").Body.String(); !strings.Contains(got, "Page A") {
		t.Errorf("site hidden by the mount: %q", got)
	}
}

func TestServerShowsProblemsUntilTheNextGoodBuild(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	s.Fail(generator.Problems{{File: "content/a.md", Line: 3, Col: 7, Msg: `broken link "<x>.md"`}})
	body := get(t, s, "/a/").Body.String()
	for _, want := range []string{"Page A", `id="playbook-problems"`, "content/a.md:3:7: broken link &#34;&lt;x&gt;.md&#34;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page during a failure lacks %q:\n%s", want, body)
		}
	}
	s.Reload([]string{"a/index.html"}, nil)
	if body := get(t, s, "/a/").Body.String(); strings.Contains(body, "playbook-problems") {
		t.Errorf("overlay still served after a good build:\n%s", body)
	}
}

func TestEventsTellPagesWhatChanged(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.Close()
	events := devservertest.Subscribe(t, ts.URL)

	tests := []struct {
		name    string
		do      func()
		want    devservertest.Event
		written []string
	}{
		{"a page changed", func() { s.Reload([]string{"a/index.html", "search.json"}, nil) }, devservertest.Event{Name: "reload", Data: "{}"}, nil},
		{"only a stylesheet changed", func() { s.Reload([]string{"css/site.css"}, nil) }, devservertest.Event{Name: "css", Data: `["css/site.css"]`}, nil},
		{"a file removed", func() { s.Reload(nil, []string{"old/index.html"}) }, devservertest.Event{Name: "reload", Data: "{}"}, nil},
		{"a build failed", func() {
			s.Fail(generator.Problems{{File: "site.toml", Line: 2, Col: 1, Msg: "title: must not be empty"}})
		}, devservertest.Event{Name: "problems", Data: `[{"file":"site.toml","line":2,"col":1,"message":"title: must not be empty"}]`}, nil},
		{"the fix changed only a stylesheet: reload to drop the overlay", func() { s.Reload([]string{"css/site.css"}, nil) }, devservertest.Event{Name: "reload", Data: "{}"}, nil},
	}
	for _, tt := range tests {
		tt.do()
		select {
		case got := <-events:
			if got != tt.want {
				t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no event", tt.name)
		}
	}
}

func TestANewPageGetsTheProblemsShowing(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.Close()
	s.Fail(generator.Problems{{File: "content/a.md", Msg: "bad"}})
	ev := devservertest.Next(t, devservertest.Subscribe(t, ts.URL), "problems")
	if !strings.Contains(ev.Data, `"file":"content/a.md"`) {
		t.Errorf("problems event %q", ev.Data)
	}
}

func TestCloseEndsEventStreams(t *testing.T) {
	s := devserver.New(builtSite(t), nil)
	ts := httptest.NewServer(s)
	defer ts.Close()
	events := devservertest.Subscribe(t, ts.URL)
	s.Close()
	for range events {
	}
}

func TestBeforeTheFirstGoodBuildPagesShowTheProblems(t *testing.T) {
	s := devserver.New(t.TempDir(), nil)
	s.Fail(generator.Problems{{File: "site.toml", Line: 1, Col: 1, Msg: "title: must not be empty"}})
	rec := get(t, s, "/")
	body := rec.Body.String()
	if rec.Code != http.StatusNotFound || !strings.Contains(body, "site.toml:1:1: title: must not be empty") ||
		!strings.Contains(body, scriptTag) {
		t.Errorf("got %d:\n%s", rec.Code, body)
	}
}
