package generator

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// tocItems is the template function that writes a table of contents' list
// items, one per heading:
//
//	<li class="toc-level-2"><a href="#id">text</a></li>
//
// the bytes html/template writes for
//
//	{{range .}}<li class="toc-level-{{.Level}}"><a href="#{{.ID}}">{{.Text}}</a></li>{{end}}
//
// Ranging in a template costs three field lookups and four escaper calls
// through reflection per heading, a fifth of a regular page's template
// time; this costs a few appends. A test holds the two to the same bytes.
func tocItems(hs []markdown.Heading) template.HTML {
	n := 0
	for _, h := range hs {
		n += len(`<li class="toc-level-0"><a href="#"></a></li>`) + len(h.ID) + len(h.Text)
	}
	var b strings.Builder
	b.Grow(n) // enough unless escaping lengthens the text
	for _, h := range hs {
		b.WriteString(`<li class="toc-level-`)
		b.WriteString(strconv.Itoa(h.Level))
		b.WriteString(`"><a href="#`)
		writeURLEscaped(&b, h.ID)
		b.WriteString(`">`)
		writeHTMLEscaped(&b, h.Text)
		b.WriteString(`</a></li>`)
	}
	return template.HTML(b.String())
}

// writeURLEscaped writes s as html/template escapes a string in a URL's
// fragment inside a quoted attribute: every byte but RFC 3986's unreserved
// ones as %xx (the result then needs no attribute escaping).
func writeURLEscaped(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// writeHTMLEscaped writes s as html/template escapes a string in HTML
// text. Every byte it replaces is ASCII, which no byte of a multi-byte
// UTF-8 sequence is, so it can go byte by byte.
func writeHTMLEscaped(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(repl)
		start = i + 1
	}
	b.WriteString(s[start:])
}
