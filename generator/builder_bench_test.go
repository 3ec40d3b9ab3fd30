package generator_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/generatortest"
)

// BenchmarkBuilderBodyEdit is the rebuild after a one-page body edit, the
// watcher and server aside: with words the site has (the search index's
// dictionary stays), and with a new word (every page's word positions
// move). Run it with -benchtime=500x to see the heap stay flat (heap-MB
// after edits 1, 250 and 500).
func BenchmarkBuilderBodyEdit(b *testing.B) {
	site := generatortest.BenchCorpus(b)
	builder := builtBuilder(b, generator.Options{Source: site, Dest: filepath.Join(b.TempDir(), "public")})
	rel, orig, para := generatortest.EditablePage(b, site)
	tests := []struct {
		name string
		edit func(i int) string
	}{
		{"known-words", func(i int) string {
			if i%2 == 1 {
				return orig + "\n" + para + "\n"
			}
			return orig
		}},
		{"new-word", func(i int) string { return orig + "\nzebra" + strconv.Itoa(i) + " again.\n" }},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var times []time.Duration
			i := 0
			for b.Loop() {
				i++
				start := time.Now()
				if err := os.WriteFile(filepath.Join(site, rel), []byte(tt.edit(i)), 0o644); err != nil {
					b.Fatal(err)
				}
				upd, err := builder.Build(b.Context(), []string{rel})
				if err != nil {
					b.Fatal(err)
				}
				if !upd.Incremental {
					b.Fatalf("edit %d of %s was not incremental", i, rel)
				}
				times = append(times, time.Since(start))
				if i == 1 || i == 250 || i == 500 {
					b.StopTimer()
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB@"+strconv.Itoa(i))
					b.StartTimer()
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
		})
	}
}

// BenchmarkBuilderLayoutEdit is the rebuild after an edit of a partial
// every page uses: every page is rendered again, nothing else is redone.
func BenchmarkBuilderLayoutEdit(b *testing.B) {
	site := generatortest.BenchCorpus(b)
	builder := builtBuilder(b, generator.Options{Source: site, Dest: filepath.Join(b.TempDir(), "public")})
	footer := filepath.Join(site, "layouts", "partials", "footer.html")
	if err := os.MkdirAll(filepath.Dir(footer), 0o755); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if err := os.WriteFile(footer, []byte("<footer>Edit "+strconv.Itoa(i)+"</footer>"), 0o644); err != nil {
			b.Fatal(err)
		}
		upd, err := builder.Build(b.Context(), []string{"layouts/partials/footer.html"})
		if err != nil {
			b.Fatal(err)
		}
		if !upd.Incremental || len(upd.Written) < 10000 {
			b.Fatalf("edit %d: incremental %v, %d files written", i, upd.Incremental, len(upd.Written))
		}
	}
}

// BenchmarkBuilderConfigEdit is a full rebuild (site.toml changed) that
// still writes only the files whose bytes changed.
func BenchmarkBuilderConfigEdit(b *testing.B) {
	site := generatortest.BenchCorpus(b)
	builder, err := generator.NewBuilder(generator.Options{Source: site, Dest: filepath.Join(b.TempDir(), "public")})
	if err != nil {
		b.Fatal(err)
	}
	config := filepath.Join(site, "site.toml")
	orig := []byte("title = \"Bench\"\n")
	if err := os.WriteFile(config, orig, 0o644); err != nil {
		b.Fatal(err)
	}
	if _, err := builder.Build(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		data := append(append([]byte{}, orig...), "\n# edit "+strconv.Itoa(i)+"\n"...)
		if err := os.WriteFile(config, data, 0o644); err != nil {
			b.Fatal(err)
		}
		upd, err := builder.Build(b.Context(), []string{"site.toml"})
		if err != nil {
			b.Fatal(err)
		}
		if upd.Incremental || len(upd.Written) != 0 {
			b.Fatalf("edit %d: incremental %v, wrote %d files for a comment", i, upd.Incremental, len(upd.Written))
		}
	}
}
