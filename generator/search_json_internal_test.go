package generator

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSearchEntriesEncodeAsEncodingJSONDoes holds the hand-written
// encoding to json.Marshal's bytes, with empty fields, headings written
// both ways, and strings that need escaping.
func TestSearchEntriesEncodeAsEncodingJSONDoes(t *testing.T) {
	pieces := []string{"a", "Z", "9", " ", "-", `"`, `\`, "<", ">", "&", "'", "\n", "\t", "\x00", "\x1f", "\x7f",
		"é", "’", "\u2028", "\u2029", "日本", "\xff", "\xe2\x80", "🙂", "{", "}", "/"}
	rng := rand.New(rand.NewPCG(5, 6))
	str := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	entries := []searchEntry{
		{},
		{Title: "Debrief", URL: "/practices/debrief/", Kind: "practice", Section: 3, Summary: "After every call.",
			Headings: []searchHeading{{ID: "why-it-works", Text: "Why it works"}, {ID: "custom", Text: "Steps"}, {ID: "caf", Text: "Café"}},
			Body:     "0a1b2c"},
		{Title: "No kind", URL: "/x/", Section: -1},
	}
	for range 3000 {
		e := searchEntry{Title: str(), URL: str(), Section: rng.IntN(300) - 1, Body: str()}
		if rng.IntN(2) == 0 {
			e.Kind, e.Summary = str(), str()
		}
		for range rng.IntN(4) {
			text := str()
			id := str()
			if rng.IntN(2) == 0 {
				id = strings.ToLower(strings.ReplaceAll(text, " ", "-"))
			}
			e.Headings = append(e.Headings, searchHeading{ID: id, Text: text})
		}
		entries = append(entries, e)
	}
	for _, e := range entries {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.appendJSON([]byte("prefix")); string(got) != "prefix"+string(want) {
			t.Fatalf("%#v:\n got %s\nwant %s", e, got[len("prefix"):], want)
		}
	}
}
