package generator_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/generatortest"
)

// searchSite has a section with a practice and a plain page, and the
// taxonomies they create; only the section and the pages are searchable.
const searchSite = `
-- site.toml --
title = "Search test"
-- content/_index.md --
+++
title = "Home"
+++
Welcome home.
-- content/practices/_index.md --
+++
title = "Practices"
+++
The routines.
-- content/practices/debrief.md --
+++
title = "Post-call debrief"
id = "debrief"
kind = "practice"
summary = "Two questions straight after the call."
roles = ["manager"]
moments = ["post-call"]
cadence = "weekly"
signals = ["Debriefs happen within the hour"]
tags = ["calls"]
+++
Meet in the parking lot of the Zanzibar office.

## Steps

Ask what worked and what the rep would change.

### Second question

Wait for the answer.

## Steps

Again.

## Café menu

Coffee.
-- content/about.md --
+++
title = "About"
+++
Zanzibar is mentioned here too.
`

// searchIndex mirrors search.json as the theme's script reads it.
type searchIndex struct {
	Version  int      `json:"v"`
	Sections []string `json:"sections"`
	Words    []string `json:"words"`
	Pages    []struct {
		Title    string            `json:"t"`
		URL      string            `json:"u"`
		Kind     string            `json:"k"`
		Section  int               `json:"s"`
		Summary  string            `json:"d"`
		Headings []json.RawMessage `json:"h"`
		Body     string            `json:"w"`
	} `json:"pages"`
}

// bodyWords decodes a page's delta-coded word ids as the script does.
func bodyWords(tb testing.TB, idx *searchIndex, code string) []string {
	tb.Helper()
	const more, last = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", "0123456789abcdefghijklmnopqrstuv"
	var out []string
	id, v := 0, 0
	for _, c := range code {
		if d := strings.IndexRune(more, c); d >= 0 {
			v = v*32 + d
			continue
		}
		d := strings.IndexRune(last, c)
		if d < 0 {
			tb.Fatalf("body code %q has %q, not a digit of the code", code, c)
		}
		id += v*32 + d
		v = 0
		if id >= len(idx.Words) {
			tb.Fatalf("word id %d is past the dictionary (%d words)", id, len(idx.Words))
		}
		out = append(out, idx.Words[id])
	}
	return out
}

func readSearchIndex(tb testing.TB, s *generatortest.Site) *searchIndex {
	tb.Helper()
	var idx searchIndex
	if err := json.Unmarshal([]byte(s.Read("public/search.json")), &idx); err != nil {
		tb.Fatalf("search.json: %v", err)
	}
	return &idx
}

func TestSearchIndexHoldsTitlesHeadingsSummariesAndBodyWords(t *testing.T) {
	s := generatortest.New(t, searchSite).Build().AssertOK()
	idx := readSearchIndex(t, s)
	if idx.Version != 1 {
		t.Errorf("version %d, want 1", idx.Version)
	}
	if !slices.IsSorted(idx.Words) {
		t.Errorf("dictionary is not sorted: a prefix search needs it sorted")
	}
	if !slices.Equal(idx.Sections, []string{"Practices"}) {
		t.Errorf("sections %q, want [Practices]", idx.Sections)
	}
	var urls []string
	for _, p := range idx.Pages {
		urls = append(urls, p.URL)
	}
	slices.Sort(urls)
	if want := []string{"/about/", "/practices/", "/practices/debrief/"}; !slices.Equal(urls, want) {
		t.Fatalf("indexed pages %q, want %q (no home, taxonomy or term pages)", urls, want)
	}

	for _, p := range idx.Pages {
		words := bodyWords(t, idx, p.Body)
		switch p.URL {
		case "/practices/debrief/":
			if p.Title != "Post-call debrief" || p.Kind != "practice" || p.Summary != "Two questions straight after the call." {
				t.Errorf("practice entry: title %q, kind %q, summary %q", p.Title, p.Kind, p.Summary)
			}
			if p.Section < 0 || idx.Sections[p.Section] != "Practices" {
				t.Errorf("practice section %d, want Practices", p.Section)
			}
			var got []string
			for _, h := range p.Headings {
				got = append(got, string(h))
			}
			// A heading whose id is the slug of its text is the text alone.
			want := []string{`"Steps"`, `"Second question"`, `["steps-1","Steps"]`, `["café-menu","Café menu"]`}
			if !slices.Equal(got, want) {
				t.Errorf("headings %s, want %s", got, want)
			}
			for _, w := range []string{"parking", "zanzibar", "rep", "answer"} {
				if !slices.Contains(words, w) {
					t.Errorf("body words %q lack %q", words, w)
				}
			}
			for _, w := range []string{"the", "of", "Zanzibar", "a"} {
				if slices.Contains(words, w) {
					t.Errorf("body words hold %q: stop words, upper case and one-letter words stay out", w)
				}
			}
			if !slices.IsSorted(words) || len(slices.Compact(slices.Clone(words))) != len(words) {
				t.Errorf("body words %q: want each word once, in dictionary order", words)
			}
		case "/practices/":
			if p.Kind != "section" {
				t.Errorf("section entry kind %q, want section", p.Kind)
			}
		case "/about/":
			if p.Section != -1 {
				t.Errorf("page outside any section has section %d, want -1", p.Section)
			}
			if !slices.Contains(words, "zanzibar") {
				t.Errorf("about body words %q lack zanzibar", words)
			}
		}
	}
}

func TestSearchIndexIsByteIdenticalAcrossBuilds(t *testing.T) {
	s := generatortest.New(t, searchSite).Build().AssertOK()
	first := s.Read("public/search.json")
	s.Build().AssertOK()
	if second := s.Read("public/search.json"); second != first {
		t.Errorf("two builds of one site wrote different search indexes:\n%s\n%s", first, second)
	}
}

func TestSearchIndexShortensLongSummaries(t *testing.T) {
	long := strings.Repeat("word ", 80)
	s := generatortest.New(t, `
-- content/long.md --
+++
title = "Long"
summary = "`+long+`"
+++
Body.
`).Build().AssertOK()
	idx := readSearchIndex(t, s)
	if len(idx.Pages) != 1 {
		t.Fatalf("%d pages, want 1", len(idx.Pages))
	}
	if n := len(strings.Fields(idx.Pages[0].Summary)); n > 31 {
		t.Errorf("summary in the index has %d words, want at most 30 and an ellipsis", n)
	}
}
