package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/generatortest"
)

// run runs the CLI in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, &errOut
	m.Getenv = func(string) string { return "" }
	m.Now = func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	code = m.Run(t.Context(), args)
	return code, out.String(), errOut.String()
}

const cliSite = `
-- site.toml --
title = "CLI"
-- content/a.md --
+++
title = "A"
+++
See [b](b.md).
-- content/b.md --
+++
title = "B"
+++
B.
`

func TestCLIUsageAndHelp(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no command prints usage", nil, 2, "Usage: playbook <command>"},
		{"help", []string{"help"}, 0, "Commands:"},
		{"unknown command", []string{"bild"}, 2, `unknown command "bild"`},
		{"build --help", []string{"build", "--help"}, 0, "--destination"},
		{"help build", []string{"help", "build"}, 0, "--base-url"},
		{"help --help", []string{"help", "--help"}, 0, "Commands:"},
		{"--help help", []string{"--help", "help"}, 0, "Commands:"},
		{"help -h", []string{"help", "-h"}, 0, "Commands:"},
		{"check --help", []string{"check", "--help"}, 0, "--format"},
		{"new --help", []string{"new", "--help"}, 0, "practice|questions|script|page"},
		{"bad flag", []string{"build", "--nope"}, 2, "unknown flag"},
		{"version", []string{"version"}, 0, "playbook "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s%s", code, tt.code, tt.contains, out, errOut)
			}
		})
	}
}

func TestCLIBuildPrintsSummaryOrProblems(t *testing.T) {
	s := generatortest.New(t, cliSite)
	dest := filepath.Join(t.TempDir(), "out")
	code, out, errOut := run(t, "build", "-s", s.Dir, "-d", dest)
	if code != 0 || !strings.Contains(out, "pages             2") || !strings.Contains(out, "problems          0") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	s.Write("content/a.md", "+++\ntitle = \"A\"\nauthor = \"x\"\n+++\n[c](c.md)\n")
	code, _, errOut = run(t, "build", "-s", s.Dir, "-d", dest, "--quiet")
	want := "content/a.md:3:1: unknown key \"author\"\ncontent/a.md:5:1: broken link \"c.md\": no page content/c.md\nbuild failed: 2 problems;"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to contain:\n%s", code, errOut, want)
	}
}

func TestCLICheckReportsJSONWithoutWriting(t *testing.T) {
	s := generatortest.New(t, cliSite+"-- content/c.md --\n+++\ntitle = \"C\"\nkind = \"practice\"\n+++\n")
	code, out, _ := run(t, "check", "-s", s.Dir, "--format", "json")
	var got struct {
		Problems []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if code != 1 || len(got.Problems) == 0 || got.Problems[0].File != "content/c.md" {
		t.Errorf("exit %d, problems %+v", code, got.Problems)
	}
	s.AssertExists("! public")
	s.Remove("content/c.md")
	if code, out, _ := run(t, "check", "-s", s.Dir); code != 0 || !strings.Contains(out, "no problems") {
		t.Errorf("clean site: exit %d\n%s", code, out)
	}
}

func TestCLINewCreatesAPageThatChecks(t *testing.T) {
	s := generatortest.New(t, cliSite)
	code, out, errOut := run(t, "new", "-s", s.Dir, "script", "scripts/no-time")
	if code != 0 || !strings.Contains(out, "Created") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	s.AssertFile("content/scripts/no-time.md", `kind = "script"`, `id = "no-time"`, "## You answer")
	if code, out, errOut := run(t, "check", "-s", s.Dir); code != 0 {
		t.Errorf("check after new: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "new", "-s", s.Dir, "script", "scripts/no-time"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("second new: exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "new", "-s", s.Dir, "practice"); code != 2 {
		t.Errorf("new without a path: exit %d, want 2", code)
	}
}
