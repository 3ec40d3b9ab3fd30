package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/web"
)

// defaultTrackerDB is where `track`, `team` and `serve` keep the tracker
// when no --db is given; .playbook/ is git-ignored.
const defaultTrackerDB = ".playbook/tracker.db"

const trackUsage = `track [--catalog FILE] [--db PATH|DSN] [--addr :8080] [--site-origin URL] [--admin-token T]
       playbook track export [--db PATH|DSN] --what events|state --format csv|json [--catalog FILE] [-o FILE]
       playbook track backup [--db PATH] FILE
       playbook track migrate --from sqlite:FILE --to postgres://...`

func (m *Main) runTrack(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return m.runTrackExport(ctx, args[1:])
		case "backup":
			return m.runTrackBackup(ctx, args[1:])
		case "migrate":
			return m.runTrackMigrate(ctx, args[1:])
		}
	}
	fs := m.flagSet("track", trackUsage)
	catPath := fs.String("catalog", m.envDefault("catalog", "public/"+catalog.FileName),
		"catalog.json written by playbook build; reloaded when it changes (env PLAYBOOK_CATALOG)")
	dsn := fs.String("db", m.envDefault("db", defaultTrackerDB),
		"SQLite file, sqlite:PATH, or postgres://... (env PLAYBOOK_DB)")
	addr := fs.String("addr", m.envDefault("addr", ":8080"), "address to listen on (env PLAYBOOK_ADDR)")
	origin := fs.String("site-origin", m.envDefault("site-origin", ""),
		"origin of the playbook site whose pages post reports, e.g. https://playbook.example.org (env PLAYBOOK_SITE_ORIGIN)")
	adminToken := fs.String("admin-token", m.envDefault("admin-token", ""),
		"token for the dashboard and exports; prefer the env PLAYBOOK_ADMIN_TOKEN (flags show in ps)")
	basePath := fs.String("base-path", m.envDefault("base-path", "/track"), "path the tracker is served under (env PLAYBOOK_BASE_PATH)")
	trustProxy := fs.Bool("trust-proxy", m.envDefault("trust-proxy", "") == "true",
		"behind a reverse proxy: take the client address from X-Forwarded-For (env PLAYBOOK_TRUST_PROXY=true)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *origin != "" {
		if u, err := url.Parse(*origin); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("%w: --site-origin %q: want scheme://host[:port], e.g. https://playbook.example.org", errUsage, *origin)
		}
	}

	db, err := m.openTrackerDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := web.New(web.Config{
		Store:             db,
		CatalogPath:       *catPath,
		SiteOrigin:        *origin,
		AdminToken:        *adminToken,
		BasePath:          *basePath,
		TrustForwardedFor: *trustProxy,
		Now:               m.Now,
		Logger:            m.Logger,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := strings.TrimSuffix(*basePath, "/")
	if h.AdminOpen() {
		fmt.Fprintln(m.Stderr, "warning: no --admin-token (PLAYBOOK_ADMIN_TOKEN): the dashboard and exports are open to anyone who can reach "+ln.Addr().String())
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			fmt.Fprintln(m.Stderr, "warning: and it listens beyond this machine; use --addr 127.0.0.1:8080 or set a token")
		}
	}
	mux := http.NewServeMux()
	mux.Handle(base+"/", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	if base != "" {
		mux.Handle("GET /{$}", http.RedirectHandler(base+"/", http.StatusFound))
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second, // exports of a large history
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
		// Requests outlive the signal that stops the server: shutdown
		// gives those in flight time to finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	fmt.Fprintf(m.Stdout, "tracker listening on http://%s%s/\n", ln.Addr(), base)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	if err := shutdown(ctx, srv); err != nil {
		return err
	}
	m.Logger.Info("tracker stopped")
	return nil
}

// openTrackerDB opens the store, creating the directory of a SQLite file.
func (m *Main) openTrackerDB(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if !isPostgres(dsn) {
		p := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if dir := filepath.Dir(p); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("tracker database: %w", err)
			}
		}
	}
	db, err := sqldb.Open(ctx, dsn, sqldb.Options{Now: m.Now, Logger: m.Logger})
	if err != nil {
		return nil, fmt.Errorf("tracker database %s: %w", redactDSN(dsn), err)
	}
	return db, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN hides a PostgreSQL password before a DSN is printed.
func redactDSN(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

func (m *Main) runTrackExport(ctx context.Context, args []string) error {
	fs := m.flagSet("track export", "track export [--db PATH|DSN] --what events|state --format csv|json [--catalog FILE] [-o FILE]")
	dsn := fs.String("db", m.envDefault("db", defaultTrackerDB), "SQLite file, sqlite:PATH, or postgres://... (env PLAYBOOK_DB)")
	what := fs.String("what", "events", "events (every report) or state (each team's current status)")
	format := fs.String("format", "csv", "csv or json")
	catPath := fs.String("catalog", "", "catalog.json, to add titles and stale/retired flags to a state export")
	out := fs.StringP("output", "o", "", "write to FILE instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *what != "events" && *what != "state" {
		return fmt.Errorf("%w: --what %q: want events or state", errUsage, *what)
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("%w: --format %q: want csv or json", errUsage, *format)
	}
	var cat *catalog.Catalog
	if *catPath != "" {
		c, err := catalog.Read(*catPath)
		if err != nil {
			return err
		}
		cat = c
	}
	db, err := m.openTrackerDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	w := m.Stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if *what == "events" {
		events, err := db.Events(ctx, tracker.EventFilter{})
		if err != nil {
			return fmt.Errorf("export events: %w", err)
		}
		rows := tracker.ExportEvents(events)
		if *format == "csv" {
			err = tracker.WriteEventsCSV(bw, rows)
		} else {
			err = tracker.WriteJSON(bw, rows)
		}
		if err != nil {
			return fmt.Errorf("export events: %w", err)
		}
	} else {
		states, err := db.States(ctx, tracker.StateFilter{})
		if err != nil {
			return fmt.Errorf("export state: %w", err)
		}
		rows := tracker.ExportStates(states, cat, m.Now())
		if *format == "csv" {
			err = tracker.WriteStatesCSV(bw, rows)
		} else {
			err = tracker.WriteJSON(bw, rows)
		}
		if err != nil {
			return fmt.Errorf("export state: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

func (m *Main) runTrackBackup(ctx context.Context, args []string) error {
	fs := m.flagSet("track backup", "track backup [--db PATH] FILE")
	dsn := fs.String("db", m.envDefault("db", defaultTrackerDB), "the SQLite tracker database (env PLAYBOOK_DB)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one FILE to write the backup to", errUsage)
	}
	dest := fs.Arg(0)
	if isPostgres(*dsn) {
		return errors.New("backup: the tracker is on PostgreSQL; use pg_dump")
	}
	if _, err := os.Stat(strings.TrimPrefix(*dsn, "sqlite:")); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := m.openTrackerDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := m.Now()
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	// Check the copy, not just the original.
	cp, err := sqldb.Open(ctx, dest, sqldb.Options{Now: m.Now, Logger: m.Logger})
	if err != nil {
		return fmt.Errorf("backup written to %s but it does not open: %w", dest, err)
	}
	defer cp.Close()
	if err := cp.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("backup written to %s but it fails the integrity check: %w", dest, err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(m.Stdout, "backup written to %s (%d bytes, %s), integrity ok\n", dest, fi.Size(),
		m.Now().Sub(start).Round(time.Millisecond))
	return nil
}

func (m *Main) runTrackMigrate(ctx context.Context, args []string) error {
	fs := m.flagSet("track migrate", "track migrate --from sqlite:FILE --to postgres://...")
	from := fs.String("from", "", "source store: sqlite:FILE (or a path, or postgres://...)")
	to := fs.String("to", "", "target store: postgres://... (or a SQLite path)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: want --from and --to", errUsage)
	}
	if *from == *to {
		return fmt.Errorf("%w: --from and --to are the same store", errUsage)
	}
	if !isPostgres(*from) {
		if _, err := os.Stat(strings.TrimPrefix(*from, "sqlite:")); err != nil {
			return fmt.Errorf("migrate: source: %w", err)
		}
	}
	src, err := m.openTrackerDB(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := m.openTrackerDB(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()

	fmt.Fprintf(m.Stderr, "copying %s to %s\n", redactDSN(*from), redactDSN(*to))
	last := map[string]int64{}
	report, err := sqldb.Copy(ctx, src, dst, func(table string, done, total int64) {
		// A line per page is noise on a big table; print every tenth of it.
		if done == total || total == 0 || (done-last[table])*10 >= total {
			fmt.Fprintf(m.Stderr, "  %-22s %9d / %d\n", table, done, total)
			last[table] = done
		}
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tcopied\tsource rows\ttarget rows\tsource checksum\ttarget checksum\t\t")
	for _, t := range report.Tables {
		ok := "ok"
		if !t.Match() {
			ok = "MISMATCH"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%016x\t%016x\t%s\t\n", t.Table, t.Copied, t.SourceRows, t.TargetRows, t.SourceSum, t.TargetSum, ok)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !report.Match() {
		return errors.New("migrate: the target does not hold the same rows as the source")
	}
	fmt.Fprintln(m.Stdout, "both sides match")
	return nil
}
