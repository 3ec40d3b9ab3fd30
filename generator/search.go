package generator

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// SearchFile is the search index's name at the site root.
const SearchFile = "search.json"

// searchSummaryWords bounds a summary in the index: enough for a result
// line, and the index of a large site stays small.
const searchSummaryWords = 30

// searchIndex is search.json: everything the theme's script needs to
// search with no server. Body words are not repeated per page: the index
// holds one sorted dictionary, and each page lists the dictionary entries
// its body uses as a delta-coded string (see appendDeltas). A sorted
// dictionary also turns a prefix query into one binary search.
type searchIndex struct {
	Version  int           `json:"v"`
	Sections []string      `json:"sections"` // top-level section titles
	Words    []string      `json:"words"`    // body words, sorted
	Pages    []searchEntry `json:"pages"`
}

type searchEntry struct {
	Title    string          `json:"t"`
	URL      string          `json:"u"`
	Kind     string          `json:"k,omitempty"`
	Section  int             `json:"s"` // index into Sections, -1 for none
	Summary  string          `json:"d,omitempty"`
	Headings []searchHeading `json:"h,omitempty"`
	Body     string          `json:"w,omitempty"` // delta-coded word ids
}

// searchHeading is a heading of a page, to link a result to its part.
// Most ids are the slug of their text, and writing them again would double
// the headings' share of the index (the largest share on a big site); so
// a heading is "text" when the script can derive its id (ASCII text whose
// slug is the id), and ["id", "text"] otherwise.
type searchHeading struct{ ID, Text string }

func (h searchHeading) MarshalJSON() ([]byte, error) {
	if h.short() {
		return json.Marshal(h.Text)
	}
	return json.Marshal([2]string{h.ID, h.Text})
}

// short reports whether the heading is written as its text alone.
func (h searchHeading) short() bool {
	return isASCII(h.Text) && markdown.Slugify(h.Text) == h.ID
}

// appendJSON appends the entry as json.Marshal writes it: encoding/json
// through reflection cost more than the rest of search.json.
func (e searchEntry) appendJSON(b []byte) []byte {
	b = append(b, `{"t":`...)
	b = appendJSONString(b, e.Title)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, e.URL)
	if e.Kind != "" {
		b = append(b, `,"k":`...)
		b = appendJSONString(b, e.Kind)
	}
	b = append(b, `,"s":`...)
	b = strconv.AppendInt(b, int64(e.Section), 10)
	if e.Summary != "" {
		b = append(b, `,"d":`...)
		b = appendJSONString(b, e.Summary)
	}
	if len(e.Headings) > 0 {
		b = append(b, `,"h":[`...)
		for i, h := range e.Headings {
			if i > 0 {
				b = append(b, ',')
			}
			if h.short() {
				b = appendJSONString(b, h.Text)
			} else {
				b = append(b, '[')
				b = appendJSONString(b, h.ID)
				b = append(b, ',')
				b = appendJSONString(b, h.Text)
				b = append(b, ']')
			}
		}
		b = append(b, ']')
	}
	if e.Body != "" {
		b = append(b, `,"w":`...)
		b = appendJSONString(b, e.Body)
	}
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal writes a string. Most strings
// are printable ASCII that needs no escaping; the rest go through
// encoding/json itself, so that the bytes cannot differ.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			data, _ := json.Marshal(s) // a string always encodes
			return append(b, data...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// searchStop are words too common to be worth a place in the index.
var searchStop = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true,
	"but": true, "by": true, "for": true, "from": true, "has": true, "have": true,
	"in": true, "is": true, "it": true, "its": true, "of": true, "on": true, "or": true,
	"that": true, "the": true, "this": true, "to": true, "was": true, "were": true,
	"will": true, "with": true, "you": true, "your": true,
}

// writeSearchIndex writes search.json.
func writeSearchIndex(site *Site, out output) error {
	return out.write(SearchFile, searchJSON(site))
}

// searchPages lists the pages the index holds: sections and regular
// pages, in a stable order.
func searchPages(site *Site) []*Page {
	var pages []*Page
	for _, p := range site.allPages() {
		if p.Type == TypePage || p.Type == TypeSection {
			pages = append(pages, p)
		}
	}
	return pages
}

// searchSections returns the top-level sections' titles and, by section
// path, their places in the list.
func searchSections(site *Site) (titles []string, idx map[string]int) {
	idx = map[string]int{}
	for i, s := range site.Sections {
		titles = append(titles, s.Title)
		idx[s.Path] = i
	}
	return titles, idx
}

// searchHead is search.json before its pages array, which follows, then
// "]}".
func searchHead(sections, words []string) []byte {
	head, err := json.Marshal(searchIndex{Version: 1, Sections: sections, Words: words, Pages: []searchEntry{}})
	if err != nil {
		panic(err) // strings and ints only
	}
	return bytes.TrimSuffix(head, []byte("[]}"))
}

// searchJSON builds the search index of the site's sections and regular
// pages. The pages' word ids are let go once coded. The output depends
// only on the site, so two builds write the same bytes.
//
// It holds little besides the output: the words are site.words' own
// strings, and a page's body stays a list of small ids until it is coded.
func searchJSON(site *Site) []byte {
	pages := searchPages(site)
	sections, sectionIdx := searchSections(site)

	// Pages hold ids in site.words; the index numbers the words its pages
	// use in sorted order.
	words := site.words.all()
	used := make([]bool, len(words))
	for _, p := range pages {
		for _, id := range p.words {
			used[id] = true
		}
	}
	var order []int32 // sorted position → id in site.words
	for id, u := range used {
		if u {
			order = append(order, int32(id))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(words[a], words[b]) })
	sorted := make([]int32, len(words)) // id in site.words → sorted position
	dict := make([]string, len(order))
	for pos, id := range order {
		sorted[id] = int32(pos)
		dict[pos] = words[id]
	}

	// The head of the JSON, then each page's entry as it is made.
	head := searchHead(sections, dict)
	b := bytes.NewBuffer(make([]byte, 0, len(head)+len(pages)*256))
	b.Write(head)
	b.WriteByte('[')
	ids := make([]int32, 0, 512)
	var code, entry []byte
	for i, p := range pages {
		ids = ids[:0]
		for _, id := range p.words {
			ids = append(ids, sorted[id])
		}
		p.words = nil
		slices.Sort(ids)
		code = appendDeltas(code[:0], ids)
		if i > 0 {
			b.WriteByte(',')
		}
		entry = newSearchEntryCode(p, sectionIdx, string(code)).appendJSON(entry[:0])
		b.Write(entry)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// wordSet numbers the index words of pages converted in parallel, so that
// each page keeps a few small ids instead of its whole text, and each word
// is stored once. Ids follow first use, which varies between runs: the
// index sorts the words before writing them.
type wordSet struct {
	mu       sync.Mutex
	ids      map[string]int32
	words    []string
	indexers sync.Pool // *wordIndexer, reused across pages
}

func newWordSet() *wordSet {
	s := &wordSet{ids: map[string]int32{}}
	s.indexers.New = func() any {
		known := make(map[string]int32, len(searchStop))
		for w := range searchStop {
			known[w] = -1 // one lookup tells a stop word from a known one
		}
		return &wordIndexer{set: s, known: known}
	}
	return s
}

// indexer returns an indexer for one page: hand its add to the page's
// conversion as markdown.ConvertOptions.Words, then call done.
func (s *wordSet) indexer() *wordIndexer {
	ix := s.indexers.Get().(*wordIndexer)
	ix.page++
	ix.ids = ix.ids[:0]
	return ix
}

// done returns the ids of the page's distinct index words, in order of
// first use, and lets the indexer go.
func (s *wordSet) done(ix *wordIndexer) []int32 {
	ids := slices.Clone(ix.ids)
	s.indexers.Put(ix)
	return ids
}

// numberLocked returns w's id and the set's copy of w, adding it if new.
func (s *wordSet) numberLocked(w string) (int32, string) {
	id, ok := s.ids[w]
	if !ok {
		w = strings.Clone(w) // not a piece of the page's text
		id = int32(len(s.words))
		s.ids[w] = id
		s.words = append(s.words, w)
	}
	return id, s.words[id]
}

// all returns every word, indexed by id. The slice is the set's own: it
// is for reading once no page is being indexed.
func (s *wordSet) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.words
}

// strings returns the words with the given ids.
func (s *wordSet) strings(ids []int32) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.words[id]
	}
	return out
}

// wordIndexer numbers one page's words at a time. It remembers the ids of
// the words it has met, so that most words are numbered without taking the
// set's lock, and it keeps a page's distinct words with a stamp per id
// instead of a map of the page's words.
type wordIndexer struct {
	set   *wordSet
	known map[string]int32 // words this indexer has met → ids in set; -1 for stop words
	stamp []uint32         // id → the last page (counting from 1) that used it
	page  uint32
	lower []byte // scratch for lower-casing a word
	ids   []int32
}

// add takes one run of letters and digits of the page. Index words are
// such runs in lower case, as the theme's script splits a query; stop
// words and single characters are left out.
func (ix *wordIndexer) add(w []byte) {
	for _, c := range w {
		if 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			ix.lower = appendLower(ix.lower[:0], w)
			w = ix.lower
			break
		}
	}
	if len(w) < 2 {
		return
	}
	id, ok := ix.known[string(w)]
	if id < 0 {
		return
	}
	if !ok {
		var word string
		ix.set.mu.Lock()
		id, word = ix.set.numberLocked(string(w))
		ix.set.mu.Unlock()
		ix.known[word] = id
	}
	if int(id) >= len(ix.stamp) {
		ix.stamp = append(ix.stamp, make([]uint32, int(id)+1-len(ix.stamp)+256)...)
	}
	if ix.stamp[id] != ix.page {
		ix.stamp[id] = ix.page
		ix.ids = append(ix.ids, id)
	}
}

// appendLower appends w in lower case, as strings.ToLower would write it.
func appendLower(dst, w []byte) []byte {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	return dst
}

// newSearchEntryCode is a page's entry with its body already coded.
func newSearchEntryCode(p *Page, sectionIdx map[string]int, body string) searchEntry {
	e := searchEntry{Title: p.Title, URL: p.RelPermalink, Kind: p.Kind, Section: -1,
		Summary: truncateWords(p.Summary, searchSummaryWords), Body: body}
	if p.Type == TypeSection {
		e.Kind = TypeSection
	}
	if s, ok := sectionIdx[p.Section()]; ok {
		e.Section = s
	}
	for _, h := range p.TOC() {
		e.Headings = append(e.Headings, searchHeading{ID: h.ID, Text: h.Text})
	}
	return e
}

// Digits of the delta code: a number is written in base 32, most
// significant digit first, every digit but the last from deltaMore and the
// last from deltaLast, so that numbers need no separator. All of them are
// plain in JSON strings.
const (
	deltaLast = "0123456789abcdefghijklmnopqrstuv"
	deltaMore = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
)

// appendDeltas appends the code of sorted ids: the first id, then each
// id's distance from the one before.
func appendDeltas(b []byte, ids []int32) []byte {
	var prev int32
	var digits [8]byte
	for _, id := range ids {
		v := id - prev
		prev = id
		n := len(digits) - 1
		digits[n] = deltaLast[v&31]
		for v >>= 5; v > 0; v >>= 5 {
			n--
			digits[n] = deltaMore[v&31]
		}
		b = append(b, digits[n:]...)
	}
	return b
}
