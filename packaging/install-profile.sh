#!/bin/sh
# packaging/install-profile.sh [--force]
#
# Installs the Wireshark configuration profile "tcplife" (packet list columns
# for the tcplife event and states, colouring rules, filter buttons) for the
# user running it, into $XDG_CONFIG_HOME/wireshark/profiles/tcplife
# (default ~/.config/wireshark/profiles/tcplife). Run it as yourself, not
# with sudo. Then: wireshark -C tcplife, tshark -C tcplife, or pick
# "tcplife" in the status bar's profile menu.
# An existing profile is kept unless --force is given (Wireshark rewrites the
# profile's files when you change its settings in the GUI).
set -eu
src=$(cd "$(dirname "$0")" && pwd)/profile/tcplife
dest=${XDG_CONFIG_HOME:-$HOME/.config}/wireshark/profiles/tcplife
force=0
[ "${1:-}" = "--force" ] && force=1
if [ -d "$dest" ] && [ "$force" -eq 0 ]; then
    echo "install-profile.sh: $dest exists; use --force to overwrite it" >&2
    exit 1
fi
mkdir -p "$dest"
for f in preferences colorfilters dfilter_buttons; do
    cp "$src/$f" "$dest/$f"
done
echo "installed the Wireshark profile tcplife into $dest (use: wireshark -C tcplife)"
