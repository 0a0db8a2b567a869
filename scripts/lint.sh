#!/usr/bin/env bash
# `make lint`: clang-format (check only) and clang-tidy over the project's C++ sources.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'bench/*.cpp' 'bench/*.hpp')
status=0
clang-format --dry-run -Werror "${sources[@]}" || status=1
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '^src/.*\.cpp$' | grep -v asio_impl)
clang-tidy -p "$build_dir" --quiet "${units[@]}" 2>/dev/null || status=1
exit $status
