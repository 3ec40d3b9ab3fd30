package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// copyPage is how many rows Copy reads and writes per transaction.
const copyPage = 500

// TableReport is what Copy found and did for one table.
type TableReport struct {
	Table string
	// Copied counts the rows this run inserted into the target or changed
	// there; a second run over an unchanged source copies nothing.
	Copied int64
	// Row counts and order-independent checksums of both sides after the
	// copy; equal when the target holds exactly the source's rows.
	SourceRows, TargetRows int64
	SourceSum, TargetSum   uint64
}

// Match reports whether both sides hold the same rows.
func (t TableReport) Match() bool {
	return t.SourceRows == t.TargetRows && t.SourceSum == t.TargetSum
}

// CopyReport is the outcome of Copy, one entry per table in copy order.
type CopyReport struct {
	Tables []TableReport
}

// Match reports whether every table matches.
func (r CopyReport) Match() bool {
	for _, t := range r.Tables {
		if !t.Match() {
			return false
		}
	}
	return true
}

// Copy copies every team, event, state, day count and setting (the session
// key among them) from one store to another, keeping ids, in pages of a few
// hundred rows per transaction. It is safe to re-run: events already in the
// target are skipped, and teams, states, counts and settings are brought up
// to the source's values. The source should not take writes meanwhile.
// progress, when not nil, is called after each page.
func Copy(ctx context.Context, from, to *DB, progress func(table string, done, total int64)) (CopyReport, error) {
	var report CopyReport
	for _, t := range copyTables {
		tr, err := copyTable(ctx, from, to, t, progress)
		if err != nil {
			return report, fmt.Errorf("copy %s: %w", t.name, err)
		}
		report.Tables = append(report.Tables, tr)
	}
	if to.dialect == Postgres {
		// Ids were inserted explicitly; move the identity sequences past
		// them. (pg_get_serial_sequence and setval also exist in
		// CockroachDB.)
		for _, table := range []string{"teams", "events"} {
			_, err := to.w.ExecContext(ctx, `select setval(pg_get_serial_sequence('`+table+`', 'id'),
				(select coalesce(max(id), 0) + 1 from `+table+`), false)`)
			if err != nil {
				return report, fmt.Errorf("copy %s: reset id sequence: %w", table, err)
			}
		}
	}
	return report, nil
}

// kind is how a column is read and written on either dialect.
type kind int

const (
	kInt kind = iota
	kText
	kNullText
	kBytes
	kBool
	kTime
	kNullTime
	kDay
)

type column struct {
	name string
	kind kind
}

// copyTable describes a table for Copy: its columns, the leading ones
// being the primary key, and whether rows change after insertion.
type copyTableSpec struct {
	name    string
	cols    []column
	keys    int
	mutable bool
}

var copyTables = []copyTableSpec{
	{name: "teams", keys: 1, mutable: true, cols: []column{
		{"id", kInt}, {"name", kText}, {"token_hash", kBytes}, {"created_at", kTime},
		{"removed_at", kNullTime},
	}},
	{name: "events", keys: 1, cols: []column{
		{"id", kInt}, {"team_id", kInt}, {"practice_id", kText}, {"status", kText},
		{"note", kText}, {"reconfirm", kBool}, {"idempotency_key", kNullText}, {"at", kTime},
	}},
	{name: "states", keys: 2, mutable: true, cols: []column{
		{"team_id", kInt}, {"practice_id", kText}, {"status", kText}, {"note", kText},
		{"since", kTime}, {"confirmed_at", kTime}, {"event_id", kInt},
	}},
	{name: "daily_status_counts", keys: 3, mutable: true, cols: []column{
		{"day", kDay}, {"status", kText}, {"shard", kInt}, {"delta", kInt},
	}},
	{name: "settings", keys: 1, mutable: true, cols: []column{
		{"key", kText}, {"value", kBytes},
	}},
}

// row holds canonical values: int64, string, []byte, bool, time.Time, or
// nil for NULL.
type row []any

func copyTable(ctx context.Context, from, to *DB, t copyTableSpec, progress func(string, int64, int64)) (TableReport, error) {
	tr := TableReport{Table: t.name}
	var total int64
	if err := from.r.QueryRowContext(ctx, `select count(*) from `+t.name).Scan(&total); err != nil {
		return tr, err
	}
	var (
		done  int64
		after row
	)
	for {
		page, err := readPage(ctx, from, t, after)
		if err != nil {
			return tr, fmt.Errorf("read: %w", err)
		}
		if len(page) == 0 {
			break
		}
		var n int64
		err = to.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, to.q(insertQuery(t, len(page))), to.rowArgs(t, page)...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return tr, fmt.Errorf("write: %w", err)
		}
		tr.Copied += n
		done += int64(len(page))
		if progress != nil {
			progress(t.name, done, max(total, done))
		}
		after = page[len(page)-1][:t.keys]
	}
	var err error
	if tr.SourceRows, tr.SourceSum, err = checksum(ctx, from, t); err != nil {
		return tr, fmt.Errorf("checksum source: %w", err)
	}
	if tr.TargetRows, tr.TargetSum, err = checksum(ctx, to, t); err != nil {
		return tr, fmt.Errorf("checksum target: %w", err)
	}
	return tr, nil
}

// readPage reads up to copyPage rows in key order after the key after
// (nil: from the start). Row values compare the composite keys, in SQLite
// and PostgreSQL alike.
func readPage(ctx context.Context, db *DB, t copyTableSpec, after row) ([]row, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	keys := strings.Join(names[:t.keys], ", ")
	query := `select ` + strings.Join(names, ", ") + ` from ` + t.name
	var args []any
	if after != nil {
		query += ` where (` + keys + `) > (` + placeholders(t.keys) + `)`
		args = db.rowArgs(copyTableSpec{cols: t.cols[:t.keys]}, []row{after})
	}
	query += ` order by ` + keys + ` limit ?`
	args = append(args, copyPage)
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []row
	for rows.Next() {
		r, err := scanRow(rows, t.cols)
		if err != nil {
			return nil, err
		}
		page = append(page, r)
	}
	return page, rows.Err()
}

func scanRow(rows *sql.Rows, cols []column) (row, error) {
	dest := make([]any, len(cols))
	r := make(row, len(cols))
	times := make([]time.Time, len(cols))
	for i, c := range cols {
		switch c.kind {
		case kTime, kNullTime, kDay:
			dest[i] = timeScan{&times[i]}
		default:
			dest[i] = &r[i]
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	for i, c := range cols {
		var err error
		switch c.kind {
		case kTime, kDay:
			r[i] = times[i]
		case kNullTime:
			r[i] = nil
			if !times[i].IsZero() {
				r[i] = times[i]
			}
		case kInt:
			r[i], err = asInt(r[i])
		case kText, kNullText:
			switch v := r[i].(type) {
			case []byte:
				r[i] = string(v)
			case string, nil:
			default:
				err = fmt.Errorf("column %s: unexpected %T", c.name, v)
			}
		case kBytes:
			if s, ok := r[i].(string); ok {
				r[i] = []byte(s)
			}
		case kBool:
			switch v := r[i].(type) {
			case bool:
			case int64:
				r[i] = v != 0
			default:
				err = fmt.Errorf("column %s: unexpected %T", c.name, v)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func asInt(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	default:
		return 0, fmt.Errorf("want an integer, got %T", v)
	}
}

// rowArgs turns canonical rows into the dialect's arguments, row by row.
func (db *DB) rowArgs(t copyTableSpec, rows []row) []any {
	args := make([]any, 0, len(rows)*len(t.cols))
	for _, r := range rows {
		for i, c := range t.cols {
			v := r[i]
			switch c.kind {
			case kTime:
				v = db.ts(v.(time.Time))
			case kNullTime:
				if v != nil {
					v = db.ts(v.(time.Time))
				}
			case kDay:
				v = day(v.(time.Time))
			}
			args = append(args, v)
		}
	}
	return args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertQuery inserts n rows, skipping rows whose key exists (immutable
// tables) or updating them only where a value differs (mutable ones), so
// that the affected row count is what this run changed.
func insertQuery(t copyTableSpec, n int) string {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	var b strings.Builder
	b.WriteString(`insert into ` + t.name + ` (` + strings.Join(names, ", ") + `) values `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(len(names)) + ")")
	}
	b.WriteString(` on conflict (` + strings.Join(names[:t.keys], ", ") + `) do `)
	if !t.mutable {
		b.WriteString("nothing")
		return b.String()
	}
	b.WriteString("update set ")
	var set, differ []string
	for _, c := range names[t.keys:] {
		set = append(set, c+" = excluded."+c)
		differ = append(differ, t.name+"."+c+" is distinct from excluded."+c)
	}
	b.WriteString(strings.Join(set, ", ") + " where " + strings.Join(differ, " or "))
	return b.String()
}

// checksum counts a table's rows and sums a hash of each row's canonical
// form, so that the sum does not depend on row order or dialect.
func checksum(ctx context.Context, db *DB, t copyTableSpec) (int64, uint64, error) {
	var (
		n     int64
		sum   uint64
		after row
		buf   bytes.Buffer
	)
	for {
		page, err := readPage(ctx, db, t, after)
		if err != nil {
			return 0, 0, err
		}
		if len(page) == 0 {
			return n, sum, nil
		}
		for _, r := range page {
			buf.Reset()
			for _, v := range r {
				encodeValue(&buf, v)
			}
			h := sha256.Sum256(buf.Bytes())
			sum += binary.BigEndian.Uint64(h[:8])
			n++
		}
		after = page[len(page)-1][:t.keys]
	}
}

// encodeValue writes a type tag, a length and the value, so that no two
// different rows encode alike.
func encodeValue(buf *bytes.Buffer, v any) {
	var b []byte
	tag := byte('n')
	switch v := v.(type) {
	case int64:
		tag, b = 'i', binary.BigEndian.AppendUint64(nil, uint64(v))
	case string:
		tag, b = 's', []byte(v)
	case []byte:
		tag, b = 'b', v
	case bool:
		tag, b = 'o', []byte{0}
		if v {
			b[0] = 1
		}
	case time.Time:
		tag, b = 't', []byte(utc(v).Format(sqliteTime))
	}
	buf.WriteByte(tag)
	buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
	buf.Write(b)
}
