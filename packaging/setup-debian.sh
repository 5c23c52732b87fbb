#!/bin/bash
# packaging/setup-debian.sh: from a fresh Debian 12 machine to tcplife in
# tshark, in one command (run from the source tree, any directory):
#
#   sudo packaging/setup-debian.sh
#
#  1. installs the packages in packaging/debian-packages.txt (as root; the
#     script re-runs itself with sudo when started by an ordinary user),
#  2. builds into build/ (as the invoking user, so the tree stays theirs),
#  3. installs the plugin:
#       run through sudo  -> the invoking user's personal plugin folder,
#                            ~/.local/lib/wireshark/plugins/4.0/epan
#       run by root itself -> the system plugin folder (cmake --install),
#                            since tshark run as root ignores the personal one
#  4. shows the lifecycle of a bundled capture with tshark, as that user.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build

if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup-debian.sh: needs root to install packages, and sudo is not installed;" >&2
        echo "run it as root (su -c '$0')" >&2
        exit 1
    fi
    echo "== not root: re-running with sudo"
    exec sudo -- "$0" "$@"
fi

# Who the plugin is for.
user=""
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != "root" ]; then
    user=$SUDO_USER
    home=$(getent passwd "$user" | cut -d: -f6)
    [ -n "$home" ] && [ -d "$home" ] || { echo "setup-debian.sh: no home directory for $user" >&2; exit 1; }
fi
as_user() {   # run a command as the invoking user (or as root when there is none)
    if [ -n "$user" ]; then
        runuser -u "$user" -- env HOME="$home" "$@"
    else
        "$@"
    fi
}

echo "== 1. packages"
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$src/packaging/debian-packages.txt")
# tshark asks whether non-root users may capture; answer "no" (tcplife only
# reads files) so the install never waits for input.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
echo "+ apt-get update"
apt-get update
echo "+ apt-get install -y --no-install-recommends ${packages[*]}"
apt-get install -y --no-install-recommends "${packages[@]}"

echo "== 2. build (as ${user:-root})"
if [ -n "$user" ] && [ -e "$build" ] && ! as_user test -w "$build"; then
    echo "setup-debian.sh: $build exists and $user cannot write to it (built as root before?)." >&2
    echo "Remove it (sudo rm -rf '$build') and run this again." >&2
    exit 1
fi
as_user cmake -S "$src" -B "$build"
as_user cmake --build "$build" --parallel "$(nproc 2>/dev/null || echo 2)"

echo "== 3. install"
plugin_subdir=$(as_user tshark -G folders 2>/dev/null | sed -n 's/^Personal Plugins:[[:space:]]*//p')
system_plugins=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
if [ -n "$user" ]; then
    # The project's own target copies to $HOME/.local/lib/wireshark/plugins/<ver>/epan.
    as_user cmake --build "$build" --target install-user
    echo "installed for $user in $plugin_subdir/epan"
    if [ -n "$system_plugins" ] && [ -e "$system_plugins/epan/tcplife.so" ]; then
        echo "WARNING: $system_plugins/epan/tcplife.so also exists (an earlier install as root);" >&2
        echo "         tshark loads that copy first and ignores the personal one. Remove it:" >&2
        echo "         sudo rm '$system_plugins/epan/tcplife.so'" >&2
    fi
else
    cmake --install "$build"
    echo "installed for all users in $system_plugins/epan"
fi

echo "== 4. check and run (as ${user:-root})"
if ! as_user tshark -G plugins 2>/dev/null | grep -q '^tcplife\.so'; then
    echo "setup-debian.sh: tshark does not list tcplife.so; see: tshark -G plugins" >&2
    exit 1
fi
capture=""
if [ -f "$src/captures/handshake-normal.pcapng" ]; then
    capture=$src/captures/handshake-normal.pcapng
else
    capture=$(find "$src/captures" -type f \( -name '*.pcapng' -o -name '*.pcap' -o -name '*.cap' \) 2>/dev/null | sort | head -n 1)
fi
if [ -z "$capture" ]; then
    echo "no capture under captures/ to show; try: tshark -r FILE -T fields -e tcplife.event ..."
    exit 0
fi
cmd=(tshark -r "$capture" -T fields -E header=y
     -e frame.number -e tcplife.stream -e tcplife.sender -e tcplife.event
     -e tcplife.client_state -e tcplife.server_state -e tcplife.close.type)
echo "+ ${cmd[*]}"
as_user "${cmd[@]}" 2> >(grep -v '^Running as user' >&2)
echo
echo "Done. Run the tests with: tests/run-all.sh"
