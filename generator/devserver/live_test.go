package devserver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/generatortest"
	"github.com/playbook-dev/playbook/generator/watch"
)

const site = `
-- site.toml --
title = "Live"
-- content/_index.md --
+++
title = "Home"
+++
Welcome.
-- content/guides/_index.md --
+++
title = "Guides"
+++
Guides.
-- content/guides/listen.md --
+++
title = "Listen"
+++
Listen first.

## Why

Because.
-- static/css/extra.css --
p { color: black; }
`

// live starts a real Builder, watcher and server on a test site.
func live(t *testing.T) (*generatortest.Site, string, string) {
	t.Helper()
	s := generatortest.New(t, site)
	dest := filepath.Join(t.TempDir(), "public")
	b, err := generator.NewBuilder(generator.Options{Source: s.Dir, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	srv := devserver.New(dest, nil)
	upd, err := b.Build(t.Context(), nil)
	srv.Publish(nil, upd, err)
	if err != nil {
		t.Fatal(err)
	}
	w, err := watch.New(watch.Options{Root: s.Dir, Include: []string{generator.ContentDir, generator.LayoutsDir, generator.StaticDir, generator.ConfigFile}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- srv.Watch(ctx, b, w) }()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		srv.Close()
		ts.Close()
	})
	return s, ts.URL, dest
}

func body(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAnEditIsServedWhenTheReloadEventArrives(t *testing.T) {
	s, url, dest := live(t)
	events := subscribe(t, url)

	s.Write("content/guides/listen.md", strings.Replace(s.Read("content/guides/listen.md"), "Because.", "Because it works.", 1))
	next(t, events, "reload")
	if got := body(t, url+"/guides/listen/"); !strings.Contains(got, "Because it works.") {
		t.Fatalf("after the reload event the page is still old:\n%s", got)
	}

	// The script is added to responses only: the built files lack it.
	data, err := os.ReadFile(filepath.Join(dest, "guides/listen/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), devserver.ScriptPath) {
		t.Error("the live-reload script was written into the built site")
	}
	if !strings.Contains(body(t, url+"/guides/listen/"), devserver.ScriptPath) {
		t.Error("the served page lacks the live-reload script")
	}
}

func TestABrokenEditShowsProblemsAndTheFixClearsThem(t *testing.T) {
	s, url, _ := live(t)
	events := subscribe(t, url)

	good := s.Read("content/guides/listen.md")
	s.Write("content/guides/listen.md", good+"\nSee [the missing page](missing.md).\n")
	ev := next(t, events, "problems")
	if !strings.Contains(ev.data, `"file":"content/guides/listen.md","line":10,"col":5`) ||
		!strings.Contains(ev.data, "broken link") {
		t.Errorf("problems event %s", ev.data)
	}
	page := body(t, url+"/guides/listen/")
	if !strings.Contains(page, "Listen first.") || !strings.Contains(page, "content/guides/listen.md:10:5: broken link") {
		t.Errorf("during the failure the last good page with the overlay should be served:\n%s", page)
	}

	s.Write("content/guides/listen.md", good+"\nSee [the guides](_index.md).\n")
	next(t, events, "reload")
	page = body(t, url+"/guides/listen/")
	if strings.Contains(page, "playbook-problems") || !strings.Contains(page, "See <a href=\"/guides/\">the guides</a>") {
		t.Errorf("after the fix:\n%s", page)
	}
}

func TestAStylesheetEditSwapsItWithoutAReload(t *testing.T) {
	s, url, _ := live(t)
	events := subscribe(t, url)
	s.Write("static/css/extra.css", "p { color: navy; }\n")
	ev := <-events
	if ev.name != "css" || ev.data != `["css/extra.css"]` {
		t.Fatalf("got %+v, want a css event naming css/extra.css", ev)
	}
	if got := body(t, url+"/css/extra.css"); got != "p { color: navy; }\n" {
		t.Errorf("served stylesheet %q", got)
	}
}

func TestANewSectionAndATemplateEditAreServed(t *testing.T) {
	s, url, _ := live(t)
	events := subscribe(t, url)
	s.Write("content/tools/_index.md", "+++\ntitle = \"Tools\"\n+++\nTools.\n")
	s.Write("content/tools/hammer.md", "+++\ntitle = \"Hammer\"\n+++\nHit it.\n")
	next(t, events, "reload")
	if got := body(t, url+"/tools/hammer/"); !strings.Contains(got, "Hit it.") {
		t.Fatalf("new page not served:\n%s", got)
	}
	s.Write("layouts/partials/footer.html", "<footer>Custom footer</footer>")
	next(t, events, "reload")
	for _, p := range []string{"/", "/tools/hammer/", "/guides/listen/"} {
		if got := body(t, url+p); !strings.Contains(got, "Custom footer") {
			t.Errorf("%s lacks the edited footer", p)
		}
	}
}
