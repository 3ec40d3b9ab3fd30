package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
)

// PostgresEnv names the environment variable holding the DSN of the
// PostgreSQL server that tests use.
const PostgresEnv = "PLAYBOOK_TEST_POSTGRES"

// PostgresDSN creates an empty schema on the server in PostgresEnv for one
// test and returns a DSN whose search_path selects it; the schema is
// dropped when the test ends. Without a server it skips the test loudly,
// and fails it when CI=true, so that CI never passes without PostgreSQL.
//
// It talks to the server through database/sql's "pgx" driver, which the
// caller registers by importing the store package (tracker/sqldb); this
// package itself imports no driver.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		msg := "PostgreSQL tests SKIPPED: set " + PostgresEnv +
			"=postgres://USER@HOST:PORT/DB?sslmode=disable" +
			" (source .ci/postgres.sh and run playbook_pg_start)"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s (is tracker/sqldb imported?): %v", PostgresEnv, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	// Not the test's context: the schema must be dropped after it ends.
	if _, err := admin.ExecContext(context.Background(), "create schema "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "drop schema "+schema+" cascade"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
