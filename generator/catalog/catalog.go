// Package catalog is the contract between the generator and the tracker: the
// practice catalog that `playbook build` writes as catalog.json and the
// tracker reads.
//
// It imports the standard library only, so that the tracker can depend on it
// without depending on the generator.
//
// Versioning: Schema is bumped only for changes a reader cannot ignore
// (a field removed, renamed or changing meaning). Adding a field is not a
// schema change: readers ignore fields they do not know. Read refuses a
// catalog whose schema is newer than the one it was built for.
package catalog

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Schema is the catalog schema version this package reads and writes.
const Schema = 1

// FileName is the name of the catalog file at the root of a built site.
const FileName = "catalog.json"

// Catalog is the whole catalog.json document.
type Catalog struct {
	Schema    int        `json:"schema"`
	Site      Site       `json:"site"`
	Practices []Practice `json:"practices"`
}

// Site describes the playbook the catalog was built from.
type Site struct {
	Title      string `json:"title"`
	BaseURL    string `json:"base_url"`
	Language   string `json:"language,omitempty"`
	TrackerURL string `json:"tracker_url"`
}

// Practice is one trackable page of the playbook: a blueprinted practice,
// or a question set or script that teams can also adopt.
type Practice struct {
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	Kind            string   `json:"kind"`
	URL             string   `json:"url"`
	Summary         string   `json:"summary,omitempty"`
	Roles           []string `json:"roles"`
	Moments         []string `json:"moments"`
	Cadence         string   `json:"cadence,omitempty"`
	ReviewAfterDays int      `json:"review_after_days,omitempty"`
}

// Sort orders the practices by id, so that the written file is
// deterministic whatever order the pages were built in.
func (c *Catalog) Sort() {
	slices.SortFunc(c.Practices, func(a, b Practice) int { return cmp.Compare(a.ID, b.ID) })
}

// Lookup returns the practice with the given id.
func (c *Catalog) Lookup(id string) (Practice, bool) {
	i, ok := slices.BinarySearchFunc(c.Practices, id, func(p Practice, id string) int {
		return cmp.Compare(p.ID, id)
	})
	if !ok {
		return Practice{}, false
	}
	return c.Practices[i], true
}

// Marshal encodes the catalog as indented JSON with a trailing newline,
// sorted first.
func (c *Catalog) Marshal() ([]byte, error) {
	c.Schema = Schema
	c.Sort()
	if c.Practices == nil {
		c.Practices = []Practice{}
	}
	for i := range c.Practices {
		if c.Practices[i].Roles == nil {
			c.Practices[i].Roles = []string{}
		}
		if c.Practices[i].Moments == nil {
			c.Practices[i].Moments = []string{}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse decodes a catalog and checks its schema and ids.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if c.Schema < 1 || c.Schema > Schema {
		return nil, fmt.Errorf("schema %d not supported (this version reads 1 to %d)", c.Schema, Schema)
	}
	c.Sort()
	for i, p := range c.Practices {
		if p.ID == "" {
			return nil, fmt.Errorf("practice %q has no id", p.Title)
		}
		if i > 0 && c.Practices[i-1].ID == p.ID {
			return nil, fmt.Errorf("duplicate practice id %q", p.ID)
		}
	}
	return &c, nil
}

// Read reads and parses a catalog file.
func Read(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read catalog %s: %w", path, err)
	}
	return c, nil
}

// Write writes the catalog to path atomically: readers polling the file see
// either the old or the new catalog, never a partial one.
func Write(path string, c *Catalog) error {
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".catalog-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
