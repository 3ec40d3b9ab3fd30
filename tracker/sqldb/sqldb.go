// Package sqldb is the tracker's Store on database/sql, with one code path
// for two dialects: SQLite (modernc.org/sqlite, pure Go) and PostgreSQL
// (pgx/v5 through its database/sql driver). Migrations are embedded and
// paired per dialect.
//
// On SQLite every write goes through one writer goroutine that commits
// queued writes in batches (group commit: one transaction and one fsync for
// many reports) and answers each caller only after its batch committed;
// reads use a separate pool of read-only connections. On PostgreSQL each
// write is its own transaction and the database does the queueing.
//
// It imports tracker and database drivers; it must not import net/http, the
// web package or anything under generator/.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	// Drivers: "pgx" for PostgreSQL and "sqlite" for SQLite.
	_ "github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/playbook-dev/playbook/tracker"
)

// The dialects Open understands, as Dialect reports them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

var _ tracker.Store = (*DB)(nil)

// Options tune a store; the zero value is ready to use.
type Options struct {
	// Now is the clock for created, removed and report times; time.Now by
	// default. Times are stored in UTC whatever its location.
	Now func() time.Time
	// Logger receives migrations at Info and batch commits at Debug;
	// nothing is logged by default.
	Logger *slog.Logger
	// BatchSize caps how many queued writes one SQLite transaction commits;
	// 256 by default.
	BatchSize int
	// ReadConns is the size of the SQLite read pool; 4 by default.
	ReadConns int
	// MaxConns is the size of the PostgreSQL pool; 16 by default.
	MaxConns int
}

// DB is a tracker.Store on SQLite or PostgreSQL. Its methods are safe for
// concurrent use.
type DB struct {
	dialect string
	now     func() time.Time
	log     *slog.Logger

	w *sql.DB // writes; on SQLite a single connection owned by the writer
	r *sql.DB // reads; the same pool as w on PostgreSQL

	// SQLite: prepared statements of the writer connection, by query
	// (nil: to prepare); owned by the writer goroutine. Parsing was half
	// of the writer's time without them.
	stmts map[string]*sql.Stmt
	// SQLite: counts added by the writes of the batch being committed;
	// owned by the writer goroutine.
	pendingCounts map[countKey]int64
	// SQLite: the states the writer's batches wrote; owned by the writer.
	cache *stateCache

	// SQLite group commit.
	batchSize int
	jobs      chan job
	closing   chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Open opens a store, creating and migrating its database. A dsn starting
// with postgres:// or postgresql:// selects PostgreSQL; "sqlite:PATH",
// "file:PATH" or a plain path selects SQLite.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db := &DB{
		now:       opts.Now,
		log:       opts.Logger,
		batchSize: opts.BatchSize,
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if db.batchSize <= 0 {
		db.batchSize = 256
	}

	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(ctx, dsn, opts)
	} else {
		err = db.openSQLite(ctx, dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) openPostgres(ctx context.Context, dsn string, opts Options) error {
	db.dialect = Postgres
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	maxConns := opts.MaxConns
	if maxConns <= 0 {
		maxConns = 16
	}
	conn.SetMaxOpenConns(maxConns)
	conn.SetMaxIdleConns(maxConns)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	db.w, db.r = conn, conn
	return nil
}

func (db *DB) openSQLite(ctx context.Context, dsn string, opts Options) error {
	db.dialect = SQLite
	path := dsn
	for _, prefix := range []string{"sqlite:", "file:"} {
		path = strings.TrimPrefix(path, prefix)
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return errors.New("open sqlite: empty path")
	}
	base := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)"

	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The first connection switches the file to WAL before readers open
	// it. Switching takes an exclusive lock without waiting for it, so a
	// process opening a new file at the same time as another may be told
	// "busy": try again for a while.
	for attempt := 1; ; attempt++ {
		err = w.PingContext(ctx)
		if err == nil {
			break
		}
		var se *sqlite.Error
		if attempt == 100 || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy {
			w.Close()
			return fmt.Errorf("open sqlite %s: %w", path, err)
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			w.Close()
			return fmt.Errorf("open sqlite %s: %w", path, ctx.Err())
		}
	}

	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = 4
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)

	db.w, db.r = w, r
	db.stmts = map[string]*sql.Stmt{}
	db.pendingCounts = map[countKey]int64{}
	db.cache = newStateCache()
	db.jobs = make(chan job)
	db.closing = make(chan struct{})
	db.wg.Add(1)
	go db.writeLoop()
	return nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Close stops the writer after the batch it is committing and closes the
// connections. Calling it again returns the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.closing != nil {
			close(db.closing)
			db.wg.Wait()
		}
		var err error
		for _, st := range db.stmts {
			if st != nil {
				err = errors.Join(err, st.Close())
			}
		}
		err = errors.Join(err, db.w.Close())
		if db.r != db.w {
			err = errors.Join(err, db.r.Close())
		}
		db.closeErr = err
	})
	return db.closeErr
}

// q rewrites the ? placeholders of query for the dialect. Queries in this
// package never contain a literal question mark.
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// stmt returns query prepared on the SQLite writer connection and bound to
// tx, or nil the first time a query is seen: the single connection is busy
// with tx then, so the query is prepared after the batch commits. Only the
// writer goroutine calls it.
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	st, ok := db.stmts[query]
	if !ok {
		db.stmts[query] = nil
		return nil
	}
	if st == nil {
		return nil
	}
	return tx.StmtContext(ctx, st)
}

// prepareNew prepares the queries stmt met for the first time; the writer
// calls it between batches, when the connection is free.
func (db *DB) prepareNew(ctx context.Context) {
	for query, st := range db.stmts {
		if st != nil {
			continue
		}
		st, err := db.w.PrepareContext(ctx, query)
		if err != nil {
			db.log.Debug("prepare", "err", err)
			continue
		}
		db.stmts[query] = st
	}
}

// exec runs a write statement in tx, prepared once on SQLite.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if db.dialect == Postgres {
		// pgx caches prepared statements per connection by itself.
		return tx.ExecContext(ctx, db.q(query), args...)
	}
	if st := db.stmt(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRow runs a one-row query in tx, prepared once on SQLite.
func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) rowScanner {
	if db.dialect == Postgres {
		return tx.QueryRowContext(ctx, db.q(query), args...)
	}
	if st := db.stmt(ctx, tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

type rowScanner interface{ Scan(dest ...any) error }

// sqliteBusy is SQLite's primary result code SQLITE_BUSY.
const sqliteBusy = 5

// sqliteTime is how SQLite stores times: UTC, fixed width, so that string
// order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// dayLayout is how both dialects receive days; PostgreSQL stores a date.
const dayLayout = "2006-01-02"

// utc truncates t to the microsecond precision both dialects store.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ts converts t into the dialect's argument for a time column.
func (db *DB) ts(t time.Time) any {
	if db.dialect == SQLite {
		return utc(t).Format(sqliteTime)
	}
	return utc(t)
}

func day(t time.Time) string { return t.UTC().Format(dayLayout) }

// timeScan scans a time or day column of either dialect into UTC; NULL
// scans as the zero time.
type timeScan struct{ t *time.Time }

func (s timeScan) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

func (s timeScan) parse(v string) error {
	if t, ok := parseSQLiteTime(v); ok {
		*s.t = t
		return nil
	}
	layout := sqliteTime
	if len(v) == len(dayLayout) {
		layout = dayLayout
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return fmt.Errorf("scan time: %w", err)
	}
	*s.t = t.UTC()
	return nil
}

// nullString maps the empty string to NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseSQLiteTime reads a time in the layout sqliteTime, the only one this
// store writes, without time.Parse's generality: the dashboard parses one
// for each of 100,000 states, and time.Parse was most of that. It reports
// false for anything it does not read exactly as time.Parse would, which
// then reads or rejects it.
func parseSQLiteTime(v string) (time.Time, bool) {
	if len(v) != len(sqliteTime) || v[4] != '-' || v[7] != '-' || v[10] != 'T' ||
		v[13] != ':' || v[16] != ':' || v[19] != '.' || v[26] != 'Z' {
		return time.Time{}, false
	}
	year, month, dd := digits(v[0:4]), digits(v[5:7]), digits(v[8:10])
	hh, mm, ss, us := digits(v[11:13]), digits(v[14:16]), digits(v[17:19]), digits(v[20:26])
	if year < 0 || month < 1 || month > 12 || dd < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
		ss < 0 || ss > 59 || us < 0 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), dd, hh, mm, ss, us*1000, time.UTC)
	if t.Day() != dd { // time.Date moved a day past the month's end (Feb 30)
		return time.Time{}, false
	}
	return t, true
}

// digits is the value of the decimal digits s, or -1 if s holds anything
// else.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
