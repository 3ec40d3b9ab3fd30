package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// ConfigFile is the name of the site's configuration file.
const ConfigFile = "site.toml"

// Config is site.toml: defaults first, the file decoded over them, then
// validated; command-line flags override last.
type Config struct {
	Title       string                 `toml:"title"`
	BaseURL     string                 `toml:"base_url"`
	Language    string                 `toml:"language"`
	Description string                 `toml:"description"`
	TrackerURL  string                 `toml:"tracker_url"`
	Paginate    int                    `toml:"paginate"`
	CheckLinks  bool                   `toml:"check_links"`
	Markup      MarkupConfig           `toml:"markup"`
	Params      map[string]any         `toml:"params"`
	Menus       map[string][]MenuEntry `toml:"menus"`
}

// MarkupConfig is the [markup] table.
type MarkupConfig struct {
	Unsafe      bool `toml:"unsafe"`
	Typographer bool `toml:"typographer"`
	HardWraps   bool `toml:"hard_wraps"`
	// TOCMin and TOCMax bound the heading levels in a page's table of contents.
	TOCMin int `toml:"toc_min"`
	TOCMax int `toml:"toc_max"`
}

// MenuEntry is one link of a [[menus.NAME]] list.
type MenuEntry struct {
	Name   string `toml:"name"`
	URL    string `toml:"url"`
	Weight int    `toml:"weight"`
}

var configKeys = []string{"title", "base_url", "language", "description", "tracker_url",
	"paginate", "check_links", "markup", "params", "menus"}

// DefaultConfig is the configuration of a site whose site.toml is empty.
func DefaultConfig() Config {
	md := markdown.Defaults()
	return Config{
		Title:      "Playbook",
		BaseURL:    "/",
		Language:   "en",
		TrackerURL: "/track",
		Paginate:   50,
		CheckLinks: true,
		Markup: MarkupConfig{
			Unsafe:      md.Unsafe,
			Typographer: md.Typographer,
			HardWraps:   md.HardWraps,
			TOCMin:      2,
			TOCMax:      3,
		},
	}
}

// LoadConfig reads SRC/site.toml over the defaults and validates it. A
// missing file gives the defaults; every problem found is returned.
func LoadConfig(src string) (Config, []Problem) {
	cfg := DefaultConfig()
	data, err := os.ReadFile(filepath.Join(src, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, []Problem{{File: ConfigFile, Msg: err.Error()}}
	}
	return ParseConfig(data)
}

// ParseConfig decodes site.toml's content over the defaults and validates
// it; problems are positioned in site.toml.
func ParseConfig(data []byte) (Config, []Problem) {
	cfg := DefaultConfig()
	ps := decodeTOML(data, &cfg, ConfigFile, 0, configKeys)
	return cfg, append(ps, cfg.validate(data)...)
}

// validate checks values and normalises them; data positions the problems.
func (c *Config) validate(data []byte) []Problem {
	var ps []Problem
	bad := func(key, format string, args ...any) {
		line, col := keyLine(data, strings.Split(key, "."))
		ps = append(ps, Problem{File: ConfigFile, Line: line, Col: col, Msg: key + ": " + fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(c.Title) == "" {
		bad("title", "must not be empty")
	}
	if _, err := normaliseBaseURL(c.BaseURL); err != nil {
		bad("base_url", "%v", err)
	}
	if c.Paginate < 1 {
		bad("paginate", "must be at least 1, not %d", c.Paginate)
	}
	if c.Markup.TOCMin < 1 || c.Markup.TOCMax > 6 || c.Markup.TOCMin > c.Markup.TOCMax {
		bad("markup", "toc_min and toc_max must satisfy 1 <= toc_min <= toc_max <= 6")
	}
	if c.TrackerURL == "" {
		bad("tracker_url", "must not be empty (the default is /track)")
	}
	for name, entries := range c.Menus {
		for i, e := range entries {
			if e.Name == "" || e.URL == "" {
				bad("menus."+name, "entry %d needs both name and url", i+1)
			}
		}
	}
	return ps
}

// normaliseBaseURL accepts an absolute http(s) URL or a path starting
// with "/", and returns it with exactly one trailing slash.
func normaliseBaseURL(s string) (string, error) {
	if s == "" {
		return "/", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("not a URL: %v", err)
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Host == "" {
			return "", fmt.Errorf("%q has no host", s)
		}
	case u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/"):
	default:
		return "", fmt.Errorf("%q must be an http(s) URL or a path starting with /", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q must not have a query or fragment", s)
	}
	return strings.TrimRight(s, "/") + "/", nil
}

// basePath is the path part of the base URL, with a trailing slash.
func basePath(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return strings.TrimRight(u.Path, "/") + "/"
}

// MarkdownOptions are the goldmark options the config selects.
func (c *Config) MarkdownOptions() markdown.Options {
	return markdown.Options{Unsafe: c.Markup.Unsafe, Typographer: c.Markup.Typographer, HardWraps: c.Markup.HardWraps}
}
