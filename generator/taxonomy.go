package generator

import (
	"cmp"
	"slices"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// taxonomyDef is one way pages are grouped besides sections.
type taxonomyDef struct {
	name  string // URL segment and template key
	title string
	terms func(p *Page) []string
}

// taxonomies are the built-in groupings: the classic tags and categories,
// and the content model's roles, moments and kinds.
func taxonomies() []taxonomyDef {
	return []taxonomyDef{
		{"tags", "Tags", func(p *Page) []string { return p.Tags }},
		{"categories", "Categories", func(p *Page) []string { return p.Categories }},
		{"roles", "Roles", func(p *Page) []string { return p.Roles }},
		{"moments", "Moments", func(p *Page) []string { return p.Moments }},
		{"kinds", "Kinds", func(p *Page) []string {
			if p.Kind == "" || p.Kind == KindPage {
				return nil
			}
			return []string{p.Kind}
		}},
	}
}

// buildTaxonomies makes a taxonomy page per definition that has terms,
// and a term page per distinct value.
func buildTaxonomies(site *Site, pages []*Page) []*Page {
	var out []*Page
	for _, def := range taxonomies() {
		tax := &Page{Type: TypeTaxonomy, Site: site, Path: def.name + "/", Parent: site.Home,
			Title: def.title}
		terms := map[string]*Page{}
		for _, p := range pages {
			for _, value := range def.terms(p) {
				slug := markdown.Slugify(value)
				if slug == "" {
					continue
				}
				t := terms[slug]
				if t == nil {
					t = &Page{Type: TypeTerm, Site: site, Path: def.name + "/" + slug + "/", Parent: tax,
						Title: termTitle(def.name, value)}
					terms[slug] = t
				}
				// p's own values are the only ones met since p was
				// added: a repeat can only be the last page.
				if n := len(t.Pages); n == 0 || t.Pages[n-1] != p {
					t.Pages = append(t.Pages, p)
				}
			}
		}
		if len(terms) == 0 {
			continue
		}
		for _, t := range terms {
			sortPages(t.Pages)
			tax.Terms = append(tax.Terms, t)
		}
		slices.SortFunc(tax.Terms, func(a, b *Page) int { return cmp.Compare(a.Path, b.Path) })
		out = append(out, tax)
	}
	return out
}

// termTitle gives enumerated terms their display label.
func termTitle(taxonomy, value string) string {
	switch taxonomy {
	case "roles", "moments", "kinds":
		return Label(value)
	}
	return value
}
