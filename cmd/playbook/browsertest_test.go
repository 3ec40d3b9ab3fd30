package main_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/web"
)

// The browser tests build the real content/ with the default theme, serve
// it with the tracker mounted at /track/ like `playbook serve` does, and
// drive Debian's chromium through the DevTools protocol.

// missing skips the test loudly, or fails it when CI=true: in CI a
// skipped browser test would hide a broken theme.
func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s", msg)
	}
	tb.Skipf("SKIPPED, NOT TESTED: %s", msg)
}

// chromiumPath finds the browser: $PLAYBOOK_CHROMIUM, else chromium on PATH.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("PLAYBOOK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(tb, "no chromium found (install it with `apt-get install -y chromium`, or set PLAYBOOK_CHROMIUM)")
	return ""
}

// axeSource reads axe-core from $PLAYBOOK_AXE_JS.
func axeSource(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("PLAYBOOK_AXE_JS")
	if p == "" {
		missing(tb, "PLAYBOOK_AXE_JS is not set (source .ci/browser.sh, or `npm install axe-core` outside the repo and point it at axe.min.js)")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		missing(tb, "PLAYBOOK_AXE_JS: %v", err)
	}
	return string(data)
}

// screensDir is where screenshots go for people to look at:
// test-output/screens/ at the repository root (git-ignored).
func screensDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PLAYBOOK_SCREENS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output", "screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// siteEnv is the built default playbook on a test server, with the tracker.
type siteEnv struct {
	URL   string
	Dest  string
	DB    *sqldb.DB
	Token string // join link token of the team "Team East"
}

func newSiteEnv(t *testing.T) *siteEnv {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := generator.Build(t.Context(), generator.Options{Source: filepath.Join("..", ".."), Dest: dest}); err != nil {
		t.Fatalf("build content/: %v", err)
	}
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "tracker.db"), sqldb.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tok, hash, err := tracker.NewJoinToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(t.Context(), "Team East", hash); err != nil {
		t.Fatal(err)
	}
	// A second team, so that counts read "of 2 teams".
	_, hash2, _ := tracker.NewJoinToken()
	if _, err := db.CreateTeam(t.Context(), "Team West", hash2); err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{Store: db, CatalogPath: filepath.Join(dest, "catalog.json"), BasePath: "/track", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/track/", h)
	mux.Handle("/", http.FileServer(http.Dir(dest)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &siteEnv{URL: srv.URL, Dest: dest, DB: db, Token: tok}
}

// newBrowser starts a headless chromium with a fresh profile and returns
// its first tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }() // starts the browser
	select {
	case err := <-started:
		if err != nil {
			missing(t, "chromium at %s does not start: %v", path, err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("chromium at %s did not start within two minutes", path)
	}
	return ctx
}

// newTab opens a tab of the browser, closed when the test ends; its
// actions time out after three minutes so that a stuck page fails the
// test instead of hanging it.
func newTab(tb testing.TB, browser context.Context) context.Context {
	tb.Helper()
	tctx, tcancel := context.WithTimeout(browser, 3*time.Minute)
	tb.Cleanup(tcancel)
	ctx, cancel := chromedp.NewContext(tctx)
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		tb.Fatal(err)
	}
	return ctx
}

func do(tb testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the tab and decodes its value.
func eval[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitUntil evaluates a JavaScript condition until it holds, and fails
// the test with what describe evaluates to when it never does. It asks
// again after errors, since a navigation destroys the page it asked.
func waitUntil(tb testing.TB, ctx context.Context, cond, describe string) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			state := "?"
			if describe != "" {
				state, _ = chromedp.Run(ctx, chromedp.Evaluate[string](describe))
			}
			tb.Fatalf("waiting for %s: %v; page: %s", cond, err, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// navigate loads url and waits for the document to be complete.
func navigate(tb testing.TB, ctx context.Context, url string) {
	tb.Helper()
	do(tb, ctx, chromedp.Navigate(url))
	waitUntil(tb, ctx, `document.readyState === "complete"`, "")
}

// emulateMedia sets the CSS media type ("print", "screen", "" for none)
// and the colour scheme ("dark", "light", "" for the system's).
func emulateMedia(media, scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		p := emulation.SetEmulatedMediaParams{Media: media}
		if scheme != "" {
			p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
		}
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, p)
		return err
	})
}

// disableScripts turns JavaScript off in the tab, as a reader with
// JavaScript disabled would browse.
func disableScripts(tb testing.TB, ctx context.Context) {
	tb.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		tb.Fatal(err)
	}
}

// axeViolation is one failed axe-core rule.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe injects axe-core into the page and returns its violations.
func runAxe(tb testing.TB, ctx context.Context, axe string) []axeViolation {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		tb.Fatalf("inject axe-core: %v", err)
	}
	return eval[[]axeViolation](tb, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " → " + (n.failureSummary || "").replace(/\s+/g, " "))})))`)
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pdfPages counts the pages of a PDF that Chrome printed.
func pdfPages(data []byte) int { return len(pdfPage.FindAll(data, -1)) }

// writeScreenshot saves a full-page PNG of the tab.
func writeScreenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(screensDir(tb), name), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func trimmed(s string) string { return strings.Join(strings.Fields(s), " ") }
