#!/usr/bin/env bash
# `make test`: builds everything and runs every suite against real servers on loopback.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build_dir=${BUILD_DIR:-build}
werror=OFF
[[ "${WRITEEN_WERROR:-0}" == "1" ]] && werror=ON

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWRITEEN_WERROR=$werror >/dev/null
cmake --build "$build_dir"
scripts/build-web.sh

# Real servers on loopback for the suites that need them, stopped on exit.
servers_dir=$(mktemp -d /tmp/writeen-test.XXXXXX)
chmod 711 "$servers_dir"  # PostgreSQL runs as the postgres user when we are root: it must reach its dir
stop_servers() {
    scripts/test-servers/clamd.sh stop "$servers_dir/clamd" >/dev/null 2>&1 || true
    scripts/test-servers/s3rver.sh stop "$servers_dir/s3" >/dev/null 2>&1 || true
    scripts/test-servers/postgres.sh stop "$servers_dir/pg" >/dev/null 2>&1 || true
    rm -rf "$servers_dir"
}
trap stop_servers EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
eval "$(scripts/test-servers/s3rver.sh start "$servers_dir/s3" "$(free_port)" | sed 's/^/export /')"
eval "$(scripts/test-servers/clamd.sh start "$servers_dir/clamd" "$(free_port)" | sed 's/^/export /')"
eval "$(scripts/test-servers/postgres.sh start "$servers_dir/pg" "$(free_port)" | sed 's/^/export /')"

# Each suite's verdict and time, printed again at the very end: CI keeps only the tail of the
# output, and that tail must say which suite failed.
status=0
summary=()
run_suite() {
    local name=$1
    shift
    echo "=== $name"
    local started=$SECONDS verdict=passed log="$servers_dir/suite-${#summary[@]}.log"
    if ! "$@" 2>&1 | tee "$log"; then
        echo "=== $name FAILED"
        verdict=FAILED
        status=1
    fi
    summary+=("$(printf '%-7s %5d s  %s' "$verdict" $((SECONDS - started)) "$name")")
    if [[ $verdict == FAILED ]]; then
        # The lines that name what failed (ctest, node --test in TAP or spec form, the scripts).
        summary+=("$(grep -E '\*\*\*Failed|\*\*\*Exception|\*\*\*Timeout|^ *not ok |✖|FAIL|ERROR' "$log" \
            | grep -v '^=== ' | head -25 | sed 's/^/        /')")
    fi
}

run_suite "unit tests (ctest)" ctest --test-dir "$build_dir" --output-on-failure --timeout 300
if [[ -x tests/integration/run.sh ]]; then
    run_suite "integration tests" env WRITEEN_BINARY="$root/$build_dir/writeen-chat" tests/integration/run.sh
fi
# The same black-box suite with every server on PostgreSQL (a fresh database per server,
# tests/integration/lib/server.js); tests about the SQLite file say they are skipped.
if [[ -x tests/integration/run.sh ]]; then
    run_suite "integration tests on PostgreSQL" env WRITEEN_TEST_STORE=postgres \
        WRITEEN_BINARY="$root/$build_dir/writeen-chat" tests/integration/run.sh
fi
# Its own PostgreSQL, Redis, three nodes and nginx (tests/cluster/lib/stack.js): a test stops them.
if [[ -x tests/cluster/run.sh ]]; then
    run_suite "cluster tests: 3 nodes behind nginx on PostgreSQL and Redis" \
        env WRITEEN_BINARY="$root/$build_dir/writeen-chat" tests/cluster/run.sh
fi
run_suite "chaos: kill -9 under load, 10 times" env BUILD_DIR="$build_dir" scripts/chaos.sh 10
# The reconnect-storm benchmark, small, so that it cannot rot: every client back and caught up,
# nothing acknowledged lost or stored twice. Its time limit is loose here, and nothing is pinned:
# the figure that counts is the benchmark's (docs/BENCHMARKS.md), not this run's.
run_suite "reconnect storm smoke (300 clients, kill -9)" env BUILD_DIR="$build_dir" STORM_CLIENTS=300 \
    STORM_POST_RATE=100 STORM_LIMIT_S=30 STORM_PIN=0 BENCH_RESULTS_DIR="$servers_dir/storm" bench/reconnect/run.sh
if [[ -f web/package.json ]]; then
    run_suite "web unit tests" bash -c "cd web && npm run --silent test"
fi
if [[ -x tests/e2e/run.sh ]]; then
    run_suite "browser tests" env WRITEEN_BINARY="$root/$build_dir/writeen-chat" tests/e2e/run.sh
fi
# The same suites again under sanitizers, while S3 and clamd are still up; any report fails.
# WRITEEN_SANITIZERS=0 skips them on a quick local run (CI never does).
if [[ "${WRITEEN_SANITIZERS:-1}" == "1" ]]; then
    run_suite "integration tests under ASan+UBSan" scripts/sanitizers.sh asan
    run_suite "unit tests under TSan" scripts/sanitizers.sh tsan
fi
echo "=== summary of make test"
printf '%s\n' "${summary[@]}"
exit $status
