package devserver_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/devserver/devservertest"
	"github.com/playbook-dev/playbook/generator/generatortest"
	"github.com/playbook-dev/playbook/generator/watch"
)

// BenchmarkEditToReload is what an author waits for: from writing a
// one-page body edit to the reload event reaching an open page, through
// the watcher (and its quiet spell), the incremental rebuild and the
// event stream. Set PLAYBOOK_BENCH_CORPUS to a site written by
// gen_corpus.py --pages 10000 and run it with -benchtime=20x. It reports
// the median wait and the median of the rebuild alone.
func BenchmarkEditToReload(b *testing.B) {
	site := generatortest.BenchCorpus(b)
	dest := filepath.Join(b.TempDir(), "public")
	builder, err := generator.NewBuilder(generator.Options{Source: site, Dest: dest})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := builder.Build(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	srv := devserver.New(dest, nil)
	w, err := watch.New(watch.Options{Root: site, Include: generator.Inputs()})
	if err != nil {
		b.Fatal(err)
	}
	rebuilds := make(chan time.Duration, 100)
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, func(batch []string) {
			upd, err := builder.Build(ctx, batch)
			srv.Publish(batch, upd, err)
			if err == nil {
				rebuilds <- upd.Duration
			}
		})
	}()
	ts := httptest.NewServer(srv)
	defer func() { cancel(); <-done; srv.Close(); ts.Close() }()
	events := devservertest.Subscribe(b, ts.URL)

	rel, orig, para := generatortest.EditablePage(b, site)
	var waits, builds []time.Duration
	i := 0
	for b.Loop() {
		i++
		content := orig
		if i%2 == 1 {
			content = orig + "\n" + para + "\n"
		}
		start := time.Now()
		if err := os.WriteFile(filepath.Join(site, rel), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
		if ev := <-events; ev.Name != "reload" {
			b.Fatalf("edit %d: got a %s event: %s", i, ev.Name, ev.Data)
		}
		waits = append(waits, time.Since(start))
		builds = append(builds, <-rebuilds)
	}
	b.ReportMetric(median(waits), "ms-edit-to-reload")
	b.ReportMetric(median(builds), "ms-rebuild")
}

func median(ds []time.Duration) float64 {
	slices.Sort(ds)
	return float64(ds[len(ds)/2].Microseconds()) / 1000
}
