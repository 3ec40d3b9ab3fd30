package devserver

import (
	"fmt"
	"net/http"
	"strings"
)

// handleEvents streams events to one open page until it goes away or the
// server closes.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	c, ok := s.subscribe()
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.unsubscribe(c)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A comment opens the stream at once, so that the page knows it is
	// connected before the first event.
	if _, err := fmt.Fprint(w, ": playbook live reload\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-c:
			if !ok {
				return
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Name, strings.ReplaceAll(ev.Data, "\n", "\ndata: ")); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}
