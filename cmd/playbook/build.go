package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/playbook-dev/playbook/generator"
)

func (m *Main) runBuild(ctx context.Context, args []string) error {
	fs := m.flagSet("build", "build [-s SRC] [-d DEST] [--base-url URL] [--drafts] [--quiet]")
	src := fs.StringP("source", "s", ".", "site root: the directory holding site.toml and content/")
	dest := fs.StringP("destination", "d", "", "output directory (default SRC/public)")
	baseURL := fs.String("base-url", "", "override site.toml's base_url, e.g. https://example.org/playbook/")
	drafts := fs.BoolP("drafts", "D", false, "include pages marked draft = true")
	quiet := fs.BoolP("quiet", "q", false, "print nothing but problems")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if m.TuneGC != nil {
		defer m.TuneGC()()
	}
	res, err := generator.Build(ctx, generator.Options{
		Source: *src, Dest: *dest, BaseURL: *baseURL, Drafts: *drafts, Now: m.Now,
	})
	var problems generator.Problems
	if errors.As(err, &problems) {
		printProblems(m.Stderr, problems)
		fmt.Fprintf(m.Stderr, "build failed: %d %s; %s left untouched\n", len(problems), plural(len(problems), "problem"), res.Dest)
		return errProblems
	}
	if err != nil {
		return err
	}
	if !*quiet {
		printSummary(m.Stdout, res)
	}
	return nil
}

// printSummary is the one-screen report of a successful build.
func printSummary(w io.Writer, r *generator.Result) {
	fmt.Fprintf(w, "Built %s in %s\n", r.Dest, r.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "  %-12s %6d\n", "pages", r.Pages)
	fmt.Fprintf(w, "  %-12s %6d\n", "sections", r.Sections)
	fmt.Fprintf(w, "  %-12s %6d\n", "taxonomies", r.Taxonomies)
	fmt.Fprintf(w, "  %-12s %6d\n", "practices", r.Practices)
	fmt.Fprintf(w, "  %-12s %6d\n", "aliases", r.Aliases)
	fmt.Fprintf(w, "  %-12s %6d\n", "static files", r.Static)
	fmt.Fprintf(w, "  %-12s %6d\n", "problems", len(r.Problems))
}

func printProblems(w io.Writer, ps generator.Problems) {
	for _, p := range ps {
		fmt.Fprintln(w, p.String())
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
