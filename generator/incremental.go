package generator

import (
	"bytes"
	"hash/maphash"
	"html/template"
	"io"
	"slices"
	"sync"
	"text/template/parse"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// searchCache keeps the search index in parts, so that a Builder can
// update it for a few changed pages: each page's words, their positions in
// the sorted dictionary, and its JSON entry with and without the coded
// body; the dictionary with how many pages use each word. A new word
// shifts the positions after it, so that most entries change; their
// positions are then renumbered and coded again, without the rest of the
// entry.
type searchCache struct {
	pages      []*Page
	at         map[*Page]int
	sectionIdx map[string]int
	sections   []string
	words      [][]string          // each page's index words
	uses       map[string]*wordUse // every word some page uses
	sorted     []string            // the dictionary
	dict       map[string]int      // word → position in sorted
	ids        [][]int32           // each page's word positions, sorted
	prefix     [][]byte            // each page's entry without its body and closing brace
	head       []byte              // the JSON before the pages array
	entries    [][]byte            // each page's JSON entry
}

// wordUse is a word of the index: the copy of it that the pages' lists
// share, and how many pages use it.
type wordUse struct {
	word  string
	pages int
}

// newSearchCache indexes the site as searchJSON does, letting the pages'
// word ids go. known, if not nil, gives the words of pages whose bodies
// were not converted again, and which so hold no word ids.
func newSearchCache(site *Site, known func(*Page) []string) *searchCache {
	c := &searchCache{pages: searchPages(site), at: map[*Page]int{}, uses: map[string]*wordUse{}}
	for i, p := range c.pages {
		c.at[p] = i
	}
	c.sections, c.sectionIdx = searchSections(site)
	n := len(c.pages)
	c.words, c.ids, c.prefix, c.entries = make([][]string, n), make([][]int32, n), make([][]byte, n), make([][]byte, n)
	for i, p := range c.pages {
		var words []string
		if known != nil {
			words = known(p)
		}
		fresh := words == nil
		if fresh {
			words = site.words.strings(p.words)
		}
		c.add(words, fresh)
		c.words[i] = words
		p.words = nil
	}
	c.renumber()
	parallel(n, func(i int) {
		c.setPrefix(i)
		c.position(i)
		c.encode(i)
	})
	return c
}

// add counts a page's use of its words and reports whether any is new to
// the index. With share, it replaces each word of the list by the
// index's copy, so that the lists share one; a list kept from an earlier
// index, which may still be in use, is left as it is.
func (c *searchCache) add(words []string, share bool) (added bool) {
	for i, w := range words {
		u := c.uses[w]
		if u == nil {
			u = &wordUse{word: w}
			c.uses[w] = u
			added = true
		}
		u.pages++
		if share {
			words[i] = u.word
		}
	}
	return added
}

// remove takes back a page's use of its words and reports whether any is
// gone from the index.
func (c *searchCache) remove(words []string) (removed bool) {
	for _, w := range words {
		u := c.uses[w]
		if u.pages--; u.pages == 0 {
			delete(c.uses, w)
			removed = true
		}
	}
	return removed
}

// renumber sorts the dictionary again and returns where each word of the
// old one went (-1: gone).
func (c *searchCache) renumber() (moved []int32) {
	words := make([]string, 0, len(c.uses))
	for w := range c.uses {
		words = append(words, w)
	}
	slices.Sort(words)
	moved = make([]int32, len(c.sorted))
	j := 0
	for i, w := range c.sorted {
		for j < len(words) && words[j] < w {
			j++
		}
		moved[i] = -1
		if j < len(words) && words[j] == w {
			moved[i] = int32(j)
		}
	}
	c.sorted = words
	c.dict = make(map[string]int, len(words))
	for i, w := range words {
		c.dict[w] = i
	}
	c.head = searchHead(c.sections, words)
	return moved
}

// setPrefix encodes page i's entry without its body, which comes last.
func (c *searchCache) setPrefix(i int) {
	data := newSearchEntryCode(c.pages[i], c.sectionIdx, "").appendJSON(nil)
	c.prefix[i] = bytes.TrimSuffix(data, []byte("}"))
}

// position looks page i's words up in the dictionary.
func (c *searchCache) position(i int) {
	ids := c.ids[i][:0]
	for _, w := range c.words[i] {
		ids = append(ids, int32(c.dict[w]))
	}
	slices.Sort(ids)
	c.ids[i] = ids
}

// encode joins page i's prefix and coded body, as json.Marshal would
// write the whole entry: the code needs no escaping.
func (c *searchCache) encode(i int) {
	e := append([]byte(nil), c.prefix[i]...)
	if len(c.ids[i]) > 0 {
		e = append(e, `,"w":"`...)
		e = appendDeltas(e, c.ids[i])
		e = append(e, '"')
	}
	c.entries[i] = append(e, '}')
}

// update takes in the changed pages' new words, letting their word ids
// go.
func (c *searchCache) update(pages []*Page) {
	dictChanged := false
	var changed []int
	for _, p := range pages {
		i, ok := c.at[p]
		if !ok {
			p.words = nil
			continue
		}
		changed = append(changed, i)
		if c.remove(c.words[i]) {
			dictChanged = true
		}
		words := p.Site.words.strings(p.words)
		if c.add(words, true) {
			dictChanged = true
		}
		c.words[i] = words
		p.words = nil
	}
	if !dictChanged {
		for _, i := range changed {
			c.setPrefix(i)
			c.position(i)
			c.encode(i)
		}
		return
	}
	// Positions moved: renumber every page's, coding bodies again.
	moved := c.renumber()
	isChanged := make([]bool, len(c.pages))
	for _, i := range changed {
		isChanged[i] = true
		c.setPrefix(i)
		c.position(i)
	}
	parallel(len(c.pages), func(i int) {
		if !isChanged[i] {
			for k, id := range c.ids[i] {
				c.ids[i][k] = moved[id] // the order holds: renumbering keeps it
			}
		}
		c.encode(i)
	})
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
		if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "listItems" {
			w.template(listItemPartial, false)
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

// convCache keeps each page's converted body between a Builder's full
// builds, so that a build after, say, a new page converts only what
// changed. A body is converted again unless its bytes, kind and first
// line are the same and every link in it resolves, in the new site, to
// what it resolved to before: link resolution is all a conversion takes
// from the site. Resolving the links again also reports their problems
// and collects their anchors, as converting would.
type convCache struct {
	seed    maphash.Seed
	old     map[string]*convEntry // by source file, from the last good build
	oldOpts markdown.Options      // the options they were converted with
	opts    markdown.Options

	mu   sync.Mutex
	next map[string]*convEntry
}

// convEntry is one page's converted body and how its links resolved.
type convEntry struct {
	sum      uint64
	kind     string
	bodyLine int
	links    []linkUse
	convertedBody
	index  []string // the search index's words; nil until indexed
	reused bool
}

type linkUse struct {
	link markdown.Link
	out  string
}

// recordingResolver resolves links and records how.
type recordingResolver struct {
	lc  *linkChecker
	rec *convEntry
}

func (r *recordingResolver) Resolve(l markdown.Link) string {
	out := r.lc.Resolve(l)
	r.rec.links = append(r.rec.links, linkUse{link: l, out: out})
	return out
}

func newConvCache(seed maphash.Seed, old map[string]*convEntry, oldOpts markdown.Options) *convCache {
	return &convCache{seed: seed, old: old, oldOpts: oldOpts, next: map[string]*convEntry{}}
}

// setOptions forgets every body when the markdown options changed.
func (c *convCache) setOptions(o markdown.Options) {
	if c == nil {
		return
	}
	if o != c.oldOpts {
		c.old = nil
	}
	c.opts = o
}

// known are the search index's words of the pages whose bodies were
// reused, which hold no word ids to index.
func (c *convCache) known(p *Page) []string {
	if c == nil {
		return nil
	}
	if e := c.next[p.File]; e != nil && e.reused {
		return e.index
	}
	return nil
}

// indexed keeps the search index's words of every page, for next time.
func (c *convCache) indexed(s *searchCache) {
	for i, p := range s.pages {
		if e := c.next[p.File]; e != nil {
			e.index = s.words[i]
		}
	}
}

// reuse gives p its body's earlier conversion, if that still holds.
func (c *convCache) reuse(p *Page, files *fileIndex, checkLinks bool, anchors *anchorChecks, problems *problemList) bool {
	if c == nil {
		return false
	}
	e := c.old[p.File]
	if e == nil || e.kind != p.Kind || e.bodyLine != p.bodyLine || e.sum != maphash.Bytes(c.seed, p.body) {
		return false
	}
	found := &problemList{}
	seen := &anchorChecks{}
	lc := &linkChecker{site: p.Site, page: p, files: files, check: checkLinks, problems: found, anchors: seen}
	for _, u := range e.links {
		if lc.Resolve(u.link) != u.out {
			return false
		}
	}
	for _, pr := range found.list {
		problems.addProblem(pr)
	}
	anchors.mu.Lock()
	anchors.list = append(anchors.list, seen.list...)
	anchors.mu.Unlock()
	e.apply(p, problems)
	p.words = nil
	e.reused = true
	c.mu.Lock()
	c.next[p.File] = e
	c.mu.Unlock()
	return true
}

// reusedCount is how many bodies this build took from the last.
func (c *convCache) reusedCount() int {
	n := 0
	for _, e := range c.next {
		if e.reused {
			n++
		}
	}
	return n
}

// record starts the entry of a page about to be converted.
func (c *convCache) record(p *Page) *convEntry {
	if c == nil {
		return nil
	}
	return newConvEntry(c.seed, p)
}

// newConvEntry starts the entry of a page about to be converted.
func newConvEntry(seed maphash.Seed, p *Page) *convEntry {
	return &convEntry{sum: maphash.Bytes(seed, p.body), kind: p.Kind, bodyLine: p.bodyLine}
}

// store keeps the entry of a page just converted.
func (c *convCache) store(p *Page, e *convEntry) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.next[p.File] = e
	c.mu.Unlock()
}
