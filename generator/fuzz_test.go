package generator_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
)

func FuzzSplitFrontMatter(f *testing.F) {
	for _, seed := range []string{
		"+++\ntitle = \"A\"\n+++\nbody\n",
		"+++\r\ntitle = \"A\"\r\n+++\r\n",
		"+++\n+++",
		"+++\nno end",
		"---\ntitle: a\n---\n",
		"\xef\xbb\xbf+++\nx = 1\n+++\n",
		"plain body",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		front, body, bodyLine, err := generator.SplitFrontMatter(src)
		if err != nil {
			return
		}
		if bodyLine < 1 {
			t.Fatalf("body line %d", bodyLine)
		}
		if front == nil {
			if !bytes.Equal(body, bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))) {
				t.Fatal("without front matter the body must be the whole file")
			}
			return
		}
		// The body starts on the line after the closing fence.
		if want := bytes.Count(front, []byte("\n")) + 3; bodyLine != want {
			t.Fatalf("body line %d, want %d", bodyLine, want)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		"title = \"T\"\nbase_url = \"https://x.org/\"\n",
		"[markup]\nunsafe = true\n[params]\na = 1\n[[menus.main]]\nname = \"A\"\nurl = \"/a/\"\n",
		"titel = 1",
		"title = ",
		"paginate = \"x\"",
		"[markup\n",
		"a.b.c = 1\n[a]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		_, problems := generator.ParseConfig([]byte(data))
		lines := strings.Count(data, "\n") + 1
		for _, p := range problems {
			if p.File != generator.ConfigFile {
				t.Fatalf("problem not in site.toml: %v", p)
			}
			if p.Line < 0 || p.Line > lines+1 {
				t.Fatalf("problem line %d outside the file's %d lines: %v", p.Line, lines, p)
			}
			if p.Msg == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
	})
}
