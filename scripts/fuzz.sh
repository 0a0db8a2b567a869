#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang and runs each for a set time.
#   scripts/fuzz.sh                 # every target, 60 s each (what CI runs)
#   FUZZ_SECONDS=600 FUZZ_JOBS=1 scripts/fuzz.sh ws_frame_fuzz jwt_fuzz   # named targets, one at a time
#   FUZZ_KEEP=/tmp/fuzz-run scripts/fuzz.sh   # keep each target's log and grown corpus there
# Each target starts from its seed corpus in fuzz/corpus/<target> (copied: the inputs it finds
# stay out of the repo). A crash, a leak, a sanitizer report or a timeout fails the run and
# leaves the reproducing input in build-fuzz/artifacts/; replay it with
#   build-fuzz/fuzz/<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-60}
parallel=${FUZZ_JOBS:-2}
build_dir=build-fuzz

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Paths relative to the checkout and no build directory in the hash: another clone of the same
# commit on this machine hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWRITEEN_FUZZ=ON -DWRITEEN_TESTS=OFF -DWRITEEN_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build_dir" --target fuzz_all

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

if [[ -n ${FUZZ_KEEP:-} ]]; then
    work=$FUZZ_KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/writeen-fuzz.XXXXXX)
    trap 'rm -rf "$work"' EXIT
fi

run_target() {  # target: runs it for $seconds, prints its last status line
    local target=$1
    local corpus="$work/corpus/$target" artifacts="$root/$build_dir/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    cp -r "fuzz/corpus/$target/." "$corpus/"
    # -timeout: an input that takes a second is a hang for these parsers; -rss_limit_mb bounds
    # what a single input may make the parser allocate.
    if "$build_dir/fuzz/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$work/$target.log" 2>&1; then
        # The figures docs/SECURITY.md records: executions, the last coverage/feature counts and
        # how many inputs the run added to the seed corpus.
        local executions last seeds grown
        executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$')
        last=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/$target.log" | tail -n 1)
        seeds=$(find "fuzz/corpus/$target" -type f | wc -l)
        grown=$(find "$corpus" -type f | wc -l)
        echo "fuzz: $target ok ($executions executions in ${seconds} s, ${last:-cov: ?}, $((grown - seeds)) new corpus entries)"
    else
        echo "fuzz: $target FAILED; its log:" >&2
        tail -n 60 "$work/$target.log" >&2
        return 1
    fi
}

status=0
running=0
for target in "${targets[@]}"; do
    [[ -x "$build_dir/fuzz/$target" ]] || { echo "fuzz: no target $target" >&2; status=1; continue; }
    run_target "$target" &
    running=$((running + 1))
    if ((running >= parallel)); then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while ((running > 0)); do
    wait -n || status=1
    running=$((running - 1))
done
exit $status
