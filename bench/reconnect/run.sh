#!/usr/bin/env bash
# make bench SCENARIO=reconnect: the reconnect storm of storm.mjs against a fresh server.
#   STORM_CLIENTS (10000), STORM_MODE (kill | term), STORM_POST_RATE (500), STORM_RUNS (1)
# The server runs on core $BENCH_SERVER_CPU (0), the clients (Node) on $BENCH_LOADGEN_CPU (1).
# Each run prints one line and writes its JSON to $BENCH_RESULTS_DIR (bench/results/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
results="${BENCH_RESULTS_DIR:-$root/bench/results}"
mkdir -p "$results"
[ -x "$build/writeen-chat" ] || cmake --build "$build" --target writeen-chat
[ -d "$here/node_modules/ws" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
ulimit -n "$(ulimit -Hn)"

for run in $(seq "${STORM_RUNS:-1}"); do
    data=$(mktemp -d /tmp/writeen-storm.XXXXXX)
    status=0
    taskset -c "${BENCH_LOADGEN_CPU:-1}" node "$here/storm.mjs" --binary "$build/writeen-chat" --data-dir "$data" \
        --clients "${STORM_CLIENTS:-10000}" --mode "${STORM_MODE:-kill}" --post-rate "${STORM_POST_RATE:-500}" \
        --taskset "${BENCH_SERVER_CPU:-0}" --json "$results/reconnect-$(date +%Y%m%d-%H%M%S)-$run.json" || status=$?
    rm -rf "$data"
    [ "$status" -eq 0 ] || echo "reconnect: run $run did not meet the goal (exit $status)" >&2
done
