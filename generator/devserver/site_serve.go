package devserver

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// handleSite serves a file of the built site. HTML gets the live-reload
// script and, while a rebuild has failed, the problems overlay. Nothing is
// cached by the browser: the next reload must see the next build.
func (s *Server) handleSite(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	name := path.Clean("/" + r.URL.Path)
	p := filepath.Join(s.root, filepath.FromSlash(name))
	fi, err := os.Stat(p)
	if err == nil && fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		p = filepath.Join(p, "index.html")
		fi, err = os.Stat(p)
	}
	if err != nil || fi.IsDir() {
		s.notFound(w, r)
		return
	}
	if strings.HasSuffix(p, ".html") {
		s.serveHTML(w, r, p, http.StatusOK)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

// notFound serves the site's 404.html, or a plain page when there is none
// (before the first good build).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(s.root, "404.html")
	if _, err := os.Stat(p); err == nil {
		s.serveHTML(w, r, p, http.StatusNotFound)
		return
	}
	msg := "Page not found."
	if len(s.shownProblems()) > 0 {
		msg = "The site has not been built yet: the build found problems."
	}
	s.writeHTML(w, r, []byte("<!doctype html><title>Not found</title><body><p>"+msg+"</p></body>"), http.StatusNotFound)
}

func (s *Server) serveHTML(w http.ResponseWriter, r *http.Request, p string, status int) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		// Removed between the stat and the read, by a rebuild.
		s.notFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.writeHTML(w, r, data, status)
}

func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, page []byte, status int) {
	var extra bytes.Buffer
	if ps := s.shownProblems(); len(ps) > 0 {
		if err := overlay.Execute(&extra, ps); err != nil {
			s.log.Warn("problems overlay", "err", err)
		}
	}
	extra.WriteString(`<script src="` + ScriptPath + `" defer></script>`)
	out := inject(page, extra.Bytes())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}

// inject inserts extra before the last </body> of page, or appends it.
func inject(page, extra []byte) []byte {
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		return append(page[:len(page):len(page)], extra...)
	}
	out := make([]byte, 0, len(page)+len(extra))
	out = append(out, page[:i]...)
	out = append(out, extra...)
	return append(out, page[i:]...)
}

// overlay is the problems overlay as served in HTML, the same as the
// script draws it when problems arrive as an event.
var overlay = template.Must(template.New("overlay").Parse(`<div id="playbook-problems" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1em 1.5em;border-top:4px solid #e5484d"><strong>The last rebuild failed; this is the last good version of the site.</strong><ul>{{range .}}<li>{{.String}}</li>{{end}}</ul></div>`))
