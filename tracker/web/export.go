package web

import (
	"net/http"

	"github.com/playbook-dev/playbook/tracker"
)

// export serves events.csv, events.json, state.csv and state.json to the
// admin.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	switch file {
	case "events.csv", "events.json", "state.csv", "state.json":
	default:
		h.fail(w, r, http.StatusNotFound, "Exports are events.csv, events.json, state.csv and state.json.")
		return
	}
	if !h.requireAdmin(w, r) {
		return
	}
	ctx := r.Context()
	hd := w.Header()
	hd.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	if file[len(file)-4:] == ".csv" {
		hd.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		hd.Set("Content-Type", "application/json; charset=utf-8")
	}
	var err error
	switch file {
	case "events.csv", "events.json":
		var events []tracker.Event
		if events, err = h.store.Events(ctx, tracker.EventFilter{}); err != nil {
			break
		}
		rows := tracker.ExportEvents(events)
		if file == "events.csv" {
			err = tracker.WriteEventsCSV(w, rows)
		} else {
			err = tracker.WriteJSON(w, rows)
		}
	default:
		var states []tracker.State
		if states, err = h.store.States(ctx, tracker.StateFilter{}); err != nil {
			break
		}
		rows := tracker.ExportStates(states, h.currentCatalog(), h.now())
		if file == "state.csv" {
			err = tracker.WriteStatesCSV(w, rows)
		} else {
			err = tracker.WriteJSON(w, rows)
		}
	}
	if err != nil {
		// Headers may be gone already; the log is what is left.
		h.log.Error("export", "file", file, "err", err)
		hd.Del("Content-Disposition")
		http.Error(w, "export failed; see the log", http.StatusInternalServerError)
	}
}
