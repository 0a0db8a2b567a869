#!/usr/bin/env bash
# The suites again under sanitizers, as a step of `make test`; any sanitizer report fails it.
#   scripts/sanitizers.sh asan   # integration suite against an ASan+UBSan build of the server
#   scripts/sanitizers.sh tsan   # unit tests built with ThreadSanitizer
# The integration suite needs the S3 and clamd variables scripts/test.sh exports (the parts that
# use them are skipped without). Build directories: build-asan, build-tsan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:?usage: scripts/sanitizers.sh asan|tsan}
reports=$(mktemp -d /tmp/writeen-sanitizer.XXXXXX)
trap 'rm -rf "$reports"' EXIT

# Warnings are the main build's job (-Werror there); these builds only look for reports.
configure() {  # dir, extra cmake flags...
    local dir=$1
    shift
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    # Paths relative to the checkout, build directory not hashed: another clone hits the cache.
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWRITEEN_BENCH=OFF "${launcher[@]}" "$@" >/dev/null
}

# A report can come from a server the tests started and stopped long ago: reports go to files,
# and the step fails when any file was written, whatever the suite's own result.
check_reports() {
    if compgen -G "$reports/*" >/dev/null; then
        echo "sanitizers.sh: $mode reported problems:" >&2
        cat "$reports"/* >&2
        return 1
    fi
}

status=0
case "$mode" in
asan)
    configure build-asan -DWRITEEN_SANITIZE=ON
    cmake --build build-asan --target writeen-chat web_push_encrypt_tool
    # Leaks are checked too; suppressions name only what third-party libraries keep until exit.
    export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
    export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
    WRITEEN_BINARY="$root/build-asan/writeen-chat" tests/integration/run.sh "${@:2}" || status=1
    ;;
tsan)
    configure build-tsan -DWRITEEN_TSAN=ON
    cmake --build build-tsan
    export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/sanitizers/tsan.supp"
    # Not the thumbnailer's tests: they are libvips and the codecs it loads (cgif, libpng, orc,
    # ...), C libraries that are not instrumented and run threads of their own, whose every
    # hand-over TSan reports. Our threads around them (worker pools) are tested here.
    ctest --test-dir build-tsan --output-on-failure --timeout 600 -E '^thumbnailer\.' || status=1
    ;;
*)
    echo "usage: scripts/sanitizers.sh asan|tsan" >&2
    exit 2
    ;;
esac
check_reports || status=1
exit $status
