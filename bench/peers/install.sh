#!/usr/bin/env bash
# Installs the peers of the benchmark: npm packages (from each package-lock.json) and, for the
# Socket.IO peer, Debian's PostgreSQL. Usage: bench/peers/install.sh [ws|socketio|all]
set -euo pipefail
cd "$(dirname "$0")"
which="${1:-all}"
if [ "$which" = all ] || [ "$which" = socketio ]; then
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
        sudo_cmd=()
        [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq postgresql >/dev/null
    fi
    (cd socketio && npm ci --no-audit --no-fund --silent)
fi
if [ "$which" = all ] || [ "$which" = ws ]; then
    (cd ws && npm ci --no-audit --no-fund --silent)
fi
echo "peers installed: $which"
