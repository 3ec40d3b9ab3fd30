package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// dirOutput writes files below a directory, from several goroutines, and
// refuses to write one path twice, which would mean two inputs claim the
// same output file.
type dirOutput struct {
	root    string
	mu      sync.Mutex
	dirs    map[string]*madeDir
	written map[string]bool
}

// madeDir creates a directory once; writers into it wait for that.
type madeDir struct {
	once sync.Once
	err  error
}

func newDirOutput(root string) *dirOutput {
	return &dirOutput{root: root, dirs: map[string]*madeDir{}, written: map[string]bool{}}
}

var errWrittenTwice = errors.New("two inputs produce this output file")

// claim records rel as written.
func (o *dirOutput) claim(rel string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.written[rel] {
		return fmt.Errorf("%s: %w", rel, errWrittenTwice)
	}
	o.written[rel] = true
	return nil
}

func (o *dirOutput) write(rel string, data []byte) error {
	if err := o.claim(rel); err != nil {
		return err
	}
	if err := o.mkdir(path.Dir(rel)); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.root, filepath.FromSlash(rel)), data, 0o644)
}

// mkdir creates dir below the root, and the directories above it, once
// each: one mkdir call per directory, where os.MkdirAll would stat every
// level first (two more calls per page on a site of pretty URLs).
func (o *dirOutput) mkdir(dir string) error {
	if dir == "." {
		return nil // the root exists
	}
	o.mu.Lock()
	d := o.dirs[dir]
	if d == nil {
		d = &madeDir{}
		o.dirs[dir] = d
	}
	o.mu.Unlock()
	d.once.Do(func() {
		if d.err = o.mkdir(path.Dir(dir)); d.err != nil {
			return
		}
		err := os.Mkdir(filepath.Join(o.root, filepath.FromSlash(dir)), 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			d.err = err
		}
	})
	return d.err
}

// discardOutput checks for double writes and writes nothing: `check`.
type discardOutput struct{ dirOutput }

func (o *discardOutput) write(rel string, data []byte) error {
	return o.claim(rel)
}

// copyFiles copies the named files of fsys below dir to out, below prefix,
// on all cores.
func copyFiles(fsys fs.FS, dir string, names []string, prefix string, out output) error {
	errs := make([]error, len(names))
	parallel(len(names), func(i int) {
		data, err := fs.ReadFile(fsys, path.Join(dir, names[i]))
		if err == nil {
			err = out.write(path.Join(prefix, names[i]), data)
		}
		errs[i] = err
	})
	return errors.Join(errs...)
}

// checkDest refuses destinations that would destroy the site's sources
// when the build swaps its output in.
func checkDest(src, dest string) error {
	absSrc, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	absDest, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if within(absSrc, absDest) {
		return fmt.Errorf("destination %s would replace the site source %s", dest, src)
	}
	for _, d := range []string{ContentDir, LayoutsDir, StaticDir} {
		if within(absDest, filepath.Join(absSrc, d)) || within(filepath.Join(absSrc, d), absDest) {
			return fmt.Errorf("destination %s overlaps the site's %s/ directory", dest, d)
		}
	}
	if fi, err := os.Stat(absDest); err == nil && !fi.IsDir() {
		return fmt.Errorf("destination %s is a file, not a directory", dest)
	}
	return nil
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// newStaging makes an empty directory beside dest, on the same file system
// so that the swap is a rename.
func newStaging(dest string) (string, error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".staging-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

// swapIn replaces dest with staging: the old tree is renamed aside, the new
// one renamed in, and the old one removed. A failure puts the old one back.
func swapIn(staging, dest string) error {
	old := ""
	if _, err := os.Stat(dest); err == nil {
		tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".old-")
		if err != nil {
			return err
		}
		os.Remove(tmp)
		if err := os.Rename(dest, tmp); err != nil {
			return fmt.Errorf("move old output aside: %w", err)
		}
		old = tmp
	}
	if err := os.Rename(staging, dest); err != nil {
		if old != "" {
			_ = os.Rename(old, dest)
		}
		return fmt.Errorf("swap in new output: %w", err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// removeLeftovers deletes staging and old trees that an interrupted build
// left beside dest.
func removeLeftovers(dest string) {
	for _, pat := range []string{".staging-*", ".old-*"} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+pat))
		for _, m := range matches {
			_ = os.RemoveAll(m)
		}
	}
}
