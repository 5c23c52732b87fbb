#!/bin/bash
# tests/package/test-deb.sh BUILD_DIR SOURCE_DIR   (ctest: package.deb)
#
# Builds the .deb with cpack, installs it with dpkg, checks that tshark run as
# root (which loads the system plugin folder) lists tcplife.so from /usr/lib,
# decodes a bundled capture with it and finds the global profile, then removes
# the package and checks its files are gone.
#
# It changes the system, so it only runs as root with TCPLIFE_PACKAGE_TEST=1
# (.ci/run sets it); otherwise it exits 77, which ctest reports as skipped.
# The package is removed on any exit (trap). A tcplife.so that `cmake --install`
# put in the system folder before (not owned by a package) is set aside and
# put back afterwards.
set -euo pipefail
build=$1 src=$2

if [ "${TCPLIFE_PACKAGE_TEST:-0}" != 1 ]; then
    echo "SKIP: installs a .deb system-wide; set TCPLIFE_PACKAGE_TEST=1 (as root) to run it"
    exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: TCPLIFE_PACKAGE_TEST=1 but not root (dpkg -i needs root)"
    exit 77
fi
for c in cpack dpkg dpkg-deb tshark; do
    command -v "$c" >/dev/null || { echo "FAIL: $c not found"; exit 1; }
done
pkg=wireshark-tcplife
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    echo "FAIL: $pkg is already installed; remove it first (dpkg -r $pkg)"
    exit 1
fi

unset WIRESHARK_PLUGIN_DIR WIRESHARK_CONFIG_DIR XDG_CONFIG_HOME
export LC_ALL=C.UTF-8 TZ=UTC
work=$(mktemp -d /tmp/tcplife-pkg-XXXXXX)
export HOME=$work/home
mkdir -p "$HOME"
global=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p')
[ -n "$global" ] || { echo "FAIL: no Global Plugins folder in tshark -G folders"; exit 1; }
sys_so=$global/epan/tcplife.so
aside=""
sys_profile=/usr/share/wireshark/profiles/tcplife
profile_aside=""
installed=0

cleanup() {
    rc=$?
    if [ "$installed" = 1 ] || dpkg-query -W "$pkg" >/dev/null 2>&1; then
        echo "+ dpkg -r $pkg (cleanup)"
        dpkg -r "$pkg" >/dev/null 2>&1 || dpkg --purge --force-all "$pkg" >/dev/null 2>&1 || true
    fi
    if [ -n "$aside" ]; then
        mv -f "$aside" "$sys_so"
        echo "restored the previously installed $sys_so"
    fi
    if [ -n "$profile_aside" ]; then
        rm -rf "$sys_profile" && mv "$profile_aside" "$sys_profile"
        echo "restored the previously installed $sys_profile"
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT INT TERM

if [ -e "$sys_so" ]; then
    if dpkg -S "$sys_so" >/dev/null 2>&1; then
        echo "FAIL: $sys_so belongs to a package: $(dpkg -S "$sys_so")"
        exit 1
    fi
    aside=$work/tcplife.so.system
    cp -p "$sys_so" "$aside" && rm -f "$sys_so"
    echo "note: set aside $sys_so (installed by hand) for the test"
fi

if [ -d "$sys_profile" ]; then   # from cmake --install, as the .so
    profile_aside=$work/profile.system
    mv "$sys_profile" "$profile_aside"
    echo "note: set aside $sys_profile (installed by hand) for the test"
fi

echo "+ cpack -G DEB"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 \
    || { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work"/out/*.deb)
echo "package: $deb"
dpkg-deb -f "$deb" Package Version Depends
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || { echo "FAIL: package name"; exit 1; }
version=$(sed -n 's/^project(tcplife VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || { echo "FAIL: version is not $version"; exit 1; }
libpkg=$(dpkg -S "$(readlink -f /usr/lib/*/libwireshark.so.*[0-9] | head -1)" | cut -d: -f1)
dpkg-deb -f "$deb" Depends | grep -q "^$libpkg (>= " || { echo "FAIL: does not depend on $libpkg"; exit 1; }

echo "+ dpkg -i"
installed=1
dpkg -i "$deb"
[ -f "$sys_so" ] || { echo "FAIL: $sys_so not installed"; exit 1; }
dpkg -L "$pkg" | grep -qx "$sys_so" || { echo "FAIL: dpkg -L does not list $sys_so"; exit 1; }

echo "+ tshark -G plugins (as root: system folder only)"
tshark -G plugins 2>"$work/err" | tee "$work/plugins" | grep tcplife || true
grep -q "^tcplife.so[[:space:]].*[[:space:]]$sys_so\$" "$work/plugins" \
    || { cat "$work/err"; echo "FAIL: tshark does not list tcplife.so from $sys_so"; exit 1; }
if grep -v '^Running as user' "$work/err" | grep -q .; then
    cat "$work/err"; echo "FAIL: tshark wrote to stderr"; exit 1
fi

cap=$src/captures/close-merged.pcapng
echo "+ tshark -r $(basename "$cap") -Y 'tcplife.event == \"FIN+ACK\"'"
out=$(tshark -r "$cap" -Y 'tcplife.event == "FIN+ACK"' -T fields -e frame.number -e tcplife.event \
      -e tcplife.client_state -e tcplife.server_state 2>/dev/null) || true
echo "$out"
[ "$out" = "$(printf '9\tFIN+ACK\tTIME_WAIT\tLAST_ACK')" ] || { echo "FAIL: unexpected tcplife fields"; exit 1; }

echo "+ tshark -C tcplife (the global profile of the package)"
out=$(tshark -C tcplife -r "$cap" -Y 'frame.number == 9' 2>&1) || true
echo "$out"
echo "$out" | grep -q "FIN+ACK TIME_WAIT LAST_ACK" || { echo "FAIL: global profile columns"; exit 1; }

echo "+ dpkg -r $pkg"
dpkg -r "$pkg"
installed=0
[ ! -e "$sys_so" ] || { echo "FAIL: $sys_so still there after dpkg -r"; exit 1; }
[ ! -e /usr/share/wireshark/profiles/tcplife ] || { echo "FAIL: global profile left behind"; exit 1; }
if tshark -G plugins 2>/dev/null | grep -q '^tcplife.so'; then
    echo "FAIL: tshark still lists tcplife.so"; exit 1
fi
echo "PASS: installed, loaded, decoded and removed $pkg $version"
