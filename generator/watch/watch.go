// Package watch reports changes to a site's source files in batches. It
// watches directories recursively with fsnotify, including directories
// created later, skips dotfiles and editor temporaries, and waits for a
// short quiet spell so that a burst of changes (a git checkout, an
// editor's write-then-rename save) becomes one batch.
//
// It knows sites only through generator.IgnoredName and must not import
// the tracker.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/playbook-dev/playbook/generator"
)

// Everything in a batch means that changes were lost (the kernel's queue
// overflowed) and the whole tree must be taken as changed.
const Everything = "."

// DefaultQuiet is how long no change must arrive before a batch is handed
// on: long enough to join the files of one save or checkout (written
// microseconds to milliseconds apart), short enough that an edit reaches
// the browser in about 30 ms.
const DefaultQuiet = 20 * time.Millisecond

// maxDelayFactor bounds how long a batch waits under a steady stream of
// changes, in quiet spells.
const maxDelayFactor = 20

// Options say what to watch.
type Options struct {
	// Root is the directory watched.
	Root string
	// Include are the entries of Root watched ("content", "site.toml");
	// empty means all of them. Directories among them are watched
	// recursively, including when they are created later.
	Include []string
	// Quiet is the quiet spell that ends a batch; 0 means DefaultQuiet.
	Quiet time.Duration
	// Logger receives watch errors; nil discards them.
	Logger *slog.Logger
}

// Watcher watches a tree. Create it with New, then call Run.
type Watcher struct {
	opts  Options
	root  string
	fsw   *fsnotify.Watcher
	log   *slog.Logger
	mu    sync.Mutex
	dirs  map[string]bool // watched directories, relative to root
	close sync.Once
}

// New starts watching; changes made after it returns are reported by Run.
func New(opts Options) (*Watcher, error) {
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{opts: opts, root: root, fsw: fsw, log: opts.Logger, dirs: map[string]bool{}}
	if err := fsw.Add(root); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	w.dirs[""] = true
	for _, inc := range w.included() {
		if _, err := w.addTree(inc, false); err != nil {
			fsw.Close()
			return nil, err
		}
	}
	return w, nil
}

func (w *Watcher) included() []string {
	if len(w.opts.Include) > 0 {
		return w.opts.Include
	}
	return []string{""}
}

// Close stops watching. Run returns when it is called.
func (w *Watcher) Close() error {
	var err error
	w.close.Do(func() { err = w.fsw.Close() })
	return err
}

// Run hands batches of changed paths (relative to the root, slash-
// separated, sorted) to fn, one call at a time, until ctx is done or the
// Watcher is closed. Changes made while fn runs form the next batch.
func (w *Watcher) Run(ctx context.Context, fn func(batch []string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	paths := make(chan string, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		Batch(ctx, paths, w.opts.Quiet, fn)
	}()
	defer func() { <-done }()
	defer close(paths)
	for {
		select {
		case <-ctx.Done():
			w.Close()
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil
			}
			for _, p := range w.handle(ev) {
				select {
				case paths <- p:
				case <-ctx.Done():
				}
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("watch: changes were lost; rebuilding everything", "err", err)
				select {
				case paths <- Everything:
				case <-ctx.Done():
				}
				continue
			}
			w.log.Warn("watch", "err", err)
		}
	}
}

// handle turns one event into the changed paths it stands for, and keeps
// the watches in step with the directories.
func (w *Watcher) handle(ev fsnotify.Event) []string {
	if ev.Op == fsnotify.Chmod {
		return nil // touch, permission changes: no content changed
	}
	rel, ok := w.rel(ev.Name)
	if !ok || w.ignored(rel) {
		return nil
	}
	out := []string{rel}
	switch {
	case ev.Has(fsnotify.Create):
		// A new directory, or one moved in: watch it, and report what it
		// already holds, which may have been written before the watch.
		added, err := w.addTree(rel, true)
		if err != nil {
			w.log.Warn("watch", "err", err)
		}
		out = append(out, added...)
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		w.forget(rel)
	}
	return out
}

// rel makes an event's path relative to the root.
func (w *Watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// ignored reports whether a path is outside what is watched, or has an
// ignored name in it.
func (w *Watcher) ignored(rel string) bool {
	if len(w.opts.Include) > 0 {
		top, _, _ := strings.Cut(rel, "/")
		if !slices.Contains(w.opts.Include, top) {
			return true
		}
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if generator.IgnoredName(seg) {
			return true
		}
	}
	return false
}

// addTree watches rel and the directories below it, returning the
// entries found below it when report is set. A file or a missing path
// adds nothing.
func (w *Watcher) addTree(rel string, report bool) ([]string, error) {
	var found []string
	start := filepath.Join(w.root, filepath.FromSlash(rel))
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone again already
			}
			return err
		}
		r, ok := w.rel(p)
		if p == w.root {
			r, ok = "", true
		}
		if !ok {
			return nil
		}
		if r != "" && w.ignored(r) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if report && r != rel {
			found = append(found, r)
		}
		if !d.IsDir() || p == w.root {
			return nil
		}
		if err := w.fsw.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		w.mu.Lock()
		w.dirs[r] = true
		w.mu.Unlock()
		return nil
	})
	return found, err
}

// forget drops the watches of a removed or renamed directory and those
// below it: a moved directory's watch would report its old paths.
func (w *Watcher) forget(rel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range slices.Collect(maps.Keys(w.dirs)) {
		if d == rel || strings.HasPrefix(d, rel+"/") {
			_ = w.fsw.Remove(filepath.Join(w.root, filepath.FromSlash(d)))
			delete(w.dirs, d)
		}
	}
}

// Batch reads paths from in and hands them to fn, deduplicated and
// sorted, once no path has arrived for the quiet spell (or, under a
// steady stream, once the first has waited twenty spells). fn runs on
// Batch's goroutine: paths arriving meanwhile wait for the next batch.
// Batch returns when ctx is done or in is closed, handing on what it holds
// in the second case.
func Batch(ctx context.Context, in <-chan string, quiet time.Duration, fn func(batch []string)) {
	pending := map[string]bool{}
	timer := time.NewTimer(quiet)
	timer.Stop()
	var first time.Time
	flush := func() {
		if len(pending) == 0 {
			return
		}
		batch := slices.Sorted(maps.Keys(pending))
		clear(pending)
		fn(batch)
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case p, ok := <-in:
			if !ok {
				timer.Stop()
				flush()
				return
			}
			now := time.Now()
			if len(pending) == 0 {
				first = now
			}
			pending[p] = true
			timer.Reset(min(quiet, first.Add(maxDelayFactor*quiet).Sub(now)))
		case <-timer.C:
			flush()
		}
	}
}
