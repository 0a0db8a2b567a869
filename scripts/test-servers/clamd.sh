#!/usr/bin/env bash
# Starts or stops a ClamAV clamd for the tests, with a configuration and a signature database
# written here (the EICAR test string as a custom .ndb signature), so no freshclam download is
# needed. Limits are small on purpose: a zip bomb must be flagged (AlertExceedsMax).
# Usage: scripts/test-servers/clamd.sh start <dir> [tcp-port]
#        scripts/test-servers/clamd.sh stop <dir>
# On start it prints the environment the tests read:
#   WRITEEN_TEST_CLAMD=unix:<dir>/clamd.sock  and, with a port, WRITEEN_TEST_CLAMD_TCP=tcp://127.0.0.1:<port>
# Keep <dir> short: a unix socket path must fit in 107 bytes.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start <dir> [tcp-port] | stop <dir>" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/clamd.pid"
socket="$dir/clamd.sock"

case "$action" in
start)
    port=${3:-}
    clamd_bin=$(command -v clamd || echo /usr/sbin/clamd)
    if [[ ! -x "$clamd_bin" ]]; then
        echo "clamd not found: install clamav-daemon (scripts/install-deps.sh test)" >&2
        exit 1
    fi
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "clamd already running (pid $(cat "$pidfile"))" >&2
        exit 1
    fi
    if ((${#socket} > 107)); then
        echo "socket path too long for a unix socket: $socket" >&2
        exit 1
    fi
    mkdir -p "$dir/db" "$dir/tmp"
    # EICAR as hex, so this script is not itself flagged by a scanner.
    eicar_hex=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a
    printf 'Eicar-Signature:0:*:%s\n' "$eicar_hex" >"$dir/db/writeen-test.ndb"
    {
        echo "Foreground yes"
        echo "LogFile $dir/clamd.log"
        echo "LogTime yes"
        echo "DatabaseDirectory $dir/db"
        echo "TemporaryDirectory $dir/tmp"
        echo "LocalSocket $socket"
        echo "LocalSocketMode 660"
        if [[ -n "$port" ]]; then
            echo "TCPSocket $port"
            echo "TCPAddr 127.0.0.1"
        fi
        echo "MaxThreads 4"
        echo "ReadTimeout 30"
        echo "CommandReadTimeout 30"
        echo "StreamMaxLength 20M"
        echo "MaxFileSize 2M"
        echo "MaxScanSize 4M"
        echo "MaxRecursion 8"
        echo "AlertExceedsMax yes"
        echo "ScanArchive yes"
        echo "ScanOLE2 yes"
        echo "ScanPDF yes"
        echo "Bytecode no"
    } >"$dir/clamd.conf"
    rm -f "$socket"
    setsid "$clamd_bin" --config-file="$dir/clamd.conf" >"$dir/clamd.out" 2>&1 </dev/null &
    echo $! >"$pidfile"
    for _ in $(seq 1 300); do
        if [[ -S "$socket" ]]; then
            echo "WRITEEN_TEST_CLAMD=unix:$socket"
            [[ -n "$port" ]] && echo "WRITEEN_TEST_CLAMD_TCP=tcp://127.0.0.1:$port"
            exit 0
        fi
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "clamd exited; output:" >&2
            cat "$dir/clamd.out" "$dir/clamd.log" >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.1
    done
    echo "clamd did not create $socket" >&2
    exit 1
    ;;
stop)
    if [[ -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$pidfile" "$socket"
    fi
    ;;
*)
    echo "usage: $0 start <dir> [tcp-port] | stop <dir>" >&2
    exit 2
    ;;
esac
