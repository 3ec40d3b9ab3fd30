package main_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/generatortest"
	"github.com/playbook-dev/playbook/generator/watch"
)

const liveBrowserSite = `
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
`

// TestLiveReloadInBrowser drives the injected script in chromium: a body
// edit reloads the page, a stylesheet edit swaps the stylesheet without a
// reload, and a broken edit shows the overlay until it is fixed.
func TestLiveReloadInBrowser(t *testing.T) {
	browser := newBrowser(t)
	site := generatortest.New(t, liveBrowserSite)
	dest := filepath.Join(t.TempDir(), "public")
	b, err := generator.NewBuilder(generator.Options{Source: site.Dir, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	srv := devserver.New(dest, slog.New(slog.NewTextHandler(io.Discard, nil)))
	upd, err := b.Build(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Publish(nil, upd, nil)
	w, err := watch.New(watch.Options{Root: site.Dir, Include: []string{"content", "layouts", "static", "site.toml"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); srv.Watch(ctx, b, w) }()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { cancel(); <-done; srv.Close(); ts.Close() })

	tab := newTab(t, browser)
	listening := `document.documentElement.getAttribute("data-playbook-live") === "open"`
	navigate(t, tab, ts.URL+"/guides/listen/")
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
