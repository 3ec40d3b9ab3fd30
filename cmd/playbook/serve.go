package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/watch"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/web"
)

const serveUsage = "serve [-s SRC] [-p 1313] [--bind 127.0.0.1] [--drafts] [--db PATH]"

// trackerPath is where serve mounts the tracker, the default tracker_url.
const trackerPath = "/track"

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.flagSet("serve", serveUsage)
	src := fs.StringP("source", "s", ".", "site root: the directory holding site.toml and content/")
	port := fs.IntP("port", "p", 1313, "port to listen on; 0 picks a free one")
	bind := fs.String("bind", "127.0.0.1", "address to listen on; 0.0.0.0 serves other machines too")
	drafts := fs.BoolP("drafts", "D", false, "include pages marked draft = true")
	dsn := fs.String("db", "", "tracker database mounted at /track/ (default SRC/"+defaultTrackerDB+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *dsn == "" {
		*dsn = filepath.Join(*src, defaultTrackerDB)
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(*bind, strconv.Itoa(*port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)

	// The site is built into a private directory, never SRC/public.
	tmp, err := os.MkdirTemp("", "playbook-serve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dest := filepath.Join(tmp, "public")
	m.Logger.Info("building into a private directory", "dir", dest)
	b, err := generator.NewBuilder(generator.Options{
		Source: *src, Dest: dest, BaseURL: origin + "/", TrackerURL: trackerPath, Drafts: *drafts, Now: m.Now,
	})
	if err != nil {
		return err
	}
	// Watch before the first build, so that no edit made during it is lost.
	w, err := watch.New(watch.Options{
		Root:    *src,
		Include: generator.Inputs(),
		Logger:  m.Logger,
	})
	if err != nil {
		return err
	}
	defer w.Close()
	site := devserver.New(dest, m.Logger)
	defer site.Close()

	upd, err := b.Build(ctx, nil)
	if ctx.Err() != nil {
		return nil
	}
	site.Publish(nil, upd, err)

	db, err := m.openTrackerDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tr := &lazyTracker{m: m, db: db, catalog: filepath.Join(dest, catalog.FileName), origin: origin}
	site.Mount(trackerPath+"/", tr)

	srv := &http.Server{
		Handler:           site,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(m.Stdout, "serving %s on %s/ (tracker at %s%s/); Ctrl-C stops\n", *src, origin, origin, trackerPath)

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	var watching sync.WaitGroup
	watching.Go(func() {
		if err := site.Watch(watchCtx, b, w); err != nil {
			errc <- fmt.Errorf("watch: %w", err)
		}
	})
	select {
	case err := <-errc:
		stopWatch()
		watching.Wait()
		return err
	case <-ctx.Done():
	}
	stopWatch()
	watching.Wait()
	site.Close() // end the event streams, which would hold Shutdown
	if err := shutdown(ctx, srv); err != nil {
		return err
	}
	m.Logger.Info("stopped serving")
	return nil
}

// shutdown stops srv gracefully once ctx is done: requests in flight get
// up to 10 seconds to finish.
func shutdown(ctx context.Context, srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// lazyTracker mounts the tracker once the site has been built: the
// tracker needs the catalog the build writes, and the first build may
// fail until the author fixes the site.
type lazyTracker struct {
	m       *Main
	db      *sqldb.DB
	catalog string
	origin  string

	mu sync.Mutex
	h  http.Handler
}

func (t *lazyTracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, err := t.handler()
	if err != nil {
		http.Error(w, "tracker unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func (t *lazyTracker) handler() (http.Handler, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.h != nil {
		return t.h, nil
	}
	if _, err := os.Stat(t.catalog); err != nil {
		return nil, errors.New("the site has not been built yet; fix its problems first")
	}
	h, err := web.New(web.Config{
		Store:       t.db,
		CatalogPath: t.catalog,
		SiteOrigin:  t.origin,
		BasePath:    trackerPath,
		Now:         t.m.Now,
		Logger:      t.m.Logger,
	})
	if err != nil {
		return nil, err
	}
	t.h = h
	return h, nil
}
