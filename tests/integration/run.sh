#!/usr/bin/env bash
# Runs the black-box integration suite against the real binary.
#   tests/integration/run.sh                 # every *.test.js
#   tests/integration/run.sh auth websocket  # only auth.test.js and websocket.test.js
# WRITEEN_BINARY overrides the binary (default: <repo>/build/writeen-chat).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null 2>&1; then
    echo "run.sh: node (>= 20) is required" >&2
    exit 1
fi
if [ ! -d node_modules/ws ] || [ ! -d node_modules/http_ece ] || [ ! -d node_modules/pptxgenjs ] || [ ! -d node_modules/ajv-formats ]; then
    npm ci --no-audit --no-fund
fi

binary="${WRITEEN_BINARY:-$here/../../build/writeen-chat}"
if [ ! -x "$binary" ]; then
    echo "run.sh: server binary not found at $binary (build it, or set WRITEEN_BINARY)" >&2
    exit 1
fi

files=()
if [ "$#" -gt 0 ]; then
    for name in "$@"; do files+=("$here/${name%.test.js}.test.js"); done
else
    files=("$here"/*.test.js)
fi

# One file at a time: each file starts its own servers and they would compete for 2 cores.
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
