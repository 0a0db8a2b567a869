#!/usr/bin/env bash
# Runs deploy/nginx.conf as shipped in front of test nodes. Only two things are changed: the
# upstream's first `server` line becomes one line per node given, and `listen 80` becomes
# 127.0.0.1:<port> (the [::]:80 line goes). Everything else (timeouts, body size, WebSocket
# upgrade) is what production gets.
# Usage: scripts/test-servers/nginx.sh start <dir> <port> <node-port>...
#        scripts/test-servers/nginx.sh stop <dir>
# On start it prints  WRITEEN_TEST_NGINX_URL=http://127.0.0.1:<port>
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
    echo "usage: $0 start <dir> <port> <node-port>... | stop <dir>" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
site="$here/../../deploy/nginx.conf"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/nginx.pid"

case "$action" in
start)
    port=${3:-}
    shift 3 || true
    if [[ -z "$port" || $# -eq 0 ]]; then
        echo "usage: $0 start <dir> <port> <node-port>..." >&2
        exit 2
    fi
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    [[ -x "$nginx_bin" ]] || { echo "nginx not found: install nginx-light (scripts/install-deps.sh test)" >&2; exit 1; }
    servers=""
    for node in "$@"; do servers+="    server 127.0.0.1:$node max_fails=1 fail_timeout=5s;\n"; done
    mkdir -p "$dir/tmp"
    # The first server line of the upstream is replaced; the commented example stays a comment.
    awk -v servers="$servers" -v port="$port" '
        /^upstream writeen_chat/ { in_up = 1 }
        in_up && /^    server / && !done { printf "%s", servers; done = 1; next }
        /^}/ { in_up = 0 }
        /listen \[::\]:80;/ { next }
        { sub(/listen 80;/, "listen 127.0.0.1:" port ";"); print }
    ' "$site" | sed 's/\\n/\n/g' >"$dir/site.conf"
    cat >"$dir/nginx.conf" <<CONF
pid $pidfile;
error_log $dir/error.log warn;
worker_processes 1;
events { worker_connections 4096; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/site.conf;
}
CONF
    "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -t -q
    "$nginx_bin" -p "$dir" -c "$dir/nginx.conf"
    for _ in $(seq 1 50); do
        if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "WRITEEN_TEST_NGINX_URL=http://127.0.0.1:$port"
            exit 0
        fi
        sleep 0.1
    done
    echo "nginx did not start; log:" >&2
    tail -n 20 "$dir/error.log" >&2 || true
    exit 1
    ;;
stop)
    if [[ -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    fi
    ;;
*)
    echo "unknown action: $action" >&2
    exit 2
    ;;
esac
