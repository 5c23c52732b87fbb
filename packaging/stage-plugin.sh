#!/bin/bash
# packaging/stage-plugin.sh PLUGIN.so DIR
#
# Stages a built tcplife.so for an unprivileged Wireshark/tshark run, like the
# integration harness (tests/integration/conftest.py):
#
#   DIR/plugins/<major>.<minor>/epan/tcplife.so   the plugin under test
#   DIR/plugins/<major>.<minor>/*/*.so            symlinks to the system plugins,
#                                                 minus any installed tcplife.so
#                                                 (else: "found in multiple directories")
#   DIR/home/                                     an empty HOME
#
# Then run with WIRESHARK_PLUGIN_DIR=DIR/plugins HOME=DIR/home, as an ordinary
# user (Wireshark run as root loads no plugin from WIRESHARK_PLUGIN_DIR):
# tests/tools/run-unprivileged does that. Everything is made world-readable.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 PLUGIN.so DIR" >&2; exit 2; }
plugin=$1 dir=$2
[ -f "$plugin" ] || { echo "stage-plugin.sh: no plugin at $plugin (build first)" >&2; exit 2; }
tshark=${TCPLIFE_TSHARK:-tshark}

ver=$("$tshark" --version 2>/dev/null | sed -n '1s/.* \([0-9]*\)\.\([0-9]*\)\.[0-9]*.*/\1.\2/p')
[ -n "$ver" ] || { echo "stage-plugin.sh: cannot read the version of $tshark" >&2; exit 2; }
global=$(env -u WIRESHARK_PLUGIN_DIR "$tshark" -G folders 2>/dev/null \
         | sed -n 's/^Global Plugins:[[:space:]]*//p')

mkdir -p "$dir/plugins/$ver/epan" "$dir/home"
if [ -n "$global" ] && [ -d "$global" ] && [ "$(basename "$global")" = "$ver" ]; then
    for sub in "$global"/*/; do
        sub=${sub%/}; name=$(basename "$sub")
        mkdir -p "$dir/plugins/$ver/$name"
        for f in "$sub"/*.so; do
            [ -e "$f" ] || continue
            [ "$(basename "$f")" = tcplife.so ] && continue
            ln -sf "$f" "$dir/plugins/$ver/$name/"
        done
    done
fi
cp "$plugin" "$dir/plugins/$ver/epan/tcplife.so"
chmod -R a+rX "$dir"
chmod 0755 "$dir"
