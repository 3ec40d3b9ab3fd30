package generator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/generator/generatortest"
)

// practice is a valid practice page; tests replace its lines.
const practice = `+++
title = "Post-call debrief"
id = "post-call-debrief"
kind = "practice"
summary = "Two questions after every call."
roles = ["manager", "rep"]
moments = ["post-call"]
cadence = "per-call"
minutes = 10
signals = ["Debrief notes exist for most calls"]
+++
Why it matters.

## Steps

1. Ask what went well.
`

func TestContentModelRules(t *testing.T) {
	tests := []struct {
		name  string
		files string
		want  string
	}{
		{"cadence typo suggests the closest", "-- content/p.md --\n" + replace(practice, `cadence = "per-call"`, `cadence = "weekley"`),
			`content/p.md:8:1: cadence "weekley": did you mean "weekly"? (valid: per-call, daily, weekly, biweekly, monthly, quarterly)`},
		{"unknown role", "-- content/p.md --\n" + replace(practice, `"manager", "rep"`, `"manger"`),
			`content/p.md:6:1: role "manger": did you mean "manager"?`},
		{"unknown moment", "-- content/p.md --\n" + replace(practice, `["post-call"]`, `["lunch"]`),
			`content/p.md:7:1: moment "lunch" is not valid (valid: one-to-one, joint-call, pre-call, post-call, huddle, pipeline-review, team-meeting, any)`},
		{"unknown kind", "-- content/p.md --\n" + replace(practice, `kind = "practice"`, `kind = "practise"`),
			`content/p.md:4:1: kind "practise": did you mean "practice"?`},
		{"practice without id", "-- content/p.md --\n" + replace(practice, `id = "post-call-debrief"`, ``),
			`content/p.md:1:1: practice page needs "id" in its front matter`},
		{"practice without signals", "-- content/p.md --\n" + replace(practice, `signals = ["Debrief notes exist for most calls"]`, ``),
			`content/p.md:1:1: practice has no signals`},
		{"practice without cadence", "-- content/p.md --\n" + replace(practice, `cadence = "per-call"`, ``),
			`content/p.md:1:1: practice page needs "cadence"`},
		{"id not a slug", "-- content/p.md --\n" + replace(practice, `id = "post-call-debrief"`, `id = "Post Call"`),
			`content/p.md:3:1: id "Post Call" must be a lower-case slug`},
		{"duplicate ids name both files", "-- content/a.md --\n" + practice + "-- content/b.md --\n" + practice,
			`content/b.md:3:1: duplicate id "post-call-debrief": also used by content/a.md`},
		{"unknown related id", "-- content/p.md --\n" + replace(practice, `minutes = 10`, "minutes = 10\nrelated = [\"post-call-debreif\"]"),
			`content/p.md:10:1: related id "post-call-debreif": no page has this id; did you mean "post-call-debrief"?`},
		{"script without says", "-- content/s.md --\n+++\ntitle = \"S\"\nkind = \"script\"\n+++\n## You answer\n",
			`content/s.md:1:1: script page needs "says" in its front matter`},
		{"questions without questions", "-- content/q.md --\n+++\ntitle = \"Q\"\nid = \"q\"\nkind = \"questions\"\nmoments = [\"huddle\"]\n+++\nJust prose.\n",
			`content/q.md:7:1: question set has no questions`},
		{"cadence on a script", "-- content/s.md --\n+++\ntitle = \"S\"\nkind = \"script\"\nsays = \"No.\"\ncadence = \"weekly\"\n+++\n",
			`content/s.md:5:1: "cadence" is only for practices, not script pages`},
		{"unknown id reference", "-- content/p.md --\n" + practice + "See [x](id:missing-thing).\n",
			`content/p.md:17:5: broken link "id:missing-thing": no page has id "missing-thing"`},
		{"negative minutes", "-- content/p.md --\n" + replace(practice, `minutes = 10`, `minutes = -5`),
			`content/p.md:9:1: minutes must not be negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			generatortest.New(t, tt.files).Build().AssertProblem(tt.want)
		})
	}
}

func TestKindsRenderTheirOwnLayouts(t *testing.T) {
	s := generatortest.New(t, `
-- content/practices/debrief.md --
`+practice+`See [the questions](id:debrief-questions) and [why](id:not-now#you-answer).
-- content/questions/debrief.md --
+++
title = "Debrief questions"
id = "debrief-questions"
kind = "questions"
moments = ["post-call"]
roles = ["manager"]
related = ["post-call-debrief"]
+++
Use these right after the call.

1. What went well that you would repeat?
2. What went differently than you expected?

## Tips

Let them answer first.
-- content/scripts/not-now.md --
+++
title = "Not now"
id = "not-now"
kind = "script"
says = "I don't have time for coaching."
roles = ["rep"]
+++
## You answer

"Fair. Let's take ten minutes after your next call."

## Why it works

It starts small.
`).Build().AssertOK()
	s.AssertFile("public/practices/debrief/index.html",
		`Manager`, `Post-call debrief`, `Every call`, `10 min`,
		`Debrief notes exist for most calls`,
		`<form method="post" action="/track/report">`, `name="practice" value="post-call-debrief"`,
		`value="trying"`, `value="adopted"`, `value="dropped"`,
		`href="/questions/debrief/"`, `href="/scripts/not-now/#you-answer"`,
	)
	s.AssertFile("public/questions/debrief/index.html",
		`<div>What went well that you would repeat?</div>`, `Use these right after the call.`,
		`Let them answer first.`, `href="/practices/debrief/"`,
		"! <ol>\n<li>What went well")
	s.AssertFile("public/scripts/not-now/index.html",
		`I don&#39;t have time for coaching.`, `They say`, `You answer`, `Why it works`,
		`Let&rsquo;s take ten minutes`, `It starts small.`)
	s.AssertFile("public/roles/manager/index.html", "Post-call debrief", "Debrief questions")
	s.AssertFile("public/moments/post-call/index.html", "Post-call debrief")
	s.AssertFile("public/kinds/script/index.html", "Not now")
	s.AssertFile("public/index.html", `href="/roles/manager/"`, `I am a manager`)

	var c catalog.Catalog
	if err := json.Unmarshal([]byte(s.Read("public/catalog.json")), &c); err != nil {
		t.Fatal(err)
	}
	want := catalog.Practice{ID: "post-call-debrief", Title: "Post-call debrief", Kind: "practice",
		URL: "/practices/debrief/", Summary: "Two questions after every call.", Roles: []string{"manager", "rep"},
		Moments: []string{"post-call"}, Cadence: "per-call", ReviewAfterDays: 14}
	if c.Schema != catalog.Schema || len(c.Practices) != 1 || !equalPractice(c.Practices[0], want) {
		t.Errorf("catalog = %+v, want one practice %+v", c, want)
	}
}

func equalPractice(a, b catalog.Practice) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestDefaultPlaybookCatalogListsEveryPracticeDeterministically(t *testing.T) {
	build := func() []byte {
		dest := filepath.Join(t.TempDir(), "public")
		if _, err := generator.Build(t.Context(), generator.Options{Source: "..", Dest: dest}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dest, catalog.FileName))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first, second := build(), build()
	if string(first) != string(second) {
		t.Fatal("catalog.json differs between two builds")
	}
	c, err := catalog.Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	practices := 0
	err = filepath.WalkDir("../content", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".md" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if containsLine(string(data), `kind = "practice"`) {
			practices++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Practices) != practices || practices < 12 {
		t.Errorf("catalog has %d practices, content/ has %d (want at least 12)", len(c.Practices), practices)
	}
	for _, p := range c.Practices {
		if p.ReviewAfterDays <= 0 || p.URL == "" || len(p.Roles) == 0 {
			t.Errorf("practice %s incomplete in catalog: %+v", p.ID, p)
		}
	}
}

func TestNewPageWritesValidFilesAndRefusesToOverwrite(t *testing.T) {
	s := generatortest.New(t, "-- content/practices/existing.md --\n"+replace(practice, `id = "post-call-debrief"`, `id = "weekly-review"`))
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, kind := range generator.Kinds {
		if _, err := generator.NewPage(s.Dir, kind, "new/"+kind+"-example", now); err != nil {
			t.Fatalf("new %s: %v", kind, err)
		}
	}
	path, err := generator.NewPage(s.Dir, "practice", "practices/existing.md", now)
	if err == nil {
		t.Fatalf("new over an existing file succeeded: %s", path)
	}
	if _, err := generator.NewPage(s.Dir, "practice", "content/other/weekly-review", now); err != nil {
		t.Fatal(err)
	}
	s.Build().AssertOK()
	s.AssertFile("content/other/weekly-review.md", `id = "weekly-review-2"`, `date = 2026-11-26`)
	s.AssertFile("content/new/practice-example.md", `id = "practice-example"`, `kind = "practice"`)
	if _, err := generator.NewPage(s.Dir, "practise", "x", now); err == nil {
		t.Error("unknown kind accepted")
	}
}

func replace(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
func containsLine(s, line string) bool {
	return slices.Contains(strings.Split(s, "\n"), line)
}
