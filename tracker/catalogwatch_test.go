package tracker_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
)

// bump moves a file's mtime forward, so a change is seen even where
// timestamps are coarse.
func bump(t *testing.T, path string, by time.Duration) {
	t.Helper()
	at := time.Now().Add(by)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogFileReloadsOnChangeAndKeepsTheLastGoodOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	write := func(ids ...string) {
		t.Helper()
		c := &catalog.Catalog{}
		for _, id := range ids {
			c.Practices = append(c.Practices, catalog.Practice{ID: id, Title: id})
		}
		if err := catalog.Write(path, c); err != nil {
			t.Fatal(err)
		}
	}
	has := func(f *tracker.CatalogFile, id string) bool {
		t.Helper()
		c, _ := f.Current()
		_, ok := c.Lookup(id)
		return ok
	}
	write("a")
	f, err := tracker.OpenCatalogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !has(f, "a") {
		t.Fatal("a missing from the first catalog")
	}

	write("a", "b")
	bump(t, path, 2*time.Second)
	if !has(f, "b") {
		t.Error("change not picked up")
	}

	if err := os.WriteFile(path, []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	bump(t, path, 4*time.Second)
	if _, err := f.Current(); err == nil {
		t.Error("a broken catalog was not reported")
	}
	if _, err := f.Current(); err != nil {
		t.Errorf("the same broken file reported twice: %v", err)
	}
	if !has(f, "b") {
		t.Error("the last good catalog was dropped for a broken file")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Current(); err == nil {
		t.Error("a missing file was not reported")
	}
	if _, err := f.Current(); err != nil {
		t.Errorf("a missing file reported twice: %v", err)
	}
	write("c")
	bump(t, path, 6*time.Second)
	if !has(f, "c") || has(f, "b") {
		t.Error("the catalog written after a gap was not loaded")
	}

	if _, err := tracker.OpenCatalogFile(filepath.Join(t.TempDir(), "nope.json")); err == nil {
		t.Error("opening a missing catalog succeeded")
	}
}
