// Package generator builds a Playbook site: it reads site.toml, the
// markdown under content/, the layouts and static files, checks them, and
// writes a static site plus the practice catalog (catalog.json).
//
// A build runs in phases: load (config, sources, front matter, layouts),
// assemble (sections, URLs, taxonomies, ids), render (markdown with link
// resolution, then templates), and publish (an atomic swap of the output
// directory). Every phase runs even when an earlier one found problems, so
// that one run reports them all; output is published only when there are
// none.
//
// It must not import the tracker: data flows one way, through catalog.json.
package generator

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/generator/markdown"
	"github.com/playbook-dev/playbook/themes"
)

// Options say what to build and where.
type Options struct {
	// Source is the site's root directory (holding site.toml and content/).
	Source string
	// Dest is the output directory; "" means Source/public.
	Dest string
	// BaseURL overrides site.toml's base_url when not empty.
	BaseURL string
	// TrackerURL overrides site.toml's tracker_url when not empty: serve
	// points the adoption forms at the tracker it mounts.
	TrackerURL string
	// Drafts includes pages with draft = true.
	Drafts bool
	// CheckOnly validates everything and writes nothing.
	CheckOnly bool
	// Theme is the theme's files (layouts/, static/); nil means the default
	// theme embedded in the binary.
	Theme fs.FS
	// Now is the clock, for the duration in the result.
	Now func() time.Time
}

// Result summarises a build.
type Result struct {
	Dest       string
	Pages      int // regular content pages
	Sections   int
	Taxonomies int // taxonomy and term pages
	Static     int // static files and page resources copied
	Aliases    int
	Files      int // HTML files written
	Practices  int // entries in catalog.json
	Problems   Problems
	Duration   time.Duration
}

// Build builds the site. It returns the result with every problem found;
// the error is the Problems when there are any, or what stopped the build.
// On any problem the previous output is left untouched.
func Build(ctx context.Context, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	start := opts.Now()
	res := &Result{Dest: opts.Dest}
	if err := checkDest(opts.Source, opts.Dest); err != nil {
		return res, err
	}
	absDest, _ := filepath.Abs(opts.Dest)
	var out output
	staging := ""
	if opts.CheckOnly {
		out = &discardOutput{dirOutput: *newDirOutput("")}
	} else {
		removeLeftovers(absDest)
		var err error
		staging, err = newStaging(absDest)
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(staging) // gone after the swap; cleanup otherwise
		out = newDirOutput(staging)
	}
	search := writeSearchIndex
	if opts.CheckOnly {
		search = nil // it can find no problem
	}
	_, problems, err := generate(ctx, opts, absDest, out, search, nil, false, res)
	if err != nil {
		return res, err
	}
	res.Problems = problems.sorted()
	res.Duration = opts.Now().Sub(start)
	if len(res.Problems) > 0 {
		return res, res.Problems
	}
	if opts.CheckOnly {
		return res, nil
	}
	if err := swapIn(staging, absDest); err != nil {
		return res, err
	}
	res.Duration = opts.Now().Sub(start)
	return res, nil
}

// withDefaults fills in the options left empty.
func (opts Options) withDefaults() Options {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Source == "" {
		opts.Source = "."
	}
	if opts.Dest == "" {
		opts.Dest = filepath.Join(opts.Source, "public")
	}
	if opts.Theme == nil {
		opts.Theme = themes.Default()
	}
	return opts
}

// generation is what one run of the phases built: a Builder keeps it to
// render parts of the site again.
type generation struct {
	site       *Site
	layouts    *layouts
	conv       *markdown.Converter
	files      *fileIndex
	anchors    []anchorCheck // every page's links to headings
	siteStatic map[string]bool
}

// generate runs the phases, writing every output file to out and counting
// them in res. search writes the search index; cache, if not nil, keeps
// converted bodies between runs; keepBodies keeps every page's HTML after
// it is written, for a Builder to render again (a one-off build lets each
// page's HTML go once written, when no layout reads other pages' bodies). The problems are returned rather than
// acted on; the error is what stopped the run.
func generate(ctx context.Context, opts Options, absDest string, out output,
	search func(*Site, output) error, cache *convCache, keepBodies bool, res *Result) (*generation, *problemList, error) {
	problems := &problemList{}

	// Load.
	cfg, ps := LoadConfig(opts.Source)
	for _, p := range ps {
		problems.addProblem(p)
	}
	if opts.TrackerURL != "" {
		cfg.TrackerURL = opts.TrackerURL
	}
	baseURL := cfg.BaseURL
	if opts.BaseURL != "" {
		baseURL = opts.BaseURL
	}
	baseURL, err := normaliseBaseURL(baseURL)
	if err != nil {
		problems.add(ConfigFile, 0, 0, "base_url: %v", err)
		baseURL = "/"
	}
	tree := readContent(opts.Source, absDest, problems)
	staticNames, err := walkFS(os.DirFS(opts.Source), StaticDir)
	if err != nil {
		problems.add(StaticDir, 0, 0, "%v", err)
	}
	themeStatic, err := walkFS(opts.Theme, StaticDir)
	if err != nil {
		problems.add("theme "+StaticDir, 0, 0, "%v", err)
	}
	layouts := loadLayouts(opts.Source, opts.Theme, "themes/default", problems)
	if err := ctx.Err(); err != nil {
		return nil, problems, err
	}

	// Assemble.
	site := assemble(cfg, baseURL, tree, opts.Drafts, problems)
	site.index(problems)
	for _, p := range site.Pages {
		checkKind(p, problems)
		checkRelated(p, problems)
	}
	files := &fileIndex{resources: map[string]bool{}, static: map[string]bool{}}
	for _, r := range tree.resources {
		files.resources[r] = true
	}
	for _, s := range append(themeStatic, staticNames...) {
		files.static[s] = true
	}

	// Render.
	conv := markdown.New(cfg.MarkdownOptions())
	cache.setOptions(cfg.MarkdownOptions())
	tree.markdown = nil // pages hold what they need
	if search != nil {
		site.words = newWordSet()
	}
	// A one-off build renders most pages as soon as they are converted and
	// lets their HTML go, unless a layout shows other pages' bodies.
	var early *pageRenderer
	if !keepBodies {
		cross := layouts.crossPageFields()
		if !cross["content"] && !cross["headings"] && !cross["words"] && !cross["questions"] {
			early = newPageRenderer(ctx, site, layouts, out, true, problems)
		}
	}
	anchors := convertMarkdown(site, conv, files, cfg.CheckLinks, problems, cache, early)
	if err := ctx.Err(); err != nil {
		return nil, problems, err
	}
	// The search index needs only what conversion set (words, headings,
	// summaries, titles): it is built while static files are copied and
	// the remaining pages render, instead of after them on one core.
	searched := make(chan error, 1)
	go func() {
		if search == nil {
			searched <- nil
			return
		}
		searched <- search(site, out)
	}()
	// Static files: the theme's, shadowed by the site's; then resources.
	siteStatic := map[string]bool{}
	for _, n := range staticNames {
		siteStatic[n] = true
	}
	var themeOnly []string
	for _, n := range themeStatic {
		if !siteStatic[n] {
			themeOnly = append(themeOnly, n)
		}
	}
	if err := copyFiles(opts.Theme, StaticDir, themeOnly, "", out); err != nil {
		problems.add("themes/default/static", 0, 0, "%v", err)
	}
	if err := copyFiles(os.DirFS(opts.Source), StaticDir, staticNames, "", out); err != nil {
		problems.add(StaticDir, 0, 0, "%v", err)
	}
	if err := copyFiles(os.DirFS(opts.Source), ContentDir, tree.resources, "", out); err != nil {
		problems.add(ContentDir, 0, 0, "%v", err)
	}
	res.Static = len(themeOnly) + len(staticNames) + len(tree.resources)
	if early != nil {
		var rest []*Page
		for _, p := range site.allPages() {
			if !early.rendered(p) {
				rest = append(rest, p)
			}
		}
		parallelWith(len(rest), newBuffer, func(buf *bytes.Buffer, i int) { early.render(rest[i], buf) })
		res.Files = early.finish()
	} else {
		res.Files = renderPages(ctx, site, layouts, out, problems)
	}
	res.Files += renderNotFound(site, layouts, out, problems)
	res.Aliases = aliases(site, out, problems)
	for name, data := range map[string][]byte{
		"sitemap.xml": sitemap(site),
		"index.xml":   rss(site),
		"robots.txt":  robots(site),
	} {
		if err := out.write(name, data); err != nil {
			problems.add(name, 0, 0, "%v", err)
		}
	}
	if err := <-searched; err != nil {
		problems.add(SearchFile, 0, 0, "%v", err)
	}
	cat := buildCatalog(site)
	data, err := cat.Marshal()
	if err == nil {
		err = out.write(catalog.FileName, data)
	}
	if err != nil {
		problems.add(catalog.FileName, 0, 0, "%v", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, problems, err
	}

	res.Pages = len(site.Pages)
	res.Sections = len(site.byDir) - 1
	for _, t := range site.Taxonomies {
		res.Taxonomies += 1 + len(t.Terms)
	}
	res.Practices = len(cat.Practices)
	g := &generation{site: site, layouts: layouts, conv: conv, files: files, anchors: anchors, siteStatic: siteStatic}
	return g, problems, nil
}

// renderNotFound writes 404.html with the 404 layout.
func renderNotFound(site *Site, l *layouts, out output, problems *problemList) int {
	name, t := l.lookup("404.html")
	if t == nil {
		return 0
	}
	p := &Page{Type: "404", Site: site, Path: "404.html", Parent: site.Home, Title: "Page not found"}
	p.setURLs()
	var b bytes.Buffer
	if err := l.execute(&b, name, t, p); err != nil {
		problems.addProblem(l.problem(err, "404.html"))
		return 0
	}
	if err := out.write("404.html", b.Bytes()); err != nil {
		problems.add("404.html", 0, 0, "%v", err)
		return 0
	}
	return 1
}
