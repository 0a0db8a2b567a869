#!/usr/bin/env bash
# kill -9 under load: runs the load generator against the server and kills the server with
# SIGKILL at a random moment, KILLS times, restarting it on the same data directory each time.
# Then checks that every message the server acknowledged is stored once with the seq it was
# acknowledged with, that every conversation's seq is gap-free, and that SQLite's
# PRAGMA integrity_check passes.
#   scripts/chaos.sh [KILLS]     # 100 by default (by hand, nightly); `make test` runs 10
# Binaries come from $BUILD_DIR (build/). Keeps the data directory on failure (path printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-100}
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
server_bin="$build/writeen-chat"
loadgen="$build/bench/loadgen"
for bin in "$server_bin" "$loadgen"; do
    [[ -x "$bin" ]] || { echo "chaos: $bin is missing (make build)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/writeen-chaos.XXXXXX)
secret=$(openssl rand -hex 32)
server_pid=''
cleanup() {
    [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

start_server() {  # sets server_pid and url
    : >"$work/server.log"
    "$server_bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" --jwt-secret "$secret" \
        --rate-limit 1000000 --scan none --threads 1 --log-level warn >>"$work/server.log" 2>&1 &
    server_pid=$!
    local port=''
    for _ in $(seq 150); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | sed 's/.*://') || true
        [[ -n "$port" ]] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "chaos: the server did not start on $work/data:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    url="http://127.0.0.1:$port"
}

for kill_number in $(seq "$kills"); do
    start_server
    # Fresh users and conversations each round (the load generator's default per-run prefix),
    # all into the same database. The kill lands anywhere: during setup, sending, or draining.
    "$loadgen" --scenario direct --url "$url" --secret "$secret" --connections 40 --rates 1500 \
        --step-seconds 3 --drain-seconds 1 --keep-going --ack-log "$work/acks.log" \
        >"$work/loadgen.log" 2>&1 &
    loadgen_pid=$!
    sleep "$(awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", 0.5 + rand() * 3.5 }')"
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=''
    wait "$loadgen_pid" 2>/dev/null || true
    printf 'chaos: kill %d of %d, %d acknowledgements so far\n' "$kill_number" "$kills" \
        "$(wc -l <"$work/acks.log" 2>/dev/null || echo 0)"
done

# One clean start and stop after the last kill: the server recovers the database and migrates
# as it would in production, then the check reads the files it left.
start_server
kill -TERM "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=''

if python3 "$root/scripts/chaos/check_acknowledged.py" "$work/data/writeen.db" "$work/acks.log"; then
    rm -rf "$work"
else
    echo "chaos: FAILED; data and logs kept in $work" >&2
    exit 1
fi
