#!/usr/bin/env bash
# Installs the peers of the benchmark: npm packages (from each package-lock.json) and, for the
# Socket.IO peer, Debian's PostgreSQL, plus Redis and nginx for its cluster shape (Socket.IO's
# Redis adapter behind nginx, scripts/bench-cluster.sh). Usage: bench/peers/install.sh [ws|socketio|all]
set -euo pipefail
cd "$(dirname "$0")"
which="${1:-all}"
if [ "$which" = all ] || [ "$which" = socketio ]; then
    missing=()
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
    command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    if [ ${#missing[@]} -gt 0 ]; then
        sudo_cmd=()
        [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    (cd socketio && npm ci --no-audit --no-fund --silent)
fi
if [ "$which" = all ] || [ "$which" = ws ]; then
    (cd ws && npm ci --no-audit --no-fund --silent)
fi
echo "peers installed: $which"
