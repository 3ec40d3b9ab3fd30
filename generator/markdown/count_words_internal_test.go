package markdown

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// refCount is the plain definition: runs of letters and digits, an
// apostrophe (straight or curly) inside a word does not split it.
func refCount(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !in {
				n++
			}
			in = true
		} else if r != '\'' && r != '’' {
			in = false
		}
	}
	return n
}

func TestCountWordsMatchesTheRuneDefinition(t *testing.T) {
	pieces := []string{"a", "Bc", "9", " ", "'", "’", "é", "—", "日本", "\xff", "\n", "don't", "-", "x’y"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if got, want := countWords([]byte(b.String())), refCount(b.String()); got != want {
			t.Fatalf("%q: %d want %d", b.String(), got, want)
		}
	}
}
