package generator

// NavNode is one section in the navigation tree a theme draws beside a
// page.
type NavNode struct {
	Page *Page
	// Open says the section is the page's own or one above it: a theme
	// draws it unfolded, so that the tree shows where the reader is.
	Open bool
	// Current says the section is the page itself.
	Current  bool
	Children []NavNode
}

// NavTree is the site's section tree as seen from p: every section, the
// ones holding p open. It depends only on p's section, so a theme can
// cache it per section with partialCached.
func (p *Page) NavTree() []NavNode {
	open := map[*Page]bool{p: true}
	for s := p.Parent; s != nil; s = s.Parent {
		open[s] = true
	}
	var walk func(sections []*Page) []NavNode
	walk = func(sections []*Page) []NavNode {
		out := make([]NavNode, 0, len(sections))
		for _, s := range sections {
			out = append(out, NavNode{Page: s, Open: open[s], Current: s == p, Children: walk(s.Sections)})
		}
		return out
	}
	return walk(p.Site.Sections)
}
