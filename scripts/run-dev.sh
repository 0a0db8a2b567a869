#!/usr/bin/env bash
# `make run`: serves the chat with the web client and demo users (default http://127.0.0.1:8080,
# WRITEEN_LISTEN to change it). Once the server says where it really listens, prints that
# address, the demo users, how to get a token, and what is off in this setup.
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

# What is off, decided as the server decides it (its own start log says the same).
scanner="off (--scan none: uploads are served unscanned; WRITEEN_SCAN=clamd and WRITEEN_CLAMD_ADDRESS to turn it on)"
[[ "${WRITEEN_SCAN:-none}" == "clamd" ]] && scanner="on (clamd ${WRITEEN_CLAMD_ADDRESS:-})"
office="off (no soffice on PATH: install libreoffice-core-nogui, -writer-nogui and -impress-nogui, or make test-deps)"
case "${WRITEEN_SOFFICE:-auto}" in
    none) office="off (WRITEEN_SOFFICE=none)" ;;
    auto) soffice=$(command -v soffice || command -v libreoffice || true)
          [[ -n "$soffice" ]] && office="on ($soffice)" ;;
    *) office="on (${WRITEEN_SOFFICE})" ;;
esac

banner() {
    local url=$1
    cat <<TXT

  Writeen Chat (development mode) on $url
  Open it in a browser and pick a demo user:
    student-ayu   Ayu Lestari (student)
    tutor-budi    Dr. Budi Santoso (tutor)
    student-rina  Rina Wijaya (student)
  A token for API calls:
    curl -s -X POST $url/api/dev/token -d '{"userId":"student-ayu"}'
  or: WRITEEN_JWT_SECRET=\$(cat $secret_file) $binary token --user student-ayu --name "Ayu Lestari" --role student
  On and off in this setup:
    virus scanner:  $scanner
    Office previews: $office

TXT
}

# The server's stdout (its log) comes through a pipe so the banner can follow the line that
# names the bound address; Ctrl-C is passed on as SIGTERM (a graceful drain).
work=$(mktemp -d)
mkfifo "$work/out"
"$binary" serve --dev --listen "${WRITEEN_LISTEN:-127.0.0.1:8080}" --data-dir "$data_dir" \
    --web-root "$root/web/dist" >"$work/out" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
shown=
while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ -z "$shown" && "$line" == *"listening on http://"* ]]; then
        rm -rf "$work"
        banner "${line##*listening on }"
        shown=1
    fi
done <"$work/out"
rm -rf "$work"
status=0
wait "$server" || status=$?
exit "$status"
