#!/usr/bin/env bash
# Browser tests: the web client in Debian's Chromium (headless, via playwright-core) against the
# real writeen-chat binary on loopback. Exit status non-zero when a test fails.
# Environment: WRITEEN_BINARY (default build/writeen-chat), CHROMIUM_PATH (default /usr/bin/chromium).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export WRITEEN_BINARY=${WRITEEN_BINARY:-$root/build/writeen-chat}
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}

if [[ ! -x $WRITEEN_BINARY ]]; then
    echo "browser tests: $WRITEEN_BINARY is missing (build it first)" >&2
    exit 1
fi
if [[ ! -x $chromium ]]; then
    echo "browser tests: $chromium is missing (scripts/install-deps.sh test installs Debian's chromium)" >&2
    exit 1
fi

cd "$here"
if [[ ! -d node_modules/playwright-core ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
"$root/scripts/build-web.sh"

# One file at a time: each starts its own server and browser, and the machine has two cores.
# Arguments name test files to run instead of all of them.
if (($# == 0)); then
    set -- ./*.test.mjs
fi
exec node --test --test-concurrency=1 --test-timeout=180000 "$@"
