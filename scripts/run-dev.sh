#!/usr/bin/env bash
# `make run`: serves the chat with the web client and demo users on http://localhost:8080.
# Usage: scripts/run-dev.sh BINARY DATA_DIR
set -euo pipefail
binary=$1
data_dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)

scripts/build-web.sh

mkdir -p "$data_dir"
secret_file="$data_dir/dev-jwt-secret"
if [[ -z "${WRITEEN_JWT_SECRET:-}" ]]; then
    if [[ ! -s "$secret_file" ]]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
    fi
    WRITEEN_JWT_SECRET=$(cat "$secret_file")
    export WRITEEN_JWT_SECRET
fi

cat <<TXT

  Writeen Chat (development mode) on http://localhost:8080
  Open it in a browser and pick a demo user: Ayu Lestari (student) or Dr. Budi Santoso (tutor).
  A token for API calls:
    curl -s -X POST localhost:8080/api/dev/token -d '{"userId":"student-ayu"}'
  or: WRITEEN_JWT_SECRET=\$(cat $secret_file) $binary token --user student-ayu --name "Ayu Lestari" --role student

TXT
exec "$binary" serve --dev --listen "${WRITEEN_LISTEN:-127.0.0.1:8080}" --data-dir "$data_dir" \
    --web-root "$root/web/dist"
