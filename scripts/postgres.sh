#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests of transport/mailserver/archive.
#
#   eval "$(scripts/postgres.sh start)"   # starts one; exports STATUSD_TEST_POSTGRES (the DSN)
#                                         # and STATUSD_TEST_POSTGRES_DIR (its directory)
#   scripts/postgres.sh stop [DIR]        # stops it and deletes DIR (default $STATUSD_TEST_POSTGRES_DIR)
#   scripts/postgres.sh run CMD ARGS...   # start, run CMD with the DSN exported, always stop
#
# If initdb/pg_ctl are missing it installs Debian's postgresql package (needs
# root: apt-get update once, then apt-get install -y postgresql). The cluster
# lives in a fresh temporary directory, listens only on a unix socket there
# (no TCP port), trusts local connections, and is owned by the `postgres`
# system user when run as root (initdb refuses root). `run` reuses an
# existing STATUSD_TEST_POSTGRES instead of starting another, and exports
# STATUSD_REQUIRE_POSTGRES=1 so that a test that finds no server fails
# instead of skipping (a plain `go test ./...` skips them).
set -euo pipefail

PORT=5432 # only names the socket file inside our own directory
DB=statusd_test

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
	if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v pg_ctl)")"
		return 0
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
		echo "$d"
		return 0
	fi
	return 1
}

install_postgres() {
	if [ "$(id -u)" != 0 ]; then
		log "PostgreSQL (initdb, pg_ctl) not found; install Debian's postgresql package or run as root"
		exit 1
	fi
	log "installing Debian's postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y postgresql >&2
}

# as_owner runs a command as the cluster owner: postgres when we are root.
as_owner() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
		return
	fi
	local r
	r=$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser || true)
	if [ -n "$r" ]; then
		"$r" -u postgres -- "$@"
	else
		su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
	fi
}

start() {
	local bindir dir
	bindir=$(find_bindir) || { install_postgres; bindir=$(find_bindir); }
	# /tmp, not $TMPDIR: the postgres user must reach it, and socket paths are short.
	dir=$(mktemp -d /tmp/statusd-pg.XXXXXX)
	chmod 755 "$dir"
	# On failure, leave nothing behind: stop what started, delete the directory.
	trap 'stop "$dir"; rm -rf "$dir"' EXIT
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { log "no postgres system user"; exit 1; }
		chown postgres: "$dir"
	fi
	as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-instructions >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $PORT" start >&2 ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_owner "$bindir/createdb" -h "$dir" -p "$PORT" -U postgres "$DB"
	trap - EXIT
	echo "export STATUSD_TEST_POSTGRES='postgres://postgres@/$DB?host=$dir&port=$PORT&sslmode=disable'"
	echo "export STATUSD_TEST_POSTGRES_DIR='$dir'"
	log "PostgreSQL running in $dir (stop: scripts/postgres.sh stop $dir)"
}

stop() {
	local dir="${1:-${STATUSD_TEST_POSTGRES_DIR:-}}" bindir
	if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
		log "nothing to stop"
		return 0
	fi
	bindir=$(find_bindir) || true
	if [ -n "$bindir" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
	fi
	rm -rf "$dir"
}

run() {
	export STATUSD_REQUIRE_POSTGRES=1
	if [ -n "${STATUSD_TEST_POSTGRES:-}" ]; then
		"$@"
		return
	fi
	local exports
	exports=$(start)
	eval "$exports"
	trap 'stop "$STATUSD_TEST_POSTGRES_DIR"' EXIT
	trap 'exit 130' INT TERM
	"$@"
}

cmd="${1:-start}"
shift || true
case "$cmd" in
start) start ;;
stop) stop "$@" ;;
run) run "$@" ;;
*)
	log "usage: $0 start | stop [DIR] | run CMD ARGS..."
	exit 2
	;;
esac
