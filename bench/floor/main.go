// Command floor is the goldmark floor of `make bench`: the least work any
// markdown site generator must do on a corpus. It reads every .md file
// under SRC/content, drops the +++ front matter, converts the body with
// the goldmark extensions and options Playbook uses, wraps it in a trivial
// page and writes DEST/<path>/index.html (pretty URLs, as playbook does).
//
// It is the baseline `playbook build` is measured against, so it must be
// honest: all cores through a worker pool fed while the tree is walked, a
// reused buffer per worker, one directory creation per page. It has no
// sections, lists, link checks, templates or static files; that
// difference is what the ratio measures.
//
// It must not import the generator: it is a baseline, not a client.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

func main() {
	src := flag.String("s", ".", "site root holding content/")
	dest := flag.String("d", "", "output directory (must not exist or be empty)")
	flag.Parse()
	if *dest == "" {
		fmt.Fprintln(os.Stderr, "floor: -d DEST is required")
		os.Exit(2)
	}
	n, err := run(filepath.Join(*src, "content"), *dest)
	if err != nil {
		fmt.Fprintf(os.Stderr, "floor: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("floor: %d pages into %s\n", n, *dest)
}

// newMarkdown mirrors generator/markdown.New(markdown.Defaults()), minus
// Playbook's own link resolver: the same extensions and parser options.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.DefinitionList,
			extension.Typographer,
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()),
	)
}

// job is one markdown file: its path relative to the content root.
type job struct{ rel string }

func run(content, dest string) (int, error) {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return 0, err
	}
	md := newMarkdown()
	jobs := make(chan job, 256)
	var (
		pages    atomic.Int64
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			w := newWorker(md, content, dest)
			for j := range jobs {
				if err := w.page(j.rel); err != nil {
					fail(err)
					continue
				}
				pages.Add(1)
			}
		})
	}
	err := filepath.WalkDir(content, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(content, p)
			jobs <- job{rel: rel}
		}
		return nil
	})
	close(jobs)
	wg.Wait()
	if err == nil {
		err = firstErr
	}
	return int(pages.Load()), err
}

// worker holds one goroutine's reusable buffers.
type worker struct {
	md            goldmark.Markdown
	content, dest string
	out           bytes.Buffer
	bw            *bufio.Writer // goldmark allocates one per call otherwise
}

func newWorker(md goldmark.Markdown, content, dest string) *worker {
	w := &worker{md: md, content: content, dest: dest}
	w.bw = bufio.NewWriterSize(&w.out, 64<<10)
	return w
}

// page converts one file and writes it as <dir>/index.html.
func (w *worker) page(rel string) error {
	src, err := os.ReadFile(filepath.Join(w.content, rel))
	if err != nil {
		return err
	}
	title, body := split(src)
	w.out.Reset()
	w.out.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
	w.out.WriteString(html.EscapeString(title))
	w.out.WriteString("</title></head>\n<body><main>\n")
	if err := w.md.Convert(body, w.bw); err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if err := w.bw.Flush(); err != nil {
		return err
	}
	w.out.WriteString("</main></body></html>\n")

	dir := outDir(w.dest, rel)
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), w.out.Bytes(), 0o644)
}

// outDir is the pretty-URL directory of a page: a/b/slug.md → a/b/slug,
// a/_index.md → a.
func outDir(dest, rel string) string {
	rel = strings.TrimSuffix(rel, ".md")
	if filepath.Base(rel) == "_index" {
		rel = filepath.Dir(rel)
	}
	return filepath.Join(dest, rel)
}

// split returns the title from +++ TOML front matter (a cheap line scan,
// not a TOML parse) and the body after it.
func split(src []byte) (title string, body []byte) {
	rest, ok := bytes.CutPrefix(src, []byte("+++\n"))
	if !ok {
		return "", src
	}
	front, body, ok := bytes.Cut(rest, []byte("\n+++\n"))
	if !ok {
		return "", src
	}
	for line := range bytes.Lines(front) {
		if v, ok := bytes.CutPrefix(line, []byte("title = ")); ok {
			if t, err := strconv.Unquote(string(bytes.TrimSpace(v))); err == nil {
				title = t
			}
			break
		}
	}
	return title, body
}
