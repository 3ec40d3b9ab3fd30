package generator_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/generatortest"
)

const randomSite = liveSite + `
-- content/practices/_index.md --
+++
title = "Practices"
+++
Practices.
-- content/practices/debrief.md --
+++
title = "Debrief"
id = "debrief"
kind = "practice"
roles = ["manager", "rep"]
moments = ["post-call"]
cadence = "per-call"
signals = ["Notes exist"]
+++
Why it matters.

## Steps

1. Ask what went well.
-- content/practices/questions.md --
+++
title = "Opening questions"
id = "opening-questions"
kind = "questions"
moments = ["one-to-one"]
+++
Ask these.

- What went well?
- What would you change?
`

// pageLink is a markdown link to a page.
var pageLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\.md[^)]*\)`)

// randomEditor makes random edits of a site, as an author might, and
// says which paths changed the way the watcher would.
type randomEditor struct {
	tb   testing.TB
	s    *generatortest.Site
	rng  *rand.Rand
	next int
}

func (e *randomEditor) pages() []string {
	var out []string
	filepath.WalkDir(filepath.Join(e.s.Dir, "content"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(e.s.Dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	slices.Sort(out)
	return out
}

func (e *randomEditor) dirs() []string {
	var out []string
	filepath.WalkDir(filepath.Join(e.s.Dir, "content"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			rel, _ := filepath.Rel(e.s.Dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	slices.Sort(out)
	return out
}

func (e *randomEditor) pick(list []string) string { return list[e.rng.IntN(len(list))] }

// edit makes one random edit and returns its name and the changed paths.
func (e *randomEditor) edit() (string, []string) {
	e.next++
	n := e.next
	pages := e.pages()
	page := e.pick(pages)
	regular := slices.DeleteFunc(slices.Clone(pages), func(p string) bool { return path.Base(p) == "_index.md" })
	switch e.rng.IntN(16) {
	case 14, 15:
		// Links added earlier may point at pages since removed: take
		// them out, so that the site recovers from its problems.
		var changed []string
		for _, p := range pages {
			content := e.s.Read(p)
			if fixed := pageLink.ReplaceAllString(content, "$1"); fixed != content {
				e.s.Write(p, fixed)
				changed = append(changed, p)
			}
		}
		return "links removed", changed
	case 0, 1, 2:
		appendTo(e.s, page, "\nListen first, then ask what went well.\n")
		return "body edit with known words in " + page, []string{page}
	case 3:
		appendTo(e.s, page, fmt.Sprintf("\nA new word: zebra%d.\n", n))
		return "body edit with a new word in " + page, []string{page}
	case 4:
		appendTo(e.s, page, fmt.Sprintf("\n## Part %d\n\nMore.\n", n))
		return "heading added in " + page, []string{page}
	case 5:
		target := e.pick(pages)
		rel, _ := filepath.Rel(path.Dir(page), target)
		anchor := e.pick([]string{"", "#steps", "#notes", "#part-1"})
		appendTo(e.s, page, fmt.Sprintf("\nSee [that page](%s%s).\n", filepath.ToSlash(rel), anchor))
		return "link added in " + page, []string{page}
	case 6:
		content := e.s.Read(page)
		if i := strings.Index(content, "title = \""); i >= 0 {
			content = content[:i] + fmt.Sprintf("title = \"Renamed %d\"\n", n) + content[strings.Index(content[i:], "\n")+i+1:]
			e.s.Write(page, content)
		}
		return "title changed in " + page, []string{page}
	case 7:
		dir := e.pick(e.dirs())
		p := fmt.Sprintf("%s/new-%d.md", dir, n)
		e.s.Write(p, fmt.Sprintf("+++\ntitle = \"New %d\"\ntags = [\"t%d\"]\n+++\nNew page %d.\n", n, n%3, n))
		return "page added " + p, []string{p}
	case 8:
		if len(regular) < 4 {
			return "nothing", nil
		}
		p := e.pick(regular)
		e.s.Remove(p)
		return "page deleted " + p, []string{p}
	case 9:
		p := e.pick(regular)
		to := fmt.Sprintf("%s/moved-%d.md", path.Dir(p), n)
		e.s.Rename(p, to)
		return "page renamed " + p, []string{p, to}
	case 10:
		dirs := slices.DeleteFunc(e.dirs(), func(d string) bool { return d == "content" })
		if len(dirs) == 0 {
			return "nothing", nil
		}
		d := e.pick(dirs)
		to := fmt.Sprintf("%s-%d", d, n)
		e.s.Rename(d, to)
		changed := []string{d, to}
		for _, p := range e.pages() {
			if strings.HasPrefix(p, to+"/") {
				changed = append(changed, p)
			}
		}
		return "section renamed " + d, changed
	case 11:
		e.s.Write("layouts/partials/footer.html", fmt.Sprintf("<footer>Footer %d of {{.Title}}</footer>", n))
		return "footer edited", []string{"layouts/partials/footer.html"}
	case 12:
		e.s.Write("static/css/extra.css", fmt.Sprintf("body { margin: %dpx; }\n", n))
		return "stylesheet edited", []string{"static/css/extra.css"}
	default:
		e.s.Write("site.toml", fmt.Sprintf("title = \"Coaching %d\"\npaginate = %d\n", n, 1+e.rng.IntN(3)))
		return "site.toml edited", []string{"site.toml"}
	}
}

func TestBuilderMatchesCleanBuildOverRandomEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("80 builds and clean builds; skipped with -short")
	}
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := generatortest.New(t, randomSite)
			opts := generator.Options{Source: s.Dir, Dest: filepath.Join(t.TempDir(), "served")}
			b := builtBuilder(t, opts)
			e := &randomEditor{tb: t, s: s, rng: rand.New(rand.NewPCG(seed, 0))}
			incremental, failed := 0, 0
			for step := range 40 {
				name, changed := e.edit()
				upd, err := b.Build(t.Context(), changed)
				clean := opts
				clean.Dest = filepath.Join(t.TempDir(), "clean")
				_, cleanErr := generator.Build(t.Context(), clean)
				var got, want generator.Problems
				errors.As(err, &got)
				errors.As(cleanErr, &want)
				switch {
				case (err == nil) != (cleanErr == nil) || got.Error() != want.Error():
					t.Fatalf("step %d, %s: builder error:\n%v\nclean build error:\n%v", step, name, err, cleanErr)
				case err == nil:
					if diff := diffTrees(readTree(t, clean.Dest), readTree(t, opts.Dest)); diff != "" {
						t.Fatalf("step %d, %s: served tree differs from a clean build: %s", step, name, diff)
					}
				}
				if upd.Incremental {
					incremental++
				}
				if err != nil {
					failed++
					if failed == 1 {
						t.Logf("step %d, %s: first failure: %v", step, name, err)
					}
				}
				os.RemoveAll(clean.Dest)
			}
			t.Logf("of 40 builds %d were incremental, %d failed with the same problems as a clean build", incremental, failed)
		})
	}
}
