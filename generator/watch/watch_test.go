package watch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/playbook-dev/playbook/generator/watch"
)

func TestBatch(t *testing.T) {
	tests := []struct {
		name  string
		sends []time.Duration // delay before each path
		want  []int           // batch sizes
	}{
		{"a burst of 500 is one batch", repeat(500, time.Millisecond), []int{500}},
		{"a quiet spell splits batches", append(repeat(3, 0), append([]time.Duration{200 * time.Millisecond}, repeat(2, 0)...)...), []int{3, 3}},
		{"a steady stream is cut after twenty spells", repeat(100, 30*time.Millisecond), []int{34, 34, 32}},
		{"one change", []time.Duration{0}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				in := make(chan string)
				var got []int
				done := make(chan struct{})
				go func() {
					defer close(done)
					watch.Batch(t.Context(), in, 50*time.Millisecond, func(b []string) { got = append(got, len(b)) })
				}()
				for i, d := range tt.sends {
					time.Sleep(d)
					in <- fmt.Sprintf("content/p%03d.md", i)
				}
				time.Sleep(time.Second)
				synctest.Wait()
				close(in)
				<-done
				if !slices.Equal(got, tt.want) {
					t.Errorf("batch sizes %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func TestBatchDeduplicatesAndSorts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := make(chan string)
		var got [][]string
		go watch.Batch(t.Context(), in, 50*time.Millisecond, func(b []string) { got = append(got, b) })
		for _, p := range []string{"content/b.md", "content/a.md", "content/b.md"} {
			in <- p
		}
		time.Sleep(time.Second)
		synctest.Wait()
		want := [][]string{{"content/a.md", "content/b.md"}}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// watched starts a Watcher on a new site directory and returns the
// directory and a function that waits for the next batch.
func watched(t *testing.T) (string, func() []string) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"content/guides", "static", "public"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w, err := watch.New(watch.Options{Root: dir, Include: []string{"content", "layouts", "static", "site.toml"}})
	if err != nil {
		t.Fatal(err)
	}
	batches := make(chan []string, 100)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx, func(b []string) { batches <- b }); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	next := func() []string {
		t.Helper()
		select {
		case b := <-batches:
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no batch of changes reported")
			return nil
		}
	}
	return dir, next
}

// until collects batches until one holds sentinel.
func until(t *testing.T, next func() []string, sentinel string) []string {
	t.Helper()
	var all []string
	for !slices.Contains(all, sentinel) {
		all = append(all, next()...)
	}
	return all
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherReportsChanges(t *testing.T) {
	tests := []struct {
		name     string
		do       func(t *testing.T, dir string)
		want     []string // each must be reported
		sentinel string   // reported last, when want is empty
		never    []string // none may be reported
	}{
		{
			name: "an edit",
			do:   func(t *testing.T, dir string) { write(t, dir, "content/a.md", "a") },
			want: []string{"content/a.md"},
		},
		{
			name: "an atomic save through a temporary file",
			do: func(t *testing.T, dir string) {
				write(t, dir, "content/guides/.b.md.swp", "swap")
				write(t, dir, "content/guides/4913", "")
				write(t, dir, "content/guides/b.md.tmp", "b")
				if err := os.Rename(filepath.Join(dir, "content/guides/b.md.tmp"), filepath.Join(dir, "content/guides/b.md")); err != nil {
					t.Fatal(err)
				}
			},
			want:  []string{"content/guides/b.md"},
			never: []string{"content/guides/.b.md.swp", "content/guides/4913", "content/guides/b.md.tmp"},
		},
		{
			name: "directories created later, with files written at once",
			do: func(t *testing.T, dir string) {
				write(t, dir, "content/new/deeper/c.md", "c")
				write(t, dir, "layouts/page.html", "x")
			},
			want: []string{"content/new", "content/new/deeper/c.md", "layouts/page.html"},
		},
		{
			name: "ignored names and paths outside the inputs",
			do: func(t *testing.T, dir string) {
				write(t, dir, "content/guides/d.md~", "backup")
				write(t, dir, "content/.#d.md", "lock")
				write(t, dir, "content/.hidden/e.md", "e")
				write(t, dir, "public/index.html", "out")
				write(t, dir, "README.md", "readme")
				write(t, dir, "site.toml", "title = \"T\"")
			},
			sentinel: "site.toml",
			never:    []string{"content/guides/d.md~", "content/.#d.md", "content/.hidden/e.md", "public/index.html", "README.md"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, next := watched(t)
			tt.do(t, dir)
			sentinel := tt.sentinel
			if sentinel == "" {
				sentinel = tt.want[len(tt.want)-1]
			}
			got := until(t, next, sentinel)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s not reported; got %q", w, got)
				}
			}
			for _, n := range tt.never {
				if slices.Contains(got, n) {
					t.Errorf("%s reported; got %q", n, got)
				}
			}
		})
	}
}

func TestWatcherFollowsNewAndRenamedDirectories(t *testing.T) {
	dir, next := watched(t)
	write(t, dir, "content/tools/hammer.md", "h")
	until(t, next, "content/tools/hammer.md")
	// The new directory is watched: an edit inside it is seen.
	write(t, dir, "content/tools/hammer.md", "h2")
	until(t, next, "content/tools/hammer.md")

	if err := os.Rename(filepath.Join(dir, "content/tools"), filepath.Join(dir, "content/kit")); err != nil {
		t.Fatal(err)
	}
	got := until(t, next, "content/kit")
	if !slices.Contains(got, "content/tools") || !slices.Contains(got, "content/kit/hammer.md") {
		t.Errorf("rename reported as %q, want the old directory and the moved file", got)
	}
	write(t, dir, "content/kit/hammer.md", "h3")
	got = until(t, next, "content/kit/hammer.md")
	for _, p := range got {
		if strings.HasPrefix(p, "content/tools") {
			t.Errorf("edit in a moved directory reported under its old name: %q", got)
		}
	}

	if err := os.RemoveAll(filepath.Join(dir, "content/kit")); err != nil {
		t.Fatal(err)
	}
	until(t, next, "content/kit")
}

func TestWatcherReportsACheckoutOfManyFilesInFewBatches(t *testing.T) {
	dir, next := watched(t)
	for i := range 500 {
		write(t, dir, fmt.Sprintf("content/guides/p%03d.md", i), "x")
	}
	write(t, dir, "site.toml", "done")
	batches := 0
	var all []string
	for !slices.Contains(all, "site.toml") {
		all = append(all, next()...)
		batches++
	}
	for i := range 500 {
		if p := fmt.Sprintf("content/guides/p%03d.md", i); !slices.Contains(all, p) {
			t.Fatalf("%s not reported", p)
		}
	}
	t.Logf("500 files reported in %d batches", batches)
}
