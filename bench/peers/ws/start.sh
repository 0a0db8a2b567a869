#!/usr/bin/env bash
# Installs (npm ci) and starts the plain ws broadcast peer on loopback in the foreground.
# Usage: bench/peers/ws/start.sh PORT
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/ws ] || npm ci --no-audit --no-fund --silent
PORT="${1:-8090}" HOST=127.0.0.1 exec node server.js
