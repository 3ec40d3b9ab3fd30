#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the tracker's store tests.
#
# Source it, then call the function; it exports PLAYBOOK_TEST_POSTGRES and
# arranges nothing else, so the caller decides when to stop the cluster:
#
#   source .ci/postgres.sh
#   playbook_pg_start          # installs postgresql with apt-get if needed
#   trap playbook_pg_stop EXIT
#
# When PLAYBOOK_TEST_POSTGRES is already set (a server provided by CI), it
# starts nothing. The cluster lives in a mktemp directory owned by an unprivileged user
# (PostgreSQL refuses to run as root), listens on 127.0.0.1 only, on a free
# port, with its unix socket inside the same directory. Stopping it removes
# the directory. Run directly (bash .ci/postgres.sh) it starts a cluster,
# prints the DSN and waits until interrupted.

# playbook_pg_bin puts the PostgreSQL server binaries on PATH, installing the
# Debian package when they are missing.
playbook_pg_bin() {
	if ! command -v initdb >/dev/null 2>&1 || ! command -v pg_ctl >/dev/null 2>&1; then
		local dir
		dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
		if [ -z "$dir" ]; then
			echo "postgres.sh: installing postgresql with apt-get" >&2
			if [ "$(id -u)" -eq 0 ]; then
				apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql || return 1
			else
				sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql || return 1
			fi
			dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
		fi
		if [ -z "$dir" ]; then
			echo "postgres.sh: no PostgreSQL binaries after installing" >&2
			return 1
		fi
		export PATH="$dir:$PATH"
	fi
}

# playbook_pg_free_port prints a TCP port that nothing listens on now.
playbook_pg_free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "postgres.sh: no free port found" >&2
	return 1
}

# playbook_pg_start creates, starts and exports a throwaway cluster.
playbook_pg_start() {
	if [ -n "${PLAYBOOK_TEST_POSTGRES:-}" ]; then
		echo "postgres.sh: using the server in PLAYBOOK_TEST_POSTGRES; starting none" >&2
		return 0
	fi
	playbook_pg_bin || return 1

	local run_as=()
	if [ "$(id -u)" -eq 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
		fi
		run_as=(runuser -u postgres --)
	fi

	PLAYBOOK_PG_DIR=$(mktemp -d /tmp/playbook-pg.XXXXXX) || return 1
	chmod 700 "$PLAYBOOK_PG_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PLAYBOOK_PG_DIR" || return 1
	fi
	export PLAYBOOK_PG_DIR

	local port
	port=$(playbook_pg_free_port) || return 1

	"${run_as[@]}" initdb -D "$PLAYBOOK_PG_DIR/data" -U playbook --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$PLAYBOOK_PG_DIR/initdb.log" 2>&1 || {
		cat "$PLAYBOOK_PG_DIR/initdb.log" >&2
		return 1
	}
	# fsync stays on: the benchmarks measure durable commits.
	"${run_as[@]}" pg_ctl -D "$PLAYBOOK_PG_DIR/data" -w -t 60 \
		-l "$PLAYBOOK_PG_DIR/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PLAYBOOK_PG_DIR -c max_connections=200" \
		start >/dev/null || {
		cat "$PLAYBOOK_PG_DIR/server.log" >&2
		return 1
	}
	"${run_as[@]}" createdb -h 127.0.0.1 -p "$port" -U playbook playbook_test || return 1

	export PLAYBOOK_TEST_POSTGRES="postgres://playbook@127.0.0.1:$port/playbook_test?sslmode=disable"
	echo "PLAYBOOK_TEST_POSTGRES=$PLAYBOOK_TEST_POSTGRES"
}

# playbook_pg_stop stops the cluster and removes its directory; safe to call
# twice and when start never ran.
playbook_pg_stop() {
	if [ -n "${PLAYBOOK_PG_DIR:-}" ] && [ -d "$PLAYBOOK_PG_DIR" ]; then
		local run_as=()
		if [ "$(id -u)" -eq 0 ]; then
			run_as=(runuser -u postgres --)
		fi
		"${run_as[@]}" pg_ctl -D "$PLAYBOOK_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$PLAYBOOK_PG_DIR"
	fi
	unset PLAYBOOK_PG_DIR
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	playbook_pg_start
	trap playbook_pg_stop EXIT
	echo "cluster running; Ctrl-C stops it" >&2
	while sleep 3600; do :; done
fi
