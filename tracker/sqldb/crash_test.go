package sqldb_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/sqldb"
	"github.com/playbook-dev/playbook/tracker/storetest"
)

// crashChildEnv names the database the crash child appends to.
const crashChildEnv = "PLAYBOOK_CRASH_CHILD_DB"

// TestCrashKeepsAcknowledgedReports kills a process that appends reports
// from many goroutines with SIGKILL at random moments, and checks after
// each kill that every report it acknowledged is stored, once, and that
// the database is intact.
func TestCrashKeepsAcknowledgedReports(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the crash child")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	setup := openDB(t, path, nil)
	if _, err := setup.CreateTeam(t.Context(), "crash", storetest.TokenHash("crash")); err != nil {
		t.Fatal(err)
	}
	setup.Close()

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	acked := map[string]bool{}
	for round := range 20 {
		delay := time.Duration(20+rng.IntN(230)) * time.Millisecond
		keys, stderr := crashRound(t, path, round, delay)
		for _, k := range keys {
			acked[k] = true
		}
		t.Logf("round %d: killed after %v, %d reports acknowledged", round, delay, len(keys))
		if strings.Contains(stderr, "FAIL") || strings.Contains(stderr, "append:") {
			t.Fatalf("round %d: child failed:\n%s", round, stderr)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no report was acknowledged in any round; the test proves nothing")
	}

	db := openDB(t, path, nil)
	if err := db.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	events, err := db.Events(t.Context(), tracker.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, e := range events {
		stored[e.IdempotencyKey]++
	}
	missing := 0
	for k := range acked {
		if stored[k] != 1 {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged report %s stored %d times", k, stored[k])
			}
		}
	}
	t.Logf("%d acknowledged, %d stored (some stored reports were committed but not yet acknowledged)",
		len(acked), len(events))
	if missing > 0 {
		t.Errorf("%d of %d acknowledged reports lost or doubled", missing, len(acked))
	}
	assertStatesMatchEvents(t, db)
}

// crashRound runs the child until delay, kills it and returns the keys it
// acknowledged and its stderr.
func crashRound(t *testing.T, path string, round int, delay time.Duration) ([]string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("PLAYBOOK_CRASH_ROUND=%d", round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		keys []string
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if k, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
				keys = append(keys, k)
			}
		}
	}()
	time.Sleep(delay)
	cmd.Process.Kill() // SIGKILL
	<-done             // the pipe holds everything written before the kill
	cmd.Wait()
	return keys, stderr.String()
}

// TestCrashChild is the process TestCrashKeepsAcknowledgedReports kills.
// It prints "ack KEY" once Append returned for KEY.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("run by TestCrashKeepsAcknowledgedReports")
	}
	round := os.Getenv("PLAYBOOK_CRASH_ROUND")
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path, sqldb.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "append: open:", err)
		os.Exit(1)
	}
	team, err := db.TeamByName(ctx, "crash")
	if err != nil {
		fmt.Fprintln(os.Stderr, "append: team:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	for g := range 16 {
		go func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("r%s-g%d-%d", round, g, i)
				_, err := db.Append(ctx, tracker.Event{TeamID: team.ID,
					PracticeID: fmt.Sprintf("p%d", i%7), Status: tracker.Statuses[(g+i)%4],
					Note: "crash test", IdempotencyKey: key})
				if err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(1)
				}
				mu.Lock()
				os.Stdout.WriteString("ack " + key + "\n")
				mu.Unlock()
			}
		}()
	}
	// Killed long before this; the bound keeps a lost child from running on.
	time.Sleep(30 * time.Second)
	os.Exit(2)
}

// assertStatesMatchEvents checks that each current state is what the
// team's latest event for the practice says, and that History's last day
// counts every state.
func assertStatesMatchEvents(tb testing.TB, db *sqldb.DB) {
	tb.Helper()
	ctx := context.Background()
	events, err := db.Events(ctx, tracker.EventFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	teams, err := db.Teams(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	active := map[int64]bool{}
	for _, t := range teams {
		active[t.ID] = true
	}
	latest := map[string]tracker.Event{}
	for _, e := range events {
		if !active[e.TeamID] {
			continue // a removed team has no current states
		}
		latest[fmt.Sprintf("%d/%s", e.TeamID, e.PracticeID)] = e
	}
	states, err := db.States(ctx, tracker.StateFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	if len(states) != len(latest) {
		tb.Errorf("%d states for %d (team, practice) pairs with events", len(states), len(latest))
	}
	for _, s := range states {
		e := latest[fmt.Sprintf("%d/%s", s.TeamID, s.PracticeID)]
		if s.Status != e.Status || !s.ConfirmedAt.Equal(e.At) {
			tb.Errorf("state %+v disagrees with the latest event %+v", s, e)
		}
	}
	history, err := db.History(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if len(history) > 0 {
		total := 0
		for _, n := range history[len(history)-1].Counts {
			total += n
		}
		if total != len(states) {
			tb.Errorf("History counts %d pairs at the end, States has %d", total, len(states))
		}
	}
}
