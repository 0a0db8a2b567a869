#!/usr/bin/env bash
# Builds the web client into web/dist when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
[[ -f package.json ]] || exit 0
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
stamp=dist/index.html
if [[ ! -f $stamp ]] || [[ -n $(find src public index.html package.json vite.config.* -newer "$stamp" 2>/dev/null | head -n 1) ]]; then
    npm run --silent build
fi
