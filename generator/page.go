package generator

import (
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// Page types: what a node of the site is.
const (
	TypeHome     = "home"
	TypeSection  = "section"
	TypePage     = "page"
	TypeTaxonomy = "taxonomy"
	TypeTerm     = "term"
)

// Site is what templates see as .Site: the configuration and the whole
// tree of pages.
type Site struct {
	Title       string
	Description string
	Language    string
	BaseURL     string // absolute URL or path, with a trailing slash
	BasePath    string // path part of BaseURL, with a trailing slash
	TrackerURL  string // where adoption forms post, base path applied
	Params      map[string]any
	Menus       map[string][]MenuEntry

	Home       *Page
	Pages      []*Page // every regular page, sorted by weight then title
	Sections   []*Page // top-level sections
	Taxonomies []*Page // one per taxonomy (tags, categories, roles, ...)

	cfg    Config
	words  *wordSet // the search index's words, shared by every page
	byID   map[string]*Page
	byFile map[string]*Page // content-relative source path → page
	byDir  map[string]*Page // content-relative directory → section or home
	byPath map[string]*Page // URL path relative to the base → page
}

// Page is one node of the site: home, section, content page, taxonomy or
// term. Templates see it as dot.
//
// Its front-matter fields are decoded straight from the file's TOML (the
// fields tagged toml:"-" are not front matter): one flat struct keeps
// template field lookups on reflection's fast path.
type Page struct {
	Title      string         `toml:"title"`
	Date       time.Time      `toml:"date"`
	Lastmod    time.Time      `toml:"lastmod"`
	Draft      bool           `toml:"draft"`
	Weight     int            `toml:"weight"`
	Summary    string         `toml:"summary"`
	Slug       string         `toml:"slug"`
	Aliases    []string       `toml:"aliases"`
	Tags       []string       `toml:"tags"`
	Categories []string       `toml:"categories"`
	ID         string         `toml:"id"`
	Kind       string         `toml:"kind"`
	Params     map[string]any `toml:"params"`

	// The content model: see kinds.go.
	Roles           []string `toml:"roles"`
	Moments         []string `toml:"moments"`
	Cadence         string   `toml:"cadence"`
	Minutes         int      `toml:"minutes"`
	Signals         []string `toml:"signals"`
	Related         []string `toml:"related"`
	ReviewAfterDays int      `toml:"review_after_days"`
	Says            string   `toml:"says"`

	Type string `toml:"-"`
	Site *Site  `toml:"-"`

	// File is the source file relative to the site root ("content/a/b.md"),
	// empty for generated pages.
	File string `toml:"-"`
	// Path is the URL path relative to the base URL: "" for home,
	// "practices/debrief/" for a page.
	Path string `toml:"-"`
	// RelPermalink is the URL path with the base path; Permalink is the
	// absolute URL when the base URL is absolute.
	RelPermalink string `toml:"-"`
	Permalink    string `toml:"-"`

	Parent   *Page   `toml:"-"` // the section holding this page
	Pages    []*Page `toml:"-"` // a section's or term's regular pages, sorted
	Sections []*Page `toml:"-"` // a section's child sections
	Terms    []*Page `toml:"-"` // a taxonomy's terms
	Prev     *Page   `toml:"-"` // previous page in the section
	Next     *Page   `toml:"-"` // next page in the section
	// Pager is the current page of a paginated list while it renders.
	Pager *Pager `toml:"-"`

	Content   template.HTML      `toml:"-"`
	Headings  []markdown.Heading `toml:"-"`
	WordCount int                `toml:"-"`
	// Questions are a question set's questions, as HTML.
	Questions []template.HTML `toml:"-"`

	blocks   []markdown.Block
	words    []int32 // the body's distinct index words, as ids in Site.words
	dir      string  // content-relative directory of the source
	body     []byte
	bodyLine int
	frontSrc []byte
}

// setURLs fills RelPermalink and Permalink from Path.
func (p *Page) setURLs() {
	p.RelPermalink = p.Site.BasePath + escapePath(p.Path)
	p.Permalink = strings.TrimSuffix(p.Site.BaseURL, "/") + "/" + escapePath(p.Path)
}

// escapePath percent-encodes each segment of a URL path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// IsHome, IsSection and IsPage tell templates what dot is.
func (p *Page) IsHome() bool    { return p.Type == TypeHome }
func (p *Page) IsSection() bool { return p.Type == TypeSection }
func (p *Page) IsPage() bool    { return p.Type == TypePage }

// Section is the URL path of the top-level section the page is in, ""
// for pages outside any section: what navigation highlights.
func (p *Page) Section() string {
	top := p
	for top.Parent != nil && top.Parent.Type != TypeHome {
		top = top.Parent
	}
	if top.Type == TypeHome || top.Parent == nil {
		return ""
	}
	return top.Path
}

// Ancestors lists the sections above the page, from the home page down,
// for breadcrumbs.
func (p *Page) Ancestors() []*Page {
	var out []*Page
	for s := p.Parent; s != nil; s = s.Parent {
		out = append([]*Page{s}, out...)
	}
	return out
}

// Lead is the body before its first level-2 heading, for kinds whose
// layout splits the body.
func (p *Page) Lead() template.HTML {
	if len(p.blocks) == 0 {
		return p.Content
	}
	return template.HTML(p.blocks[0].Of(string(p.Content)))
}

// Block returns the body under the level-2 heading with the given id,
// without the heading, or "" when there is none.
func (p *Page) Block(id string) template.HTML {
	for _, b := range p.blocks[min(1, len(p.blocks)):] {
		if b.ID == id {
			return template.HTML(b.Of(string(p.Content)))
		}
	}
	return ""
}

// Part is a level-2 block of a page's body, for layouts that split it.
type Part struct {
	ID    string
	Title string
	HTML  template.HTML
}

// OtherBlocks returns the level-2 blocks whose ids are not listed, in order.
func (p *Page) OtherBlocks(except ...string) []Part {
	var out []Part
outer:
	for _, b := range p.blocks[min(1, len(p.blocks)):] {
		for _, e := range except {
			if b.ID == e {
				continue outer
			}
		}
		out = append(out, Part{ID: b.ID, Title: b.Title, HTML: template.HTML(b.Of(string(p.Content)))})
	}
	return out
}

// TOC is the page's headings between the configured levels.
func (p *Page) TOC() []markdown.Heading {
	var out []markdown.Heading
	for _, h := range p.Headings {
		if h.Level >= p.Site.tocMin() && h.Level <= p.Site.tocMax() {
			out = append(out, h)
		}
	}
	return out
}

// RelatedPages resolves the page's related ids, skipping unknown ones
// (those are reported as problems).
func (p *Page) RelatedPages() []*Page {
	var out []*Page
	for _, id := range p.Related {
		if r := p.Site.byID[id]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// ReadingMinutes estimates reading time at 220 words a minute.
func (p *Page) ReadingMinutes() int { return max(1, (p.WordCount+110)/220) }

// Updated is the last-modified date, or the date when there is none.
func (p *Page) Updated() time.Time {
	if !p.Lastmod.IsZero() {
		return p.Lastmod
	}
	return p.Date
}

// RelURL applies the base path to a site-relative path, for templates:
// {{.Site.RelURL "css/playbook.css"}}.
func (s *Site) RelURL(p string) string { return s.BasePath + strings.TrimPrefix(p, "/") }

// PageByID finds a page by its front-matter id, for templates.
func (s *Site) PageByID(id string) *Page { return s.byID[id] }

// Taxonomy returns the taxonomy page with the given name, or nil.
func (s *Site) Taxonomy(name string) *Page {
	for _, t := range s.Taxonomies {
		if t.Path == name+"/" {
			return t
		}
	}
	return nil
}

func (s *Site) tocMin() int { return s.cfg.Markup.TOCMin }
func (s *Site) tocMax() int { return s.cfg.Markup.TOCMax }
