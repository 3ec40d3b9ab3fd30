package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// errClosed is returned by writes after Close.
var errClosed = errors.New("store closed")

// txFunc is one write. It must leave the transaction usable when it returns
// an error, so that a batch can roll back just that write; an error that
// comes before the write changed anything should say so (unwritten).
type txFunc func(ctx context.Context, tx *sql.Tx) error

// unwritten marks an error a write returned before it changed anything,
// such as a repeated report: the batch it ran in needs no rolling back.
type unwritten struct{ error }

func (u unwritten) Unwrap() error { return u.error }

// job is a write queued for the SQLite writer.
type job struct {
	ctx  context.Context
	fn   txFunc
	done chan error // buffered: the writer never blocks on a caller
	// appendOnly marks a report's append, which keeps the writer's
	// state cache right; any other write empties it.
	appendOnly bool
}

// write runs fn in a transaction and returns once that transaction
// committed (fn's error otherwise).
func (db *DB) write(ctx context.Context, fn txFunc) error {
	return db.submit(ctx, fn, false)
}

func (db *DB) submit(ctx context.Context, fn txFunc, appendOnly bool) error {
	var err error
	if db.dialect == Postgres {
		err = db.writePostgres(ctx, fn)
	} else {
		err = db.queue(ctx, job{ctx: ctx, fn: fn, done: make(chan error, 1), appendOnly: appendOnly})
	}
	if u, ok := err.(unwritten); ok {
		return u.error
	}
	return err
}

// queue hands j to the SQLite writer and waits for its outcome.
func (db *DB) queue(ctx context.Context, j job) error {
	select {
	case db.jobs <- j:
	case <-db.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not be told "canceled" about a report that then commits.
	return <-j.done
}

// writeLoop is the SQLite writer: it takes one queued write, then every
// other write already waiting (up to the batch size), and commits them
// together. While a commit waits for fsync, new writes queue up for the
// next batch, so batches grow with load.
func (db *DB) writeLoop() {
	defer db.wg.Done()
	batch := make([]job, 0, db.batchSize)
	for {
		batch = batch[:0]
		select {
		case j := <-db.jobs:
			batch = append(batch, j)
		case <-db.closing:
			return
		}
	fill:
		for len(batch) < db.batchSize {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		db.commitBatch(batch)
		db.prepareNew(context.Background())
	}
}

// commitBatch commits the jobs in one transaction. Most writes succeed or
// fail before writing anything (a repeated report), so the batch first runs
// them one after the other and commits once. If one fails after writing,
// that transaction is rolled back and the batch runs again with each job
// inside a savepoint, so that the failing write does not undo the others.
func (db *DB) commitBatch(batch []job) {
	start := time.Now()
	errs, err := db.runBatch(batch, false)
	isolated := errors.Is(err, errJobFailed)
	if isolated {
		errs, err = db.runBatch(batch, true)
	}
	if err != nil {
		for _, j := range batch {
			j.done <- err
		}
		return
	}
	db.log.Debug("batch committed", "writes", len(batch), "isolated", isolated, "duration", time.Since(start))
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// errJobFailed stops a batch run without savepoints at its first write
// that failed after changing something.
var errJobFailed = errors.New("a write in the batch failed")

// runBatch runs the jobs in one transaction and commits it, returning each
// job's outcome. With isolate, each job runs in a savepoint that is rolled
// back if the job fails; without, a job that failed before writing
// (unwritten) is only answered, and the first other failing job rolls back
// the whole transaction and runBatch returns errJobFailed.
func (db *DB) runBatch(batch []job, isolate bool) ([]error, error) {
	errs := make([]error, len(batch))
	clear(db.pendingCounts)
	// The transaction outlives any one caller's context; a canceled
	// statement would interrupt SQLite and roll back the whole batch.
	ctx := context.Background()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	db.cache.begin(ctx, tx, batch, isolate)
	committed := false
	defer func() { db.cache.end(committed) }()
	// step runs one statement of the batch's own bookkeeping.
	step := func(q string) error {
		if _, err := db.exec(ctx, tx, q); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", q, err)
		}
		return nil
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if !isolate {
			errs[i] = j.fn(context.WithoutCancel(j.ctx), tx)
			if _, clean := errs[i].(unwritten); errs[i] != nil && !clean {
				tx.Rollback()
				return nil, errJobFailed
			}
			continue
		}
		if err := step("savepoint job"); err != nil {
			return nil, err
		}
		errs[i] = j.fn(context.WithoutCancel(j.ctx), tx)
		if errs[i] == nil {
			errs[i] = db.flushCounts(ctx, tx)
		}
		if errs[i] != nil {
			clear(db.pendingCounts)
			if err := step("rollback to job"); err != nil {
				return nil, err
			}
		}
		if err := step("release job"); err != nil {
			return nil, err
		}
	}
	if err := db.flushCounts(ctx, tx); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("counts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	committed = true
	return errs, nil
}

// writePostgres runs fn in its own transaction, retrying when PostgreSQL
// (or CockroachDB, which runs SERIALIZABLE) asks for a retry.
func (db *DB) writePostgres(ctx context.Context, fn txFunc) error {
	for attempt := 1; ; attempt++ {
		err := db.txOnce(ctx, fn)
		if err == nil || attempt == 5 || !retryable(err) {
			return err
		}
		db.log.Debug("retrying transaction", "attempt", attempt, "err", err)
	}
}

func (db *DB) txOnce(ctx context.Context, fn txFunc) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable reports a serialization failure or deadlock.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
