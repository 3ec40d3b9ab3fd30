// Package devserver serves a built site for a live preview: the files of
// a directory, with a small script injected into every HTML response that
// listens for Server-Sent Events to reload the page, swap a changed
// stylesheet, or show the problems of a failed rebuild in an overlay.
// Other handlers, such as the tracker, are mounted beside the site with
// Mount, on the same origin.
//
// It never writes the site: what the script and overlay add exists only
// in responses. It must not import the tracker; cmd/playbook wires them.
package devserver

import (
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/playbook-dev/playbook/generator"
)

// Paths the server keeps for itself, away from any site's files.
const (
	EventsPath = "/__playbook/events"
	ScriptPath = "/__playbook/live.js"
)

//go:embed live.js
var liveJS []byte

// event is one message to open pages.
type event struct {
	Name string // reload, css or problems
	Data string // JSON
}

// Server serves the site in Root and tells open pages when it changes.
type Server struct {
	root string
	log  *slog.Logger
	mux  *http.ServeMux

	mu       sync.Mutex
	clients  map[chan event]bool
	problems generator.Problems
	closed   bool
}

// New returns a Server for the built site in root.
func New(root string, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{root: root, log: logger, mux: http.NewServeMux(), clients: map[chan event]bool{}}
	s.mux.HandleFunc("GET "+EventsPath, s.handleEvents)
	s.mux.HandleFunc("GET "+ScriptPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(liveJS)
	})
	s.mux.HandleFunc("/", s.handleSite) // any method, so that mounts may take any
	return s
}

// Mount serves h for the paths below prefix ("/track/"); h sees the full
// request path.
func (s *Server) Mount(prefix string, h http.Handler) {
	s.mux.Handle(prefix, h)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Reload tells open pages that a rebuild succeeded and has been swapped
// in, given the output files it wrote and removed. When only stylesheets
// changed the pages swap them in place; otherwise they reload. A rebuild
// that changed nothing sends nothing, unless problems were showing.
func (s *Server) Reload(written, removed []string) {
	s.mu.Lock()
	hadProblems := len(s.problems) > 0
	s.problems = nil
	s.mu.Unlock()
	changed := slices.Concat(written, removed)
	switch {
	case len(changed) == 0 && !hadProblems:
		return
	case len(changed) > 0 && len(removed) == 0 && !hadProblems && allCSS(written):
		data, _ := json.Marshal(written)
		s.broadcast(event{Name: "css", Data: string(data)})
	default:
		s.broadcast(event{Name: "reload", Data: "{}"})
	}
}

func allCSS(names []string) bool {
	for _, n := range names {
		if !strings.HasSuffix(n, ".css") {
			return false
		}
	}
	return true
}

// Fail shows a failed rebuild's problems on every open page, and on every
// page served until the next Reload; the site stays as it was.
func (s *Server) Fail(problems generator.Problems) {
	s.mu.Lock()
	s.problems = slices.Clone(problems)
	s.mu.Unlock()
	s.broadcast(problemsEvent(problems))
}

func problemsEvent(problems generator.Problems) event {
	data, _ := json.Marshal(problems)
	return event{Name: "problems", Data: string(data)}
}

// shownProblems are the problems being shown, if any.
func (s *Server) shownProblems() generator.Problems {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.problems
}

// Close ends every event stream, so that an http.Server can shut down.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.clients {
		close(c)
		delete(s.clients, c)
	}
}

func (s *Server) broadcast(ev event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		select {
		case c <- ev:
		default:
			// A page that reads nothing misses events; it is stale anyway.
		}
	}
}

// subscribe registers an event stream; the problems showing come first.
func (s *Server) subscribe() (chan event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	c := make(chan event, 16)
	if len(s.problems) > 0 {
		c <- problemsEvent(s.problems)
	}
	s.clients[c] = true
	return c, true
}

func (s *Server) unsubscribe(c chan event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[c] {
		delete(s.clients, c)
		close(c)
	}
}
