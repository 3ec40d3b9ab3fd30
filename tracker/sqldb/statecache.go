package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

// stateCache is the SQLite writer's memory of the current states its own
// batches wrote, so that a team's next report on a practice need not read
// its state back. Only the writer goroutine uses it. It serves a batch
// only when every job in it is an append; a batch that runs anything
// else (removing a team, a copy), runs with savepoints, or fails, empties
// it. Another connection's commit (another process on the same file)
// changes PRAGMA data_version, which every batch checks first.
type stateCache struct {
	on        bool  // serving the batch being run
	version   int64 // data_version the committed entries belong to
	committed map[pairKey]pairState
	batch     map[pairKey]pairState // written by the running batch
}

// stateCacheMax bounds the cache; past it, it starts over.
const stateCacheMax = 200_000

type pairKey struct {
	team     int64
	practice string
}

// pairState is what appendTx reads of a team and its state of a practice.
type pairState struct {
	teamName string
	found    bool // the team has a state for the practice
	status   tracker.Status
	note     string
	since    time.Time
}

func newStateCache() *stateCache {
	return &stateCache{version: -1, committed: map[pairKey]pairState{}, batch: map[pairKey]pairState{}}
}

// begin decides whether the cache serves a batch about to run in tx.
func (c *stateCache) begin(ctx context.Context, tx *sql.Tx, batch []job, isolate bool) {
	c.on = false
	clear(c.batch)
	if isolate {
		return
	}
	for _, j := range batch {
		if !j.appendOnly {
			return
		}
	}
	var version int64
	if err := tx.QueryRowContext(ctx, `pragma data_version`).Scan(&version); err != nil {
		return
	}
	if version != c.version {
		clear(c.committed)
		c.version = version
	}
	c.on = true
}

// get and put do nothing on a nil cache (PostgreSQL has none).
func (c *stateCache) get(k pairKey) (pairState, bool) {
	if c == nil || !c.on {
		return pairState{}, false
	}
	if s, ok := c.batch[k]; ok {
		return s, true
	}
	s, ok := c.committed[k]
	return s, ok
}

func (c *stateCache) put(k pairKey, s pairState) {
	if c != nil && c.on {
		c.batch[k] = s
	}
}

// end closes a batch: its writes become the cache's if it committed and
// the cache served it; anything else empties the cache.
func (c *stateCache) end(committed bool) {
	if !committed || !c.on || len(c.committed)+len(c.batch) > stateCacheMax {
		clear(c.committed)
		c.version = -1
	} else {
		for k, s := range c.batch {
			c.committed[k] = s
		}
	}
	clear(c.batch)
	c.on = false
}
