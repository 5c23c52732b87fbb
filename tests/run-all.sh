#!/bin/bash
# tests/run-all.sh: configure, build (warnings are errors: TCPLIFE_WERROR is
# ON by default) and run every test, from any directory:
#
#   tests/run-all.sh [extra ctest arguments, e.g. -L unit]
#
# Build directory: build/ in the source tree (TCPLIFE_BUILD_DIR overrides).
# Installs nothing: packaging/setup-debian.sh (or .ci/run) installs the
# packages this needs.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TCPLIFE_BUILD_DIR:-$src/build}

missing=()
need() {   # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing+=("$2 (for $1)")
}
need cmake cmake
need cc gcc
need make make
need pkg-config pkg-config
need tshark tshark
need pytest-3 python3-pytest
need setpriv util-linux
if ! ls /usr/lib/*/wireshark/cmake/WiresharkConfig.cmake >/dev/null 2>&1 \
   && ! ls /usr/lib/wireshark/cmake/WiresharkConfig.cmake >/dev/null 2>&1; then
    missing+=("wireshark-dev (for WiresharkConfig.cmake)")
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "run-all.sh: missing packages:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "Install them first, e.g. with: sudo packaging/setup-debian.sh" >&2
    exit 2
fi

echo "== configure: $build"
cmake -S "$src" -B "$build" -DTCPLIFE_WERROR=ON
echo "== build"
cmake --build "$build" --parallel "$(nproc 2>/dev/null || echo 2)"
echo "== test"
ctest --test-dir "$build" --output-on-failure "$@"
