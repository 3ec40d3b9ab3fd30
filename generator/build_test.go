package generator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/generatortest"
)

const basicSite = `
-- site.toml --
title = "Coaching"
base_url = "https://example.org/"
paginate = 2
-- content/_index.md --
+++
title = "Welcome"
+++
Start here.
-- content/guides/_index.md --
+++
title = "Guides"
+++
All the guides.
-- content/guides/beta.md --
+++
title = "Beta"
weight = 2
date = 2026-01-02
tags = ["Listening"]
aliases = ["/old-beta/"]
+++
Beta body with [alpha](alpha.md#steps) and [the guides](_index.md).

## Steps

Do this.
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
-- content/guides/zeta.md --
+++
title = "Zeta"
+++
Unweighted pages come last.
-- content/guides/deep/nested/page.md --
+++
title = "Nested"
+++
Sections nest to any depth. ![a diagram](diagram.png)
-- content/guides/deep/nested/diagram.png --
PNG
-- static/robots-extra.txt --
static file
`

func TestBuildWritesPrettyURLsSectionsAndListsInOrder(t *testing.T) {
	s := generatortest.New(t, basicSite).Build().AssertOK()
	s.AssertExists(
		"public/index.html",
		"public/guides/index.html",
		"public/guides/alpha/index.html",
		"public/guides/beta/index.html",
		"public/guides/deep/nested/page/index.html",
		"public/guides/deep/nested/diagram.png",
		"public/guides/deep/index.html",
		"public/robots-extra.txt",
		"public/404.html",
		"public/robots.txt",
		"public/sitemap.xml",
		"public/index.xml",
		"public/catalog.json",
		"public/css/playbook.css",
	)
	s.AssertFile("public/guides/beta/index.html",
		`<a href="/guides/alpha/#steps">alpha</a>`,
		`<a href="/guides/">the guides</a>`,
		`<h2 id="steps">Steps</h2>`,
		`<link rel="canonical" href="https://example.org/guides/beta/">`,
	)
	// Weighted pages first, by weight; page 1 of 2 holds two.
	list := s.Read("public/guides/index.html")
	if a, b := strings.Index(list, "Alpha"), strings.Index(list, "Beta"); a < 0 || b < 0 || a > b {
		t.Errorf("section list not sorted by weight:\n%s", list)
	}
	s.AssertFile("public/guides/index.html", `href="/guides/page/2/"`, "Page 1 of 2")
	s.AssertFile("public/guides/page/2/index.html", "Zeta", "Page 2 of 2")
	s.AssertFile("public/guides/index.html", "Alpha’s first paragraph is its summary.")
	s.AssertFile("public/guides/deep/nested/page/index.html", `<img src="/guides/deep/nested/diagram.png" alt="a diagram">`)
	// Taxonomies fold case into one term.
	s.AssertFile("public/tags/listening/index.html", "Alpha", "Beta")
	s.AssertFile("public/tags/index.html", `href="/tags/feedback/"`, `href="/tags/listening/"`)
	s.AssertFile("public/old-beta/index.html", `<meta http-equiv="refresh" content="0; url=/guides/beta/">`)
	s.AssertFile("public/sitemap.xml", "<loc>https://example.org/guides/alpha/</loc>", "<lastmod>2026-01-01</lastmod>")
	s.AssertFile("public/index.xml", "<title>Beta</title>", "<link>https://example.org/guides/beta/</link>")
	s.AssertFile("public/robots.txt", "Sitemap: https://example.org/sitemap.xml")
	s.AssertFile("public/index.html", "<h1>Welcome</h1>", "Start here.")
	if s.Result.Pages != 4 || s.Result.Sections != 3 {
		t.Errorf("result counts pages=%d sections=%d, want 4 and 3", s.Result.Pages, s.Result.Sections)
	}
}

func TestBuildAppliesBasePathToEveryURL(t *testing.T) {
	s := generatortest.New(t, basicSite)
	s.Options.BaseURL = "https://intranet.example.org/playbook/"
	s.Build().AssertOK()
	s.AssertFile("public/guides/beta/index.html",
		`href="/playbook/guides/alpha/#steps"`,
		`href="/playbook/css/playbook.css"`,
		`href="/playbook/guides/"`,
	)
	s.AssertFile("public/guides/deep/nested/page/index.html", `src="/playbook/guides/deep/nested/diagram.png"`)
	s.AssertFile("public/old-beta/index.html", `url=/playbook/guides/beta/`)
	s.AssertFile("public/sitemap.xml", "<loc>https://intranet.example.org/playbook/guides/beta/</loc>")
	s.AssertFile("public/guides/index.html", `href="/playbook/guides/page/2/"`)
	for _, f := range []string{"public/index.html", "public/guides/index.html", "public/tags/listening/index.html"} {
		for _, attr := range []string{`href="/`, `src="/`, `action="/`} {
			content := s.Read(f)
			for i := strings.Index(content, attr); i >= 0; {
				if !strings.HasPrefix(content[i+len(attr)-1:], "/playbook/") {
					t.Errorf("%s: URL without the base path at %q", f, content[i:min(len(content), i+40)])
				}
				next := strings.Index(content[i+1:], attr)
				if next < 0 {
					break
				}
				i += next + 1
			}
		}
	}
}

func TestBuildReportsEveryProblemAndKeepsPreviousOutput(t *testing.T) {
	s := generatortest.New(t, basicSite).Build().AssertOK()
	before := treeHash(t, filepath.Join(s.Dir, "public"))

	s.Write("site.toml", "title = \"Coaching\"\ntitel = \"typo\"\n")
	s.Write("content/guides/alpha.md", "+++\ntitle = \"Alpha\"\nweigth = 1\n+++\nAlpha.\n\n## Steps\n")
	s.Write("content/guides/beta.md", "+++\ntitle = \"Beta\"\n+++\nSee [gone](gone.md) and\n[alpha](alpha.md#missing).\n")
	s.Build().AssertProblems(
		`content/guides/alpha.md:3:1: unknown key "weigth": did you mean "weight"?`,
		`content/guides/beta.md:4:5: broken link "gone.md": no page content/guides/gone.md`,
		`content/guides/beta.md:5:1: broken link "alpha.md#missing": no heading "missing" in content/guides/alpha.md`,
		`site.toml:2:1: unknown key "titel": did you mean "title"?`,
	)
	if after := treeHash(t, filepath.Join(s.Dir, "public")); after != before {
		t.Error("a failed build changed public/")
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "staging") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

func TestBuildIsByteIdenticalAndRemovesDeletedPages(t *testing.T) {
	s := generatortest.New(t, basicSite).Build().AssertOK()
	first := treeHash(t, filepath.Join(s.Dir, "public"))
	s.Build().AssertOK()
	if second := treeHash(t, filepath.Join(s.Dir, "public")); second != first {
		t.Error("two builds of the same input differ")
	}
	s.Remove("content/guides/zeta.md").Build().AssertOK()
	s.AssertExists("! public/guides/zeta/index.html", "public/guides/alpha/index.html")
}

func TestBuildProblems(t *testing.T) {
	tests := []struct {
		name  string
		files string
		want  []string
	}{
		{
			name: "two pages on one URL",
			files: `
-- content/a.md --
+++
title = "A"
+++
-- content/b.md --
+++
title = "B"
slug = "a"
+++
`,
			want: []string{`content/b.md:1:1: URL /a/ is also the URL of content/a.md`},
		},
		{
			name: "front matter syntax error",
			files: `
-- content/a.md --
+++
title = "A
+++
`,
			want: []string{`content/a.md:2:`},
		},
		{
			name: "front matter wrong type",
			files: `
-- content/a.md --
+++
title = "A"
weight = "heavy"
+++
`,
			want: []string{`content/a.md:3:`, `weight`},
		},
		{
			name:  "unterminated front matter",
			files: "-- content/a.md --\n+++\ntitle = \"A\"\n",
			want:  []string{`content/a.md:1:1: front matter: no closing +++ line`},
		},
		{
			name:  "yaml front matter",
			files: "-- content/a.md --\n---\ntitle: A\n---\n",
			want:  []string{`content/a.md:1:1: front matter: YAML (---) is not supported`},
		},
		{
			name: "missing resource and static file",
			files: `
-- content/a.md --
+++
title = "A"
+++
![chart](chart.png) [file](/files/x.pdf)
`,
			want: []string{`content/a.md:4:1: broken link "chart.png": no file content/chart.png`, `content/a.md:4:21: broken link "/files/x.pdf": no page or static file at /files/x.pdf`},
		},
		{
			name: "image without alt text",
			files: `
-- content/a.md --
+++
title = "A"
+++
![](pic.png)
-- content/pic.png --
x
`,
			want: []string{`content/a.md:4:1: image "pic.png" has no alt text`},
		},
		{
			name: "link to a missing anchor on the same page",
			files: `
-- content/a.md --
+++
title = "A"
+++
## Here

[there](#there) [here](#here)
`,
			want: []string{`content/a.md:6:1: broken link "#there": no heading "there" in content/a.md`},
		},
		{
			name: "template error names the template",
			files: `
-- content/a.md --
+++
title = "A"
+++
-- layouts/page.html --
{{define "main"}}
{{.NoSuchField}}
{{end}}
`,
			want: []string{`layouts/page.html:2:`, `NoSuchField`, `(rendering content/a.md)`},
		},
		{
			name: "template syntax error",
			files: `
-- layouts/page.html --
{{define "main"}}{{if}}{{end}}
`,
			want: []string{`layouts/page.html:1:`, `missing value for if`},
		},
		{
			name: "bad base_url and paginate",
			files: `
-- site.toml --
base_url = "ftp://x"
paginate = 0
`,
			want: []string{`site.toml:1:1: base_url:`, `site.toml:2:1: paginate: must be at least 1`},
		},
		{
			name: "alias colliding with a page",
			files: `
-- content/a.md --
+++
title = "A"
+++
-- content/b.md --
+++
title = "B"
aliases = ["/a/"]
+++
`,
			want: []string{`content/b.md:3:1: alias "/a/" is the URL of content/a.md`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := generatortest.New(t, tt.files).Build()
			for _, w := range tt.want {
				s.AssertProblem(w)
			}
			s.AssertExists("! public")
		})
	}
}

func TestSiteLayoutsShadowTheThemeFileByFile(t *testing.T) {
	s := generatortest.New(t, `
-- content/a.md --
+++
title = "A"
+++
Body.
-- layouts/partials/footer.html --
<footer>Our own footer</footer>
-- static/css/playbook.css --
body { color: red }
`).Build().AssertOK()
	s.AssertFile("public/a/index.html", "Our own footer", `<h1>A</h1>`)
	s.AssertFile("public/css/playbook.css", "color: red")
}

func TestRawHTMLIsEscapedUnlessUnsafe(t *testing.T) {
	page := "-- content/a.md --\n+++\ntitle = \"A\"\n+++\n<script>alert(1)</script>\n\nText <b>bold</b>.\n"
	s := generatortest.New(t, page).Build().AssertOK()
	s.AssertFile("public/a/index.html", "! <script>alert(1)", "! <b>bold</b>")
	s = generatortest.New(t, page+"-- site.toml --\n[markup]\nunsafe = true\n").Build().AssertOK()
	s.AssertFile("public/a/index.html", "<script>alert(1)</script>", "<b>bold</b>")
}

func TestDraftsAreBuiltOnlyWhenAsked(t *testing.T) {
	site := "-- content/a.md --\n+++\ntitle = \"A\"\ndraft = true\n+++\n"
	generatortest.New(t, site).Build().AssertOK().AssertExists("! public/a/index.html")
	s := generatortest.New(t, site)
	s.Options.Drafts = true
	s.Build().AssertOK().AssertExists("public/a/index.html")
}

func TestBuildRefusesDestinationsThatHoldTheSource(t *testing.T) {
	s := generatortest.New(t, "-- content/a.md --\nx\n")
	for _, dest := range []string{s.Dir, filepath.Dir(s.Dir), filepath.Join(s.Dir, "content")} {
		s.Options.Dest = dest
		if s.Build(); s.Err == nil {
			t.Errorf("build into %s succeeded", dest)
		}
	}
	s.AssertExists("content/a.md")
}

func TestDefaultContentBuildsWithoutProblems(t *testing.T) {
	s := generatortest.New(t, "")
	s.Options.Source = "../"
	s.Options.Dest = filepath.Join(t.TempDir(), "public")
	s.Build().AssertOK()
	if s.Result.Practices < 12 {
		t.Errorf("default playbook has %d practices, want at least 12", s.Result.Practices)
	}
}

// treeHash hashes every file's path and content below dir.
func treeHash(tb testing.TB, dir string) string {
	tb.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel + "\x00"))
		h.Write(data)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestLayoutsMayShowOtherPagesBodies(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- layouts/page.html --\n{{define \"main\"}}{{with .Prev}}prev:{{.Content}}{{end}}|{{with .Next}}next:{{.Content}}{{end}}{{end}}\n")
	for i := range 30 {
		fmt.Fprintf(&b, "-- content/p%02d.md --\n+++\ntitle = \"P%02d\"\nweight = %d\n+++\nBody %02d.\n", i, i, i+1, i)
	}
	s := generatortest.New(t, b.String()).Build().AssertOK()
	for i := 1; i < 29; i++ {
		s.AssertFile(fmt.Sprintf("public/p%02d/index.html", i),
			fmt.Sprintf("prev:<p>Body %02d.</p>", i-1), fmt.Sprintf("next:<p>Body %02d.</p>", i+1))
	}
}

func TestPagesShowOtherPagesSummariesTakenFromTheirBodies(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- layouts/page.html --\n{{define \"main\"}}{{range .RelatedPages}}[{{.Summary}}]{{end}}{{.Content}}{{end}}\n")
	for i := range 20 {
		summary := ""
		if i%2 == 0 {
			summary = fmt.Sprintf("summary = \"Given %02d.\"\n", i)
		}
		fmt.Fprintf(&b, "-- content/p%02d.md --\n+++\ntitle = \"P%02d\"\nid = \"p%02d\"\n%srelated = [\"p%02d\"]\n+++\nDerived %02d.\n",
			i, i, i, summary, (i+1)%20, i)
	}
	s := generatortest.New(t, b.String()).Build().AssertOK()
	for i := range 20 {
		next := (i + 1) % 20
		want := fmt.Sprintf("[Derived %02d.]", next)
		if next%2 == 0 {
			want = fmt.Sprintf("[Given %02d.]", next)
		}
		s.AssertFile(fmt.Sprintf("public/p%02d/index.html", i), want, fmt.Sprintf("<p>Derived %02d.</p>", i))
	}
}

func TestBuildCopiesManyStaticFilesAndResources(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- content/a.md --\n+++\ntitle = \"A\"\n+++\nA.\n")
	for i := range 300 {
		fmt.Fprintf(&b, "-- static/images/i%03d.txt --\nimage %d\n-- content/files/f%03d.txt --\nfile %d\n", i, i, i, i)
	}
	s := generatortest.New(t, b.String()).Build().AssertOK()
	for i := range 300 {
		s.AssertFile(fmt.Sprintf("public/images/i%03d.txt", i), fmt.Sprintf("image %d\n", i))
		s.AssertFile(fmt.Sprintf("public/files/f%03d.txt", i), fmt.Sprintf("file %d\n", i))
	}
}

func TestEveryListShowsAPageThroughTheListItemPartial(t *testing.T) {
	s := generatortest.New(t, basicSite).Build().AssertOK()
	item := "  <li class=\"item-page\">\n    <a href=\"/guides/alpha/\">Alpha</a>\n    \n\n" +
		"    <p>Alpha’s first paragraph is its summary.</p>\n  </li>\n"
	s.AssertFile("public/guides/index.html", item)
	s.AssertFile("public/tags/listening/index.html", item)
	s.AssertFile("public/tags/feedback/index.html", item)

	// A site's own item partial is what every list shows.
	s = generatortest.New(t, basicSite+`
-- layouts/partials/list-item.html --
<li>[{{.Title}}]</li>
`).Build().AssertOK()
	for _, f := range []string{"public/guides/index.html", "public/tags/listening/index.html"} {
		s.AssertFile(f, "<li>[Alpha]</li>", "<li>[Beta]</li>")
	}
}

func TestListItemsMayShowThePagesBodies(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- layouts/partials/list-item.html --\n<li>{{.Content}}</li>\n")
	for i := range 20 {
		fmt.Fprintf(&b, "-- content/p%02d.md --\n+++\ntitle = \"P%02d\"\nid = \"p%02d\"\nsummary = \"S.\"\nrelated = [\"p%02d\"]\n+++\nBody %02d.\n",
			i, i, i, (i+1)%20, i)
	}
	s := generatortest.New(t, b.String()).Build().AssertOK()
	for i := range 20 {
		s.AssertFile(fmt.Sprintf("public/p%02d/index.html", i), fmt.Sprintf("<li><p>Body %02d.</p>\n</li>", (i+1)%20))
	}
}
