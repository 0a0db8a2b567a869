#!/usr/bin/env bash
# Runs the cluster suite: PostgreSQL, Redis, three writeen-chat nodes and nginx (deploy/nginx.conf
# as shipped), all started here on loopback by tests/cluster/lib/stack.js and stopped at the end.
#   tests/cluster/run.sh                                  # every test
#   tests/cluster/run.sh --test-name-pattern 'kill -9'    # one test (node:test options pass through)
# WRITEEN_BINARY overrides the binary (default: <repo>/build/writeen-chat).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
integration="$here/../integration"

command -v node >/dev/null 2>&1 || { echo "run.sh: node (>= 20) is required" >&2; exit 1; }
# The suite uses tests/integration/lib and its npm packages (ws, ajv).
if [ ! -d "$integration/node_modules/ws" ] || [ ! -d "$integration/node_modules/ajv-formats" ]; then
    (cd "$integration" && npm ci --no-audit --no-fund)
fi
export WRITEEN_BINARY="${WRITEEN_BINARY:-$here/../../build/writeen-chat}"
if [ ! -x "$WRITEEN_BINARY" ]; then
    echo "run.sh: server binary not found at $WRITEEN_BINARY (build it, or set WRITEEN_BINARY)" >&2
    exit 1
fi
# The suite owns its PostgreSQL (a test stops it): the nodes get --store postgres from
# lib/stack.js, not from the integration suite's per-server databases.
unset WRITEEN_TEST_STORE
cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec "$@" cluster.test.js
