// Package devservertest runs a site under live reload for tests and reads
// its event stream as a browser would: one real Builder, watcher and
// devserver on an httptest server.
//
// It is for tests only and imports nothing of the tracker.
package devservertest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/generatortest"
	"github.com/playbook-dev/playbook/generator/watch"
)

// Site is a small site for live-reload tests: a home page, a section, a
// page (content/guides/listen.md, whose body ends "Because.") and an extra
// stylesheet (static/css/extra.css).
const Site = `
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

// Start writes Site to a temporary directory and serves it with Live.
func Start(tb testing.TB) (site *generatortest.Site, url, dest string) {
	tb.Helper()
	site = generatortest.New(tb, Site)
	url, dest = Live(tb, site.Dir)
	return site, url, dest
}

// Live builds the site at dir into a temporary directory and serves it
// with live reload, rebuilding on every change, until the test ends. It
// returns the server's URL and the output directory.
func Live(tb testing.TB, dir string) (url, dest string) {
	tb.Helper()
	dest = filepath.Join(tb.TempDir(), "public")
	b, err := generator.NewBuilder(generator.Options{Source: dir, Dest: dest})
	if err != nil {
		tb.Fatal(err)
	}
	srv := devserver.New(dest, nil)
	upd, err := b.Build(tb.Context(), nil)
	srv.Publish(nil, upd, err)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := watch.New(watch.Options{Root: dir, Include: generator.Inputs()})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(tb.Context())
	done := make(chan error)
	go func() { done <- srv.Watch(ctx, b, w) }()
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
		srv.Close()
		ts.Close()
	})
	return ts.URL, dest
}

// Get returns the body of a GET of url.
func Get(tb testing.TB, url string) string {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// Event is one Server-Sent Event as a client reads it.
type Event struct{ Name, Data string }

// Subscribe opens the live-reload event stream of the server at url and
// returns its events; it returns once the server has registered the
// stream, so that no event sent afterwards is missed.
func Subscribe(tb testing.TB, url string) <-chan Event {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), http.MethodGet, url+devserver.EventsPath, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		tb.Fatalf("event stream Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, ":") {
		tb.Fatalf("stream opened with %q, %v", line, err)
	}
	events := make(chan Event, 100)
	go func() {
		defer resp.Body.Close()
		defer close(events)
		var ev Event
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data += strings.TrimPrefix(line, "data: ")
			case line == "" && ev.Name != "":
				events <- ev
				ev = Event{}
			}
		}
	}()
	return events
}

// Next waits for the next event with the given name, skipping others.
func Next(tb testing.TB, events <-chan Event, name string) Event {
	tb.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				tb.Fatalf("event stream ended before a %s event", name)
			}
			if ev.Name == name {
				return ev
			}
		case <-timeout:
			tb.Fatalf("no %s event", name)
		}
	}
}
