#!/usr/bin/env bash
# Starts or stops the S3 test server (npm package s3rver) on 127.0.0.1.
# Usage: scripts/test-servers/s3rver.sh start <dir> <port> [bucket]   (bucket default: writeen-test)
#        scripts/test-servers/s3rver.sh stop <dir>
# On start it prints the environment the tests read, e.g.
#   WRITEEN_TEST_S3_ENDPOINT=http://127.0.0.1:4568  WRITEEN_TEST_S3_BUCKET=writeen-test
# Credentials: access key S3RVER, secret S3RVER (s3rver's built-in account).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start <dir> <port> [bucket] | stop <dir>" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/s3rver.pid"

case "$action" in
start)
    port=${3:?port required}
    bucket=${4:-writeen-test}
    if [[ ! -x "$here/node_modules/.bin/s3rver" ]]; then
        (cd "$here" && npm ci --no-audit --no-fund --silent)
    fi
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "s3rver already running (pid $(cat "$pidfile"))" >&2
        exit 1
    fi
    mkdir -p "$dir/data"
    # setsid: the server outlives this script and is stopped by pid, not by name.
    setsid "$here/node_modules/.bin/s3rver" --directory "$dir/data" --address 127.0.0.1 --port "$port" \
        --silent --configure-bucket "$bucket" >"$dir/s3rver.log" 2>&1 < /dev/null &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
            echo "WRITEEN_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
            echo "WRITEEN_TEST_S3_BUCKET=$bucket"
            exit 0
        fi
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "s3rver exited; log:" >&2
            cat "$dir/s3rver.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "s3rver did not answer on port $port" >&2
    exit 1
    ;;
stop)
    if [[ -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$pidfile"
    fi
    ;;
*)
    echo "usage: $0 start <dir> <port> [bucket] | stop <dir>" >&2
    exit 2
    ;;
esac
