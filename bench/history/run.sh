#!/usr/bin/env bash
# The `history` scenario (`make bench SCENARIO=history`): loads a data directory through the
# store (history_load), then starts the real server on it and measures history pages, search,
# sync, the conversation list, start-up time, RSS and bytes on disk (measure.py); then the write
# rate appending to the large database against the same on an empty one.
#
# HISTORY_MESSAGES (10,000,000) and HISTORY_CONVERSATIONS (50,000) choose the size;
# HISTORY_DATA_DIR keeps the data (default: a fresh directory under $TMPDIR, removed after, unless
# HISTORY_KEEP=1; an existing loaded directory is measured again without loading);
# HISTORY_REPEAT requests per figure (50); HISTORY_APPEND messages for the write rate (100,000,
# 0 skips it). Results go to $BENCH_RESULTS_DIR (bench/results/).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
results="${BENCH_RESULTS_DIR:-$root/bench/results}"
messages="${HISTORY_MESSAGES:-10000000}"
conversations="${HISTORY_CONVERSATIONS:-50000}"
repeat="${HISTORY_REPEAT:-50}"
append="${HISTORY_APPEND:-100000}"
mkdir -p "$results"

[ -x "$build/bench/history_load" ] || cmake --build "$build" --target history_load
[ -x "$build/writeen-chat" ] || cmake --build "$build" --target writeen-chat

temporary=''
if [ -n "${HISTORY_DATA_DIR:-}" ]; then
    data="$HISTORY_DATA_DIR"
else
    temporary=$(mktemp -d "${TMPDIR:-/tmp}/writeen-history.XXXXXX")
    data="$temporary/data"
fi
server_pid=''
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$temporary" ] && [ "${HISTORY_KEEP:-0}" != 1 ]; then rm -rf "$temporary"; fi
}
trap cleanup EXIT

if [ ! -f "$data/history-plan.json" ]; then
    echo "history: loading $messages messages over $conversations conversations into $data" >&2
    "$build/bench/history_load" --data-dir "$data" --messages "$messages" --conversations "$conversations" \
        --words "$root/bench/history/words.txt" >/dev/null
fi
loaded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"])' "$data/history-plan.json")

secret=$(openssl rand -hex 32)
log="$data/../history-server.log"
port='' start_s=''
start_server() {  # sets server_pid, port and start_s (seconds until /readyz answers 200)
    local start_ns deadline=$(( SECONDS + 900 ))
    start_ns=$(date +%s%N)
    "$build/writeen-chat" serve --listen 127.0.0.1:0 --data-dir "$data" --jwt-secret "$secret" \
        --rate-limit 1000000 --threads 1 --log-level warn >"$log" 2>&1 &
    server_pid=$!
    port=''
    # A database of an older schema is migrated first (migration 008 rebuilds the search index).
    until [ -n "$port" ]; do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://') || true
        if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -gt "$deadline" ]; then
            echo "history: writeen-chat did not start:" >&2
            cat "$log" >&2
            exit 1
        fi
        [ -n "$port" ] || sleep 0.05
    done
    until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
        if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -gt "$deadline" ]; then
            echo "history: writeen-chat never became ready:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.02
    done
    start_s=$(python3 -c "print(round(($(date +%s%N) - $start_ns) / 1e9, 3))")
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=''
}

start_server
first_start_s=$start_s
# Start-up again, now that any migration is done: what a restart costs with this history.
stop_server
start_server
idle_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
db_bytes=$(du -cb "$data"/writeen.db* | tail -1 | cut -f1)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
base="$results/history-$loaded-$stamp"
extra=$(printf '{"firstStartSeconds": %s, "startSeconds": %s, "idleRssKiB": %s, "dbBytes": %s, "bytesPerMessage": %s}' \
    "$first_start_s" "$start_s" "$idle_rss" "$db_bytes" "$(( db_bytes / loaded ))")
python3 "$root/bench/history/measure.py" --url "http://127.0.0.1:$port" --secret "$secret" \
    --plan "$data/history-plan.json" --repeat "$repeat" --server-pid "$server_pid" --extra "$extra" \
    --json "$base.json" | tee "$base.txt"
stop_server

if [ "$append" != 0 ]; then
    # The same writes on the large database and on an empty one, interleaved: large, empty, large, empty.
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/writeen-history-empty.XXXXXX")
    for round in 1 2; do
        large=$("$build/bench/history_load" --data-dir "$data" --append --messages "$append" \
            --conversations "$conversations" --words "$root/bench/history/words.txt")
        rm -rf "$scratch/data"
        "$build/bench/history_load" --data-dir "$scratch/data" --messages 1 --conversations "$conversations" \
            --words "$root/bench/history/words.txt" >/dev/null
        empty=$("$build/bench/history_load" --data-dir "$scratch/data" --append --messages "$append" \
            --conversations "$conversations" --words "$root/bench/history/words.txt")
        echo "write rate, round $round: large $large empty $empty" | tee -a "$base.txt"
    done
    rm -rf "$scratch"
fi
echo "history: results in $base.json" >&2
