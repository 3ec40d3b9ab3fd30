package sqldb

import (
	"testing"
	"time"
)

// parseSQLiteTime must agree with time.Parse on everything it accepts and
// leave the rest to it.
func FuzzParseSQLiteTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-02T09:30:00.123456Z",
		"2024-02-29T23:59:59.999999Z", // leap day
		"2000-02-29T00:00:00.000000Z", // leap day of a century divisible by 400
		"1900-02-29T00:00:00.000000Z", // no leap day
		"2025-02-29T00:00:00.000000Z",
		"2026-04-31T00:00:00.000000Z",
		"2026-12-31T24:00:00.000000Z",
		"2026-13-01T00:00:00.000000Z",
		"2026-00-01T00:00:00.000000Z",
		"2026-01-00T00:00:00.000000Z",
		"2026-01-01T00:60:00.000000Z",
		"2026-01-01T00:00:60.000000Z",
		"0000-01-01T00:00:00.000000Z",
		"2026-01-01T00:00:00.00000aZ",
		"2026-01-01T00:00:00.+00000Z",
		"+026-01-01T00:00:00.000000Z",
		"2026-01-01 00:00:00.000000Z",
		"2026-01-01T00:00:00.000000+",
		"2026-01-01T00:00:00.00000Z",
		"2026-01-01",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.Parse(sqliteTime, s)
		got, ok := parseSQLiteTime(s)
		if !ok {
			return // time.Parse decides
		}
		if err != nil {
			t.Fatalf("parseSQLiteTime(%q) = %v; time.Parse rejects it: %v", s, got, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("parseSQLiteTime(%q) = %v, want %v", s, got, want.UTC())
		}
	})
}

func TestParseSQLiteTimeReadsWhatTheStoreWrites(t *testing.T) {
	for _, tt := range []time.Time{
		time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC),
		time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		s := utc(tt).Format(sqliteTime)
		got, ok := parseSQLiteTime(s)
		if !ok || !got.Equal(tt) || got.Location() != time.UTC {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", s, got, ok, tt)
		}
	}
}
