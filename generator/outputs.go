package generator

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
)

// sitemap writes sitemap.xml with every HTML page.
func sitemap(site *Site) []byte {
	type entry struct {
		Loc     string `xml:"loc"`
		Lastmod string `xml:"lastmod,omitempty"`
	}
	type urlset struct {
		XMLName xml.Name `xml:"urlset"`
		NS      string   `xml:"xmlns,attr"`
		URLs    []entry  `xml:"url"`
	}
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, p := range site.allPages() {
		e := entry{Loc: p.Permalink}
		if t := p.Updated(); !t.IsZero() {
			e.Lastmod = t.UTC().Format("2006-01-02")
		}
		set.URLs = append(set.URLs, e)
	}
	return xmlDoc(set)
}

// rss writes index.xml: the 20 newest pages that have a date.
func rss(site *Site) []byte {
	type item struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		GUID        string `xml:"guid"`
		PubDate     string `xml:"pubDate,omitempty"`
		Description string `xml:"description,omitempty"`
	}
	type channel struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Language    string `xml:"language,omitempty"`
		Items       []item `xml:"item"`
	}
	type doc struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel channel  `xml:"channel"`
	}
	var pages []*Page
	for _, p := range site.Pages {
		if !p.Date.IsZero() {
			pages = append(pages, p)
		}
	}
	slices.SortStableFunc(pages, func(a, b *Page) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	ch := channel{Title: site.Title, Link: site.Home.Permalink, Description: site.Description, Language: site.Language}
	if ch.Description == "" {
		ch.Description = site.Title
	}
	for _, p := range pages[:min(20, len(pages))] {
		ch.Items = append(ch.Items, item{Title: p.Title, Link: p.Permalink, GUID: p.Permalink,
			PubDate: p.Date.UTC().Format(time.RFC1123Z), Description: p.Summary})
	}
	return xmlDoc(doc{Version: "2.0", Channel: ch})
}

func xmlDoc(v any) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only fixed struct types are encoded
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// robots writes robots.txt pointing crawlers at the sitemap.
func robots(site *Site) []byte {
	var b strings.Builder
	b.WriteString("User-agent: *\nAllow: /\n")
	if strings.Contains(site.BaseURL, "://") {
		fmt.Fprintf(&b, "Sitemap: %ssitemap.xml\n", site.BaseURL)
	}
	return []byte(b.String())
}

var aliasTemplate = template.Must(template.New("alias").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="canonical" href="{{.URL}}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={{.URL}}">
</head><body><p>This page has moved to <a href="{{.URL}}">{{.Title}}</a>.</p></body></html>
`))

// aliases renders a redirect page for every alias, reporting aliases that
// collide with a page or with each other.
func aliases(site *Site, out output, problems *problemList) int {
	seen := map[string]string{}
	n := 0
	for _, p := range site.Pages {
		for _, a := range p.Aliases {
			rel := strings.Trim(path.Clean("/"+a), "/")
			if rel != "" {
				rel += "/"
			}
			line := keyLineIn(p, "aliases")
			if other := site.byPath[rel]; other != nil {
				problems.add(p.File, line, 1, "alias %q is the URL of %s", a, orGenerated(other.File))
				continue
			}
			if other, ok := seen[rel]; ok {
				problems.add(p.File, line, 1, "alias %q is also an alias of %s", a, other)
				continue
			}
			seen[rel] = p.File
			var b bytes.Buffer
			data := struct{ Lang, Title, URL string }{site.Language, p.Title, p.RelPermalink}
			if err := aliasTemplate.Execute(&b, data); err != nil {
				problems.add(p.File, line, 1, "alias: %v", err)
				continue
			}
			if err := out.write(rel+"index.html", b.Bytes()); err != nil {
				problems.add(p.File, line, 1, "write alias: %v", err)
				continue
			}
			n++
		}
	}
	return n
}

// buildCatalog lists the practices for the tracker.
func buildCatalog(site *Site) *catalog.Catalog {
	c := &catalog.Catalog{Site: catalog.Site{Title: site.Title, BaseURL: site.BaseURL, Language: site.Language, TrackerURL: site.TrackerURL}}
	for _, p := range site.Pages {
		if p.Kind != KindPractice || p.ID == "" {
			continue
		}
		c.Practices = append(c.Practices, catalog.Practice{
			ID: p.ID, Title: p.Title, Kind: p.Kind, URL: p.RelPermalink, Summary: p.Summary,
			Roles: p.Roles, Moments: p.Moments, Cadence: p.Cadence, ReviewAfterDays: p.EffectiveReviewAfterDays(),
		})
	}
	c.Sort()
	return c
}
