package markdown_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// refCount is the plain definition of a word count: runs of letters and
// digits, an apostrophe (straight or curly) inside a word does not split it.
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

// refRuns is the plain definition of the runs EachWord hands out.
func refRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func TestEachWordMatchesTheRuneDefinitions(t *testing.T) {
	pieces := []string{"a", "Bc", "9", " ", "'", "’", "é", "—", "日本", "\xff", "\n", "don't", "-", "x’y"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		var runs []string
		count := markdown.EachWord([]byte(s), func(w []byte) { runs = append(runs, string(w)) })
		if want := refCount(s); count != want {
			t.Fatalf("%q: count %d, want %d", s, count, want)
		}
		if want := refRuns(s); !slices.Equal(runs, want) {
			t.Fatalf("%q: runs %q, want %q", s, runs, want)
		}
		if n := markdown.EachWord([]byte(s), nil); n != count {
			t.Fatalf("%q: count without fn %d, with fn %d", s, n, count)
		}
	}
}
