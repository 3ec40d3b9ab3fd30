package generator

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"
)

// layoutFile is one template file and where it comes from.
type layoutFile struct {
	fsys    fs.FS
	name    string // logical name: "page.html", "partials/toc.html"
	display string // path shown in problems
}

// layouts are the parsed templates, one set per top-level layout, each
// sharing baseof.html and the partials.
type layouts struct {
	sets       map[string]*template.Template
	standalone map[string]bool
	display    map[string]string

	base  *template.Template // baseof.html and the partials
	mu    sync.RWMutex
	cache map[partialKey]template.HTML // partialCached results of this build
}

// partialKey names a partialCached result: the partial and its keys.
type partialKey struct{ name, keys string }

// templateFuncs are the functions every template may call. They are pure:
// URLs come from methods of .Site and pages.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"label": Label,
		"date": func(layout string, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(layout)
		},
		"join": func(sep string, items []string) string { return strings.Join(items, sep) },
		"add":  func(a, b int) int { return a + b },
		"default": func(def, v any) any {
			if v == nil || v == "" || v == 0 || v == false {
				return def
			}
			return v
		},
		"lower":    strings.ToLower,
		"tocItems": tocItems,
	}
}

// loadLayouts reads the theme's layouts with the site's layouts/ shadowing
// them file by file, and parses them.
func loadLayouts(src string, theme fs.FS, themeDisplay string, problems *problemList) *layouts {
	files := map[string]layoutFile{}
	add := func(fsys fs.FS, display string) {
		names, err := walkFS(fsys, LayoutsDir)
		if err != nil {
			problems.add(display, 0, 0, "%v", err)
		}
		for _, n := range names {
			if strings.HasSuffix(n, ".html") {
				files[n] = layoutFile{fsys: fsys, name: n, display: path.Join(display, n)}
			}
		}
	}
	add(theme, themeDisplay+"/"+LayoutsDir)
	add(os.DirFS(src), LayoutsDir)

	l := &layouts{sets: map[string]*template.Template{}, standalone: map[string]bool{}, display: map[string]string{},
		cache: map[partialKey]template.HTML{}}
	for n, f := range files {
		l.display[n] = f.display
	}
	funcs := templateFuncs()
	funcs["partialCached"] = l.partialCached
	funcs["listItems"] = l.listItems
	base := template.New("").Funcs(funcs)
	l.base = base
	parseInto := func(t *template.Template, f layoutFile) bool {
		data, err := fs.ReadFile(f.fsys, path.Join(LayoutsDir, f.name))
		if err == nil {
			_, err = t.New(f.name).Parse(string(data))
		}
		if err != nil {
			problems.addProblem(l.problem(err, ""))
			return false
		}
		return true
	}
	var top []string
	for n, f := range files {
		if n == "baseof.html" || strings.HasPrefix(n, "partials/") {
			parseInto(base, f)
		} else {
			top = append(top, n)
		}
	}
	slices.Sort(top)
	for _, n := range top {
		set, err := base.Clone()
		if err != nil {
			problems.add(files[n].display, 0, 0, "%v", err)
			continue
		}
		if parseInto(set, files[n]) {
			l.sets[n] = set
			l.standalone[n] = hasOwnBody(set.Lookup(n))
		}
	}
	return l
}

// hasOwnBody reports whether a layout renders by itself instead of
// filling baseof.html's blocks.
func hasOwnBody(t *template.Template) bool {
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return false
	}
	for _, n := range t.Tree.Root.Nodes {
		if tn, ok := n.(*parse.TextNode); ok && strings.TrimSpace(string(tn.Text)) == "" {
			continue
		}
		return true
	}
	return false
}

// partialCached renders a partial once per build for each distinct key and
// reuses the result, like Hugo's partialCached: for parts of a page that
// are the same on many pages, such as the header. The keys default to the
// partial's name alone.
//
// A list shows each page through it, so a lookup must be cheap: one key
// string, the most common case, is used as it is.
func (l *layouts) partialCached(name string, data any, keys ...any) (template.HTML, error) {
	key := partialKey{name: name}
	if s, ok := onlyString(keys); ok {
		key.keys = s
	} else {
		key.keys = fmt.Sprint(keys...)
	}
	return l.cached(key, data)
}

// listItemPartial shows a page in lists; it must depend only on its page.
const listItemPartial = "partials/list-item.html"

// listItems writes the pages' list items, each after a line break: the
// bytes of
//
//	{{range .}}
//	{{partialCached "partials/list-item.html" . .Path}}{{end}}
//
// from the same cache. Ranging in a template costs a call through
// reflection and an escaper call per page, and the term lists of the
// bench's 10,000 pages show 63,000 items.
func (l *layouts) listItems(pages []*Page) (template.HTML, error) {
	items := make([]template.HTML, len(pages))
	n := 0
	for i, p := range pages {
		html, err := l.cached(partialKey{name: listItemPartial, keys: p.Path}, p)
		if err != nil {
			return "", err
		}
		items[i] = html
		n += 1 + len(html)
	}
	var b strings.Builder
	b.Grow(n) // the list once, instead of its doublings
	for _, html := range items {
		b.WriteByte('\n')
		b.WriteString(string(html))
	}
	return template.HTML(b.String()), nil
}

// cached renders a partial once per key and build.
func (l *layouts) cached(key partialKey, data any) (template.HTML, error) {
	name := key.name
	l.mu.RLock()
	html, ok := l.cache[key]
	l.mu.RUnlock()
	if ok {
		return html, nil
	}
	var b strings.Builder
	if err := l.base.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	html = template.HTML(b.String())
	l.mu.Lock()
	l.cache[key] = html
	l.mu.Unlock()
	return html, nil
}

// onlyString returns keys' one element when that is a string.
func onlyString(keys []any) (string, bool) {
	if len(keys) != 1 {
		return "", false
	}
	s, ok := keys[0].(string)
	return s, ok
}

// lookup returns the first layout that exists among names.
func (l *layouts) lookup(names ...string) (string, *template.Template) {
	for _, n := range names {
		if t := l.sets[n]; t != nil {
			return n, t
		}
	}
	return "", nil
}

// execute renders data with the named layout.
func (l *layouts) execute(w io.Writer, name string, t *template.Template, data any) error {
	entry := "baseof.html"
	if l.standalone[name] || t.Lookup(entry) == nil {
		entry = name
	}
	return t.ExecuteTemplate(w, entry, data)
}

var templateErrPattern = regexp.MustCompile(`^(?:html/)?template: ?([^:]+):(\d+)(?::(\d+))?: (.*)$`)

// problem turns a template error into a problem at the template's file,
// naming the page being rendered.
func (l *layouts) problem(err error, page string) Problem {
	msg := err.Error()
	p := Problem{File: "layouts", Msg: msg}
	if m := templateErrPattern.FindStringSubmatch(msg); m != nil {
		p.File = m[1]
		if d, ok := l.display[m[1]]; ok {
			p.File = d
		}
		p.Line, _ = strconv.Atoi(m[2])
		p.Col, _ = strconv.Atoi(m[3])
		p.Msg = m[4]
	}
	if page != "" {
		p.Msg = fmt.Sprintf("%s (rendering %s)", p.Msg, page)
	}
	return p
}
