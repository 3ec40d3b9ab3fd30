package generator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// Builder builds one site again and again into one directory, for a live
// preview. Between builds it keeps the site it built:
//
//   - when only page bodies changed, and nothing other pages show of them
//     did (summary, and what layouts read off other pages), it converts
//     and renders just those pages and updates the search index;
//   - when only layouts changed, it renders every page from the kept site;
//   - when only existing static files or page resources changed, it copies
//     them;
//   - otherwise it runs every phase, converting again only the bodies
//     whose bytes changed or whose links now resolve differently.
//
// Either way it writes only the output files whose bytes changed, each
// one atomically, and deletes the ones that disappeared, so that the
// directory always holds exactly what Build would write there.
//
// A build with problems leaves the directory as it was; the changes it
// saw are remembered and tried again with the next build.
type Builder struct {
	opts    Options
	absDest string
	seed    maphash.Seed

	mu       sync.Mutex
	gen      *generation           // the last good build; nil forces a full build
	search   *searchCache          // its search index
	cross    map[string]bool       // body-derived fields layouts read off other pages
	result   Result                // its counts
	manifest map[string]uint64     // output file → hash of its bytes in dest
	convs    map[string]*convEntry // converted bodies, by source file
	convOpts markdown.Options      // the markdown options they were converted with
	pending  map[string]bool       // changes not yet in a good build
}

// Update is what one Builder run did.
type Update struct {
	Result
	// Incremental is true when only changed pages were rendered.
	Incremental bool
	// Rendered counts the HTML files rendered, Converted the markdown
	// bodies converted (others were kept from the build before).
	Rendered  int
	Converted int
	// Written and Removed are the output files whose bytes changed and
	// the ones deleted, slash-separated and sorted.
	Written []string
	Removed []string
}

// NewBuilder returns a Builder for the options; CheckOnly is not allowed.
func NewBuilder(opts Options) (*Builder, error) {
	opts = opts.withDefaults()
	if opts.CheckOnly {
		return nil, errors.New("builder: CheckOnly writes nothing; use Build")
	}
	if err := checkDest(opts.Source, opts.Dest); err != nil {
		return nil, err
	}
	absDest, err := filepath.Abs(opts.Dest)
	if err != nil {
		return nil, err
	}
	return &Builder{opts: opts, absDest: absDest, seed: maphash.MakeSeed(), pending: map[string]bool{}}, nil
}

// Build brings the output up to date. changed lists the paths, relative
// to the source and slash-separated, that changed since the last call;
// nil means unknown, and rebuilds everything. The error is the Problems
// when there are any, or what stopped the build.
func (b *Builder) Build(ctx context.Context, changed []string) (*Update, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := b.opts.Now()
	full := changed == nil
	for _, c := range changed {
		b.pending[path.Clean(c)] = true
	}
	var upd *Update
	var err error
	ok := false
	if !full {
		upd, ok, err = b.incremental(ctx, slices.Sorted(maps.Keys(b.pending)))
	}
	if !ok {
		upd, err = b.full(ctx)
	}
	if upd != nil {
		upd.Duration = b.opts.Now().Sub(start)
	}
	if err == nil {
		clear(b.pending)
	}
	return upd, err
}

// full runs every phase and writes what changed.
func (b *Builder) full(ctx context.Context) (*Update, error) {
	upd := &Update{Result: Result{Dest: b.opts.Dest}}
	if b.manifest == nil {
		m, err := scanManifest(b.absDest, b.seed)
		if err != nil {
			return upd, err
		}
		b.manifest = m
	}
	out, err := b.newDiffOutput(false)
	if err != nil {
		return upd, err
	}
	defer os.RemoveAll(out.root)
	var search *searchCache
	cache := newConvCache(b.seed, b.convs, b.convOpts)
	writeSearch := func(site *Site, o output) error {
		search = newSearchCache(site, cache.known)
		cache.indexed(search)
		return o.write(SearchFile, search.json())
	}
	gen, problems, err := generate(ctx, b.opts, b.absDest, out, writeSearch, cache, true, &upd.Result)
	if err != nil {
		return upd, err
	}
	upd.Rendered = upd.Files
	upd.Converted = len(cache.next) - cache.reusedCount()
	upd.Problems = problems.sorted()
	if len(upd.Problems) > 0 {
		return upd, upd.Problems
	}
	if err := b.commit(out, upd); err != nil {
		return upd, err
	}
	b.gen, b.search, b.result = gen, search, upd.Result
	b.convs, b.convOpts = cache.next, cache.opts
	b.cross = gen.layouts.crossPageFields()
	return upd, nil
}

// incremental re-renders the changed pages when that gives the same
// output as a full build; ok is false when it cannot tell, and nothing
// was changed.
func (b *Builder) incremental(ctx context.Context, changed []string) (upd *Update, ok bool, err error) {
	g := b.gen
	if g == nil {
		return nil, false, nil
	}
	var pages []*Page
	var copies [][2]string // output name, source path
	relayout := false
	for _, c := range changed {
		top, rest, _ := strings.Cut(c, "/")
		if ignoredPath(c) {
			continue
		}
		switch top {
		case ContentDir, StaticDir:
		case LayoutsDir:
			relayout = true
			continue
		case ConfigFile:
			return nil, false, nil
		default:
			continue // not an input of the site
		}
		fi, err := os.Stat(filepath.Join(b.opts.Source, filepath.FromSlash(c)))
		if err != nil || !fi.Mode().IsRegular() {
			return nil, false, nil // gone, or a directory: the tree changed
		}
		switch {
		case top == ContentDir && strings.HasSuffix(rest, ".md"):
			p := g.site.byFile[rest]
			if p == nil {
				return nil, false, nil
			}
			pages = append(pages, p)
		case top == ContentDir && g.files.resources[rest]:
			copies = append(copies, [2]string{rest, c})
		case top == StaticDir && g.siteStatic[rest]:
			copies = append(copies, [2]string{rest, c})
		default:
			return nil, false, nil // a new file
		}
	}

	if relayout {
		if len(pages) > 0 || len(copies) > 0 {
			return nil, false, nil
		}
		upd, err := b.relayout(ctx)
		return upd, true, err
	}

	// Read the pages again; their front matter must be what it was.
	problems := &problemList{}
	fresh := make([]*Page, len(pages))
	for i, p := range pages {
		data, err := os.ReadFile(filepath.Join(b.opts.Source, filepath.FromSlash(p.File)))
		if err != nil {
			return nil, false, nil
		}
		decoded := &problemList{}
		fresh[i] = newContentPage(g.site, source{rel: strings.TrimPrefix(p.File, ContentDir+"/"), data: data}, decoded)
		if decoded.len() > 0 || string(fresh[i].frontSrc) != string(p.frontSrc) {
			return nil, false, nil
		}
	}
	saved := make([]derived, len(pages))
	for i, p := range pages {
		saved[i] = saveDerived(p)
	}
	restore := func() {
		for i, p := range pages {
			saved[i].restore(p)
		}
	}
	anchors := &anchorChecks{}
	cfg := g.site.cfg
	recs := make([]*convEntry, len(pages))
	parallel(len(pages), func(i int) {
		p := pages[i]
		p.body, p.bodyLine, p.Summary = fresh[i].body, fresh[i].bodyLine, fresh[i].Summary
		recs[i] = newConvEntry(b.seed, p)
		if !convertPage(p, g.conv, g.files, cfg.CheckLinks, false, anchors, problems, recs[i]) {
			recs[i] = nil
		}
	})
	for i, p := range pages {
		if !saved[i].sameAsSeen(p, b.cross) {
			restore()
			return nil, false, nil
		}
	}
	allAnchors := make([]anchorCheck, 0, len(g.anchors)+len(anchors.list))
	for _, a := range g.anchors {
		if !slices.Contains(pages, a.from) {
			allAnchors = append(allAnchors, a)
		}
	}
	allAnchors = append(allAnchors, anchors.list...)
	if cfg.CheckLinks {
		checkAnchors(allAnchors, problems)
	}
	if err := ctx.Err(); err != nil {
		restore()
		return nil, true, err
	}

	upd = &Update{Result: b.result, Incremental: true}
	if problems.len() == 0 {
		out, err := b.newDiffOutput(true)
		if err != nil {
			restore()
			return upd, true, err
		}
		defer os.RemoveAll(out.root)
		upd.Converted = len(pages)
		upd.Rendered = renderPageList(ctx, g.site, pages, g.layouts, out, problems)
		upd.Files = upd.Rendered
		if err := ctx.Err(); err != nil {
			restore()
			return upd, true, err
		}
		for _, c := range copies {
			data, err := os.ReadFile(filepath.Join(b.opts.Source, filepath.FromSlash(c[1])))
			if err == nil {
				err = out.write(c[0], data)
			}
			if err != nil {
				problems.add(c[1], 0, 0, "%v", err)
			}
		}
		if problems.len() == 0 && len(pages) > 0 {
			b.search.update(pages)
			if err := out.writeFunc(SearchFile, b.search.writeTo); err != nil {
				problems.add(SearchFile, 0, 0, "%v", err)
				b.gen = nil // the index has the new words: start over
			}
		}
		if problems.len() == 0 {
			if err := b.commit(out, upd); err != nil {
				return upd, true, err
			}
			g.anchors = allAnchors
			for i, p := range pages {
				// The next full build takes these bodies as they are now.
				if e := recs[i]; e != nil {
					if j, ok := b.search.at[p]; ok {
						e.index = b.search.words[j]
					}
					b.convs[p.File] = e
				}
			}
			return upd, true, nil
		}
	}
	restore()
	upd.Problems = problems.sorted()
	return upd, true, upd.Problems
}

// relayout loads the layouts again and renders every page with them:
// what the pages hold does not depend on the layouts, so that the
// markdown, the site tree and the other outputs stay as they are.
func (b *Builder) relayout(ctx context.Context) (*Update, error) {
	g := b.gen
	upd := &Update{Result: b.result, Incremental: true}
	problems := &problemList{}
	l := loadLayouts(b.opts.Source, b.opts.Theme, "themes/default", problems)
	if problems.len() == 0 {
		out, err := b.newDiffOutput(true)
		if err != nil {
			return upd, err
		}
		defer os.RemoveAll(out.root)
		upd.Rendered = renderPages(ctx, g.site, l, out, problems)
		upd.Rendered += renderNotFound(g.site, l, out, problems)
		upd.Files = upd.Rendered
		if err := ctx.Err(); err != nil {
			return upd, err
		}
		if problems.len() == 0 {
			if err := b.commit(out, upd); err != nil {
				return upd, err
			}
			g.layouts = l
			b.cross = l.crossPageFields()
			return upd, nil
		}
	}
	upd.Problems = problems.sorted()
	return upd, upd.Problems
}

// ignoredPath reports whether any segment of a source path is ignored.
func ignoredPath(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if IgnoredName(seg) {
			return true
		}
	}
	return false
}

// derived is what converting a page's body set, kept to compare and to
// put back when an incremental build fails.
type derived struct{ page Page }

func saveDerived(p *Page) derived { return derived{page: *p} }

func (d derived) restore(p *Page) {
	o := &d.page
	p.body, p.bodyLine, p.Summary = o.body, o.bodyLine, o.Summary
	p.Content, p.Headings, p.WordCount, p.words = o.Content, o.Headings, o.WordCount, nil
	p.blocks, p.Questions = o.blocks, o.Questions
}

// sameAsSeen reports whether what other pages may show of p is unchanged:
// its summary always (lists, feeds and the catalog show it), and the
// body-derived fields the layouts read off pages other than dot.
func (d derived) sameAsSeen(p *Page, cross map[string]bool) bool {
	o := &d.page
	if p.Summary != o.Summary {
		return false
	}
	if cross["content"] && (p.Content != o.Content || !slices.EqualFunc(p.blocks, o.blocks, sameBlock)) {
		return false
	}
	if cross["headings"] && !slices.Equal(p.Headings, o.Headings) {
		return false
	}
	if cross["words"] && p.WordCount != o.WordCount {
		return false
	}
	if cross["questions"] && !slices.Equal(p.Questions, o.Questions) {
		return false
	}
	return true
}

func sameBlock(a, b markdown.Block) bool {
	return a.ID == b.ID && a.Title == b.Title && slices.Equal(a.Ranges, b.Ranges)
}

// commit moves the changed files into dest, deletes the outputs that
// disappeared (full builds only) and records the new hashes. On an error
// the manifest is dropped, so that the next build starts over.
func (b *Builder) commit(out *diffOutput, upd *Update) error {
	slices.Sort(out.changed)
	upd.Written = out.changed
	err := func() error {
		if !out.keep {
			for rel := range b.manifest {
				if _, ok := out.sums[rel]; !ok {
					upd.Removed = append(upd.Removed, rel)
				}
			}
			slices.Sort(upd.Removed)
			for _, rel := range upd.Removed {
				p := filepath.Join(b.absDest, filepath.FromSlash(rel))
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				pruneEmptyDirs(b.absDest, filepath.Dir(p))
				delete(b.manifest, rel)
			}
		}
		made := map[string]bool{}
		for _, rel := range out.changed {
			dst := filepath.Join(b.absDest, filepath.FromSlash(rel))
			// A file that was there and stays has its directory already.
			if _, had := b.manifest[rel]; !had && !made[path.Dir(rel)] {
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					return err
				}
				made[path.Dir(rel)] = true
			}
			if err := os.Rename(filepath.Join(out.root, out.staged[rel]), dst); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		b.manifest, b.gen = nil, nil
		return fmt.Errorf("publish: %w", err)
	}
	for rel, sum := range out.sums {
		b.manifest[rel] = sum
	}
	return nil
}

// pruneEmptyDirs removes dir and its parents up to root while they are
// empty, as a clean build would not have them.
func pruneEmptyDirs(root, dir string) {
	for within(dir, root) && dir != root {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// scanManifest hashes the files already in dest, so that a first build
// into a used directory rewrites only what differs and deletes the rest.
func scanManifest(dest string, seed maphash.Seed) (map[string]uint64, error) {
	m := map[string]uint64{}
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dest && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		m[filepath.ToSlash(rel)] = maphash.Bytes(seed, data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read output %s: %w", dest, err)
	}
	return m, nil
}

// diffOutput writes to a staging directory only the files whose bytes
// differ from the manifest, and records every file's hash.
type diffOutput struct {
	root string
	old  map[string]uint64
	seed maphash.Seed
	keep bool // an incremental build: files not written stay

	mu      sync.Mutex
	sums    map[string]uint64
	changed []string
	staged  map[string]string // output name → its file in root
}

func (b *Builder) newDiffOutput(keep bool) (*diffOutput, error) {
	staging, err := newStaging(b.absDest)
	if err != nil {
		return nil, err
	}
	return &diffOutput{root: staging, old: b.manifest, seed: b.seed, keep: keep, sums: map[string]uint64{},
		staged: map[string]string{}}, nil
}

// record notes the hash of an output file and reports whether its bytes
// differ from the last build's, refusing a second write of one file.
func (o *diffOutput) record(rel string, sum uint64) (changed bool, err error) {
	o.mu.Lock()
	_, twice := o.sums[rel]
	o.sums[rel] = sum
	o.mu.Unlock()
	if twice {
		return false, fmt.Errorf("%s: %w", rel, errWrittenTwice)
	}
	old, ok := o.old[rel]
	return !ok || old != sum, nil
}

func (o *diffOutput) write(rel string, data []byte) error {
	if changed, err := o.record(rel, maphash.Bytes(o.seed, data)); !changed || err != nil {
		return err
	}
	p, err := o.path(rel)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	o.mu.Lock()
	o.changed = append(o.changed, rel)
	o.mu.Unlock()
	return nil
}

// writeFunc is write for a file too large to join in memory: fn writes
// it, once to hash it and, when it changed, once more to the file.
func (o *diffOutput) writeFunc(rel string, fn func(io.Writer) error) error {
	var h maphash.Hash
	h.SetSeed(o.seed)
	if err := fn(&h); err != nil {
		return err
	}
	if changed, err := o.record(rel, h.Sum64()); !changed || err != nil {
		return err
	}
	p, err := o.path(rel)
	if err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = fn(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.changed = append(o.changed, rel)
	o.mu.Unlock()
	return nil
}

// path is where rel is staged: files are staged flat, under numbers, so
// that staging makes no directories; commit moves them to their places.
func (o *diffOutput) path(rel string) (string, error) {
	o.mu.Lock()
	name := strconv.Itoa(len(o.staged))
	o.staged[rel] = name
	o.mu.Unlock()
	return filepath.Join(o.root, name), nil
}
