package generator

import (
	"bytes"
	"cmp"
	"maps"
	"path"
	"slices"
	"strings"
)

// assemble turns the sources into the site tree: it decodes front matter,
// places pages in sections, gives every page its URL, builds taxonomies,
// sorts, and reports duplicate URLs and ids.
func assemble(cfg Config, baseURL string, tree sourceTree, drafts bool, problems *problemList) *Site {
	site := &Site{
		Title:       cfg.Title,
		Description: cfg.Description,
		Language:    cfg.Language,
		BaseURL:     baseURL,
		BasePath:    basePath(baseURL),
		Params:      cfg.Params,
		Menus:       cfg.Menus,
		cfg:         cfg,
		byID:        map[string]*Page{},
		byFile:      map[string]*Page{},
		byDir:       map[string]*Page{},
	}
	site.TrackerURL = site.resolveSitePath(cfg.TrackerURL)
	for _, entries := range site.Menus {
		slices.SortStableFunc(entries, func(a, b MenuEntry) int { return cmp.Compare(a.Weight, b.Weight) })
		for i := range entries {
			entries[i].URL = site.resolveSitePath(entries[i].URL)
		}
	}

	// Front matter, in parallel: it is where most early problems are.
	pages := make([]*Page, len(tree.markdown))
	parallel(len(tree.markdown), func(i int) {
		pages[i] = newContentPage(site, tree.markdown[i], problems)
	})

	// Sections: every directory is one; _index.md gives it a title and text.
	site.Home = &Page{Type: TypeHome, Site: site, Path: "", Title: site.Title}
	site.byDir[""] = site.Home
	for _, d := range tree.dirs {
		if d == "" {
			continue
		}
		site.byDir[d] = &Page{Type: TypeSection, Site: site, Path: d + "/", dir: d,
			Title: titleFromName(path.Base(d))}
	}
	var regular []*Page
	for _, p := range pages {
		if p == nil || (p.Draft && !drafts) {
			continue
		}
		name := path.Base(p.File)
		switch {
		case name == "_index.md":
			// The section's own file: the page becomes the section.
			sec := site.byDir[p.dir]
			if sec == nil { // a directory that held only ignored files
				continue
			}
			p.Type, p.Path = sec.Type, sec.Path
			if p.Title == "" {
				p.Title = sec.Title
			}
			site.byDir[p.dir] = p
			if p.dir == "" {
				site.Home = p
			}
			site.byFile[strings.TrimPrefix(p.File, ContentDir+"/")] = p
		default:
			regular = append(regular, p)
			site.byFile[strings.TrimPrefix(p.File, ContentDir+"/")] = p
		}
	}

	// Tree links.
	dirs := slices.Sorted(maps.Keys(site.byDir))
	for _, d := range dirs {
		if d == "" {
			continue
		}
		sec := site.byDir[d]
		sec.Parent = site.byDir[parentDir(d)]
		sec.Parent.Sections = append(sec.Parent.Sections, sec)
	}
	for _, p := range regular {
		p.Parent = site.byDir[p.dir]
		if path.Base(p.File) == "index.md" && p.Parent != nil && p.Parent.Parent != nil {
			// A leaf bundle: index.md is the page at its directory's URL.
			p.Parent = p.Parent.Parent
		}
		if p.Parent == nil {
			p.Parent = site.Home
		}
		p.Parent.Pages = append(p.Parent.Pages, p)
	}
	site.Pages = regular
	sortPages(site.Pages)
	for _, d := range dirs {
		s := site.byDir[d]
		sortPages(s.Pages)
		sortPages(s.Sections)
		for i, p := range s.Pages {
			if i > 0 {
				p.Prev = s.Pages[i-1]
			}
			if i+1 < len(s.Pages) {
				p.Next = s.Pages[i+1]
			}
		}
	}
	site.Sections = site.Home.Sections

	// Ids are how kinds and the tracker refer to pages.
	idFile := map[string]*Page{}
	for _, p := range regular {
		if p.ID == "" {
			continue
		}
		if other := idFile[p.ID]; other != nil {
			first, second := other, p
			if second.File < first.File {
				first, second = second, first
			}
			problems.add(second.File, keyLineIn(second, "id"), 1, "duplicate id %q: also used by %s", p.ID, first.File)
			continue
		}
		idFile[p.ID] = p
		site.byID[p.ID] = p
	}

	site.Taxonomies = buildTaxonomies(site, regular)
	return site
}

// newContentPage decodes one markdown file's front matter.
func newContentPage(site *Site, src source, problems *problemList) *Page {
	file := ContentDir + "/" + src.rel
	p := &Page{Type: TypePage, Site: site, File: file, dir: parentDir(src.rel)}
	if src.data == nil {
		return p
	}
	front, body, bodyLine, err := SplitFrontMatter(src.data)
	if err != nil {
		problems.add(file, 1, 1, "%v", err)
		return p
	}
	p.body, p.bodyLine = body, bodyLine
	if front != nil {
		for _, pr := range decodeTOML(front, p, file, 1, frontMatterKeys) {
			problems.addProblem(pr)
		}
	}
	p.frontSrc = bytes.Clone(front) // positions for later problems; not the whole file
	base := strings.TrimSuffix(path.Base(src.rel), ".md")
	if p.Title == "" && base != "_index" {
		p.Title = titleFromName(base)
	}
	slug := base
	if p.Slug != "" {
		slug = p.Slug
		if strings.ContainsAny(slug, "/\\") || slug == "." || slug == ".." {
			problems.add(file, keyLineIn(p, "slug"), 1, "slug %q must be a single path segment", slug)
			slug = base
		}
	}
	switch base {
	case "_index":
		p.Path = dirPath(p.dir)
	case "index":
		p.Path = dirPath(p.dir)
	default:
		p.Path = dirPath(p.dir) + slug + "/"
	}
	return p
}

// keyLineIn is the line of a front-matter key in a page's file.
func keyLineIn(p *Page, key string) int {
	line, _ := keyLine(p.frontSrc, strings.Split(key, "."))
	if line == 0 {
		return 1
	}
	return line + 1
}

func dirPath(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}

func parentDir(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return d
}

// titleFromName makes "post-call_debrief" read "Post call debrief".
func titleFromName(name string) string {
	s := strings.NewReplacer("-", " ", "_", " ").Replace(name)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sortPages orders by weight (unweighted last), then title, then file.
// Titles are lower-cased once per page rather than in every comparison.
func sortPages(ps []*Page) {
	type keyed struct {
		p     *Page
		title string
	}
	ks := make([]keyed, len(ps))
	for i, p := range ps {
		ks[i] = keyed{p, strings.ToLower(p.Title)}
	}
	slices.SortStableFunc(ks, func(ka, kb keyed) int {
		a, b := ka.p, kb.p
		wa, wb := a.Weight, b.Weight
		if (wa == 0) != (wb == 0) {
			if wa == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(wa, wb), cmp.Compare(ka.title, kb.title),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.File, b.File))
	})
	for i, k := range ks {
		ps[i] = k.p
	}
}

// resolveSitePath applies the base path to a site-absolute path such as
// "/track"; absolute URLs pass through.
func (s *Site) resolveSitePath(p string) string {
	if strings.Contains(p, "://") || !strings.HasPrefix(p, "/") {
		return p
	}
	return s.BasePath + strings.TrimPrefix(p, "/")
}
