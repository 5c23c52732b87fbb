#!/bin/sh
# tests/package/check-fields-doc.sh PLUGIN.so SOURCE_DIR   (ctest: docs.fields)
# Regenerates docs/fields.md from the plugin's registration into a temporary
# file and fails if the committed docs/fields.md differs. To update it:
#   packaging/gen-fields-doc.py build/plugin/tcplife.so docs/fields.md
set -eu
plugin=$1 src=$2
tmp=$(mktemp /tmp/tcplife-fields-XXXXXX.md)
trap 'rm -f "$tmp"' EXIT
python3 "$src/packaging/gen-fields-doc.py" "$plugin" "$tmp"
if ! diff -u "$src/docs/fields.md" "$tmp"; then
    echo "FAIL: docs/fields.md is out of date; regenerate it with"
    echo "  packaging/gen-fields-doc.py build/plugin/tcplife.so docs/fields.md"
    exit 1
fi
echo "PASS: docs/fields.md matches the plugin's registration"
