// Package web is the adoption tracker's HTTP side: the report form that
// the playbook's static pages post to (POST/redirect/GET), the join-link
// exchange that gives a browser a team cookie, the admin dashboard, team
// and practice pages, the JSON status endpoint for the theme's script, and
// the CSV/JSON exports. Templates and the stylesheet are embedded.
//
// Routes, under the base path (default /track):
//
//	GET  /                       dashboard (admin)
//	GET  /teams/{name}           a team's checklist (that team or admin)
//	GET  /practices/{id}         who does a practice (any team or admin)
//	GET  /report?practice=ID     the report form; POST /report records
//	GET  /reported?practice=ID   confirmation after a report (PRG)
//	GET  /join?token=T           join link: sets the team cookie, redirects
//	GET  /join, POST /join       the join-code form
//	GET  /login, POST /login     admin sign-in; POST /logout signs out
//	GET  /api/status?practice=ID JSON for the theme's script
//	GET  /export/{events,state}.{csv,json}  exports (admin)
//	GET  /style.css
//
// Every POST passes http.CrossOriginProtection (trusting Config.SiteOrigin)
// and a body cap of 8 KiB; reports, join codes and admin sign-ins are rate
// limited per address, reports also per team.
//
// It works through the tracker.Store interface only: it must not import
// tracker/sqldb, database drivers, or any generator package other than
// generator/catalog.
package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

//go:embed templates/*.html static/*
var files embed.FS

// maxBody caps every request body; a larger one gets 413.
const maxBody = 8 << 10

// Config configures a Handler. Store and CatalogPath are required.
type Config struct {
	// Store keeps teams and reports.
	Store tracker.Store
	// CatalogPath is the catalog.json the site build wrote; it is read
	// again whenever the file changes.
	CatalogPath string
	// SiteOrigin is the origin of the playbook site whose pages post the
	// report form ("https://playbook.example.org"). Cross-origin form
	// posts are refused unless they come from exactly this origin.
	// Empty: only same-origin posts are accepted. Links back to the
	// site's pages are made absolute with it.
	SiteOrigin string
	// AdminToken protects the dashboards and exports. Empty leaves them
	// open to anyone who can reach the handler (local use only).
	AdminToken string
	// BasePath is the path the handler is mounted at, without a trailing
	// slash; default "/track". The handler expects the full request path
	// (do not wrap it in http.StripPrefix): mount it with
	// mux.Handle(BasePath+"/", h).
	BasePath string
	// Limits are the per-IP and per-team rate limits; zero fields take
	// the defaults.
	Limits Limits
	// TrustForwardedFor takes the client address for rate limiting from
	// the last X-Forwarded-For entry (set it behind a reverse proxy) and
	// treats X-Forwarded-Proto: https as a secure connection.
	TrustForwardedFor bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives request and report logs; default slog.Default().
	Logger *slog.Logger
}

// Handler serves the tracker. It is safe for concurrent use, and several
// Handlers (replicas) may share one database.
type Handler struct {
	cfg     Config
	base    string
	store   tracker.Store
	catalog *tracker.CatalogFile
	now     func() time.Time
	log     *slog.Logger
	pages   map[string]*template.Template
	root    http.Handler
	ipLimit *limiter
	teamLim *limiter
	admin   [32]byte // SHA-256 of the admin token
	key     atomic.Pointer[[]byte]
}

var _ http.Handler = (*Handler)(nil)

// New checks cfg, reads the catalog and parses the templates.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("tracker web: no store")
	}
	if cfg.CatalogPath == "" {
		return nil, errors.New("tracker web: no catalog path")
	}
	if cfg.BasePath == "" {
		cfg.BasePath = "/track"
	}
	if cfg.BasePath == "/" {
		cfg.BasePath = ""
	}
	if cfg.BasePath != "" && (!strings.HasPrefix(cfg.BasePath, "/") || strings.HasSuffix(cfg.BasePath, "/") ||
		path.Clean(cfg.BasePath) != cfg.BasePath) {
		return nil, fmt.Errorf("tracker web: base path %q: want a clean path like /track", cfg.BasePath)
	}
	cfg.SiteOrigin = strings.TrimSuffix(cfg.SiteOrigin, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cat, err := tracker.OpenCatalogFile(cfg.CatalogPath)
	if err != nil {
		return nil, fmt.Errorf("tracker web: %w", err)
	}
	h := &Handler{
		cfg:     cfg,
		base:    cfg.BasePath,
		store:   cfg.Store,
		catalog: cat,
		now:     cfg.Now,
		log:     cfg.Logger,
	}
	if cfg.AdminToken != "" {
		h.admin = sha256.Sum256([]byte(cfg.AdminToken))
	}
	lim := cfg.Limits.withDefaults()
	if !lim.Off {
		h.ipLimit = newLimiter(lim.PerIP, lim.MaxKeys, cfg.Now)
		h.teamLim = newLimiter(lim.PerTeam, lim.MaxKeys, cfg.Now)
	}
	if h.pages, err = parsePages(h.funcs()); err != nil {
		return nil, fmt.Errorf("tracker web: %w", err)
	}

	cop := http.NewCrossOriginProtection()
	if cfg.SiteOrigin != "" {
		if err := cop.AddTrustedOrigin(cfg.SiteOrigin); err != nil {
			return nil, fmt.Errorf("tracker web: site origin: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		h.fail(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused.")
	}))
	h.root = h.secure(cop.Handler(h.routes()))
	return h, nil
}

// AdminOpen reports whether the dashboards are open to anyone because no
// admin token is configured; the command that serves the handler should
// warn about it.
func (h *Handler) AdminOpen() bool { return h.cfg.AdminToken == "" }

// ServeHTTP serves requests under the base path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

func (h *Handler) routes() http.Handler {
	mux := http.NewServeMux()
	b := h.base
	mux.HandleFunc("GET "+b+"/{$}", h.dashboardShow)
	mux.HandleFunc("GET "+b+"/style.css", h.stylesheet)
	mux.HandleFunc("GET "+b+"/report", h.reportForm)
	mux.HandleFunc("POST "+b+"/report", h.reportCreate)
	mux.HandleFunc("GET "+b+"/reported", h.reportDone)
	mux.HandleFunc("GET "+b+"/join", h.joinShow)
	mux.HandleFunc("POST "+b+"/join", h.joinCreate)
	mux.HandleFunc("GET "+b+"/login", h.loginShow)
	mux.HandleFunc("POST "+b+"/login", h.loginCreate)
	mux.HandleFunc("POST "+b+"/logout", h.logout)
	mux.HandleFunc("GET "+b+"/teams/{name}", h.teamShow)
	mux.HandleFunc("GET "+b+"/practices/{id}", h.practiceShow)
	mux.HandleFunc("GET "+b+"/api/status", h.apiStatus)
	mux.HandleFunc("GET "+b+"/export/{file}", h.export)
	// POST-only paths would otherwise fall into the GET catch-all below.
	mux.HandleFunc("GET "+b+"/logout", h.methodNotAllowed("POST"))
	mux.HandleFunc("GET "+b+"/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "There is no page here.")
	})
	return mux
}

// secure sets the security headers, caps the body and logs the request
// (its path only: queries may carry a join token).
func (h *Handler) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "private, no-store")
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, withSessionMemo(r))
		h.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.code(),
			"duration", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (h *Handler) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		h.fail(w, r, http.StatusMethodNotAllowed, "This address only takes a form ("+allow+").")
	}
}

// currentCatalog returns the catalog, reloaded if the file changed.
func (h *Handler) currentCatalog() *catalog.Catalog {
	c, err := h.catalog.Current()
	if err != nil {
		h.log.Error("catalog not reloaded; keeping the previous one", "path", h.catalog.Path(), "err", err)
	}
	return c
}

func (h *Handler) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(w, r, files, "static/style.css")
}

// view is what every page template receives.
type view struct {
	Page      string // template name, also written as data-page
	Title     string
	Base      string
	Team      string // the team this browser reports as, if any
	Admin     bool
	AdminOpen bool
	D         any
}

// pageNames lists the page templates; each is layout.html plus its file.
func pageNames() ([]string, error) {
	entries, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := strings.TrimSuffix(path.Base(e), ".html")
		if n != "layout" {
			names = append(names, n)
		}
	}
	return names, nil
}

// Pages lists the names of the page templates, so that a test can check
// that each is rendered (every page carries data-page="NAME").
func Pages() []string {
	names, _ := pageNames()
	return names
}

func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := pageNames()
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}

// render executes page name into a buffer and writes it with status, so
// that a template error never leaves half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := h.pages[name]
	if !ok {
		panic("tracker web: no template " + name)
	}
	v := view{Page: name, Title: title, Base: h.base, D: data, AdminOpen: h.AdminOpen()}
	if team, ok := h.session(r); ok {
		v.Team = team.Name
	}
	v.Admin = h.isAdmin(r)
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Add("Vary", "Accept-Encoding")
	// A large dashboard (100,000 heatmap cells) is megabytes of very
	// repetitive HTML; compressed it is a few hundred kilobytes.
	if buf.Len() >= 16<<10 && acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zw.Write(buf.Bytes())
		zw.Close()
		return
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

type errorPage struct {
	Status  int
	Text    string
	Message string
}

// fail renders the error page with a message the user can act on.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", http.StatusText(status), errorPage{status, http.StatusText(status), msg})
}

// internal logs err and renders a 500 page that does not reveal it.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	h.log.Error(what, "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side; the error was logged.")
}

// href joins the base path and p.
func (h *Handler) href(p string) string { return h.base + p }

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02")
		},
		"datetime":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"statuses":   func() []tracker.Status { return tracker.Statuses },
		"pathEscape": url.PathEscape,
		"maxNote":    func() int { return tracker.MaxNoteLen },
	}
}
