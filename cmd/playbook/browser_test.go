package main_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/playbook-dev/playbook/tracker"
)

// reviewPages are the pages a reader meets first, one of each layout;
// accessibility is checked and screenshots are taken on each.
var reviewPages = []struct{ name, path string }{
	{"home", "/"},
	{"section", "/practices/"},
	{"practice", "/practices/post-call-debrief/"},
	{"questions", "/questions/post-call-debrief-questions/"},
	{"script", "/scripts/coaching-means-trouble/"},
	{"tracker-dashboard", "/track/"},
}

const practicePath = "/practices/post-call-debrief/"

// TestThemeInBrowser drives the default theme in a real browser: the
// subtests share one build, one tracker and one browser, and run in order
// (the adoption subtests build on each other's reports).
func TestThemeInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED, NOT TESTED: browser tests do not run with -short")
	}
	browser := newBrowser(t)
	env := newSiteEnv(t)

	t.Run("home routes newcomers by role", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+"/")
		for _, tc := range []struct{ name, text, path string }{
			{"manager", "I am a manager", "/roles/manager/"},
			{"enablement", "I lead enablement", "/roles/head-of-coaching/"},
			{"rep", "I am a rep", "/roles/rep/"},
			{"sales", "I run sales", "/roles/sales-leader/"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := eval[string](t, ctx, fmt.Sprintf(`(() => {
					const a = [...document.querySelectorAll(".role-routes li > a")].find(a => a.textContent.includes(%q));
					return a ? new URL(a.href).pathname : "no link";
				})()`, tc.text))
				if got != tc.path {
					t.Errorf("%q links to %s, want %s", tc.text, got, tc.path)
				}
			})
		}
	})

	t.Run("navigation shows where you are", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+"/")
		do(t, ctx, chromedp.Click(chromedp.CSS(`.main-nav a[href="/practices/"]`)))
		waitUntil(t, ctx, `location.pathname === "/practices/" && document.readyState === "complete"`, `location.href`)
		if got := eval[string](t, ctx, `document.querySelector("h1").textContent`); got != "Practices" {
			t.Errorf("section h1 = %q, want Practices", got)
		}
		open := eval[string](t, ctx, `document.querySelector(".tree a[aria-current=page]")?.closest("details[open]")?.querySelector("summary").textContent ?? "none"`)
		if open != "Practices" {
			t.Errorf("open section holding the current page in the tree = %q, want Practices", open)
		}

		first := eval[string](t, ctx, `new URL(document.querySelector(".page-list a").href).pathname`)
		do(t, ctx, chromedp.Click(chromedp.CSS(`.page-list a`)))
		waitUntil(t, ctx, fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, first), `location.href`)
		crumbs := trimmed(eval[string](t, ctx, `document.querySelector(".breadcrumbs").textContent`))
		title := trimmed(eval[string](t, ctx, `document.querySelector("h1").textContent`))
		if !strings.Contains(crumbs, "Practices") || !strings.HasSuffix(crumbs, title) {
			t.Errorf("breadcrumbs %q: want Practices and the page title %q", crumbs, title)
		}
		if got := eval[string](t, ctx, `new URL(document.querySelector(".tree a[aria-current=page]").href).pathname`); got != first {
			t.Errorf("tree marks %s as current, want %s", got, first)
		}

		next := eval[string](t, ctx, `new URL(document.querySelector(".prevnext a[rel=next]").href).pathname`)
		do(t, ctx, chromedp.Click(chromedp.CSS(`.prevnext a[rel=next]`)))
		waitUntil(t, ctx, fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, next), `location.href`)
		prev := eval[string](t, ctx, `new URL(document.querySelector(".prevnext a[rel=prev]").href).pathname`)
		if prev != first {
			t.Errorf("previous of %s is %s, want %s", next, prev, first)
		}

		navigate(t, ctx, env.URL+practicePath)
		if got := eval[string](t, ctx, `document.querySelector("#steps .anchor")?.getAttribute("href") ?? "none"`); got != "#steps" {
			t.Errorf("anchor link of the Steps heading = %q, want #steps", got)
		}
		if got := eval[int](t, ctx, `document.querySelectorAll('.toc a[href="#steps"]').length`); got != 1 {
			t.Errorf("table of contents links to #steps %d times, want 1", got)
		}
		if got := eval[string](t, ctx, `document.querySelector(".page-meta time")?.getAttribute("datetime") ?? ""`); !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(got) {
			t.Errorf("last-updated date = %q, want YYYY-MM-DD", got)
		}
	})

	t.Run("keyboard users skip to the content and see the focus", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+practicePath)
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		focused := eval[string](t, ctx, `(e => e.className + " " + (e.getBoundingClientRect().top >= 0) + " " + getComputedStyle(e).outlineStyle)(document.activeElement)`)
		if focused != "skip-link true solid" {
			t.Errorf("first Tab focuses %q, want the skip link, on screen, with a solid outline", focused)
		}
		do(t, ctx, chromedp.KeyEvent(kb.Enter))
		waitUntil(t, ctx, `document.activeElement.id === "main"`, `document.activeElement.outerHTML.slice(0, 80)`)
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		if got := eval[string](t, ctx, `(e => e.closest("main") ? getComputedStyle(e).outlineStyle : "outside main: " + e.outerHTML.slice(0, 60))(document.activeElement)`); got != "solid" {
			t.Errorf("Tab after the skip link: focus %q, want a link in main with a solid outline", got)
		}
	})

	t.Run("search by keyboard", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+"/")
		do(t, ctx, chromedp.KeyEvent("/"))
		waitUntil(t, ctx, `document.activeElement.id === "search-input"`, `document.activeElement.outerHTML`)

		do(t, ctx, chromedp.KeyEvent("debrief"))
		waitUntil(t, ctx, `document.querySelectorAll("#search-results li").length > 0`, `document.querySelector(".search").outerHTML`)
		titles := eval[[]string](t, ctx, `[...document.querySelectorAll("#search-results .r-title")].map(e => e.textContent)`)
		for _, want := range []string{"Post-call debrief: two questions after every call", "Post-call debrief questions"} {
			if !slices.Contains(titles, want) {
				t.Errorf("results for debrief %q: want %q among them", titles, want)
			}
		}
		if got := eval[string](t, ctx, `document.querySelector("#search-results .r-title mark")?.textContent ?? ""`); !strings.EqualFold(got, "debrief") {
			t.Errorf("highlighted word in the first title = %q, want debrief", got)
		}

		do(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp))
		focused := eval[int](t, ctx, `[...document.querySelectorAll("#search-results a")].indexOf(document.activeElement)`)
		if focused != 0 {
			t.Errorf("after down, down, up the focused result is #%d, want #0", focused)
		}
		do(t, ctx, chromedp.KeyEvent(kb.ArrowUp))
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "search-input" {
			t.Errorf("up from the first result focuses %q, want the search box", got)
		}
		do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
		target := eval[string](t, ctx, `new URL(document.querySelector("#search-results li a").href).pathname`)
		do(t, ctx, chromedp.KeyEvent(kb.Enter))
		waitUntil(t, ctx, fmt.Sprintf(`location.pathname === %q`, target), `location.href`)

		// Words that only the body holds find the page too.
		navigate(t, ctx, env.URL+"/")
		do(t, ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.KeyEvent("parking lot"))
		waitUntil(t, ctx, `document.querySelectorAll("#search-results li").length > 0`, `document.querySelector(".search-status").textContent`)
		urls := eval[[]string](t, ctx, `[...document.querySelectorAll("#search-results li a")].map(a => new URL(a.href).pathname)`)
		if !slices.Contains(urls, practicePath) {
			t.Errorf("results for 'parking lot' %q: want %s", urls, practicePath)
		}
		do(t, ctx, chromedp.KeyEvent(kb.Escape))
		waitUntil(t, ctx, `document.querySelector(".search-panel").hidden`, `document.querySelector(".search").outerHTML`)

		// A heading that matches leads to that part of the page.
		navigate(t, ctx, env.URL+"/")
		do(t, ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.KeyEvent("watch for"))
		waitUntil(t, ctx, `[...document.querySelectorAll("#search-results li a")].some(a => a.hash)`, `document.querySelector(".search").outerHTML`)
		anchored := eval[string](t, ctx, `[...document.querySelectorAll("#search-results li a")].find(a => a.hash).href`)
		navigate(t, ctx, anchored)
		if !eval[bool](t, ctx, `document.getElementById(decodeURIComponent(location.hash.slice(1))) !== null`) {
			t.Errorf("result %s links to a heading the page does not have", anchored)
		}

		do(t, ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.KeyEvent("xyzzyq"))
		waitUntil(t, ctx, `document.querySelector(".search-status").textContent.startsWith("Nothing found")`, `document.querySelector(".search-status").textContent`)
	})

	t.Run("adoption form with JavaScript", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+"/track/join?token="+env.Token)
		navigate(t, ctx, env.URL+practicePath)
		waitUntil(t, ctx, `!document.querySelector(".adopt-status").hidden`, `document.querySelector(".adopt").outerHTML`)
		status := trimmed(eval[string](t, ctx, `document.querySelector(".adopt-status").textContent`))
		for _, want := range []string{"Your team, Team East: not reported yet", "Adopted by 0 of 2 teams."} {
			if !strings.Contains(status, want) {
				t.Errorf("status %q: want %q", status, want)
			}
		}
		key := eval[string](t, ctx, `document.querySelector(".adopt input[name=key]")?.value ?? ""`)
		if !regexp.MustCompile(`^[0-9a-f-]{32,36}$`).MatchString(key) {
			t.Errorf("idempotency key = %q, want a random UUID", key)
		}

		do(t, ctx,
			chromedp.Click(chromedp.CSS(`.adopt input[value=adopted]`)),
			chromedp.SendKeys(chromedp.CSS(`#adopt-note`), "Started after the kickoff"),
			chromedp.DoubleClick(chromedp.CSS(`.adopt button[type=submit]`)),
		)
		waitUntil(t, ctx, `location.pathname === "/track/reported" && document.readyState === "complete"`, `location.href`)
		events, err := env.DB.Events(t.Context(), tracker.EventFilter{PracticeID: "post-call-debrief"})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Status != tracker.Adopted || events[0].Note != "Started after the kickoff" {
			t.Fatalf("after a double click the tracker has %d events %+v, want one adopted report with the note", len(events), events)
		}

		navigate(t, ctx, env.URL+practicePath)
		waitUntil(t, ctx, `document.querySelector(".adopt-status").textContent.includes("of 2 teams")`, `document.querySelector(".adopt").outerHTML`)
		status = trimmed(eval[string](t, ctx, `document.querySelector(".adopt-status").textContent`))
		for _, want := range []string{"Your team, Team East: Adopted", "Adopted by 1 of 2 teams."} {
			if !strings.Contains(status, want) {
				t.Errorf("status after reporting %q: want %q", status, want)
			}
		}
		if got := eval[bool](t, ctx, `document.querySelector(".adopt input[value=adopted]").checked`); !got {
			t.Errorf("the team's current status is not preselected")
		}
	})

	t.Run("adoption form without JavaScript", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+"/track/join?token="+env.Token)
		disableScripts(t, ctx)
		navigate(t, ctx, env.URL+practicePath)
		for _, tc := range []struct{ name, expr string }{
			{"no team status", `document.querySelector(".adopt-status").hidden`},
			{"no idempotency key", `document.querySelector(".adopt input[name=key]") === null`},
			{"search box hidden", `document.querySelector(".search").hidden`},
			{"section links instead of search", `getComputedStyle(document.querySelector(".search-fallback")).display !== "none"`},
		} {
			if !eval[bool](t, ctx, tc.expr) {
				t.Errorf("%s: %s is false", tc.name, tc.expr)
			}
		}
		do(t, ctx,
			chromedp.Click(chromedp.CSS(`.adopt input[value=trying]`)),
			chromedp.Click(chromedp.CSS(`.adopt button[type=submit]`)),
		)
		waitUntil(t, ctx, `location.pathname === "/track/reported" && document.readyState === "complete"`, `location.href`)
		events, err := env.DB.Events(t.Context(), tracker.EventFilter{PracticeID: "post-call-debrief"})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[len(events)-1].Status != tracker.Trying {
			t.Fatalf("the tracker has %d events %+v, want a second one, trying", len(events), events)
		}
	})

	t.Run("adoption form without a reachable tracker", func(t *testing.T) {
		static := httptest.NewServer(http.FileServer(http.Dir(env.Dest))) // /track/ answers 404
		t.Cleanup(static.Close)
		ctx := newTab(t, browser)
		navigate(t, ctx, static.URL+practicePath)
		waitUntil(t, ctx, `performance.getEntriesByType("resource").some(e => e.name.includes("/api/status"))`, "")
		for _, tc := range []struct{ name, expr string }{
			{"form still there", `document.querySelector(".adopt form button[type=submit]") !== null`},
			{"the rest of the script ran", `!document.querySelector(".search").hidden`},
			{"key still added", `document.querySelector(".adopt input[name=key]") !== null`},
			{"no status shown", `document.querySelector(".adopt-status").hidden`},
		} {
			if !eval[bool](t, ctx, tc.expr) {
				t.Errorf("%s: %s is false", tc.name, tc.expr)
			}
		}
	})

	t.Run("dark mode follows the system", func(t *testing.T) {
		ctx := newTab(t, browser)
		navigate(t, ctx, env.URL+practicePath)
		for _, tc := range []struct {
			name, scheme     string
			bgDark, textDark bool
		}{
			{"light", "light", false, true},
			{"dark", "dark", true, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				do(t, ctx, emulateMedia("", tc.scheme))
				bg := luminance(t, eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`))
				fg := luminance(t, eval[string](t, ctx, `getComputedStyle(document.body).color`))
				if (bg < 0.2) != tc.bgDark || (fg < 0.2) != tc.textDark {
					t.Errorf("%s scheme: background luminance %.2f, text %.2f", tc.scheme, bg, fg)
				}
				if ratio := (max(bg, fg) + 0.05) / (min(bg, fg) + 0.05); ratio < 7 {
					t.Errorf("%s scheme: body text contrast %.1f:1, want at least 7:1", tc.scheme, ratio)
				}
			})
		}
	})

	t.Run("print gives a coaching card", func(t *testing.T) {
		ctx := newTab(t, browser)
		for _, tc := range []struct{ name, path string }{
			{"practice", practicePath},
			{"questions", "/questions/post-call-debrief-questions/"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				navigate(t, ctx, env.URL+tc.path)
				do(t, ctx, emulateMedia("print", ""))
				for _, sel := range []string{".site-header", ".tree", ".breadcrumbs", ".site-footer", ".prevnext"} {
					if got := eval[string](t, ctx, fmt.Sprintf(`(e => e ? getComputedStyle(e).display : "none")(document.querySelector(%q))`, sel)); got != "none" {
						t.Errorf("printed %s: display %s, want none", sel, got)
					}
				}
				url := eval[string](t, ctx, `(e => getComputedStyle(e).display !== "none" ? e.textContent : "hidden")(document.querySelector(".print-url"))`)
				if url != env.URL+tc.path {
					t.Errorf("printed address = %q, want %q", url, env.URL+tc.path)
				}
				pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(screensDir(t), tc.name+"-card.pdf"), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				do(t, ctx, chromedp.EmulateViewport(794, 1123, chromedp.EmulatePortrait))
				writeScreenshot(t, ctx, tc.name+"-print.png")
				do(t, ctx, chromedp.ResetViewport())
				if n := pdfPages(pdf); n != 1 {
					t.Errorf("the %s card prints on %d pages, want 1", tc.name, n)
				}
				do(t, ctx, emulateMedia("", ""))
			})
		}
	})

	t.Run("accessibility", func(t *testing.T) {
		axe := axeSource(t)
		ctx := newTab(t, browser)
		check := func(t *testing.T, what string) {
			t.Helper()
			vs := runAxe(t, ctx, axe)
			var serious int
			for _, v := range vs {
				t.Logf("axe %s %s: %s (%s)\n\t%s", v.Impact, v.ID, v.Help, what, strings.Join(v.Nodes, "\n\t"))
				if v.Impact == "serious" || v.Impact == "critical" {
					serious++
				}
			}
			if serious > 0 {
				t.Errorf("%s: %d serious or critical axe violations (listed above)", what, serious)
			} else {
				t.Logf("axe %s: %d violations, none serious or critical", what, len(vs))
			}
		}
		for _, scheme := range []string{"light", "dark"} {
			for _, pg := range reviewPages {
				t.Run(pg.name+"/"+scheme, func(t *testing.T) {
					do(t, ctx, emulateMedia("", scheme))
					navigate(t, ctx, env.URL+pg.path)
					foreign := eval[[]string](t, ctx, `performance.getEntriesByType("resource").map(e => e.name).filter(u => !u.startsWith(location.origin + "/"))`)
					if len(foreign) > 0 {
						t.Errorf("%s requests other hosts: %q", pg.path, foreign)
					}
					check(t, pg.path+" "+scheme)
				})
			}
			t.Run("search-results/"+scheme, func(t *testing.T) {
				do(t, ctx, emulateMedia("", scheme))
				navigate(t, ctx, env.URL+"/")
				do(t, ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.KeyEvent("debrief"))
				waitUntil(t, ctx, `document.querySelectorAll("#search-results li").length > 0`, "")
				do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
				check(t, "open search results "+scheme)
			})
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		ctx := newTab(t, browser)
		for _, width := range []int64{375, 1280, 1440} {
			opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
			if width < 600 {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
			}
			do(t, ctx, emulateMedia("", "light"), chromedp.EmulateViewport(width, 800, opts...))
			for _, pg := range reviewPages {
				navigate(t, ctx, env.URL+pg.path)
				writeScreenshot(t, ctx, fmt.Sprintf("%s-%d.png", pg.name, width))
				if width > 600 {
					if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > int(width) {
						t.Errorf("%s at %d px scrolls sideways: %d px wide", pg.path, width, w)
					}
				}
			}
			if width < 600 {
				for _, pg := range reviewPages[:5] {
					navigate(t, ctx, env.URL+pg.path)
					if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > int(width) {
						t.Errorf("%s at %d px scrolls sideways: %d px wide", pg.path, width, w)
					}
				}
			}
			navigate(t, ctx, env.URL+practicePath)
			do(t, ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.KeyEvent("debrief"))
			waitUntil(t, ctx, `document.querySelectorAll("#search-results li").length > 0`, "")
			do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
			writeScreenshot(t, ctx, fmt.Sprintf("search-%d.png", width))
			do(t, ctx, emulateMedia("", "dark"))
			navigate(t, ctx, env.URL+practicePath)
			writeScreenshot(t, ctx, fmt.Sprintf("practice-dark-%d.png", width))
		}
		t.Logf("screenshots in %s", screensDir(t))
	})
}

var rgbPattern = regexp.MustCompile(`rgba?\((\d+), (\d+), (\d+)`)

// luminance is the WCAG relative luminance of a CSS rgb() colour.
func luminance(tb testing.TB, css string) float64 {
	tb.Helper()
	m := rgbPattern.FindStringSubmatch(css)
	if m == nil {
		tb.Fatalf("colour %q is not rgb()", css)
	}
	var l [3]float64
	for i := range l {
		var v float64
		fmt.Sscan(m[i+1], &v)
		v /= 255
		if v <= 0.04045 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}
