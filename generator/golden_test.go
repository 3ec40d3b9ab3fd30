package generator_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/playbook-dev/playbook/generator/generatortest"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// goldenFiles are the outputs compared for each golden site.
var goldenFiles = []string{
	"index.html", "practices/index.html", "practices/page/2/index.html",
	"practices/debrief/index.html", "practices/huddle/index.html", "practices/pipeline/index.html",
	"questions/debrief/index.html", "scripts/no-time/index.html", "old/index.html",
	"legacy/page/index.html", "tags/index.html", "catalog.json", "sitemap.xml", "index.xml", "robots.txt",
}

// TestGoldenSites builds each testdata/golden/NAME.txtar and compares the
// output with NAME.golden (a txtar archive of files). Run with -update to
// rewrite the golden files, then review the diff before committing.
func TestGoldenSites(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(inputs) == 0 {
		t.Fatal("no golden sites")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".txtar")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			s := generatortest.New(t, string(src)).Build().AssertOK()
			got := &txtar.Archive{}
			for _, f := range goldenFiles {
				got.Files = append(got.Files, txtar.File{Name: f, Data: []byte(s.Read("public/" + f))})
			}
			goldenPath := strings.TrimSuffix(in, ".txtar") + ".golden"
			if *update {
				if err := os.WriteFile(goldenPath, txtar.Format(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			want := txtar.Parse(data)
			if len(want.Files) != len(got.Files) {
				t.Fatalf("golden has %d files, output %d", len(want.Files), len(got.Files))
			}
			for i, f := range got.Files {
				if w := want.Files[i]; w.Name != f.Name || string(w.Data) != string(f.Data) {
					t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", f.Name, goldenPath, f.Data, w.Data)
				}
			}
		})
	}
}
