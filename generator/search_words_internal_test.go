package generator

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// TestIndexWordsSplitsAsTheScriptDoes checks the one-pass tokenizer against
// the plain definition: lower-case the text, split it at everything that
// is not a letter or digit, drop stop words and single characters, keep
// the first of each.
func TestIndexWordsSplitsAsTheScriptDoes(t *testing.T) {
	reference := func(text string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if len(w) >= 2 && !searchStop[w] && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
		return out
	}
	pieces := []string{"Coach", "coach", "the", "ÉTÉ", "été", "Straße", "İstanbul", "x", "42", "ab1",
		"'", " ", "\n", "—", "—Debrief", "don't", "ΣΊΣΥΦΟΣ", "日本語", "A", "I", "Q&A", "e-mail", "\t"}
	rng := rand.New(rand.NewPCG(1, 2))
	set := newWordSet() // one set for every text: ids and stamps carry over
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		text := b.String()
		ix := set.indexer()
		markdown.EachWord([]byte(text), ix.add)
		if got, want := set.strings(set.done(ix)), reference(text); !slices.Equal(got, want) {
			t.Fatalf("index(%q) = %q, want %q", text, got, want)
		}
	}
}
