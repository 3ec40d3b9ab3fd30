package markdown_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// recorder resolves every link to "/resolved/DEST" and records what it saw.
type recorder struct{ seen []markdown.Link }

func (r *recorder) Resolve(l markdown.Link) string {
	r.seen = append(r.seen, l)
	return "/resolved/" + l.Dest
}

func TestConvertFeatures(t *testing.T) {
	tests := []struct {
		name     string
		opts     markdown.Options
		src      string
		want     []string
		dontWant []string
	}{
		{
			name: "gfm table, strikethrough, task list, autolink",
			opts: markdown.Defaults(),
			src:  "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nsee https://example.org now\n",
			want: []string{"<table>", "<td>1</td>", "<del>old</del>", `type="checkbox"`, `<a href="https://example.org">`},
		},
		{
			name: "footnotes and definition lists",
			opts: markdown.Defaults(),
			src:  "Claim.[^1]\n\n[^1]: Source.\n\nTerm\n: Meaning\n",
			want: []string{`class="footnotes"`, "<dl>", "<dt>Term</dt>", "<dd>Meaning</dd>"},
		},
		{
			name: "typographer",
			opts: markdown.Defaults(),
			src:  `"Quoted" -- it's...`,
			want: []string{"&ldquo;Quoted&rdquo;", "&ndash;", "&hellip;"},
		},
		{
			name:     "raw html escaped by default",
			opts:     markdown.Defaults(),
			src:      "<script>alert(1)</script>\n\nx <b>y</b>\n",
			want:     []string{"<!-- raw HTML omitted -->"},
			dontWant: []string{"<script>", "<b>"},
		},
		{
			name: "raw html kept when unsafe",
			opts: markdown.Options{Unsafe: true},
			src:  "x <b>y</b>\n",
			want: []string{"<b>y</b>"},
		},
		{
			name: "unique heading ids",
			opts: markdown.Defaults(),
			src:  "## Steps\n\n## Steps\n\n## What's next?\n\n## Custom {#mine}\n",
			want: []string{`<h2 id="steps">`, `<h2 id="steps-1">`, `<h2 id="whats-next">`, `<h2 id="mine">`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := markdown.New(tt.opts).Convert([]byte(tt.src), markdown.ConvertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := string(res.HTML)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(got, w) {
					t.Errorf("output has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestConvertResolvesLinksWithPositions(t *testing.T) {
	src := "# Title\n\nSee [the debrief](debrief.md#steps) and\n  ![a chart](chart.png) or [x](id:huddle).\n"
	r := &recorder{}
	res, err := markdown.New(markdown.Defaults()).Convert([]byte(src), markdown.ConvertOptions{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range r.seen {
		got = append(got, fmt.Sprintf("%d:%d %s image=%v alt=%q", l.Line, l.Col, l.Dest, l.Image, l.Alt))
	}
	want := []string{
		`3:5 debrief.md#steps image=false alt="the debrief"`,
		`4:3 chart.png image=true alt="a chart"`,
		`4:28 id:huddle image=false alt="x"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(string(res.HTML), `href="/resolved/debrief.md#steps"`) {
		t.Errorf("destination not rewritten:\n%s", res.HTML)
	}
}

func TestConvertStructure(t *testing.T) {
	src := "Lead paragraph with *emphasis*\nover two lines.\n\n1. First question?\n2. Second **question**?\n\n## You answer\n\nSay this.\n\n## Why it works\n\nBecause.\n"
	var words []string
	res, err := markdown.New(markdown.Defaults()).Convert([]byte(src), markdown.ConvertOptions{Split: true, ExtractLists: true,
		Words: func(w []byte) { words = append(words, string(w)) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Summary, "Lead paragraph with emphasis over two lines."; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if len(res.Items) != 2 || string(res.Items[1]) != "Second <strong>question</strong>?" {
		t.Errorf("items = %q", res.Items)
	}
	var ids []string
	for _, b := range res.Blocks {
		ids = append(ids, b.ID+"="+strings.TrimSpace(b.Of(string(res.HTML))))
	}
	if len(ids) != 3 || ids[0] != "=<p>Lead paragraph with <em>emphasis</em>\nover two lines.</p>" || ids[1] != "you-answer=<p>Say this.</p>" || ids[2] != "why-it-works=<p>Because.</p>" {
		t.Errorf("blocks = %q", ids)
	}
	if !strings.Contains(string(res.HTML), "<h2 id=\"why-it-works\">Why it works</h2>") {
		t.Errorf("whole HTML lacks the headings:\n%s", res.HTML)
	}
	if len(res.Headings) != 2 || res.Headings[0].Text != "You answer" {
		t.Errorf("headings = %+v", res.Headings)
	}
	if res.Words != 19 || len(words) != 19 || words[0] != "Lead" || words[18] != "Because" {
		t.Errorf("words = %d, want 19: %q", res.Words, words)
	}
}
