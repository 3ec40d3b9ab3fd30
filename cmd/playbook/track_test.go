package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
)

type cli struct {
	env            map[string]string
	stdout, stderr *syncBuffer
}

// run runs the whole program with args and returns its exit code.
func (c *cli) run(ctx context.Context, args ...string) int {
	return c.main().Run(ctx, args)
}

// main is the program with c's environment and new outputs.
func (c *cli) main() *Main {
	c.stdout, c.stderr = &syncBuffer{}, &syncBuffer{}
	return &Main{
		Stdout: c.stdout,
		Stderr: c.stderr,
		Getenv: func(k string) string { return c.env[k] },
		Now:    time.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

var joinLink = regexp.MustCompile(`https://playbook\.example\.org/track/join\?token=([a-z2-7]{26})`)

func TestTeamCommandsManageTeamsAndJoinLinks(t *testing.T) {
	dir := t.TempDir()
	c := &cli{env: map[string]string{
		"PLAYBOOK_DB":       filepath.Join(dir, "state", "tracker.db"), // the directory is created
		"PLAYBOOK_BASE_URL": "https://playbook.example.org/track/",
	}}
	ctx := t.Context()

	if code := c.run(ctx, "team", "add", "Team Alpha"); code != 0 {
		t.Fatalf("team add: exit %d: %s", code, c.stderr)
	}
	m := joinLink.FindStringSubmatch(c.stdout.String())
	if m == nil {
		t.Fatalf("team add printed no join link:\n%s", c.stdout)
	}
	first := m[1]

	if code := c.run(ctx, "team", "add", "Team Alpha"); code != 1 || !strings.Contains(c.stderr.String(), "already exists") {
		t.Errorf("adding a team twice: exit %d, %q", code, c.stderr)
	}
	if code := c.run(ctx, "team", "add", "../etc"); code != 2 {
		t.Errorf("bad team name: exit %d, want 2", code)
	}
	if code := c.run(ctx, "team", "frobnicate", "x"); code != 2 {
		t.Errorf("unknown verb: exit %d, want 2", code)
	}

	if code := c.run(ctx, "team", "rotate", "Team Alpha"); code != 0 {
		t.Fatalf("team rotate: exit %d: %s", code, c.stderr)
	}
	m = joinLink.FindStringSubmatch(c.stdout.String())
	if m == nil || m[1] == first {
		t.Fatalf("rotate printed %q, want a new link", c.stdout)
	}
	db, err := sqldb.Open(ctx, c.env["PLAYBOOK_DB"], sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TeamByTokenHash(ctx, tracker.HashJoinToken(first)); err == nil {
		t.Error("the old link still finds the team after rotate")
	}
	if team, err := db.TeamByTokenHash(ctx, tracker.HashJoinToken(m[1])); err != nil || team.Name != "Team Alpha" {
		t.Errorf("the new link finds %v, %v", team, err)
	}
	db.Close()

	if code := c.run(ctx, "team", "list"); code != 0 || !strings.Contains(c.stdout.String(), "Team Alpha") {
		t.Errorf("team list: exit %d:\n%s", code, c.stdout)
	}
	if strings.Contains(c.stdout.String(), m[1]) {
		t.Error("team list prints a token")
	}
	if code := c.run(ctx, "team", "remove", "Team Alpha"); code != 0 {
		t.Fatalf("team remove: exit %d: %s", code, c.stderr)
	}
	if code := c.run(ctx, "team", "remove", "Team Alpha"); code != 1 {
		t.Errorf("removing a missing team: exit %d, want 1", code)
	}
	if code := c.run(ctx, "team", "list"); code != 0 || !strings.Contains(c.stdout.String(), "No teams yet") {
		t.Errorf("team list after remove:\n%s", c.stdout)
	}
}

func writeTestCatalog(t *testing.T, path string) {
	t.Helper()
	c := &catalog.Catalog{Site: catalog.Site{Title: "T"}, Practices: []catalog.Practice{
		{ID: "debrief", Title: "Post-call debrief", Kind: "practice", URL: "/practices/debrief/", ReviewAfterDays: 30},
	}}
	if err := catalog.Write(path, c); err != nil {
		t.Fatal(err)
	}
}

// startTrack runs `playbook track` on a free port and returns its base URL
// and a stop function that checks it exits cleanly.
func startTrack(t *testing.T, c *cli, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	done := make(chan int, 1)
	m := c.main()
	go func() { done <- m.Run(ctx, append([]string{"track", "--addr", "127.0.0.1:0"}, args...)) }()
	base := waitFor(t, c.stdout, regexp.MustCompile(`listening on (http://\S+)/track/`), done)
	stderr := c.stderr
	return base, func() {
		t.Helper()
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("track exited %d after cancel: %s", code, stderr)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("track did not stop after cancel")
		}
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTrackServesTheTrackerUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "catalog.json")
	writeTestCatalog(t, cat)
	c := &cli{env: map[string]string{"PLAYBOOK_CATALOG": cat}}
	base, stop := startTrack(t, c, "--db", filepath.Join(dir, "t.db"))
	if !strings.Contains(c.stderr.String(), "warning: no --admin-token") {
		t.Errorf("no warning about the open dashboard: %q", c.stderr)
	}
	for path, want := range map[string]int{"/healthz": 200, "/track/": 200, "/track/join": 200, "/track/style.css": 200} {
		if got := getStatus(t, base+path); got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
	stop()
}

func TestTrackTakesTheAdminTokenFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "catalog.json")
	writeTestCatalog(t, cat)
	c := &cli{env: map[string]string{"PLAYBOOK_CATALOG": cat, "PLAYBOOK_ADMIN_TOKEN": "s3cret",
		"PLAYBOOK_DB": filepath.Join(dir, "t.db")}}
	base, stop := startTrack(t, c)
	defer stop()
	if strings.Contains(c.stderr.String(), "warning") {
		t.Errorf("warned with a token set: %q", c.stderr)
	}
	if got := getStatus(t, base+"/track/"); got != http.StatusUnauthorized {
		t.Errorf("dashboard without the token: %d, want 401", got)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/track/export/events.json", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("export with the token: %d, want 200", resp.StatusCode)
	}
}

func TestTrackRefusesABadSiteOrigin(t *testing.T) {
	c := &cli{}
	if code := c.run(t.Context(), "track", "--site-origin", "playbook.example.org"); code != 2 {
		t.Errorf("exit %d, want 2: %s", code, c.stderr)
	}
}

func TestTrackExportBackupAndMigrate(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tracker.db")
	ctx := t.Context()
	db, err := sqldb.Open(ctx, dbPath, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, hash, _ := tracker.NewJoinToken()
	team, err := db.CreateTeam(ctx, "alpha", hash)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []tracker.Status{tracker.Trying, tracker.Adopted} {
		if _, err := db.Append(ctx, tracker.Event{TeamID: team.ID, PracticeID: "debrief", Status: st,
			Note: []string{"first", "=SUM(A1)"}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	c := &cli{}
	if code := c.run(ctx, "track", "export", "--db", dbPath, "--what", "events", "--format", "json"); code != 0 {
		t.Fatalf("export: exit %d: %s", code, c.stderr)
	}
	var events []tracker.ExportEvent
	if err := json.Unmarshal([]byte(c.stdout.String()), &events); err != nil {
		t.Fatalf("export json: %v\n%s", err, c.stdout)
	}
	if len(events) != 2 || events[1].Status != tracker.Adopted || events[1].Note != "=SUM(A1)" || events[0].Team != "alpha" {
		t.Errorf("exported %+v", events)
	}
	cat := filepath.Join(dir, "catalog.json")
	writeTestCatalog(t, cat)
	if code := c.run(ctx, "track", "export", "--db", dbPath, "--what", "state", "--format", "csv", "--catalog", cat); code != 0 {
		t.Fatalf("export state: exit %d: %s", code, c.stderr)
	}
	if got := c.stdout.String(); !strings.Contains(got, "alpha,debrief,Post-call debrief,adopted,") ||
		!strings.Contains(got, "'=SUM(A1)") {
		t.Errorf("state csv:\n%s", got)
	}
	if code := c.run(ctx, "track", "export", "--db", dbPath, "--what", "everything"); code != 2 {
		t.Errorf("bad --what: exit %d, want 2", code)
	}

	backup := filepath.Join(dir, "backup.db")
	if code := c.run(ctx, "track", "backup", "--db", dbPath, backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, c.stderr)
	}
	if !strings.Contains(c.stdout.String(), "integrity ok") {
		t.Errorf("backup output %q", c.stdout)
	}
	if code := c.run(ctx, "track", "backup", "--db", dbPath, backup); code != 1 {
		t.Errorf("backup over an existing file: exit %d, want 1", code)
	}
	if code := c.run(ctx, "track", "backup", "--db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b2.db")); code != 1 {
		t.Errorf("backup of a missing database: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("backup created the missing source database")
	}

	target := filepath.Join(dir, "copy.db")
	if code := c.run(ctx, "track", "migrate", "--from", "sqlite:"+backup, "--to", target); code != 0 {
		t.Fatalf("migrate: exit %d: %s\n%s", code, c.stderr, c.stdout)
	}
	out := c.stdout.String()
	if !strings.Contains(out, "both sides match") || !regexp.MustCompile(`events\s+2\s+2\s+2\s+[0-9a-f]{16}\s+[0-9a-f]{16}\s+ok`).MatchString(out) {
		t.Errorf("migrate report:\n%s", out)
	}
	if !strings.Contains(c.stderr.String(), "events") {
		t.Errorf("migrate printed no progress: %q", c.stderr)
	}
}

func TestRedactDSNHidesPassword(t *testing.T) {
	got := redactDSN("postgres://tracker:s3cret@db.internal:5432/playbook?sslmode=require")
	if strings.Contains(got, "s3cret") {
		t.Errorf("redactDSN kept the password: %s", got)
	}
}
