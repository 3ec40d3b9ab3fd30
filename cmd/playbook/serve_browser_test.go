package main_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/devserver/devservertest"
)

// listening is true once the page's live-reload script holds the stream.
const listening = `document.documentElement.getAttribute("data-playbook-live") === "open"`

// TestLiveReloadInBrowser drives the injected script in chromium: a body
// edit reloads the page, a stylesheet edit swaps the stylesheet without a
// reload, and a broken edit shows the overlay until it is fixed.
func TestLiveReloadInBrowser(t *testing.T) {
	browser := newBrowser(t)
	site, url, _ := devservertest.Start(t)

	tab := newTab(t, browser)
	navigate(t, tab, url+"/guides/listen/")
	waitUntil(t, tab, listening, "document.documentElement.outerHTML")

	// A body edit: the page reloads with the new text.
	eval[bool](t, tab, `window.beforeEdit = true`)
	site.Write("content/guides/listen.md", strings.Replace(site.Read("content/guides/listen.md"), "Because.", "Because it works.", 1))
	waitUntil(t, tab, `document.body.textContent.includes("Because it works.") && window.beforeEdit === undefined`, "document.body.textContent")
	waitUntil(t, tab, listening, "")

	// A stylesheet edit: swapped in place, no reload.
	eval[bool](t, tab, `window.beforeCSS = true`)
	site.Write("static/css/playbook.css", "p { color: rgb(1, 2, 3); }\n")
	waitUntil(t, tab, `getComputedStyle(document.querySelector("main p")).color === "rgb(1, 2, 3)"`,
		`getComputedStyle(document.querySelector("main p")).color`)
	if !eval[bool](t, tab, `window.beforeCSS === true`) {
		t.Error("the page reloaded for a stylesheet edit")
	}

	// A broken edit: the overlay names the problem; the fix clears it.
	good := site.Read("content/guides/listen.md")
	site.Write("content/guides/listen.md", good+"\nSee [nothing](nothing.md).\n")
	waitUntil(t, tab, `(document.getElementById("playbook-problems") || {}).textContent?.includes("content/guides/listen.md:10:5: broken link")`,
		"document.body.innerHTML")
	site.Write("content/guides/listen.md", good+"\nSee [the guides](_index.md).\n")
	waitUntil(t, tab, `!document.getElementById("playbook-problems") && document.body.textContent.includes("See the guides")`,
		"document.body.innerHTML")
}

// TestLiveReloadReachesEveryTab opens more tabs than a browser opens
// connections to one host: they all load, and an edit reloads them all.
func TestLiveReloadReachesEveryTab(t *testing.T) {
	browser := newBrowser(t)
	site, url, _ := devservertest.Start(t)
	var tabs []context.Context
	for i := range 8 {
		tab := newTab(t, browser)
		// With an event stream per tab, the seventh would never load.
		loading, cancel := context.WithTimeout(tab, 20*time.Second)
		navigate(t, loading, url+[]string{"/", "/guides/", "/guides/listen/"}[i%3])
		cancel()
		waitUntil(t, tab, listening, "")
		eval[bool](t, tab, `window.beforeEdit = true`)
		tabs = append(tabs, tab)
	}
	site.Write("content/guides/listen.md", strings.Replace(site.Read("content/guides/listen.md"), "Because.", "Because it works.", 1))
	for i, tab := range tabs {
		waitUntil(t, tab, `window.beforeEdit === undefined && document.readyState === "complete"`, fmt.Sprintf(`"tab %d: " + location.href`, i))
	}
	if got := eval[string](t, tabs[2], `document.body.textContent`); !strings.Contains(got, "Because it works.") {
		t.Errorf("tab on the edited page after the reload:\n%s", got)
	}
}
