#!/usr/bin/env bash
# Starts or stops a PostgreSQL 15 server for the tests: a cluster made here by initdb, listening
# on 127.0.0.1 and on a unix socket in <dir>, durable as in production (fsync=on,
# synchronous_commit=on: the durability tests rely on it) but tuned to start and stop fast.
# Run as root, the server runs as the `postgres` user (initdb refuses root) on a directory that
# user owns; run as another user, it runs as that user.
# Usage: scripts/test-servers/postgres.sh start <dir> <port>
#        scripts/test-servers/postgres.sh stop <dir>
# On start it prints the environment the tests read:
#   WRITEEN_TEST_POSTGRES_URL=postgresql://writeen@127.0.0.1:<port>/postgres
# (superuser `writeen`, trust authentication on loopback only: each test server makes and drops
# its own database, tests/integration/lib/server.js). Keep <dir> short: the socket path must fit
# in 107 bytes.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start <dir> <port> | stop <dir>" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"

bindir=""
for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/pg_ctl" ]]; then
        bindir=$candidate
        break
    fi
done
if [[ -z "$bindir" ]]; then
    echo "PostgreSQL server not found: install postgresql (scripts/install-deps.sh test)" >&2
    exit 1
fi

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
    as_owner=(runuser -u postgres --)
fi
run() { "${as_owner[@]}" "$@"; }

case "$action" in
start)
    port=${3:?port required}
    if [[ -f "$data/postmaster.pid" ]] && run "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        echo "postgres already running in $data" >&2
        exit 1
    fi
    if ((${#dir} + 20 > 107)); then
        echo "directory too long for a unix socket: $dir" >&2
        exit 1
    fi
    ((${#as_owner[@]})) && chown postgres: "$dir"
    if ! run test -x "$dir"; then
        echo "the postgres user cannot reach $dir: every parent directory needs o+x (chmod 711)" >&2
        exit 1
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        # --no-sync: the cluster is thrown away with the directory; durability of what the
        # tests write is what fsync=on below is for.
        run "$bindir/initdb" -D "$data" -U writeen --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
            --no-sync >"$dir/initdb.log" 2>&1 || {
            echo "initdb failed:" >&2
            cat "$dir/initdb.log" >&2
            exit 1
        }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$dir'"
            echo "fsync = on"
            echo "synchronous_commit = on"
            echo "full_page_writes = on"
            # Many test servers, each with its own database and a read pool.
            echo "max_connections = 300"
            echo "shared_buffers = 64MB"
            # A small WAL and a checkpoint that does not stall the tests' writes.
            echo "max_wal_size = 256MB"
            echo "checkpoint_timeout = 5min"
            echo "logging_collector = off"
            echo "log_min_messages = warning"
            echo "log_min_error_statement = panic"
            echo "autovacuum_naptime = 10s"
        } >>"$data/postgresql.conf"
    else
        sed -i "s/^port = .*/port = $port/" "$data/postgresql.conf"
    fi
    # -w waits until the server accepts connections; setsid: it outlives this script.
    if ! run setsid "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null; then
        echo "postgres did not start; log:" >&2
        cat "$dir/postgres.log" >&2
        exit 1
    fi
    echo "WRITEEN_TEST_POSTGRES_URL=postgresql://writeen@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -f "$data/postmaster.pid" ]]; then
        # fast: rolls back open transactions and disconnects clients, then a clean shutdown.
        run "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "usage: $0 start <dir> <port> | stop <dir>" >&2
    exit 2
    ;;
esac
