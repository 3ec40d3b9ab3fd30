package generatortest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator"
)

// CorpusEnv names the environment variable that points benchmarks at a
// site written by ../shared/bench/gen_corpus.py.
const CorpusEnv = "PLAYBOOK_BENCH_CORPUS"

// BenchCorpus copies the corpus named by CorpusEnv into a temporary
// directory and returns it, or skips the benchmark when none is named.
func BenchCorpus(tb testing.TB) string {
	tb.Helper()
	src := os.Getenv(CorpusEnv)
	if src == "" {
		tb.Skip("set " + CorpusEnv + " to a site written by gen_corpus.py --pages 10000")
	}
	dir := filepath.Join(tb.TempDir(), "site")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// EditablePage picks a regular page of a site and a paragraph of its
// body: adding a copy of that paragraph changes the page but neither its
// summary nor the words of the site. rel is slash-separated, relative to
// site; orig is the file's content.
func EditablePage(tb testing.TB, site string) (rel, orig, para string) {
	tb.Helper()
	var pages []string
	err := filepath.WalkDir(filepath.Join(site, generator.ContentDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") && d.Name() != "_index.md" {
			pages = append(pages, p)
		}
		return err
	})
	if err != nil || len(pages) == 0 {
		tb.Fatalf("no page to edit in %s: %v", site, err)
	}
	slices.Sort(pages)
	p := pages[len(pages)/2]
	data, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	_, body, _, _ := generator.SplitFrontMatter(data)
	for _, par := range strings.Split(string(body), "\n\n") {
		if par = strings.TrimSpace(par); strings.Count(par, " ") > 10 && !strings.ContainsAny(par[:1], "#>![-|`") {
			para = par
			break
		}
	}
	rel, _ = filepath.Rel(site, p)
	return filepath.ToSlash(rel), string(data), para
}
