#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need, and only the missing ones.
# Usage: scripts/install-deps.sh [build|test]   (test also installs the servers used by tests)
set -euo pipefail

build_packages=(
    g++ cmake make ninja-build pkg-config
    libboost1.81-dev libsqlite3-dev libssl-dev libjwt-dev libspdlog-dev libcli11-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libcurl4-openssl-dev libmagic-dev libvips-dev libjemalloc-dev
    libpq-dev libhiredis-dev
    nodejs npm
)
# LibreOffice without a GUI (Writer for .docx, Impress for .pptx) renders Office previews;
# python3-docx lets the tests write a real .docx. clang with its runtime (libFuzzer) builds the
# fuzz targets; ccache keeps the extra sanitizer and fuzzer builds of `make test` incremental.
test_packages=(
    curl clamav-daemon chromium fonts-noto-color-emoji postgresql postgresql-contrib redis-server
    libreoffice-core-nogui libreoffice-writer-nogui libreoffice-impress-nogui python3-docx
    clang libclang-rt-14-dev ccache
)

wanted=("${build_packages[@]}")
if [[ "${1:-build}" == "test" ]]; then
    wanted+=("${test_packages[@]}")
    # What checks deploy/: nginx -t and a proxy in front of the server, promtool (from the
    # prometheus package, ~100 MB: Debian ships promtool nowhere smaller).
    wanted+=(nginx-light prometheus)
fi

missing=()
for pkg in "${wanted[@]}"; do
    # A tool that is already on PATH (node and npm may come from elsewhere) counts as present.
    case "$pkg" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
