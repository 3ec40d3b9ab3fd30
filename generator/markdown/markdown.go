// Package markdown converts one page's markdown body to HTML with goldmark
// and Playbook's extensions: unique heading ids, a table of contents, link
// resolution through a caller's Resolver, and the structural parts that
// kinds of page need (lead, level-2 blocks, top-level list items).
//
// It knows nothing of sites or pages: links are handed to a Resolver. It
// must not import the rest of the generator.
package markdown

import (
	"bufio"
	"bytes"
	"html"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options select goldmark features. The zero value is Playbook's default
// minus the typographer and with raw HTML escaped; use Defaults.
type Options struct {
	Unsafe      bool // let raw HTML through instead of escaping it
	Typographer bool // curly quotes, dashes and ellipses
	HardWraps   bool // a newline in a paragraph is a line break
}

// Defaults are the options a site gets unless site.toml says otherwise.
func Defaults() Options { return Options{Typographer: true} }

// Converter turns markdown into HTML. It is safe for concurrent use.
type Converter struct {
	md      goldmark.Markdown
	plain   sync.Pool // *bytes.Buffer for a body's plain text
	writers sync.Pool // *bufio.Writer for rendering
}

// New returns a Converter for opts.
func New(opts Options) *Converter {
	exts := []goldmark.Extender{
		extension.GFM, // tables, strikethrough, autolinks, task lists
		extension.Footnote,
		extension.DefinitionList,
		linkExtension{},
	}
	if opts.Typographer {
		exts = append(exts, extension.Typographer)
	}
	var rendererOpts []renderer.Option
	if opts.Unsafe {
		rendererOpts = append(rendererOpts, gmhtml.WithUnsafe())
	}
	if opts.HardWraps {
		rendererOpts = append(rendererOpts, gmhtml.WithHardWraps())
	}
	return &Converter{md: goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()),
		goldmark.WithRendererOptions(rendererOpts...),
	)}
}

// Link is a link or image found in the markdown, as the Resolver sees it.
type Link struct {
	Dest  string // destination as written
	Image bool
	Alt   string // an image's alt text (its text, for a link)
	Line  int    // 1-based line in the body
	Col   int    // 1-based column (bytes) in that line
}

// Resolver decides where links point. Resolve returns the destination to
// render; it records problems itself. A nil Resolver leaves links alone.
type Resolver interface {
	Resolve(l Link) string
}

// Heading is one heading of the page, with its unique id.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Block is a part of the body: the lead (ID "") before the first level-2
// heading, then one per level-2 heading, without the heading itself. It
// is a set of ranges of Result.HTML, so that blocks cost no copies.
type Block struct {
	ID     string
	Title  string
	Ranges [][2]int
}

// Result is a converted body.
type Result struct {
	// HTML is the caller's own: Convert never writes it again, so the
	// caller may turn it into a string without copying it.
	HTML     []byte
	Headings []Heading
	// Summary is the plain text of the first paragraph.
	Summary string
	// Words counts the words of the body's text.
	Words int
	// Blocks splits HTML at level-2 headings (set only with Split).
	Blocks []Block
	// Items holds the inner HTML of each item of the body's top-level lists
	// (set only with ExtractLists).
	Items [][]byte
}

// ConvertOptions are per-conversion settings.
type ConvertOptions struct {
	Resolver Resolver
	// Split asks for Blocks besides the whole HTML.
	Split bool
	// ExtractLists (with Split) moves the items of top-level lists into
	// Items, leaving the lists out of Blocks.
	ExtractLists bool
	// Words, if not nil, is called with each word of the body's plain
	// text in order, for search indexes: the runs of letters and digits
	// (see EachWord), found in the pass that counts Result.Words. The
	// slice is only valid during the call.
	Words func(word []byte)
}

// Convert converts one markdown body.
func (c *Converter) Convert(src []byte, opts ConvertOptions) (*Result, error) {
	ids := newIDs()
	pc := parser.NewContext(parser.WithIDs(ids))
	if opts.Resolver != nil {
		pc.Set(resolverKey, opts.Resolver)
	}
	doc := c.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))

	res := &Result{}
	plain, _ := c.plain.Get().(*bytes.Buffer)
	if plain == nil {
		plain = new(bytes.Buffer)
	}
	plain.Reset()
	defer c.plain.Put(plain)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Paragraph:
			if res.Summary == "" {
				res.Summary = strings.TrimSpace(plainText(n, src))
			}
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				plain.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			idb, _ := id.([]byte)
			h := Heading{Level: n.Level, ID: string(idb), Text: plainText(n, src)}
			res.Headings = append(res.Headings, h)
			plain.WriteString(h.Text)
			plain.WriteByte(' ')
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			plain.Write(n.Segment.Value(src))
			if n.SoftLineBreak() || n.HardLineBreak() {
				plain.WriteByte(' ')
			}
		case *ast.String:
			plain.WriteString(html.UnescapeString(string(n.Value)))
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				plain.Write(seg.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	res.Words = EachWord(plain.Bytes(), opts.Words)

	r := c.md.Renderer()
	var buf bytes.Buffer
	buf.Grow(len(src) * 3 / 2)
	// One buffered writer for all renders, reused across conversions:
	// goldmark makes a new 4 KiB one for every call that gets a plain
	// io.Writer.
	w, _ := c.writers.Get().(*bufio.Writer)
	if w == nil {
		w = bufio.NewWriter(&buf)
	} else {
		w.Reset(&buf)
	}
	defer func() {
		w.Reset(nil)
		c.writers.Put(w)
	}()
	render := func(n ast.Node) error {
		if err := r.Render(w, src, n); err != nil {
			return err
		}
		return w.Flush()
	}
	if !opts.Split {
		if err := render(doc); err != nil {
			return nil, err
		}
		res.HTML = buf.Bytes()
		return res, nil
	}
	// Render top-level blocks one by one so that the whole, the blocks and
	// the list items come from one parse. Blocks are ranges of the whole.
	cur := Block{}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		start := buf.Len()
		if err := render(n); err != nil {
			return nil, err
		}
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			res.Blocks = append(res.Blocks, cur)
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			cur = Block{ID: string(idb), Title: plainText(h, src)}
			continue
		}
		l, isList := n.(*ast.List)
		if !isList || !opts.ExtractLists {
			cur.add(start, buf.Len())
			continue
		}
		end := buf.Len()
		for item := l.FirstChild(); item != nil; item = item.NextSibling() {
			for c := item.FirstChild(); c != nil; c = c.NextSibling() {
				if err := render(c); err != nil {
					return nil, err
				}
			}
			res.Items = append(res.Items, bytes.Clone(bytes.TrimSpace(buf.Bytes()[end:])))
			buf.Truncate(end)
		}
	}
	res.Blocks = append(res.Blocks, cur)
	res.HTML = buf.Bytes()
	return res, nil
}

// add extends the block with the range [start, end) of the whole HTML.
func (b *Block) add(start, end int) {
	if n := len(b.Ranges); n > 0 && b.Ranges[n-1][1] == start {
		b.Ranges[n-1][1] = end
		return
	}
	b.Ranges = append(b.Ranges, [2]int{start, end})
}

// Of returns the block's HTML, given the whole converted HTML.
func (b Block) Of(whole string) string {
	if len(b.Ranges) == 1 {
		return whole[b.Ranges[0][0]:b.Ranges[0][1]]
	}
	var sb strings.Builder
	for _, r := range b.Ranges {
		sb.WriteString(whole[r[0]:r[1]])
	}
	return sb.String()
}

// plainText returns the text of an inline tree, with typographic entities
// decoded, for headings and summaries.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.WriteString(html.UnescapeString(string(c.Value)))
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// EachWord calls fn, unless it is nil, with each run of letters and
// digits of s in order, and returns the number of words: runs of letters
// and digits that an apostrophe (straight or curly) inside does not
// split, so that "don't" is one word and two runs. ASCII, nearly all of
// most bodies, is looked up in a table.
func EachWord(s []byte, fn func(word []byte)) int {
	n, in := 0, false // words counted; inside one
	start := -1       // start of the current run, or -1
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var word, apostrophe bool
		if c < utf8.RuneSelf {
			word, apostrophe = asciiWord[c], c == '\''
		} else {
			var r rune
			r, size = utf8.DecodeRune(s[i:])
			word, apostrophe = unicode.IsLetter(r) || unicode.IsDigit(r), r == '’'
		}
		switch {
		case word:
			if start < 0 {
				start = i
			}
			if !in {
				n++
				in = true
			}
		case start >= 0:
			if fn != nil {
				fn(s[start:i])
			}
			start = -1
			fallthrough
		default:
			in = in && apostrophe
		}
		i += size
	}
	if start >= 0 && fn != nil {
		fn(s[start:])
	}
	return n
}

// asciiWord tells the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// ids generates heading ids the way readers expect from GitHub: lower
// case, spaces to hyphens, punctuation dropped, and -1, -2 … for repeats.
type ids struct {
	used map[string]bool
}

func newIDs() *ids { return &ids{used: map[string]bool{}} }

// Slugify turns heading text into an anchor id.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r):
			dash = true
		}
	}
	return b.String()
}

func (s *ids) Generate(value []byte, kind ast.NodeKind) []byte {
	base := Slugify(string(html.UnescapeString(string(value))))
	if base == "" {
		if kind == ast.KindHeading {
			base = "heading"
		} else {
			base = "id"
		}
	}
	id := base
	for i := 1; s.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	s.used[id] = true
	return []byte(id)
}

func (s *ids) Put(value []byte) { s.used[string(value)] = true }

// resolverKey carries the per-conversion Resolver into the link transformer.
var resolverKey = parser.NewContextKey()

// linkExtension registers the transformer that hands every link and image
// to the Resolver and rewrites its destination.
type linkExtension struct{}

func (linkExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(linkTransformer{}, 500)))
}

type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	r, _ := pc.Get(resolverKey).(Resolver)
	if r == nil {
		return
	}
	src := reader.Source()
	var lines []int // offsets of line starts, built on first use
	position := func(off int) (int, int) {
		if lines == nil {
			lines = append(lines, 0)
			for i, c := range src {
				if c == '\n' {
					lines = append(lines, i+1)
				}
			}
		}
		lo, hi := 0, len(lines)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if lines[mid] <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo + 1, utf8.RuneCount(src[lines[lo]:off]) + 1
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest *[]byte
		image := false
		switch n := n.(type) {
		case *ast.Link:
			dest = &n.Destination
		case *ast.Image:
			dest, image = &n.Destination, true
		default:
			return ast.WalkContinue, nil
		}
		off := n.Pos()
		if off < 0 {
			off = firstTextOffset(n)
		}
		line, col := 0, 0
		if off >= 0 && off <= len(src) {
			line, col = position(off)
		}
		l := Link{Dest: string(*dest), Image: image, Alt: plainText(n, src), Line: line, Col: col}
		*dest = []byte(r.Resolve(l))
		return ast.WalkContinue, nil
	})
}

// firstTextOffset finds a position for a node that has none: its first
// text, one byte back for the opening bracket.
func firstTextOffset(n ast.Node) int {
	for c := n.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			return max(t.Segment.Start-1, 0)
		}
	}
	return -1
}
