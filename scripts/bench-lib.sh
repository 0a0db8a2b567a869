# shellcheck shell=bash
# Shared by scripts/bench.sh and scripts/bench-cluster.sh (sourced): the priority and pinning of
# each side, and two small helpers. Expects server_cpu and loadgen_cpu to be set.
# Sets pin_server and pin_loadgen, the command prefixes that run a process on its side.
pin_server=() pin_loadgen=()
# On a shared machine the kernel's autogroups share a core equally between sessions, whatever
# the nice value of a process: each side gets a session of its own whose autogroup weight is
# raised, so other work disturbs the figures less (still bounded: other groups keep running).
default_nice=0
[ "$(id -u)" = 0 ] && default_nice=-10
prio="${BENCH_NICE:-$default_nice}"
if [ "$prio" != 0 ] && command -v setsid >/dev/null && [ -w /proc/self/autogroup ]; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    boost=(setsid bash -c 'echo "$0" > /proc/self/autogroup 2>/dev/null || true; exec nice -n "$0" "$@"' "$prio")
    pin_server=("${boost[@]}")
    pin_loadgen=("${boost[@]}")
elif [ "$prio" != 0 ]; then
    pin_server=(nice -n "$prio")
    pin_loadgen=(nice -n "$prio")
fi
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    pin_server+=(taskset -c "$server_cpu")
    pin_loadgen+=(taskset -c "$loadgen_cpu")
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_tcp() {  # PORT SECONDS PID
    local deadline=$(( SECONDS + $2 ))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        kill -0 "$3" 2>/dev/null || return 1
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}
