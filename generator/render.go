package generator

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// index gives every page a place in byPath and reports two pages that
// claim one URL.
func (s *Site) index(problems *problemList) {
	s.byPath = map[string]*Page{}
	claim := func(p *Page) {
		p.setURLs()
		if other := s.byPath[p.Path]; other != nil {
			a, b := other.File, p.File
			if a == "" || (b != "" && b < a) {
				a, b = b, a
			}
			problems.add(b, 1, 1, "URL %s is also the URL of %s", p.RelPermalink, orGenerated(a))
			return
		}
		s.byPath[p.Path] = p
	}
	claim(s.Home)
	for _, d := range slices.Sorted(maps.Keys(s.byDir)) {
		if d != "" {
			claim(s.byDir[d])
		}
	}
	for _, p := range s.Pages {
		claim(p)
	}
	for _, t := range s.Taxonomies {
		claim(t)
		for _, term := range t.Terms {
			claim(term)
		}
	}
}

func orGenerated(file string) string {
	if file == "" {
		return "a generated page"
	}
	return file
}

// allPages lists every page that renders to HTML, in a stable order.
func (s *Site) allPages() []*Page {
	out := []*Page{s.Home}
	for _, d := range slices.Sorted(maps.Keys(s.byDir)) {
		if d != "" {
			out = append(out, s.byDir[d])
		}
	}
	out = append(out, s.Pages...)
	for _, t := range s.Taxonomies {
		out = append(out, t)
		out = append(out, t.Terms...)
	}
	return out
}

// convertMarkdown renders every page's body, resolving links; anchors into
// other pages are checked afterwards, when all headings are known. It
// returns every page's anchor links, for a Builder to check again later.
//
// With a cache (a Builder's), a page whose body the cache converted before
// takes its result from there when its links still resolve as they did.
//
// With a renderer, a regular page whose summary is in its front matter is
// rendered as soon as it is converted, so that its HTML need not wait in
// memory for every other page: nothing another page shows of it depends
// on its body (the caller checks that the layouts read no other page's
// body). Pages whose summaries come from their bodies are converted first.
func convertMarkdown(site *Site, conv *markdown.Converter, files *fileIndex, checkLinks bool, problems *problemList, cache *convCache, render *pageRenderer) []anchorCheck {
	var first, then []*Page
	for _, p := range site.allPages() {
		switch {
		case p.File == "":
		case render != nil && p.Type == TypePage && p.Summary != "":
			then = append(then, p)
		default:
			first = append(first, p)
		}
	}
	anchors := &anchorChecks{}
	convert := func(p *Page, borrow bool) bool {
		if cache.reuse(p, files, checkLinks, anchors, problems) {
			return true
		}
		rec := cache.record(p)
		if !convertPage(p, conv, files, checkLinks, borrow, anchors, problems, rec) {
			return false
		}
		cache.store(p, rec)
		return true
	}
	parallel(len(first), func(i int) { convert(first[i], false) })
	// These pages' HTML is let go as soon as they are rendered, below, so
	// it may stay in the converter's buffer instead of being copied.
	parallelWith(len(then), newBuffer, func(buf *bytes.Buffer, i int) {
		if convert(then[i], render.release) {
			render.render(then[i], buf)
		}
	})
	if checkLinks {
		checkAnchors(anchors.list, problems)
	}
	return anchors.list
}

// convertPage renders one page's body and sets what derives from it,
// reporting whether it could. rec, if not nil, records how links resolved.
//
// When the site has a search index (p.Site.words is not nil), the body's
// words go into its word set, and the page keeps their ids.
//
// borrow lets p.Content share the converter's output buffer instead of
// copying it (10 KB a page, 80 MB on 10k pages). The buffer is the
// page's own and never written again, but it is half as large again as
// the source, so only a page whose HTML is let go right after it is
// rendered borrows it.
func convertPage(p *Page, conv *markdown.Converter, files *fileIndex, checkLinks, borrow bool, anchors *anchorChecks, problems *problemList, rec *convEntry) bool {
	lc := &linkChecker{site: p.Site, page: p, files: files, check: checkLinks, problems: problems, anchors: anchors}
	var resolver markdown.Resolver = lc
	if rec != nil {
		resolver = &recordingResolver{lc: lc, rec: rec}
	}
	opts := markdown.ConvertOptions{
		Resolver:     resolver,
		Split:        p.Kind == KindQuestions || p.Kind == KindScript,
		ExtractLists: p.Kind == KindQuestions,
	}
	index := p.Site.words
	var ix *wordIndexer
	if index != nil {
		ix = index.indexer()
		opts.Words = ix.add
	}
	res, err := conv.Convert(p.body, opts)
	var words []int32
	if ix != nil {
		words = index.done(ix)
	}
	if err != nil {
		problems.add(p.File, p.bodyLine, 0, "markdown: %v", err)
		return false
	}
	var body convertedBody
	if borrow && len(res.HTML) > 0 {
		body.content = template.HTML(unsafe.String(&res.HTML[0], len(res.HTML)))
	} else {
		body.content = template.HTML(res.HTML)
	}
	body.headings, body.words, body.blocks = res.Headings, res.Words, res.Blocks
	if rec != nil || p.Summary == "" { // else only the page's own summary is used
		body.summary = truncateWords(res.Summary, 50)
	}
	if p.Kind == KindQuestions {
		body.questions = make([]template.HTML, len(res.Items))
		for i, it := range res.Items {
			body.questions[i] = template.HTML(it)
		}
	}
	if rec != nil {
		rec.convertedBody = body
	}
	body.apply(p, problems)
	p.words = words
	return true
}

// convertedBody is what a page takes from its converted body.
type convertedBody struct {
	summary   string // for a page without one in its front matter
	content   template.HTML
	headings  []markdown.Heading
	words     int
	blocks    []markdown.Block
	questions []template.HTML // a question set's
}

// apply gives p its converted body, letting the markdown go, and reports
// a question set without questions.
func (b *convertedBody) apply(p *Page, problems *problemList) {
	p.body = nil // the HTML replaces it
	p.Content, p.Headings, p.WordCount, p.blocks = b.content, b.headings, b.words, b.blocks
	if p.Summary == "" {
		p.Summary = b.summary
	}
	if p.Kind == KindQuestions {
		p.Questions = b.questions
		if len(p.Questions) == 0 {
			problems.add(p.File, p.bodyLine, 1, "question set has no questions: write them as a list")
		}
	}
}

func truncateWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}

// Pager is one page of a paginated list.
type Pager struct {
	Number  int
	Total   int
	Pages   []*Page
	PrevURL string
	NextURL string
}

// output receives rendered files by site-relative path.
type output interface {
	write(rel string, data []byte) error
}

// renderPages executes the layouts for every page and writes the results.
func renderPages(ctx context.Context, site *Site, l *layouts, out output, problems *problemList) int {
	return renderPageList(ctx, site, site.allPages(), l, out, problems)
}

// renderPageList executes the layouts for some of the site's pages. Once
// ctx is done it renders no more: the caller, seeing ctx, keeps nothing.
func renderPageList(ctx context.Context, site *Site, pages []*Page, l *layouts, out output, problems *problemList) int {
	r := newPageRenderer(ctx, site, l, out, false, problems)
	parallelWith(len(pages), newBuffer, func(buf *bytes.Buffer, i int) { r.render(pages[i], buf) })
	return r.finish()
}

func newBuffer() *bytes.Buffer { return new(bytes.Buffer) }

// pageRenderer executes layouts for pages on several goroutines and
// gathers template errors, so that one broken layout is one problem and
// not one per page.
type pageRenderer struct {
	ctx      context.Context
	site     *Site
	l        *layouts
	out      output
	release  bool
	problems *problemList

	mu      sync.Mutex
	errs    map[string]*templateError
	done    map[*Page]bool
	written int
}

type templateError struct {
	p     Problem
	count int
}

// newPageRenderer returns a renderer; release lets a regular page's HTML
// go once the page is written, for callers that render no page again and
// whose layouts read no other page's body.
func newPageRenderer(ctx context.Context, site *Site, l *layouts, out output, release bool, problems *problemList) *pageRenderer {
	return &pageRenderer{ctx: ctx, site: site, l: l, out: out, release: release, problems: problems,
		errs: map[string]*templateError{}, done: map[*Page]bool{}}
}

// render writes one page (every page of a paginated list); buf is the
// calling goroutine's scratch buffer.
func (r *pageRenderer) render(p *Page, buf *bytes.Buffer) {
	if r.ctx.Err() != nil {
		return
	}
	names := layoutNames(p)
	name, t := r.l.lookup(names...)
	if t == nil {
		r.problems.add(orGenerated(p.File), 0, 0, "no layout for this page: looked for %s in %s/", strings.Join(names, ", "), LayoutsDir)
		return
	}
	written := 0
	for _, pager := range paginate(p, r.site.cfg.Paginate) {
		p.Pager = pager
		buf.Reset()
		if err := r.l.execute(buf, name, t, p); err != nil {
			r.templateError(r.l.problem(err, ""), p)
			continue
		}
		rel := p.Path
		if pager != nil && pager.Number > 1 {
			rel += fmt.Sprintf("page/%d/", pager.Number)
		}
		if err := r.out.write(rel+"index.html", buf.Bytes()); err != nil {
			r.problems.add(orGenerated(p.File), 0, 0, "write output: %v", err)
			continue
		}
		written++
	}
	if r.release && p.Type == TypePage {
		p.Content, p.blocks, p.Questions = "", nil, nil
	}
	r.mu.Lock()
	r.written += written
	r.done[p] = true
	r.mu.Unlock()
}

func (r *pageRenderer) templateError(pr Problem, p *Page) {
	key := pr.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.errs[key]; e != nil {
		e.count++
		return
	}
	pr.Msg = fmt.Sprintf("%s (rendering %s", pr.Msg, orGenerated(p.File))
	r.errs[key] = &templateError{p: pr, count: 1}
}

// rendered reports whether the page was rendered already.
func (r *pageRenderer) rendered(p *Page) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[p]
}

// finish reports the gathered template errors and returns how many files
// were written.
func (r *pageRenderer) finish() int {
	for _, e := range r.errs {
		if e.count > 1 {
			e.p.Msg += fmt.Sprintf(" and %d other pages)", e.count-1)
		} else {
			e.p.Msg += ")"
		}
		r.problems.addProblem(e.p)
	}
	r.errs = map[string]*templateError{}
	return r.written
}

// layoutNames is the lookup order of layouts for a page.
func layoutNames(p *Page) []string {
	switch p.Type {
	case TypeHome:
		return []string{"home.html", "section.html"}
	case TypeSection:
		return []string{"section.html"}
	case TypeTaxonomy:
		return []string{"taxonomy.html", "section.html"}
	case TypeTerm:
		return []string{"term.html", "section.html"}
	}
	if p.Kind != "" && p.Kind != KindPage {
		return []string{p.Kind + ".html", "page.html"}
	}
	return []string{"page.html"}
}

// paginate splits a list page's pages into pagers of size n; other pages
// get one nil pager.
func paginate(p *Page, n int) []*Pager {
	if p.Type == TypePage || p.Type == TypeHome || p.Type == TypeTaxonomy {
		return []*Pager{nil}
	}
	total := max(1, (len(p.Pages)+n-1)/n)
	views := make([]*Pager, total)
	for i := range total {
		pg := &Pager{Number: i + 1, Total: total, Pages: p.Pages[i*n : min(len(p.Pages), (i+1)*n)]}
		if i > 0 {
			pg.PrevURL = pagerURL(p, i)
		}
		if i+1 < total {
			pg.NextURL = pagerURL(p, i+2)
		}
		views[i] = pg
	}
	return views
}

func pagerURL(p *Page, n int) string {
	if n == 1 {
		return p.RelPermalink
	}
	return fmt.Sprintf("%spage/%d/", p.RelPermalink, n)
}
