package generator

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Directories of a site, relative to its root.
const (
	ContentDir = "content"
	LayoutsDir = "layouts"
	StaticDir  = "static"
)

// Inputs are the paths below a site's root that a build reads: what a
// watcher must watch to see every change that matters.
func Inputs() []string { return []string{ContentDir, LayoutsDir, StaticDir, ConfigFile} }

// source is one file found under content/.
type source struct {
	rel  string // content-relative, slash-separated
	data []byte
}

// sourceTree is everything read from content/: markdown files and the
// other files, which are copied as page resources.
type sourceTree struct {
	markdown  []source
	resources []string // content-relative paths
	dirs      []string // content-relative directories, "" for content/ itself
}

// readContent walks content/ and reads every markdown file in parallel.
// It skips dotfiles and editor temporaries, and the destination directory
// when it lies inside content/.
func readContent(root string, skip string, problems *problemList) sourceTree {
	var tree sourceTree
	contentRoot := filepath.Join(root, ContentDir)
	err := filepath.WalkDir(contentRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			problems.add(displayPath(root, p), 0, 0, "%v", err)
			return nil
		}
		if p == skip {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(contentRoot, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		name := d.Name()
		if rel != "" && IgnoredName(name) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			tree.dirs = append(tree.dirs, rel)
		case strings.HasSuffix(name, ".md"):
			tree.markdown = append(tree.markdown, source{rel: rel})
		case d.Type().IsRegular():
			tree.resources = append(tree.resources, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		problems.add(ContentDir, 0, 0, "%v", err)
	}
	parallel(len(tree.markdown), func(i int) {
		s := &tree.markdown[i]
		data, err := os.ReadFile(filepath.Join(contentRoot, filepath.FromSlash(s.rel)))
		if err != nil {
			problems.add(ContentDir+"/"+s.rel, 0, 0, "%v", err)
			return
		}
		s.data = data
	})
	return tree
}

// IgnoredName reports whether a file or directory name is never site
// input: dotfiles and the temporaries editors write while saving.
func IgnoredName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") ||
		strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp") || name == "4913"
}

// displayPath turns an OS path under root into the slash path users see.
func displayPath(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// parallel runs fn(0..n-1) on all cores.
func parallel(n int, fn func(i int)) {
	parallelWith(n, func() struct{} { return struct{}{} }, func(_ struct{}, i int) { fn(i) })
}

// parallelWith runs fn(0..n-1) on all cores, giving each worker its own
// state made by newState (a reusable buffer, say).
func parallelWith[S any](n int, newState func() S, fn func(state S, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			state := newState()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(state, i)
			}
		})
	}
	wg.Wait()
}

// walkFS lists the regular files of an fs.FS below dir, sorted, skipping
// ignored names.
func walkFS(fsys fs.FS, dir string) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && os.IsNotExist(err) {
				return fs.SkipDir
			}
			return err
		}
		if p != dir && IgnoredName(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel := strings.TrimPrefix(p, dir+"/")
			out = append(out, path.Clean(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}
