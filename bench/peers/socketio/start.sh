#!/usr/bin/env bash
# Installs what is missing, starts a throw-away PostgreSQL 15 on loopback (port PORT+1, data in a
# temp dir, removed at exit) and the Socket.IO peer on PORT. Runs in the foreground; SIGTERM stops
# both. Usage: bench/peers/socketio/start.sh PORT
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-8091}"
pg_port=$((port + 1))
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
    apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
if [ ! -d node_modules/socket.io ] || [ ! -d node_modules/pg ] || [ ! -d node_modules/@socket.io/redis-adapter ]; then
    npm ci --no-audit --no-fund --silent
fi

# PostgreSQL refuses to run as root: run it as the postgres user in that case.
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
pg_dir=$(mktemp -d /tmp/writeen-bench-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
node_pid=
cleanup() {
    if [ -n "$node_pid" ]; then
        kill "$node_pid" 2>/dev/null || true
        wait "$node_pid" 2>/dev/null || true
    fi
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w start \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=100" >/dev/null
PORT="$port" PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=postgres PGDATABASE=postgres node server.js &
node_pid=$!
wait "$node_pid"
