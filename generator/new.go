package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/playbook-dev/playbook/generator/markdown"
)

// newPageTemplate is the skeleton `playbook new` writes: valid front matter
// for the kind, with comments that teach the content model.
var newPageTemplate = template.Must(template.New("new").Parse(`+++
title = "{{.Title}}"
{{- if ne .Kind "page"}}
# Stable id: cross references (id:{{.ID}}) and the tracker use it.
# Do not change it once the page is published.
id = "{{.ID}}"
kind = "{{.Kind}}"
{{- end}}
# One sentence for lists and search: what it is and why it matters.
summary = ""
date = {{.Date}}
{{- if eq .Kind "practice"}}
# Who does it: executive, sales-leader, head-of-coaching, manager, rep
roles = ["manager"]
# When: one-to-one, joint-call, pre-call, post-call, huddle,
# pipeline-review, team-meeting, any
moments = ["one-to-one"]
# How often: per-call, daily, weekly, biweekly, monthly, quarterly
cadence = "weekly"
# Minutes it takes each time.
minutes = 15
# Observable signs that a team has adopted it: things you could check.
signals = [
  "Replace with a sign you could see in calendars, notes or meetings",
]
# Ids of related practices, question sets and scripts.
related = []
{{- else if eq .Kind "questions"}}
# Who asks them: executive, sales-leader, head-of-coaching, manager, rep
roles = ["manager"]
# When: one-to-one, joint-call, pre-call, post-call, huddle,
# pipeline-review, team-meeting, any
moments = ["post-call"]
related = []
{{- else if eq .Kind "script"}}
# What people say when they push back on coaching, in their words.
says = "Replace with what they say."
# Who says it: executive, sales-leader, head-of-coaching, manager, rep
roles = ["rep"]
related = []
{{- end}}
+++
{{if eq .Kind "practice"}}
Why this practice matters, in two or three sentences.

## Steps

1. The first thing to do.
2. The next.

## Watch for

What goes wrong, and how to notice.
{{- else if eq .Kind "questions"}}
When and how to use these questions.

1. The first question?
2. The next question?
{{- else if eq .Kind "script"}}
## You answer

What the leader says back, in plain words.

## Why it works

The principle behind the answer.
{{- else}}
Write here.
{{- end}}
`))

// NewPage writes a new content file of the given kind at rel (relative to
// content/, ".md" added if missing) with valid, commented front matter and
// an id derived from the file name, made unique among the site's ids. It
// refuses to overwrite a file and returns the path written.
func NewPage(src, kind, rel string, now time.Time) (string, error) {
	if !oneOf(kind, Kinds) {
		return "", fmt.Errorf("%s", enumMessage("kind", kind, Kinds))
	}
	rel = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(rel)), ContentDir+"/")
	if !strings.HasSuffix(rel, ".md") {
		rel += ".md"
	}
	if rel == ".md" || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return "", fmt.Errorf("path %q must be inside %s/", rel, ContentDir)
	}
	name := strings.TrimSuffix(path.Base(rel), ".md")
	id := markdown.Slugify(name)
	if id == "" {
		return "", fmt.Errorf("cannot derive an id from %q", name)
	}
	taken, err := siteIDs(src)
	if err != nil {
		return "", err
	}
	for i := 2; taken[id]; i++ {
		id = fmt.Sprintf("%s-%d", markdown.Slugify(name), i)
	}
	var b bytes.Buffer
	data := struct{ Title, ID, Kind, Date string }{titleFromName(name), id, kind, now.Format("2006-01-02")}
	if err := newPageTemplate.Execute(&b, data); err != nil {
		return "", err
	}
	full := filepath.Join(src, ContentDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s already exists; not overwriting it", full)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return "", err
	}
	return full, f.Close()
}

// siteIDs reads every id in the site's front matter; files with broken
// front matter are skipped (check reports them).
func siteIDs(src string) (map[string]bool, error) {
	problems := &problemList{}
	tree := readContent(src, "", problems)
	ids := map[string]bool{}
	for _, s := range tree.markdown {
		front, _, _, err := SplitFrontMatter(s.data)
		if err != nil || front == nil {
			continue
		}
		var p Page
		if len(decodeTOML(front, &p, "", 0, nil)) == 0 && p.ID != "" {
			ids[p.ID] = true
		}
	}
	return ids, nil
}
