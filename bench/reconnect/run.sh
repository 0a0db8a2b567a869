#!/usr/bin/env bash
# make bench SCENARIO=reconnect: the reconnect storm of storm.mjs against a fresh server.
#   STORM_CLIENTS (10000), STORM_MODE (kill | term), STORM_POST_RATE (500), STORM_RUNS (1),
#   STORM_LIMIT_S (10: the goal for "every client caught up"), STORM_PIN (1; 0: no pinning)
# The server runs on core $BENCH_SERVER_CPU (0), the clients (Node) on $BENCH_LOADGEN_CPU (1).
# Each run prints one line and writes its JSON to $BENCH_RESULTS_DIR (bench/results/); the exit
# status is 1 when any run missed the goal or lost, duplicated or left a client behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
results="${BENCH_RESULTS_DIR:-$root/bench/results}"
mkdir -p "$results"
[ -x "$build/writeen-chat" ] || cmake --build "$build" --target writeen-chat
[ -d "$here/node_modules/ws" ] || (cd "$here" && npm ci --no-audit --no-fund --silent)
ulimit -n "$(ulimit -Hn)"

pin_clients=() pin_server=()
if [ "${STORM_PIN:-1}" = 1 ]; then
    pin_clients=(taskset -c "${BENCH_LOADGEN_CPU:-1}")
    pin_server=(--taskset "${BENCH_SERVER_CPU:-0}")
fi

failed=0
for run in $(seq "${STORM_RUNS:-1}"); do
    data=$(mktemp -d /tmp/writeen-storm.XXXXXX)
    status=0
    "${pin_clients[@]}" node "$here/storm.mjs" --binary "$build/writeen-chat" --data-dir "$data" \
        --clients "${STORM_CLIENTS:-10000}" --mode "${STORM_MODE:-kill}" --post-rate "${STORM_POST_RATE:-500}" \
        --catch-up-limit-s "${STORM_LIMIT_S:-10}" "${pin_server[@]}" \
        --json "$results/reconnect-$(date +%Y%m%d-%H%M%S)-$run.json" || status=$?
    rm -rf "$data"
    if [ "$status" -ne 0 ]; then
        echo "reconnect: run $run did not meet the goal (exit $status)" >&2
        failed=1
    fi
done
exit "$failed"
