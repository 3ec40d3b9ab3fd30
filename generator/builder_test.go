package generator_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/generatortest"
)

const liveSite = `
-- site.toml --
title = "Coaching"
paginate = 2
-- content/_index.md --
+++
title = "Welcome"
+++
Start here.
-- content/guides/_index.md --
+++
title = "Guides"
summary = "All the guides."
+++
All the guides, in order.
-- content/guides/alpha.md --
+++
title = "Alpha"
weight = 1
date = 2026-01-01
tags = ["listening", "feedback"]
+++
Alpha's first paragraph is its summary.

## Steps

1. One
-- content/guides/beta.md --
+++
title = "Beta"
weight = 2
date = 2026-01-02
tags = ["listening"]
aliases = ["/old-beta/"]
+++
Beta body with [alpha](alpha.md#steps) and [the guides](_index.md).

## Notes

A note.
-- content/guides/zeta.md --
+++
title = "Zeta"
+++
Unweighted pages come last. ![a diagram](diagram.png)
-- content/guides/diagram.png --
PNG
-- content/tools/_index.md --
+++
title = "Tools"
+++
Tools for coaches.
-- content/tools/hammer.md --
+++
title = "Hammer"
+++
Hit it. Link to [beta](../guides/beta.md#notes).
-- static/css/extra.css --
body { color: black; }
`

// liveStep is one edit of the site and what the Builder should make of it.
type liveStep struct {
	name        string
	edit        func(s *generatortest.Site)
	changed     []string
	incremental bool     // the Builder should take the incremental path
	written     []string // if not nil: exactly these outputs change
	problem     string   // if not "": the build fails with this problem
}

// builtBuilder returns a Builder for opts that has made its first, full
// build.
func builtBuilder(tb testing.TB, opts generator.Options) *generator.Builder {
	tb.Helper()
	b, err := generator.NewBuilder(opts)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := b.Build(tb.Context(), nil); err != nil {
		tb.Fatalf("first build: %v", err)
	}
	return b
}

func TestBuilderOutputEqualsCleanBuildAfterEveryEdit(t *testing.T) {
	s := generatortest.New(t, liveSite)
	served := filepath.Join(t.TempDir(), "served")
	opts := generator.Options{Source: s.Dir, Dest: served, BaseURL: "http://localhost:1313/"}
	b := builtBuilder(t, opts)
	assertSameAsCleanBuild(t, opts)

	steps := []liveStep{
		{
			name:        "body edit below the summary",
			edit:        func(s *generatortest.Site) { appendTo(s, "content/guides/alpha.md", "\nA new paragraph.\n") },
			changed:     []string{"content/guides/alpha.md"},
			incremental: true,
			written:     []string{"guides/alpha/index.html", "search.json"},
		},
		{
			name: "two body edits in one batch",
			edit: func(s *generatortest.Site) {
				appendTo(s, "content/guides/alpha.md", "\nMore words about listening.\n")
				appendTo(s, "content/tools/hammer.md", "\nHit it again.\n")
			},
			changed:     []string{"content/guides/alpha.md", "content/tools/hammer.md"},
			incremental: true,
		},
		{
			name:        "section body edit",
			edit:        func(s *generatortest.Site) { appendTo(s, "content/guides/_index.md", "\nRead them all.\n") },
			changed:     []string{"content/guides/_index.md"},
			incremental: true,
		},
		{
			name: "body edit that changes the derived summary",
			edit: func(s *generatortest.Site) {
				replaceIn(s, "content/guides/alpha.md", "Alpha's first paragraph", "Alpha's opening paragraph")
			},
			changed: []string{"content/guides/alpha.md"},
		},
		{
			name:        "heading another page links to is renamed",
			edit:        func(s *generatortest.Site) { replaceIn(s, "content/guides/alpha.md", "## Steps", "## Stages") },
			changed:     []string{"content/guides/alpha.md"},
			incremental: true,
			problem:     `content/guides/beta.md:8:16: broken link "alpha.md#steps": no heading "steps" in content/guides/alpha.md`,
		},
		{
			name:        "heading restored",
			edit:        func(s *generatortest.Site) { replaceIn(s, "content/guides/alpha.md", "## Stages", "## Steps") },
			changed:     []string{"content/guides/alpha.md"},
			incremental: true,
		},
		{
			name:        "broken link in a body",
			edit:        func(s *generatortest.Site) { appendTo(s, "content/tools/hammer.md", "\nSee [nothing](nothing.md).\n") },
			changed:     []string{"content/tools/hammer.md"},
			incremental: true,
			problem:     `content/tools/hammer.md:8:5: broken link "nothing.md": no page content/tools/nothing.md`,
		},
		{
			name:        "broken link fixed",
			edit:        func(s *generatortest.Site) { replaceIn(s, "content/tools/hammer.md", "nothing.md", "hammer.md") },
			changed:     []string{"content/tools/hammer.md"},
			incremental: true,
		},
		{
			name: "front matter edit",
			edit: func(s *generatortest.Site) {
				replaceIn(s, "content/guides/beta.md", `title = "Beta"`, `title = "Bravo"`)
			},
			changed: []string{"content/guides/beta.md"},
		},
		{
			name: "page added",
			edit: func(s *generatortest.Site) {
				s.Write("content/guides/gamma.md", "+++\ntitle = \"Gamma\"\ntags = [\"new\"]\n+++\nGamma links to [zeta](zeta.md).\n")
			},
			changed: []string{"content/guides/gamma.md"},
		},
		{
			name:    "page renamed",
			edit:    func(s *generatortest.Site) { s.Rename("content/guides/gamma.md", "content/guides/delta.md") },
			changed: []string{"content/guides/gamma.md", "content/guides/delta.md"},
		},
		{
			name:    "page deleted",
			edit:    func(s *generatortest.Site) { s.Remove("content/guides/delta.md") },
			changed: []string{"content/guides/delta.md"},
		},
		{
			name: "section renamed",
			edit: func(s *generatortest.Site) {
				s.Rename("content/tools", "content/kit")
			},
			changed: []string{"content/tools", "content/kit", "content/kit/_index.md", "content/kit/hammer.md"},
		},
		{
			name: "template that every page uses added",
			edit: func(s *generatortest.Site) {
				s.Write("layouts/partials/footer.html", `<footer>Site footer for {{.Title}}</footer>`)
			},
			incremental: true,
			changed:     []string{"layouts", "layouts/partials", "layouts/partials/footer.html"},
		},
		{
			name: "template edited",
			edit: func(s *generatortest.Site) {
				s.Write("layouts/partials/footer.html", `<footer>Footer of {{.Title}}</footer>`)
			},
			incremental: true,
			changed:     []string{"layouts/partials/footer.html"},
		},
		{
			name: "a layout starts showing other pages' bodies",
			edit: func(s *generatortest.Site) {
				s.Write("layouts/section.html", `{{define "main"}}{{range .Pages}}<div>{{.Content}}</div>{{end}}{{end}}`)
			},
			incremental: true,
			changed:     []string{"layouts/section.html"},
		},
		{
			name:    "body edit shown in a list",
			edit:    func(s *generatortest.Site) { appendTo(s, "content/guides/alpha.md", "\nShown in the list too.\n") },
			changed: []string{"content/guides/alpha.md"},
		},
		{
			name: "template with an error",
			edit: func(s *generatortest.Site) {
				s.Write("layouts/partials/footer.html", `<footer>{{.Title</footer>`)
			},
			incremental: true,
			changed:     []string{"layouts/partials/footer.html"},
			problem:     "layouts/partials/footer.html:1",
		},
		{
			name:        "template removed",
			edit:        func(s *generatortest.Site) { s.Remove("layouts") },
			incremental: true,
			changed:     []string{"layouts/partials/footer.html", "layouts/partials", "layouts"},
		},
		{
			name: "site.toml edited",
			edit: func(s *generatortest.Site) {
				replaceIn(s, "site.toml", `title = "Coaching"`, `title = "Coaching notes"`)
			},
			changed: []string{"site.toml"},
		},
		{
			name:        "stylesheet edited",
			edit:        func(s *generatortest.Site) { s.Write("static/css/extra.css", "body { color: navy; }\n") },
			changed:     []string{"static/css/extra.css"},
			incremental: true,
			written:     []string{"css/extra.css"},
		},
		{
			name:        "page resource edited",
			edit:        func(s *generatortest.Site) { s.Write("content/guides/diagram.png", "PNG2") },
			changed:     []string{"content/guides/diagram.png"},
			incremental: true,
			written:     []string{"guides/diagram.png"},
		},
		{
			name:    "static file added",
			edit:    func(s *generatortest.Site) { s.Write("static/js/extra.js", "// extra\n") },
			changed: []string{"static/js", "static/js/extra.js"},
		},
		{
			name:        "editor temporaries only",
			edit:        func(s *generatortest.Site) { s.Write("content/guides/.alpha.md.swp", "junk") },
			changed:     []string{"content/guides/.alpha.md.swp", "content/guides/alpha.md~", "content/4913"},
			incremental: true,
			written:     []string{},
		},
		{
			name: "page made a draft",
			edit: func(s *generatortest.Site) {
				replaceIn(s, "content/guides/zeta.md", `title = "Zeta"`, "title = \"Zeta\"\ndraft = true")
			},
			changed: []string{"content/guides/zeta.md"},
		},
		{
			name:    "draft edited",
			edit:    func(s *generatortest.Site) { appendTo(s, "content/guides/zeta.md", "\nStill a draft.\n") },
			changed: []string{"content/guides/zeta.md"},
		},
	}
	for _, st := range steps {
		st.edit(s)
		upd, err := b.Build(t.Context(), st.changed)
		if st.problem != "" {
			var ps generator.Problems
			if !errors.As(err, &ps) || !strings.Contains(ps.Error(), st.problem) {
				t.Fatalf("%s: error %v, want problem %q", st.name, err, st.problem)
			}
			// The output is still the last good build's; the next step
			// fixes the site and compares again.
		} else if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		} else {
			assertSameAsCleanBuild(t, opts)
			if st.written != nil && !slices.Equal(upd.Written, st.written) {
				t.Errorf("%s: wrote %q, want %q", st.name, upd.Written, st.written)
			}
		}
		if upd.Incremental != st.incremental {
			t.Errorf("%s: incremental = %v, want %v", st.name, upd.Incremental, st.incremental)
		}
	}
}

func TestBuilderKeepsOutputWhileABuildHasProblems(t *testing.T) {
	s := generatortest.New(t, liveSite)
	served := filepath.Join(t.TempDir(), "served")
	opts := generator.Options{Source: s.Dir, Dest: served}
	b := builtBuilder(t, opts)
	before := readTree(t, served)
	appendTo(s, "content/guides/alpha.md", "\nA [broken](missing.md) link.\n")
	if _, err := b.Build(t.Context(), []string{"content/guides/alpha.md"}); err == nil {
		t.Fatal("build with a broken link succeeded")
	}
	if diff := diffTrees(before, readTree(t, served)); diff != "" {
		t.Fatalf("output changed by a failed build: %s", diff)
	}
	// An unrelated edit still fails: the earlier change is remembered.
	appendTo(s, "content/tools/hammer.md", "\nAnother line.\n")
	if _, err := b.Build(t.Context(), []string{"content/tools/hammer.md"}); err == nil {
		t.Fatal("build after an unrelated edit forgot the broken link")
	}
	replaceIn(s, "content/guides/alpha.md", "missing.md", "beta.md")
	if _, err := b.Build(t.Context(), []string{"content/guides/alpha.md"}); err != nil {
		t.Fatal(err)
	}
	assertSameAsCleanBuild(t, opts)
}

func TestBuilderFirstBuildCleansAUsedDestination(t *testing.T) {
	s := generatortest.New(t, liveSite)
	served := filepath.Join(t.TempDir(), "served")
	if err := os.MkdirAll(filepath.Join(served, "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(served, "stale", "index.html"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := generator.Options{Source: s.Dir, Dest: served}
	b, err := generator.NewBuilder(opts)
	if err != nil {
		t.Fatal(err)
	}
	upd, err := b.Build(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(upd.Removed, []string{"stale/index.html"}) {
		t.Errorf("removed %q, want the stale page", upd.Removed)
	}
	assertSameAsCleanBuild(t, opts)
}

// assertSameAsCleanBuild builds the site from scratch into a new directory
// and compares it with opts.Dest byte for byte.
func assertSameAsCleanBuild(tb testing.TB, opts generator.Options) {
	tb.Helper()
	clean := opts
	clean.Dest = filepath.Join(tb.TempDir(), "clean")
	if _, err := generator.Build(tb.Context(), clean); err != nil {
		tb.Fatalf("clean build: %v", err)
	}
	if diff := diffTrees(readTree(tb, clean.Dest), readTree(tb, opts.Dest)); diff != "" {
		tb.Fatalf("served tree differs from a clean build: %s", diff)
	}
}

func readTree(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel != "." {
				files[filepath.ToSlash(rel)+"/"] = nil
			}
			return nil
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// diffTrees describes the first differences between two trees: want is
// the clean build.
func diffTrees(want, got map[string][]byte) string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[name]
		switch {
		case !ok:
			out = append(out, "missing "+name)
		case !bytes.Equal(g, want[name]):
			out = append(out, "different "+name+":\n--- got\n"+string(g)+"\n--- want\n"+string(want[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			out = append(out, "extra "+name)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], "...")
	}
	return strings.Join(out, "\n")
}

func appendTo(s *generatortest.Site, name, text string) {
	s.Write(name, s.Read(name)+text)
}

func replaceIn(s *generatortest.Site, name, old, new string) {
	content := s.Read(name)
	if !strings.Contains(content, old) {
		panic(name + " lacks " + old)
	}
	s.Write(name, strings.Replace(content, old, new, 1))
}

func TestBuilderRendersListsAgainWhenALayoutShowsOtherPagesBodies(t *testing.T) {
	tests := []struct {
		name        string
		layout      string
		incremental bool
	}{
		{"bodies in a range", `{{define "main"}}{{range .Pages}}{{.Content}}{{end}}{{end}}`, false},
		{"word counts through a variable", `{{define "main"}}{{range $p := .Pages}}{{$p.WordCount}}{{end}}{{end}}`, false},
		{"headings of the parent", `{{define "main"}}{{range .Parent.Headings}}{{.Text}}{{end}}{{end}}`, false},
		{"titles only", `{{define "main"}}{{range .Pages}}{{.Title}}{{end}}{{.Content}}{{end}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := generatortest.New(t, liveSite)
			s.Write("layouts/section.html", tt.layout)
			opts := generator.Options{Source: s.Dir, Dest: filepath.Join(t.TempDir(), "served")}
			b := builtBuilder(t, opts)
			appendTo(s, "content/guides/alpha.md", "\n## Later\n\nA new paragraph with words.\n")
			upd, err := b.Build(t.Context(), []string{"content/guides/alpha.md"})
			if err != nil {
				t.Fatal(err)
			}
			if upd.Incremental != tt.incremental {
				t.Errorf("incremental = %v, want %v", upd.Incremental, tt.incremental)
			}
			assertSameAsCleanBuild(t, opts)
		})
	}
}

func TestBuilderFullRebuildConvertsOnlyBodiesWhoseLinksChanged(t *testing.T) {
	s := generatortest.New(t, `
-- content/a.md --
+++
title = "A"
+++
A links to [bee](id:bee) and [see](c.md).
-- content/b.md --
+++
title = "B"
id = "bee"
+++
B.
-- content/c.md --
+++
title = "C"
+++
C.
-- content/d.md --
+++
title = "D"
+++
D links nowhere.
`)
	opts := generator.Options{Source: s.Dir, Dest: filepath.Join(t.TempDir(), "served")}
	b, err := generator.NewBuilder(opts)
	if err != nil {
		t.Fatal(err)
	}
	if upd, err := b.Build(t.Context(), nil); err != nil || upd.Converted != 4 {
		t.Fatalf("first build converted %d bodies, %v; want all 4", upd.Converted, err)
	}
	tests := []struct {
		name      string
		edit      func()
		changed   []string
		converted int
	}{
		{"a page added", func() { s.Write("content/e.md", "+++\ntitle = \"E\"\n+++\nE.\n") }, []string{"content/e.md"}, 1},
		{"a title changed", func() { replaceIn(s, "content/d.md", `title = "D"`, `title = "Dee"`) }, []string{"content/d.md"}, 0},
		{"the site title changed", func() { s.Write("site.toml", "title = \"Renamed\"\n") }, []string{"site.toml"}, 0},
		{"a linked page moved: it and the page linking to it", func() { s.Rename("content/b.md", "content/bee.md") },
			[]string{"content/b.md", "content/bee.md"}, 2},
		{"a page's first line moved", func() { replaceIn(s, "content/d.md", "+++\ntitle", "+++\n\ntitle") }, []string{"content/d.md"}, 1},
	}
	for _, tt := range tests {
		tt.edit()
		upd, err := b.Build(t.Context(), tt.changed)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if upd.Converted != tt.converted {
			t.Errorf("%s: converted %d bodies, want %d", tt.name, upd.Converted, tt.converted)
		}
		assertSameAsCleanBuild(t, opts)
	}
}

func TestBuilderStoppedByItsContextKeepsOutputAndChanges(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(s *generatortest.Site)
		changed []string
	}{
		{"body edit", func(s *generatortest.Site) { appendTo(s, "content/guides/alpha.md", "\nMore.\n") }, []string{"content/guides/alpha.md"}},
		{"layout edit", func(s *generatortest.Site) { s.Write("layouts/partials/footer.html", "<footer>F</footer>") }, []string{"layouts/partials/footer.html"}},
		{"config edit", func(s *generatortest.Site) { s.Write("site.toml", "title = \"Other\"\n") }, []string{"site.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := generatortest.New(t, liveSite)
			opts := generator.Options{Source: s.Dir, Dest: filepath.Join(t.TempDir(), "served")}
			b := builtBuilder(t, opts)
			before := readTree(t, opts.Dest)
			tt.edit(s)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if _, err := b.Build(ctx, tt.changed); !errors.Is(err, context.Canceled) {
				t.Fatalf("build with a cancelled context: %v", err)
			}
			if diff := diffTrees(before, readTree(t, opts.Dest)); diff != "" {
				t.Fatalf("a stopped build changed the output: %s", diff)
			}
			if _, err := b.Build(t.Context(), []string{}); err != nil {
				t.Fatal(err)
			}
			assertSameAsCleanBuild(t, opts)
		})
	}
}
