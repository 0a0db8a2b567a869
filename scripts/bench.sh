#!/usr/bin/env bash
# Runs one benchmark scenario against Writeen Chat and/or the peers, on loopback only.
#
#   scripts/bench.sh SCENARIO [TARGET] [LOADGEN ARGS...]
#
# SCENARIO: smoke | idle | direct | rooms | broadcast | seed-k6 | history | reconnect
# (history is bench/history/run.sh: it loads a database and measures the server on it; its size
# comes from HISTORY_MESSAGES, see that script; reconnect is bench/reconnect/run.sh, the storm
# of STORM_CLIENTS clients through a server restart)
# TARGET:   writeen (default, or $BENCH_TARGET) | ws | socketio | ejabberd | all (the first four)
# The server under test runs on core $BENCH_SERVER_CPU (0) and the load generator on
# $BENCH_LOADGEN_CPU (1), with the open-file limit raised to the hard limit. Results (a table and
# JSON) go to $BENCH_RESULTS_DIR (bench/results/). Binaries come from $BUILD_DIR (build/), the load
# generator from $LOADGEN if set.
# $BENCH_SERVER_ARGS replaces the extra flags of `writeen-chat serve` (default: one I/O thread,
# as it has one core, and warnings-only logging). Both sides run at nice $BENCH_NICE (-10
# when root), each in a session whose autogroup has that nice value.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scenario="${1:-smoke}"
if [ "$scenario" = history ]; then exec "$root/bench/history/run.sh"; fi
if [ "$scenario" = reconnect ]; then exec "$root/bench/reconnect/run.sh"; fi
target="${2:-${BENCH_TARGET:-writeen}}"
shift $(( $# < 2 ? $# : 2 ))
extra_args=("$@")
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
results="${BENCH_RESULTS_DIR:-$root/bench/results}"
server_cpu="${BENCH_SERVER_CPU:-0}"
loadgen_cpu="${BENCH_LOADGEN_CPU:-1}"
mkdir -p "$results"

loadgen="${LOADGEN:-$build/bench/loadgen}"
if [ ! -x "$loadgen" ]; then
    cmake --build "$build" --target loadgen
fi

ulimit -n "$(ulimit -Hn)"
# shellcheck source=scripts/bench-lib.sh
. "$root/scripts/bench-lib.sh"

server_pid='' work_dir=''
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
    [ -n "$work_dir" ] && rm -rf "$work_dir"
    work_dir=
}
trap stop_server EXIT

run_one() {  # TARGET
    local which="$1" port url measured_pid args=()
    work_dir=$(mktemp -d /tmp/writeen-bench.XXXXXX)
    case "$which" in
        writeen)
            local secret
            secret=$(openssl rand -hex 32)
            # The load generator opens every connection from 127.0.0.1: no per-address limits.
            # shellcheck disable=SC2086 # BENCH_SERVER_ARGS is a list of flags
            "${pin_server[@]}" "$build/writeen-chat" serve --listen 127.0.0.1:0 \
                --data-dir "$work_dir/data" --jwt-secret "$secret" --rate-limit 1000000 \
                --max-connections-per-address 0 --max-pending-headers-per-address 0 \
                ${BENCH_SERVER_ARGS:---threads 1 --log-level warn} >"$work_dir/server.log" 2>&1 &
            server_pid=$!
            for _ in $(seq 150); do
                port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work_dir/server.log" | head -1 | sed 's/.*://') || true
                [ -n "$port" ] && break
                kill -0 "$server_pid" 2>/dev/null || break
                sleep 0.2
            done
            if [ -z "$port" ]; then
                echo "bench: writeen-chat did not start:" >&2
                cat "$work_dir/server.log" >&2
                return 1
            fi
            measured_pid=$server_pid
            args=(--protocol writeen --secret "$secret")
            ;;
        ws|socketio)
            port=$(free_port)
            "${pin_server[@]}" "$root/bench/peers/$which/start.sh" "$port" >"$work_dir/server.log" 2>&1 &
            server_pid=$!
            if ! wait_tcp "$port" 120 "$server_pid"; then
                echo "bench: peer $which did not start:" >&2
                cat "$work_dir/server.log" >&2
                return 1
            fi
            # start.sh execs node for ws; for socketio node is its child (PostgreSQL is not
            # counted in the server's RSS/CPU figures).
            measured_pid=$(pgrep -P "$server_pid" -x node || echo "$server_pid")
            args=(--protocol "$which")
            ;;
        ejabberd)
            port=$(free_port)
            "${pin_server[@]}" "$root/bench/peers/ejabberd/start.sh" "$port" "${EJABBERD_ARCHIVE:-mnesia}" \
                >"$work_dir/server.log" 2>&1 &
            server_pid=$!
            if ! wait_tcp "$port" 120 "$server_pid"; then
                echo "bench: ejabberd did not start:" >&2
                cat "$work_dir/server.log" >&2
                return 1
            fi
            measured_pid=$(pgrep -f "beam.smp.*-sname bench$port@" || echo "$server_pid")
            args=(--protocol xmpp)
            ;;
        *) echo "bench: unknown target $which (writeen, ws, socketio, ejabberd, all)" >&2; return 2 ;;
    esac
    url="http://127.0.0.1:$port"
    local stamp base rc=0
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    base="$results/$scenario-$which-$stamp"
    echo "bench: $scenario against $which at $url (server pid $measured_pid), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    "${pin_loadgen[@]}" "$loadgen" --scenario "$scenario" --url "$url" --server-pid "$measured_pid" \
        --json "$base.json" "${args[@]}" "${extra_args[@]}" | tee "$base.txt" || rc=$?
    stop_server
    echo "bench: results in $base.json" >&2
    return "$rc"
}

if [ "$target" = all ]; then
    status=0
    for t in writeen ws socketio ejabberd; do run_one "$t" || status=$?; done
    exit "$status"
fi
run_one "$target"
