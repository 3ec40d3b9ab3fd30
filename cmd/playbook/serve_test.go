package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/devserver"
	"github.com/playbook-dev/playbook/generator/devserver/devservertest"
	"github.com/playbook-dev/playbook/generator/generatortest"
)

// syncBuffer is an output the test reads while the command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls out until re matches, and returns the first submatch; it
// fails the test if the command exits first (its code on code).
func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp, code <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case c := <-code:
			t.Fatalf("the command exited with %d:\n%s", c, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no %s in the output:\n%s", re, out.String())
	return ""
}

func TestServeRebuildsOnEditAndStopsCleanly(t *testing.T) {
	s := generatortest.New(t, cliSite)
	// The forms of the preview post to the tracker serve mounts.
	s.Write("site.toml", "title = \"CLI\"\ntracker_url = \"https://track.example.org\"\n")
	out, logs := &syncBuffer{}, &syncBuffer{}
	m := NewMain()
	m.Stdout, m.Stderr = out, logs
	m.Getenv = func(string) string { return "" }
	m.Logger = slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- m.Run(ctx, []string{"serve", "-s", s.Dir, "-p", "0", "--db", filepath.Join(t.TempDir(), "tracker.db")})
	}()
	url := waitFor(t, out, regexp.MustCompile(`on (http://localhost:\d+)/`), code)
	dest := waitFor(t, logs, regexp.MustCompile(`building into a private directory" dir=(\S+)`), code)

	page := devservertest.Get(t, url+"/b/")
	if !strings.Contains(page, "<p>B.</p>") || !strings.Contains(page, devserver.ScriptPath) ||
		!strings.Contains(page, `href="/track/"`) || strings.Contains(page, "track.example.org") {
		t.Fatalf("served page:\n%s", page)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "public")); err == nil {
		t.Error("serve wrote SRC/public")
	}

	events := devservertest.Subscribe(t, url)
	s.Write("content/b.md", "+++\ntitle = \"B\"\n+++\nB.\n\nMore about B.\n")
	devservertest.Next(t, events, "reload")
	if page := devservertest.Get(t, url+"/b/"); !strings.Contains(page, "More about B.") {
		t.Fatalf("after the reload event:\n%s", page)
	}
	if !strings.Contains(logs.String(), "msg=rebuilt changed=content/b.md rendered=1 written=2 removed=0 incremental=true") {
		t.Errorf("no rebuild line in the log:\n%s", logs.String())
	}

	// A content error keeps the server and the last good page up.
	s.Write("content/b.md", "+++\ntitle = \n+++\nBroken.\n")
	devservertest.Next(t, events, "problems")
	if page := devservertest.Get(t, url+"/b/"); !strings.Contains(page, "More about B.") || !strings.Contains(page, "content/b.md:2:") {
		t.Fatalf("during a content error:\n%s", page)
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"content/b.md:2:") {
		t.Errorf("the problem is not in the log:\n%s", logs.String())
	}
	s.Write("content/b.md", "+++\ntitle = \"B\"\n+++\nB.\n\nFixed.\n")
	devservertest.Next(t, events, "reload")
	if page := devservertest.Get(t, url+"/b/"); !strings.Contains(page, "Fixed.") || strings.Contains(page, "playbook-problems") {
		t.Fatalf("after the fix:\n%s", page)
	}

	resp, err := http.Get(url + "/track/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Errorf("tracker at /track/ answered %s", resp.Status)
	}

	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit code %d:\n%s", c, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop when its context was cancelled")
	}
	if _, err := os.Stat(dest); err == nil {
		t.Errorf("the private build directory %s is still there", dest)
	}
}

func TestServeHelpAndBadFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"help", []string{"serve", "--help"}, 0, "--bind"},
		{"listed in the usage", []string{"help"}, 0, "serve"},
		{"extra argument", []string{"serve", "site"}, 2, `unexpected argument "site"`},
		{"bad port", []string{"serve", "-p", "http"}, 2, "invalid argument"},
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
