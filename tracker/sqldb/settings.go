package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

const sessionKeySetting = "session_key"

// SessionKey returns the key that signs team session cookies. The first
// call on a database creates a random 32-byte key; when several processes
// race, the first insert wins and every one reads that key.
func (db *DB) SessionKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := db.r.QueryRowContext(ctx, db.q(`select value from settings where key = ?`),
		sessionKeySetting).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session key: %w", err)
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	err = db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `insert into settings (key, value) values (?, ?)
			on conflict (key) do nothing`, sessionKeySetting, fresh)
		if err != nil {
			return err
		}
		return db.queryRow(ctx, tx, `select value from settings where key = ?`,
			sessionKeySetting).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	return key, nil
}

// Backup writes a consistent copy of a SQLite database to path, which must
// not exist, while the store stays online (VACUUM INTO). On PostgreSQL it
// returns an error: use pg_dump.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect == Postgres {
		return errors.New("backup: the store is on PostgreSQL; use pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup to %s: file exists", path)
	}
	if strings.HasPrefix(path, "file:") {
		return fmt.Errorf("backup to %s: want a plain path", path)
	}
	// The writer connection runs it between two batches.
	if _, err := db.w.ExecContext(ctx, `vacuum into ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and returns its
// findings as an error; on PostgreSQL it returns nil.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.dialect == Postgres {
		return nil
	}
	rows, err := db.r.QueryContext(ctx, `pragma integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}
