package generator

import (
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// linkChecker resolves one page's links while its markdown converts:
// links to .md files and id: references become page URLs, resource and
// static links get the base path, and anything missing is a problem.
// Anchors into other pages are checked once every page has its headings.
type linkChecker struct {
	site     *Site
	page     *Page
	files    *fileIndex
	check    bool
	problems *problemList
	anchors  *anchorChecks
}

// fileIndex answers whether a content resource or static file exists.
type fileIndex struct {
	resources map[string]bool // content-relative
	static    map[string]bool // site-relative URL path without leading slash
}

// anchorCheck is a link to a heading in another page, checked later.
type anchorCheck struct {
	from   *Page
	line   int
	col    int
	dest   string
	target *Page
	anchor string
}

type anchorChecks struct {
	mu   sync.Mutex
	list []anchorCheck
}

func (a *anchorChecks) add(c anchorCheck) {
	a.mu.Lock()
	a.list = append(a.list, c)
	a.mu.Unlock()
}

func (lc *linkChecker) Resolve(l markdown.Link) string {
	line := lc.page.bodyLine + l.Line - 1
	broken := func(format string, args ...any) string {
		if lc.check {
			lc.problems.add(lc.page.File, line, l.Col, "broken link %q: "+format, append([]any{l.Dest}, args...)...)
		}
		return l.Dest
	}
	if l.Image && strings.TrimSpace(l.Alt) == "" {
		lc.problems.add(lc.page.File, line, l.Col, "image %q has no alt text: describe it for readers who cannot see it", l.Dest)
	}
	dest := l.Dest
	if dest == "" {
		return broken("empty destination")
	}
	if strings.HasPrefix(dest, "//") {
		return dest
	}
	u, err := url.Parse(dest)
	if err != nil {
		return broken("%v", err)
	}
	if u.Scheme == "id" {
		id := u.Opaque
		target := lc.site.byID[id]
		if target == nil {
			msg := "no page has id %q"
			if s := suggest(id, idsOf(lc.site)); s != "" {
				return broken(msg+"; did you mean %q?", id, s)
			}
			return broken(msg, id)
		}
		return lc.toPage(target, u.Fragment, dest, line, l.Col)
	}
	if u.Scheme != "" || u.Host != "" {
		return dest // external: left alone
	}
	if u.Path == "" { // "#anchor" on this page
		if u.Fragment != "" {
			lc.anchors.add(anchorCheck{from: lc.page, line: line, col: l.Col, dest: dest, target: lc.page, anchor: u.Fragment})
		}
		return dest
	}
	if strings.HasPrefix(u.Path, "/") {
		return lc.siteAbsolute(u, broken)
	}
	// Relative to the page's source directory.
	target := path.Clean(path.Join(lc.page.dir, u.Path))
	if target == ".." || strings.HasPrefix(target, "../") {
		return broken("it points outside %s/", ContentDir)
	}
	if target == "." {
		target = ""
	}
	if strings.HasSuffix(u.Path, ".md") {
		p := lc.site.byFile[target]
		if p == nil {
			return broken("no page %s/%s", ContentDir, target)
		}
		return lc.toPage(p, u.Fragment, dest, line, l.Col)
	}
	if sec := lc.site.byDir[strings.TrimSuffix(target, "/")]; sec != nil && (strings.HasSuffix(u.Path, "/") || !lc.files.resources[target]) {
		return lc.toPage(sec, u.Fragment, dest, line, l.Col)
	}
	if !lc.files.resources[target] {
		return broken("no file %s/%s", ContentDir, target)
	}
	return withFragment(lc.site.BasePath+escapePath(target), u)
}

// siteAbsolute checks a "/path" link against static files and page URLs.
func (lc *linkChecker) siteAbsolute(u *url.URL, broken func(string, ...any) string) string {
	rel := strings.TrimPrefix(u.Path, "/")
	out := withFragment(lc.site.BasePath+escapePath(rel), u)
	if lc.files.static[rel] {
		return out
	}
	if p := lc.site.pageAtPath(rel); p != nil {
		if u.Fragment != "" {
			lc.anchors.add(anchorCheck{from: lc.page, dest: u.String(), target: p, anchor: u.Fragment})
		}
		return out
	}
	return broken("no page or static file at /%s", rel)
}

func (lc *linkChecker) toPage(p *Page, fragment, dest string, line, col int) string {
	if fragment != "" {
		lc.anchors.add(anchorCheck{from: lc.page, line: line, col: col, dest: dest, target: p, anchor: fragment})
		return p.RelPermalink + "#" + fragment
	}
	return p.RelPermalink
}

func withFragment(p string, u *url.URL) string {
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		p += "#" + u.Fragment
	}
	return p
}

// checkAnchors reports links to headings that do not exist.
func checkAnchors(checks []anchorCheck, problems *problemList) {
	for _, c := range checks {
		if c.target.hasAnchor(c.anchor) {
			continue
		}
		where := c.target.File
		if where == "" {
			where = c.target.RelPermalink
		}
		problems.add(c.from.File, c.line, c.col, "broken link %q: no heading %q in %s", c.dest, c.anchor, where)
	}
}

// hasAnchor reports whether the page's rendered body has an element with
// that id: a heading or a footnote.
func (p *Page) hasAnchor(id string) bool {
	for _, h := range p.Headings {
		if h.ID == id {
			return true
		}
	}
	return strings.HasPrefix(id, "fn:") || strings.HasPrefix(id, "fnref:")
}

// pageAtPath finds the page whose URL path (relative to the base) is rel.
func (s *Site) pageAtPath(rel string) *Page {
	rel = strings.TrimSuffix(strings.TrimSuffix(rel, "index.html"), "/")
	if rel != "" {
		rel += "/"
	}
	return s.byPath[rel]
}
