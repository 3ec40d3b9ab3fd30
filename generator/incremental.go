package generator

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"slices"
	"text/template/parse"
)

// searchCache keeps the search index in parts, so that a Builder can
// update it for a few changed pages: each page's words and JSON entry, and
// the dictionary with how many pages use each word. When the dictionary
// keeps its words, only the changed pages' entries are encoded again.
type searchCache struct {
	pages      []*Page
	at         map[*Page]int
	sectionIdx map[string]int
	sections   []string
	words      [][]string     // each page's indexWords
	uses       map[string]int // pages using each word
	dict       map[string]int // word → id in the sorted dictionary
	head       []byte         // the JSON before the pages array
	entries    [][]byte       // each page's JSON entry
}

// newSearchCache indexes the site as searchJSON does, letting the pages'
// plain text go.
func newSearchCache(site *Site) *searchCache {
	c := &searchCache{at: map[*Page]int{}, sectionIdx: map[string]int{}, uses: map[string]int{}}
	for _, p := range site.allPages() {
		if p.Type == TypePage || p.Type == TypeSection {
			c.at[p] = len(c.pages)
			c.pages = append(c.pages, p)
		}
	}
	for i, s := range site.Sections {
		c.sections = append(c.sections, s.Title)
		c.sectionIdx[s.Path] = i
	}
	c.words = make([][]string, len(c.pages))
	for i, p := range c.pages {
		c.words[i] = indexWords(p.text)
		p.text = ""
		for _, w := range c.words[i] {
			c.uses[w]++
		}
	}
	c.entries = make([][]byte, len(c.pages))
	c.reindex()
	return c
}

// reindex numbers the dictionary again and encodes every entry.
func (c *searchCache) reindex() {
	words := make([]string, 0, len(c.uses))
	for w := range c.uses {
		words = append(words, w)
	}
	slices.Sort(words)
	c.dict = make(map[string]int, len(words))
	for i, w := range words {
		c.dict[w] = i
	}
	head, err := json.Marshal(searchIndex{Version: 1, Sections: c.sections, Words: words, Pages: []searchEntry{}})
	if err != nil {
		panic(err) // strings and ints only
	}
	c.head = bytes.TrimSuffix(head, []byte("[]}"))
	for i := range c.pages {
		c.encode(i)
	}
}

func (c *searchCache) encode(i int) {
	e := newSearchEntry(c.pages[i], c.sectionIdx, c.words[i], c.dict, nil)
	data, err := json.Marshal(e)
	if err != nil {
		panic(err) // strings and ints only
	}
	c.entries[i] = data
}

// update takes in the changed pages' new text.
func (c *searchCache) update(pages []*Page) {
	dictChanged := false
	var changed []int
	for _, p := range pages {
		i, ok := c.at[p]
		if !ok {
			p.text = ""
			continue
		}
		changed = append(changed, i)
		for _, w := range c.words[i] {
			if c.uses[w]--; c.uses[w] == 0 {
				delete(c.uses, w)
				dictChanged = true
			}
		}
		c.words[i] = indexWords(p.text)
		p.text = ""
		for _, w := range c.words[i] {
			if c.uses[w]++; c.uses[w] == 1 {
				dictChanged = true
			}
		}
	}
	if dictChanged {
		// A word removed and another added elsewhere still renumber.
		c.reindex()
		return
	}
	for _, i := range changed {
		c.encode(i)
	}
}

// json is search.json, byte for byte what searchJSON writes.
func (c *searchCache) json() []byte {
	n := len(c.head) + 3
	for _, e := range c.entries {
		n += len(e) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	c.writeTo(b)
	return b.Bytes()
}

// writeTo writes search.json in its parts, without joining them.
func (c *searchCache) writeTo(w io.Writer) error {
	if _, err := w.Write(c.head); err != nil {
		return err
	}
	sep := []byte("[")
	for _, e := range c.entries {
		if _, err := w.Write(sep); err != nil {
			return err
		}
		if _, err := w.Write(e); err != nil {
			return err
		}
		sep = []byte(",")
	}
	if len(c.entries) == 0 {
		if _, err := w.Write(sep); err != nil {
			return err
		}
	}
	_, err := w.Write([]byte("]}"))
	return err
}

// bodyFields are the names by which templates read what a page's body
// determines, and which part of it they show.
var bodyFields = map[string]string{
	"Content": "content", "Lead": "content", "Block": "content", "OtherBlocks": "content",
	"Headings": "headings", "TOC": "headings",
	"WordCount": "words", "ReadingMinutes": "words",
	"Questions": "questions",
	"Summary":   "summary",
}

// crossPageFields finds which body-derived fields (content, headings,
// words, questions, summary) any layout reads off a page other than the
// one it renders: a body edit that changes one of those must re-render
// other pages too. The analysis is conservative: a field read off
// anything but dot as the page being rendered counts, and so does any
// read through a variable or a chain such as .Parent.Content.
func (l *layouts) crossPageFields() map[string]bool {
	w := &crossWalk{used: map[string]bool{}, seen: map[string]bool{}}
	for name, set := range l.sets {
		w.set, w.setName, w.unknownCall = set, name, false
		w.template(name, true)
		w.template("baseof.html", true)
		if w.unknownCall {
			// A partial named at run time may be any template.
			for _, t := range set.Templates() {
				w.template(t.Name(), false)
			}
		}
	}
	return w.used
}

type crossWalk struct {
	set         *template.Template
	setName     string
	seen        map[string]bool
	used        map[string]bool
	unknownCall bool
}

// template walks a named template of the current set; self says whether
// its dot is the page being rendered.
func (w *crossWalk) template(name string, self bool) {
	key := w.setName + "\x00" + name + "\x00" + map[bool]string{true: "self", false: "other"}[self]
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	t := w.set.Lookup(name)
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return
	}
	w.node(t.Tree.Root, self)
}

func (w *crossWalk) fields(idents []string) {
	for _, id := range idents {
		if f, ok := bodyFields[id]; ok {
			w.used[f] = true
		}
	}
}

func (w *crossWalk) node(n parse.Node, self bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			w.node(c, self)
		}
	case *parse.ActionNode:
		w.node(n.Pipe, self)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			w.node(c, self)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			w.node(a, self)
		}
		if len(n.Args) >= 3 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "partialCached" {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					_, dot := n.Args[2].(*parse.DotNode)
					w.template(s.Text, self && dot)
				} else {
					w.unknownCall = true
				}
			}
		}
	case *parse.FieldNode:
		if self {
			w.fields(n.Ident[1:])
		} else {
			w.fields(n.Ident)
		}
	case *parse.ChainNode:
		w.node(n.Node, self)
		w.fields(n.Field)
	case *parse.VariableNode:
		w.fields(n.Ident[1:])
	case *parse.IfNode:
		w.node(n.Pipe, self)
		w.node(n.List, self)
		w.node(n.ElseList, self)
	case *parse.RangeNode:
		w.node(n.Pipe, self)
		w.node(n.List, false)
		w.node(n.ElseList, self)
	case *parse.WithNode:
		w.node(n.Pipe, self)
		w.node(n.List, false)
		w.node(n.ElseList, self)
	case *parse.TemplateNode:
		w.node(n.Pipe, self)
		w.template(n.Name, self && isDot(n.Pipe))
	}
}

// isDot reports whether a pipeline is just ".".
func isDot(p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	_, ok := p.Cmds[0].Args[0].(*parse.DotNode)
	return ok
}
