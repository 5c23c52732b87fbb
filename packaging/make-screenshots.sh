#!/bin/sh
# packaging/make-screenshots.sh [BUILD_DIR] [OUT_DIR]
#
# Regenerates the README screenshots (docs/screenshots/*.png) from the real
# Wireshark GUI on a private Xvfb display, with the built plugin and the tcplife
# profile: runs the GUI test tests/gui/test-gui.sh (which must pass first) with
# --screenshots. Needs the Debian packages wireshark-qt, xvfb, xdotool and
# imagemagick (the last two only for this script):
#   sudo apt-get install --no-install-recommends wireshark-qt xvfb xdotool imagemagick
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
out=${2:-$src/docs/screenshots}
exec "$src/tests/gui/test-gui.sh" "$build/plugin/tcplife.so" "$src" --screenshots "$out"
