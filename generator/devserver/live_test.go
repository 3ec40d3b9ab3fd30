package devserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/devserver/devservertest"
)

func TestAnEditIsServedWhenTheReloadEventArrives(t *testing.T) {
	s, url, dest := devservertest.Start(t)
	events := devservertest.Subscribe(t, url)

	s.Write("content/guides/listen.md", strings.Replace(s.Read("content/guides/listen.md"), "Because.", "Because it works.", 1))
	devservertest.Next(t, events, "reload")
	if got := devservertest.Get(t, url+"/guides/listen/"); !strings.Contains(got, "Because it works.") {
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
	if !strings.Contains(devservertest.Get(t, url+"/guides/listen/"), devserver.ScriptPath) {
		t.Error("the served page lacks the live-reload script")
	}
}

func TestABrokenEditShowsProblemsAndTheFixClearsThem(t *testing.T) {
	s, url, _ := devservertest.Start(t)
	events := devservertest.Subscribe(t, url)

	good := s.Read("content/guides/listen.md")
	s.Write("content/guides/listen.md", good+"\nSee [the missing page](missing.md).\n")
	ev := devservertest.Next(t, events, "problems")
	if !strings.Contains(ev.Data, `"file":"content/guides/listen.md","line":10,"col":5`) ||
		!strings.Contains(ev.Data, "broken link") {
		t.Errorf("problems event %s", ev.Data)
	}
	page := devservertest.Get(t, url+"/guides/listen/")
	if !strings.Contains(page, "Listen first.") || !strings.Contains(page, "content/guides/listen.md:10:5: broken link") {
		t.Errorf("during the failure the last good page with the overlay should be served:\n%s", page)
	}

	s.Write("content/guides/listen.md", good+"\nSee [the guides](_index.md).\n")
	devservertest.Next(t, events, "reload")
	page = devservertest.Get(t, url+"/guides/listen/")
	if strings.Contains(page, "playbook-problems") || !strings.Contains(page, "See <a href=\"/guides/\">the guides</a>") {
		t.Errorf("after the fix:\n%s", page)
	}
}

func TestAStylesheetEditSwapsItWithoutAReload(t *testing.T) {
	s, url, _ := devservertest.Start(t)
	events := devservertest.Subscribe(t, url)
	s.Write("static/css/extra.css", "p { color: navy; }\n")
	ev := <-events
	if ev.Name != "css" || ev.Data != `["css/extra.css"]` {
		t.Fatalf("got %+v, want a css event naming css/extra.css", ev)
	}
	if got := devservertest.Get(t, url+"/css/extra.css"); got != "p { color: navy; }\n" {
		t.Errorf("served stylesheet %q", got)
	}
}

func TestANewSectionAndATemplateEditAreServed(t *testing.T) {
	s, url, _ := devservertest.Start(t)
	events := devservertest.Subscribe(t, url)
	s.Write("content/tools/_index.md", "+++\ntitle = \"Tools\"\n+++\nTools.\n")
	s.Write("content/tools/hammer.md", "+++\ntitle = \"Hammer\"\n+++\nHit it.\n")
	// The two files land in one rebuild, or in two when the machine is
	// slow enough to let the watcher's quiet time pass between them.
	devservertest.Next(t, events, "reload")
	if got := devservertest.Get(t, url+"/tools/hammer/"); !strings.Contains(got, "Hit it.") {
		devservertest.Next(t, events, "reload")
		if got := devservertest.Get(t, url+"/tools/hammer/"); !strings.Contains(got, "Hit it.") {
			t.Fatalf("new page not served:\n%s", got)
		}
	}
	s.Write("layouts/partials/footer.html", "<footer>Custom footer</footer>")
	devservertest.Next(t, events, "reload")
	for _, p := range []string{"/", "/tools/hammer/", "/guides/listen/"} {
		if got := devservertest.Get(t, url+p); !strings.Contains(got, "Custom footer") {
			t.Errorf("%s lacks the edited footer", p)
		}
	}
}
