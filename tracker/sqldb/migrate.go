package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change of a dialect.
type Migration struct {
	Version int    // from the file name: 0001_init.sql is 1
	Name    string // file name without the .sql extension
	SQL     string
}

// Migrations returns the embedded migrations of a dialect in version order.
func Migrations(dialect string) ([]Migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", dialect, err)
	}
	var ms []Migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations %s: %s: name must start with a positive number", dialect, e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrations %s: %w", dialect, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s: version %d twice", dialect, ms[i].Version)
		}
	}
	return ms, nil
}

// migrate applies the migrations not yet recorded in schema_migrations,
// each in its own transaction together with its record. Claiming the
// version first (insert ... on conflict do nothing) makes a second process
// migrating at the same time wait, then skip it.
//
// Not portable as is: CockroachDB runs schema changes inside a transaction
// only with restrictions; there the migrations would need to run one
// statement at a time.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	for attempt := 1; attempt <= 2; attempt++ {
		// Two PostgreSQL processes creating the table at once can collide
		// in the catalog; the second attempt then finds it.
		_, err = db.w.ExecContext(ctx, `create table if not exists schema_migrations (
			version    integer primary key,
			name       text not null,
			applied_at text not null
		)`)
		if err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		applied, err := db.applyMigration(ctx, m)
		if err != nil {
			return fmt.Errorf("migrate %s %s: %w", db.dialect, m.Name, err)
		}
		if applied {
			db.log.Info("migration applied", "dialect", db.dialect, "migration", m.Name)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`insert into schema_migrations (version, name, applied_at)
		values (?, ?, ?) on conflict (version) do nothing`),
		m.Version, m.Name, utc(db.now()).Format(sqliteTime))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// AppliedMigrations lists the versions recorded in schema_migrations.
func (db *DB) AppliedMigrations(ctx context.Context) ([]int, error) {
	rows, err := db.r.QueryContext(ctx, `select version from schema_migrations order by version`)
	if err != nil {
		return nil, fmt.Errorf("applied migrations: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("applied migrations: %w", err)
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}
