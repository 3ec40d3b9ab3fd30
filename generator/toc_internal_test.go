package generator

import (
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// TestTOCItemsMatchTemplate holds tocItems to the bytes of the template
// range it replaces, with the characters each escaper treats specially,
// non-ASCII and invalid UTF-8, and random bytes.
func TestTOCItemsMatchTemplate(t *testing.T) {
	ranged := template.Must(template.New("toc").Parse(
		`{{range .}}<li class="toc-level-{{.Level}}"><a href="#{{.ID}}">{{.Text}}</a></li>{{end}}`))
	texts := []string{
		"", "plain", "Why it works", `a "quoted" <b>bold</b> & 'single' + plus`,
		"nul\x00byte", "tab\tand\nnewline = `tick`", "café ünïcode ☃", "bad \xff\xfe utf8",
		"percent % hash # slash / query ? colon : at @", "~tilde._-", "\uFFFD\u2028\U0001F600",
	}
	var hs []markdown.Heading
	for i, s := range texts {
		hs = append(hs, markdown.Heading{Level: 2 + i%5, ID: s, Text: s})
		hs = append(hs, markdown.Heading{Level: 2, ID: markdown.Slugify(s), Text: s})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		hs = append(hs, markdown.Heading{Level: 1 + rng.IntN(6), ID: string(b), Text: string(b[len(b)/2:])})
	}
	for i, h := range hs {
		var want strings.Builder
		if err := ranged.Execute(&want, hs[i:i+1]); err != nil {
			t.Fatal(err)
		}
		if got := string(tocItems(hs[i : i+1])); got != want.String() {
			t.Errorf("heading %q, %q:\n got %q\nwant %q", h.ID, h.Text, got, want.String())
		}
	}
	var want strings.Builder
	if err := ranged.Execute(&want, hs); err != nil {
		t.Fatal(err)
	}
	if got := string(tocItems(hs)); got != want.String() {
		t.Errorf("all headings: got %d bytes, want %d", len(got), len(want.String()))
	}
}
