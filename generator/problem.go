package generator

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Problem is one thing wrong with the site's input, positioned in the file
// that causes it. Line and Col are 1-based; 0 means unknown.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	Msg  string `json:"message"`
}

// String formats the problem as file:line:col: message, the form editors
// and terminals make clickable.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem a build found, sorted by file and position.
// It is an error so that callers can return it as one.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sort() {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg))
	})
}

// problemList collects problems from concurrent phases.
type problemList struct {
	mu   sync.Mutex
	list Problems
}

func (l *problemList) add(file string, line, col int, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, Problem{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (l *problemList) addProblem(p Problem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, p)
}

func (l *problemList) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

// sorted returns the problems sorted and without exact repeats.
func (l *problemList) sorted() Problems {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.list)
	out.sort()
	return slices.Compact(out)
}
