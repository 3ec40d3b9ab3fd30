package web_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/playbook-dev/playbook/generator/catalog"
	"github.com/playbook-dev/playbook/tracker"
	"github.com/playbook-dev/playbook/tracker/storetest"
	"github.com/playbook-dev/playbook/tracker/web"
)

// BenchmarkReport measures durable reports through the whole stack: a
// real HTTP server, the handler (rate limits off), and the SQLite store,
// which acknowledges a report only after its transaction committed.
// Each client is one team with its own cookie and keep-alive connection.
//
// The clients write their requests and read the answers with a minimal
// HTTP/1.1 loop (http.ReadResponse), as wrk does, rather than with
// net/http's Client: on a 2-core machine the load generator shares the
// CPU with the server, and Client's transport goroutines cost about as
// much as the handler itself.
func BenchmarkReport(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchReport(b, clients)
		})
	}
}

func benchReport(b *testing.B, clients int) {
	e := newEnv(b, withLimits(web.Limits{Off: true}))
	host := strings.TrimPrefix(e.srv.URL, "http://")
	conns := make([]*reportClient, clients)
	for i := range clients {
		name := "team-" + strconv.Itoa(i)
		e.addTeam(name)
		br := e.browser()
		br.join(name)
		c, err := dialReportClient(host, "playbook_team="+br.cookies["playbook_team"].Value)
		if err != nil {
			b.Fatal(err)
		}
		defer c.conn.Close()
		conns[i] = c
	}
	practices := []string{"debrief", "huddle", "one-to-one"}

	storetest.Clients(b, clients, func(c int, i int64) error {
		form := url.Values{"practice": {practices[i%3]}, "status": {string(tracker.Statuses[i%4])},
			"note": {"bench"}, "key": {"bench-" + strconv.FormatInt(i, 10)}, "return": {"/practices/x/"}}
		status, err := conns[c].post("/track/report", form.Encode())
		if err == nil && status != http.StatusSeeOther {
			err = fmt.Errorf("status %d", status)
		}
		return err
	})
	if got := len(e.events(tracker.EventFilter{})); got != b.N {
		b.Fatalf("%d events stored for %d reports", got, b.N)
	}
}

// reportClient is one browser's keep-alive connection, posting forms the
// way a practice page does.
type reportClient struct {
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	header string // request headers after the request line, up to Content-Length
}

func dialReportClient(host, cookie string) (*reportClient, error) {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	return &reportClient{conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn),
		header: "Host: " + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			"Sec-Fetch-Site: same-origin\r\nCookie: " + cookie + "\r\n"}, nil
}

// post sends body to path and returns the answer's status code once the
// whole answer was read.
func (c *reportClient) post(path, body string) (int, error) {
	fmt.Fprintf(c.w, "POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s", path, c.header, len(body), body)
	if err := c.w.Flush(); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		return 0, errors.New("the server closed the connection")
	}
	return resp.StatusCode, err
}

// BenchmarkPages reads the tracker's pages at 500 teams x 200 practices
// with 20 events for each pair (2,000,000 events), seeded in bulk once:
// the dashboard, one practice's page, one team's page, and the status
// API every practice page calls.
func BenchmarkPages(b *testing.B) {
	const teams, practices, perPair = 500, 200, 20
	e := newEnv(b)
	cat := &catalog.Catalog{Site: catalog.Site{Title: "Bench"}}
	for p := range practices {
		cat.Practices = append(cat.Practices, catalog.Practice{ID: fmt.Sprintf("practice-%03d", p),
			Title: fmt.Sprintf("Practice %d", p), Kind: "practice", URL: fmt.Sprintf("/practices/p%d/", p),
			ReviewAfterDays: 30 * (p % 3)})
	}
	e.writeCatalog(cat)
	seedBulk(b, e, cat, teams, perPair)

	for _, page := range []struct{ name, path string }{
		{"dashboard", "/track/"},
		{"practice", "/track/practices/practice-100"},
		{"team", "/track/teams/team-250"},
		{"status", "/track/api/status?practice=practice-100"},
	} {
		b.Run(page.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				r, _ := http.NewRequest(http.MethodGet, e.srv.URL+page.path, nil)
				r.Header.Set("Authorization", "Bearer admin-secret")
				r.Header.Set("Accept-Encoding", "gzip") // as browsers do; bytes counted compressed
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", page.path, resp.StatusCode)
				}
				size = int(n)
			}
			b.ReportMetric(float64(size)/1e6, "MB-gzip/page")
		})
	}
}

// seedBulk writes teams, events, states and day counts straight into the
// SQLite file in one transaction, as the store would have after
// teams*len(practices)*perPair reports, one a day per pair.
func seedBulk(b *testing.B, e *env, cat *catalog.Catalog, teams, perPair int) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	const layout = "2006-01-02T15:04:05.000000Z"
	t0 := e.clock.Now().UTC().AddDate(0, 0, -perPair-40)
	insTeam, err := tx.Prepare(`insert into teams (id, name, token_hash, created_at) values (?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	insEvent, err := tx.Prepare(`insert into events (id, team_id, practice_id, status, note, reconfirm, at) values (?, ?, ?, ?, ?, 0, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	insState, err := tx.Prepare(`insert into states (team_id, practice_id, status, note, since, confirmed_at, event_id) values (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	type dayKey struct {
		day    string
		status tracker.Status
		shard  int
	}
	deltas := map[dayKey]int{}
	id := int64(0)
	for t := 1; t <= teams; t++ {
		h := sha256.Sum256([]byte("bench-team-" + strconv.Itoa(t)))
		if _, err := insTeam.Exec(t, fmt.Sprintf("team-%03d", t), h[:], t0.Format(layout)); err != nil {
			b.Fatal(err)
		}
		for pi, p := range cat.Practices {
			var cur tracker.Status
			var since time.Time
			for i := range perPair {
				id++
				at := t0.AddDate(0, 0, i).Add(time.Duration(t) * time.Second)
				st := tracker.Statuses[(t+pi+i*(1+t%2))%len(tracker.Statuses)]
				note := ""
				if (t+pi+i)%7 == 0 {
					note = "note from team " + strconv.Itoa(t) + " on day " + strconv.Itoa(i)
				}
				if _, err := insEvent.Exec(id, t, p.ID, string(st), note, at.Format(layout)); err != nil {
					b.Fatal(err)
				}
				if st != cur {
					day := at.Format("2006-01-02")
					if cur != "" {
						deltas[dayKey{day, cur, t % 16}]--
					}
					deltas[dayKey{day, st, t % 16}]++
					cur, since = st, at
				}
				if i == perPair-1 {
					if _, err := insState.Exec(t, p.ID, string(st), note, since.Format(layout), at.Format(layout), id); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
	for k, d := range deltas {
		if _, err := tx.Exec(`insert into daily_status_counts (day, status, shard, delta) values (?, ?, ?, ?)`,
			k.day, string(k.status), k.shard, d); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// Check the seed through the store, as the handler will read it.
	ts, err := e.db.Teams(ctx)
	if err != nil || len(ts) != teams {
		b.Fatalf("seeded %d teams (%v), want %d", len(ts), err, teams)
	}
}
