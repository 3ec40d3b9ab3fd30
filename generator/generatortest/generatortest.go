// Package generatortest builds whole test sites written as txtar archives
// and asserts on their output, in the spirit of Hugo's integration tests:
//
//	s := generatortest.New(t, `
//	-- site.toml --
//	title = "T"
//	-- content/a.md --
//	+++
//	title = "A"
//	+++
//	Hello.
//	`).Build()
//	s.AssertFile("public/a/index.html", "Hello.", "! Goodbye")
//
// It imports the generator, never the tracker.
package generatortest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/playbook-dev/playbook/generator"
)

// Site is a site written to a temporary directory.
type Site struct {
	tb testing.TB
	// Dir is the site root.
	Dir string
	// Options are passed to every Build; Source is set to Dir.
	Options generator.Options
	// Result and Err are those of the last Build.
	Result *generator.Result
	Err    error
}

// New writes the archive's files into a new temporary directory.
func New(tb testing.TB, archive string) *Site {
	tb.Helper()
	s := &Site{tb: tb, Dir: tb.TempDir()}
	s.Options.Source = s.Dir
	for _, f := range txtar.Parse([]byte(archive)).Files {
		s.Write(f.Name, string(f.Data))
	}
	return s
}

// Write creates or replaces a file of the site.
func (s *Site) Write(name, content string) *Site {
	s.tb.Helper()
	p := filepath.Join(s.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.tb.Fatal(err)
	}
	return s
}

// Remove deletes a file or directory of the site.
func (s *Site) Remove(name string) *Site {
	s.tb.Helper()
	if err := os.RemoveAll(filepath.Join(s.Dir, filepath.FromSlash(name))); err != nil {
		s.tb.Fatal(err)
	}
	return s
}

// Rename moves a file or directory of the site.
func (s *Site) Rename(from, to string) *Site {
	s.tb.Helper()
	dst := filepath.Join(s.Dir, filepath.FromSlash(to))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		s.tb.Fatal(err)
	}
	if err := os.Rename(filepath.Join(s.Dir, filepath.FromSlash(from)), dst); err != nil {
		s.tb.Fatal(err)
	}
	return s
}

// Build builds the site, keeping the result and error. It does not fail
// the test on problems: assert them with AssertProblems or AssertOK.
func (s *Site) Build() *Site {
	s.tb.Helper()
	s.Result, s.Err = generator.Build(s.tb.Context(), s.Options)
	return s
}

// AssertOK fails the test unless the last build had no problems.
func (s *Site) AssertOK() *Site {
	s.tb.Helper()
	if s.Err != nil {
		s.tb.Fatalf("build: %v", s.Err)
	}
	return s
}

// Problems returns the last build's problems as lines.
func (s *Site) Problems() []string {
	var ps generator.Problems
	if !errors.As(s.Err, &ps) {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// AssertProblems checks that the last build reported exactly these
// problems, in order (problems are sorted by file and position).
func (s *Site) AssertProblems(want ...string) *Site {
	s.tb.Helper()
	got := s.Problems()
	if s.Err != nil && got == nil {
		s.tb.Fatalf("build failed without problems: %v", s.Err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		s.tb.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return s
}

// AssertProblem checks that some problem of the last build contains each
// of the substrings (use it when the exact text is not the point).
func (s *Site) AssertProblem(substrings ...string) *Site {
	s.tb.Helper()
	for _, p := range s.Problems() {
		ok := true
		for _, sub := range substrings {
			if !strings.Contains(p, sub) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
	}
	s.tb.Fatalf("no problem contains %q; problems:\n%s", substrings, strings.Join(s.Problems(), "\n"))
	return s
}

// Read returns a file below the site root ("public/index.html").
func (s *Site) Read(name string) string {
	s.tb.Helper()
	data, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(name)))
	if err != nil {
		s.tb.Fatal(err)
	}
	return string(data)
}

// AssertFile checks that a file contains each substring; a substring
// starting with "! " must be absent instead.
func (s *Site) AssertFile(name string, matches ...string) *Site {
	s.tb.Helper()
	content := s.Read(name)
	for _, m := range matches {
		if neg, ok := strings.CutPrefix(m, "! "); ok {
			if strings.Contains(content, neg) {
				s.tb.Errorf("%s contains %q, want it absent:\n%s", name, neg, content)
			}
		} else if !strings.Contains(content, m) {
			s.tb.Errorf("%s lacks %q:\n%s", name, m, content)
		}
	}
	return s
}

// AssertExists checks that each file exists; a name starting with "! "
// must not exist.
func (s *Site) AssertExists(names ...string) *Site {
	s.tb.Helper()
	for _, n := range names {
		neg, absent := strings.CutPrefix(n, "! ")
		_, err := os.Stat(filepath.Join(s.Dir, filepath.FromSlash(neg)))
		switch {
		case absent && err == nil:
			s.tb.Errorf("%s exists, want it absent", neg)
		case !absent && err != nil:
			s.tb.Errorf("%s: %v", n, err)
		}
	}
	return s
}
