#!/usr/bin/env bash
# Starts Debian's ejabberd on loopback in the foreground (XMPP over WebSocket at ws://127.0.0.1:PORT/ws,
# anonymous logins, MUC + archive) with its spool in a temp dir removed at exit.
# Usage: bench/peers/ejabberd/start.sh PORT [mnesia|sqlite]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port="${1:-5280}"
archive="${2:-${EJABBERD_ARCHIVE:-mnesia}}"
if ! command -v ejabberdctl >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ejabberd >/dev/null
fi
dir=$(mktemp -d /tmp/writeen-bench-ejabberd.XXXXXX)
sql=""
db=mnesia
if [ "$archive" = sqlite ]; then
    command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
    sqlite3 "$dir/archive.db" < /usr/share/ejabberd/sql/lite.sql
    sql="sql_type: sqlite
sql_database: \"$dir/archive.db\""
    db=sql
fi
sed -e "s|@PORT@|$port|" -e "s|@ARCHIVE_DB@|$db|" "$here/ejabberd.yml.in" | \
    awk -v sql="$sql" '{ if ($0 == "@SQL@") print sql; else print }' > "$dir/ejabberd.yml"
cp /etc/ejabberd/inetrc "$dir/" 2>/dev/null || true
printf 'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"\nINET_DIST_INTERFACE=127.0.0.1\nERL_MAX_PORTS=65536\n' > "$dir/ejabberdctl.cfg"
mkdir -p "$dir/spool" "$dir/logs"
[ "$(id -u)" = 0 ] && chown -R ejabberd: "$dir"
node="bench$port@localhost"
as_ejabberd=()
ctl=(ejabberdctl --config-dir "$dir" --config "$dir/ejabberd.yml" --spool "$dir/spool" --logs "$dir/logs" --node "$node")
cleanup() {
    "${as_ejabberd[@]}" "${ctl[@]}" stop >/dev/null 2>&1 || true
    sleep 1
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
# ejabberdctl would switch to the ejabberd user through su, which resets the open-file limit to
# the PAM default (1024); setpriv keeps this shell's limit.
as_ejabberd=()
if [ "$(id -u)" = 0 ]; then
    as_ejabberd=(setpriv --reuid ejabberd --regid ejabberd --init-groups env HOME=/var/lib/ejabberd)
fi
"${as_ejabberd[@]}" "${ctl[@]}" foreground &
ctl_pid=$!
wait "$ctl_pid"
