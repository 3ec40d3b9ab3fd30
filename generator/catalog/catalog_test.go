package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playbook-dev/playbook/generator/catalog"
)

func TestWriteReadRoundTripSortedAndStable(t *testing.T) {
	c := &catalog.Catalog{
		Site: catalog.Site{Title: "T", BaseURL: "/", TrackerURL: "/track"},
		Practices: []catalog.Practice{
			{ID: "weekly-one-to-one", Title: "Weekly", Kind: "practice", URL: "/p/w/", Cadence: "weekly", ReviewAfterDays: 30},
			{ID: "huddle", Title: "Huddle", Kind: "practice", URL: "/p/h/", Roles: []string{"manager"}},
		},
	}
	path := filepath.Join(t.TempDir(), catalog.FileName)
	if err := catalog.Write(path, c); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	if err := catalog.Write(path, c); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(path); string(first) != string(second) {
		t.Error("writing the same catalog twice gives different files")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("catalog mode %v, want 0644 so a static host can serve it", fi.Mode().Perm())
	}
	got, err := catalog.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schema != catalog.Schema || len(got.Practices) != 2 || got.Practices[0].ID != "huddle" {
		t.Fatalf("read back %+v", got)
	}
	if p, ok := got.Lookup("weekly-one-to-one"); !ok || p.ReviewAfterDays != 30 {
		t.Errorf("lookup = %+v, %v", p, ok)
	}
	if _, ok := got.Lookup("nope"); ok {
		t.Error("lookup found a missing id")
	}
	if !strings.Contains(string(first), `"roles": []`) {
		t.Errorf("empty lists must be written as [] for readers in other languages:\n%s", first)
	}
}

func TestParseRejectsWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"newer schema", `{"schema": 2, "practices": []}`, "schema 2 not supported"},
		{"no schema", `{"practices": []}`, "schema 0 not supported"},
		{"duplicate id", `{"schema": 1, "practices": [{"id": "a"}, {"id": "a"}]}`, `duplicate practice id "a"`},
		{"missing id", `{"schema": 1, "practices": [{"title": "x"}]}`, "has no id"},
		{"not json", `schema: 1`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.Parse([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := catalog.Parse([]byte(`{"schema": 1, "practices": [], "future_field": true}`)); err != nil {
		t.Errorf("an added field must not break readers: %v", err)
	}
}
