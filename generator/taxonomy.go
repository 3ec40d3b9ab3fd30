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
// and a term page per distinct value. pages must be sorted (sortPages):
// each term lists its pages in their order.
//
// It runs on one core before any page is converted, so it slugs each
// distinct value once: a site of 10,000 pages has 60,000 values and a few
// hundred distinct ones.
func buildTaxonomies(site *Site, pages []*Page) []*Page {
	var out []*Page
	slugs := map[string]string{}
	for _, def := range taxonomies() {
		tax := &Page{Type: TypeTaxonomy, Site: site, Path: def.name + "/", Parent: site.Home,
			Title: def.title}
		terms := map[string]*Page{}
		for _, p := range pages {
			for _, value := range def.terms(p) {
				slug, ok := slugs[value]
				if !ok {
					slug = markdown.Slugify(value)
					slugs[value] = slug
				}
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
			// A term's pages are in the order of pages, already sorted:
			// sortPages orders by unique paths last, so any subsequence of
			// a sorted list is sorted too.
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
