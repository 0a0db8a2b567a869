#!/usr/bin/env bash
# Runs one benchmark scenario against the scaled-out shape: N nodes sharing PostgreSQL (and Redis
# when N > 1), reached through nginx or directly, on loopback only, driven by bench/loadgen.
#
#   scripts/bench-cluster.sh SCENARIO TARGET [LOADGEN ARGS...]
#
# SCENARIO: as scripts/bench.sh (direct, rooms, ...).
# TARGET:   writeen  - writeen-chat serve --store $BENCH_STORE (postgres) --bus redis per node
#           socketio - bench/peers/socketio/server.js per node, with Socket.IO's Redis adapter
# Shape, from the environment:
#   BENCH_NODES  number of nodes (2). With 1 node there is no Redis: writeen runs --bus local,
#                the peer without its adapter.
#   BENCH_STORE  postgres (default) | sqlite (writeen with 1 node only)
#   BENCH_VIA    nginx  - one nginx in front (deploy/nginx.conf's site: round robin, no sticky
#                         sessions); the default when BENCH_NODES > 1
#                direct - the load generator's --urls: user u's socket goes to node u mod N
#                         (in `direct`, the two users of a conversation are on different nodes);
#                         the default with 1 node
#                first  - every socket on node 1 (the others run but serve nobody): the
#                         same-node baseline of a cross-node latency run
# Pinning (2 cores): everything on the server side (the nodes, nginx, Redis, PostgreSQL) runs on
# core $BENCH_SERVER_CPU (0), the load generator on $BENCH_LOADGEN_CPU (1), at nice $BENCH_NICE
# as in scripts/bench.sh. The loadgen's server CPU and RSS are the sums over the nodes, nginx's
# worker and Redis; PostgreSQL's CPU over the whole run is printed at the end (and appended to
# the .txt result). Results go to $BENCH_RESULTS_DIR (bench/results/) as
# cluster<N>-<via>-<store>-<scenario>-<target>-<time>.{json,txt}.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scenario="${1:?usage: $0 SCENARIO writeen|socketio [LOADGEN ARGS...]}"
target="${2:?usage: $0 SCENARIO writeen|socketio [LOADGEN ARGS...]}"
shift 2
extra_args=("$@")
nodes="${BENCH_NODES:-2}"
store="${BENCH_STORE:-postgres}"
via="${BENCH_VIA:-$([ "$nodes" -gt 1 ] && echo nginx || echo direct)}"
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
results="${BENCH_RESULTS_DIR:-$root/bench/results}"
server_cpu="${BENCH_SERVER_CPU:-0}"
loadgen_cpu="${BENCH_LOADGEN_CPU:-1}"
loadgen="${LOADGEN:-$build/bench/loadgen}"
mkdir -p "$results"

case "$target" in writeen|socketio) ;; *) echo "bench-cluster: target must be writeen or socketio" >&2; exit 2 ;; esac
case "$via" in nginx|direct|first) ;; *) echo "bench-cluster: BENCH_VIA must be nginx, direct or first" >&2; exit 2 ;; esac
if [ "$store" = sqlite ] && { [ "$target" != writeen ] || [ "$nodes" != 1 ]; }; then
    echo "bench-cluster: BENCH_STORE=sqlite is for one writeen node only" >&2
    exit 2
fi
[ -x "$loadgen" ] || cmake --build "$build" --target loadgen

ulimit -n "$(ulimit -Hn)"
# The same priority and pinning as scripts/bench.sh.
# shellcheck source=scripts/bench-lib.sh
. "$root/scripts/bench-lib.sh"

# CPU seconds (user + system) of a process and its direct children: PostgreSQL's postmaster and
# its backends.
tree_cpu_seconds() {  # PID
    local tick total=0 pid fields
    tick=$(getconf CLK_TCK)
    for pid in "$1" $(pgrep -P "$1" || true); do
        fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
        # After the command name: field 14 utime and 15 stime are the 12th and 13th here.
        total=$(( total + $(echo "$fields" | awk '{ print $12 + $13 }') ))
    done
    awk -v t="$total" -v k="$tick" 'BEGIN { printf "%.1f", t / k }'
}

# The work directory holds the PostgreSQL socket: keep its path short (107 bytes).
work=$(mktemp -d /tmp/wbc.XXXXXX)
chmod 711 "$work"
node_pids=()
nginx_started='' redis_started='' pg_started=''
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
    local pid
    for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${node_pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$nginx_started" ] && [ -f "$work/nginx/nginx.pid" ]; then
        kill -QUIT "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
        sleep 0.5
    fi
    [ -n "$redis_started" ] && "$root/scripts/test-servers/redis.sh" stop "$work/redis" >/dev/null 2>&1
    [ -n "$pg_started" ] && "$root/scripts/test-servers/postgres.sh" stop "$work/pg" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# Shared services, pinned with the nodes. PostgreSQL: scripts/test-servers/postgres.sh (fsync on,
# synchronous_commit on), the same server for both targets.
postgres_url='' redis_url=''
if [ "$store" = postgres ]; then
    pg_port=$(free_port)
    postgres_url=$("${pin_server[@]}" "$root/scripts/test-servers/postgres.sh" start "$work/pg" "$pg_port" |
        sed -n 's/^WRITEEN_TEST_POSTGRES_URL=//p')
    pg_started=1
    [ -n "$postgres_url" ] || { echo "bench-cluster: PostgreSQL did not start" >&2; exit 1; }
fi
if [ "$nodes" -gt 1 ]; then
    redis_port=$(free_port)
    redis_url=$("${pin_server[@]}" "$root/scripts/test-servers/redis.sh" start "$work/redis" "$redis_port" |
        sed -n 's/^WRITEEN_TEST_REDIS_URL=//p')
    redis_started=1
    [ -n "$redis_url" ] || { echo "bench-cluster: Redis did not start" >&2; exit 1; }
fi

# The nodes, one at a time (the peer creates its table on start).
if [ "$target" = socketio ] && [ ! -d "$root/bench/peers/socketio/node_modules/@socket.io/redis-adapter" ]; then
    "$root/bench/peers/install.sh" socketio
fi
secret=$(openssl rand -hex 32)
node_ports=()
for n in $(seq "$nodes"); do
    port=$(free_port)
    log="$work/node$n.log"
    if [ "$target" = writeen ]; then
        args=(serve --listen "127.0.0.1:$port" --data-dir "$work/node$n" --jwt-secret "$secret"
              --rate-limit 1000000 --max-connections-per-address 0 --max-pending-headers-per-address 0
              --store "$store")
        [ "$store" = postgres ] && args+=(--postgres-url "$postgres_url")
        if [ -n "$redis_url" ]; then args+=(--bus redis --redis-url "$redis_url" --node-id "bench-node$n"); fi
        # shellcheck disable=SC2086 # BENCH_SERVER_ARGS is a list of flags
        "${pin_server[@]}" "$build/writeen-chat" "${args[@]}" \
            ${BENCH_SERVER_ARGS:---threads 1 --log-level warn} >"$log" 2>&1 &
    else
        pg_hostport=${postgres_url#postgresql://writeen@}
        pg_hostport=${pg_hostport%%/*}
        PORT="$port" PGHOST=127.0.0.1 PGPORT="${pg_hostport#*:}" PGUSER=writeen PGDATABASE=postgres \
            REDIS_URL="$redis_url" "${pin_server[@]}" node "$root/bench/peers/socketio/server.js" >"$log" 2>&1 &
    fi
    node_pids+=($!)
    if ! wait_tcp "$port" 120 "$!"; then
        echo "bench-cluster: node $n did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    node_ports+=("$port")
done

# nginx: deploy/nginx.conf's site with the nodes as its upstream (as scripts/test-servers/nginx.sh
# makes it), but sized for the benchmark's sockets (two descriptors each) and without an access
# log. For the peer, the site's WebSocket location is moved to Socket.IO's path, /socket.io/.
measured=("${node_pids[@]}")
if [ "$via" = nginx ]; then
    nginx_port=$(free_port)
    mkdir -p "$work/nginx/tmp"
    servers=""
    for p in "${node_ports[@]}"; do servers+="    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;\n"; done
    ws_path=/ws
    [ "$target" = socketio ] && ws_path=/socket.io/
    awk -v servers="$servers" -v port="$nginx_port" -v ws_path="$ws_path" '
        /^upstream writeen_chat/ { in_up = 1 }
        in_up && /^    server / && !done { printf "%s", servers; done = 1; next }
        /^}/ { in_up = 0 }
        /listen \[::\]:80;/ { next }
        { sub(/listen 80;/, "listen 127.0.0.1:" port ";"); sub(/location \/ws \{/, "location " ws_path " {"); print }
    ' "$root/deploy/nginx.conf" | sed 's/\\n/\n/g' >"$work/nginx/site.conf"
    files=$(ulimit -n)
    cat >"$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
worker_processes 1;
worker_rlimit_nofile $files;
events { worker_connections $(( files - 100 )); multi_accept on; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    include $work/nginx/site.conf;
}
CONF
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    "${pin_server[@]}" "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -q
    nginx_started=1
    for _ in $(seq 50); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
    master=$(cat "$work/nginx/nginx.pid")
    for _ in $(seq 50); do worker=$(pgrep -P "$master" | head -1 || true); [ -n "$worker" ] && break; sleep 0.1; done
    measured+=("$worker")
    urls=(--url "http://127.0.0.1:$nginx_port")
else
    list=""
    for p in "${node_ports[@]}"; do list+="${list:+,}http://127.0.0.1:$p"; done
    [ "$via" = first ] && list="http://127.0.0.1:${node_ports[0]}"
    urls=(--url "http://127.0.0.1:${node_ports[0]}" --urls "$list")
fi
[ -n "$redis_started" ] && measured+=("$(cat "$work/redis/redis.pid")")
pids=$(IFS=,; echo "${measured[*]}")

args=(--protocol "$target")
[ "$target" = writeen ] && args+=(--secret "$secret")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
base="$results/cluster$nodes-$via-$store-$scenario-$target-$stamp"
pg_cpu_before=0
pg_master=''
if [ -n "$pg_started" ]; then
    pg_master=$(head -1 "$work/pg/data/postmaster.pid")
    pg_cpu_before=$(tree_cpu_seconds "$pg_master")
fi
echo "bench-cluster: $scenario against $target, $nodes node(s) on $store via $via (${urls[*]}), measured pids $pids, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
started=$SECONDS
rc=0
"${pin_loadgen[@]}" "$loadgen" --scenario "$scenario" "${urls[@]}" --server-pid "$pids" \
    --json "$base.json" "${args[@]}" "${extra_args[@]}" | tee "$base.txt" || rc=$?
if [ -n "$pg_master" ]; then
    pg_cpu=$(awk -v a="$(tree_cpu_seconds "$pg_master")" -v b="$pg_cpu_before" 'BEGIN { printf "%.1f", a - b }')
    echo "postgres: $pg_cpu CPU-seconds over the run's $(( SECONDS - started )) s (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$base.txt"
fi
echo "bench-cluster: results in $base.json" >&2
exit "$rc"
