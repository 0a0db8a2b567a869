#!/usr/bin/env bash
# Starts or stops a Redis server for the tests: loopback only, no persistence (a restart comes
# back empty, as the bus must expect), its files under <dir>.
# Usage: scripts/test-servers/redis.sh start <dir> <port>
#        scripts/test-servers/redis.sh stop <dir>
# On start it prints the environment the tests read:  WRITEEN_TEST_REDIS_URL=redis://127.0.0.1:<port>/0
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start <dir> <port> | stop <dir>" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/redis.pid"

case "$action" in
start)
    port=${3:-}
    if [[ -z "$port" ]]; then
        echo "usage: $0 start <dir> <port>" >&2
        exit 2
    fi
    redis_bin=$(command -v redis-server || echo /usr/bin/redis-server)
    if [[ ! -x "$redis_bin" ]]; then
        echo "redis-server not found: install redis-server (scripts/install-deps.sh test)" >&2
        exit 1
    fi
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "redis already running (pid $(cat "$pidfile"))" >&2
        exit 1
    fi
    "$redis_bin" --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
        --daemonize yes --pidfile "$pidfile" --logfile "$dir/redis.log" --protected-mode yes
    for _ in $(seq 1 100); do
        if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
            echo "WRITEEN_TEST_REDIS_URL=redis://127.0.0.1:$port/0"
            exit 0
        fi
        sleep 0.1
    done
    echo "redis did not answer on port $port; log:" >&2
    tail -n 20 "$dir/redis.log" >&2 || true
    exit 1
    ;;
stop)
    if [[ -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$pidfile"
    fi
    ;;
*)
    echo "unknown action: $action" >&2
    exit 2
    ;;
esac
