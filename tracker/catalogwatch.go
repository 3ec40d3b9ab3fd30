package tracker

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
)

// CatalogFile is a catalog.json that is read again whenever the file
// changes. Readers call Current on every request; it costs one stat.
// The parsed catalog is swapped atomically, so a reader sees the old or
// the new catalog, never a mix. A file that fails to parse is reported
// through the returned error and the previous catalog stays in use.
type CatalogFile struct {
	path string

	cur atomic.Pointer[loadedCatalog]
	mu  sync.Mutex // serialises reloads
}

type loadedCatalog struct {
	cat     *catalog.Catalog
	modTime time.Time
	size    int64
	// failed is the stamp of a version that did not parse, so that a
	// broken file is not re-read on every request.
	failedMod  time.Time
	failedSize int64
	// missing is set while the file cannot be found.
	missing bool
}

// OpenCatalogFile reads the catalog at path; it fails if the file is
// missing or invalid.
func OpenCatalogFile(path string) (*CatalogFile, error) {
	f := &CatalogFile{path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	c, err := catalog.Read(path)
	if err != nil {
		return nil, err
	}
	f.cur.Store(&loadedCatalog{cat: c, modTime: fi.ModTime(), size: fi.Size()})
	return f, nil
}

// Path returns the file's path.
func (f *CatalogFile) Path() string { return f.path }

// Current returns the catalog, reloading it first if the file's
// modification time or size changed. The error, if any, explains why a
// changed file was not loaded; the catalog returned is then the previous one.
func (f *CatalogFile) Current() (*catalog.Catalog, error) {
	cur := f.cur.Load()
	fi, err := os.Stat(f.path)
	if err != nil {
		// A missing file (a rebuild in progress, a mistake) keeps the
		// catalog; report it once, not on every request.
		if cur.missing {
			return cur.cat, nil
		}
		next := *cur
		next.missing = true
		f.cur.CompareAndSwap(cur, &next)
		return cur.cat, fmt.Errorf("stat catalog: %w", err)
	}
	if cur.unchanged(fi) && !cur.missing {
		return cur.cat, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur = f.cur.Load()
	if cur.unchanged(fi) && !cur.missing {
		return cur.cat, nil
	}
	c, err := catalog.Read(f.path)
	if err != nil {
		next := *cur
		next.failedMod, next.failedSize, next.missing = fi.ModTime(), fi.Size(), false
		f.cur.Store(&next)
		return cur.cat, err
	}
	f.cur.Store(&loadedCatalog{cat: c, modTime: fi.ModTime(), size: fi.Size()})
	return c, nil
}

func (l *loadedCatalog) unchanged(fi os.FileInfo) bool {
	same := func(mod time.Time, size int64) bool {
		return fi.ModTime().Equal(mod) && fi.Size() == size
	}
	return same(l.modTime, l.size) || same(l.failedMod, l.failedSize)
}
