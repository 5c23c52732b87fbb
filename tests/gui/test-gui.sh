#!/bin/bash
# tests/gui/test-gui.sh PLUGIN.so SOURCE_DIR [--screenshots DIR]     (ctest: gui.filter)
#
# Starts the real Wireshark GUI (Debian package wireshark-qt) on a private Xvfb
# display (package xvfb), as an ordinary user (run as root: as nobody, through
# tests/tools/run-unprivileged, because Wireshark run as root loads no plugin
# from WIRESHARK_PLUGIN_DIR), with the staged plugin (packaging/stage-plugin.sh)
# and the profile packaging/profile/tcplife:
#
#   wireshark -C tcplife -X lua_script:gui-check.lua \
#             -r captures/close-merged.pcapng -Y 'tcplife.event == "FIN+ACK"'
#
# and checks, from what Wireshark itself reports (tests/gui/gui-check.lua, a Lua
# tap listener inside the GUI process): Lua runs in the GUI, the tcplife fields
# are registered, the main window's display filter is the one given, that filter
# selects frame 9 only and tcplife's event of every frame is as expected.
#
# --screenshots DIR (packaging/make-screenshots.sh; needs xdotool and
# imagemagick) then drives the GUI with xdotool and saves PNGs into DIR:
#   packet-details.png   frame 9 with the tcplife subtree (Close, TIME_WAIT) open
#   packet-list.png      timewait-client-reuse.pcapng, coloured by the profile
#   stats-tree.png       Statistics > TCP Connection Lifecycle on close-many.pcapng
#
# Exit 77 (ctest: skipped) when wireshark or Xvfb is not installed.
set -euo pipefail
plugin=$1 src=$2
shots=""
if [ "${3:-}" = "--screenshots" ]; then shots=$(realpath -m "${4:?--screenshots needs a directory}"); fi

for c in wireshark Xvfb; do
    command -v "$c" >/dev/null || { echo "SKIP: $c not installed (Debian packages wireshark-qt, xvfb)"; exit 77; }
done
if [ -n "$shots" ]; then
    for c in xdotool import; do
        command -v "$c" >/dev/null || { echo "FAIL: $c not installed (Debian packages xdotool, imagemagick)"; exit 1; }
    done
fi
RUN=$src/tests/tools/run-unprivileged
user=$(id -un)
[ "$(id -u)" -eq 0 ] && user=${TCPLIFE_UNPRIVILEGED_USER:-nobody}
TIMEOUT=${TCPLIFE_GUI_TIMEOUT:-90}
FILTER='tcplife.event == "FIN+ACK"'

work=$(mktemp -d /tmp/tcplife-gui-XXXXXX)
chmod 0755 "$work"
xvfb_pid="" ws_pid=""
stop_wireshark() {
    if [ -n "$ws_pid" ]; then
        kill "$ws_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$ws_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$ws_pid" 2>/dev/null || true
        wait "$ws_pid" 2>/dev/null || true
        ws_pid=""
    fi
}
cleanup() {
    rc=$?
    stop_wireshark
    if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
    if [ "$rc" -ne 0 ] && [ -f "$work/wireshark.log" ]; then
        echo "--- wireshark stderr"; cat "$work/wireshark.log"
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT INT TERM

"$src/packaging/stage-plugin.sh" "$plugin" "$work"
# empty extcap folder: no androiddump & co. probing (and outliving) the GUI
mkdir -p "$work/home/.config/wireshark/profiles" "$work/run" "$work/out" "$work/captures" "$work/extcap"
cp -r "$src/packaging/profile/tcplife" "$work/home/.config/wireshark/profiles/"
cp "$src/tests/gui/gui-check.lua" "$work/"
for c in close-merged timewait-client-reuse close-many; do cp "$src/captures/$c.pcapng" "$work/captures/"; done
chmod -R a+rX "$work"
if [ "$(id -u)" -eq 0 ]; then chown -R "$user" "$work/home" "$work/run" "$work/out"; fi
chmod 0700 "$work/run"

# Xvfb picks a free display and writes its number to fd 3.
"$RUN" Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log"; echo "FAIL: Xvfb did not start"; exit 1; }
export DISPLAY=:$(head -1 "$work/display")
echo "Xvfb on $DISPLAY"

wsenv=(env -u WIRESHARK_CONFIG_DIR -u XDG_CONFIG_HOME -u SESSION_MANAGER
       HOME="$work/home" XDG_RUNTIME_DIR="$work/run" WIRESHARK_PLUGIN_DIR="$work/plugins"
       WIRESHARK_EXTCAP_DIR="$work/extcap"
       LC_ALL=C.UTF-8 TZ=UTC QT_QPA_PLATFORM=xcb NO_AT_BRIDGE=1 DISPLAY="$DISPLAY"
       TCPLIFE_GUI_REPORT="$work/out/report.txt" TCPLIFE_GUI_FILTER="$FILTER")
start_wireshark() {   # start_wireshark ARG...
    "${wsenv[@]}" "$RUN" wireshark -C tcplife -X "lua_script:$work/gui-check.lua" "$@" \
        >>"$work/wireshark.log" 2>&1 </dev/null &
    ws_pid=$!
}
wait_window() {       # wait_window NAME-REGEX -> window id on stdout
    for _ in $(seq $((TIMEOUT * 5))); do
        w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1 || true)
        [ -n "$w" ] && { echo "$w"; return 0; }
        sleep 0.2
    done
    echo "FAIL: no window named /$1/" >&2; return 1
}

t0=$(date +%s)
echo "+ wireshark -C tcplife -r close-merged.pcapng -Y '$FILTER'"
start_wireshark -r "$work/captures/close-merged.pcapng" -Y "$FILTER"
for _ in $(seq $((TIMEOUT * 5))); do
    [ -f "$work/out/report.txt" ] && break
    kill -0 "$ws_pid" 2>/dev/null || { echo "FAIL: wireshark exited"; exit 1; }
    sleep 0.2
done
[ -f "$work/out/report.txt" ] || { echo "FAIL: no report from the GUI in $TIMEOUT s"; exit 1; }
echo "report from the GUI after $(( $(date +%s) - t0 )) s:"
cat "$work/out/report.txt"

fail=0
expect() {   # expect KEY VALUE
    got=$(awk -F'\t' -v k="$1" '$1 == k { sub(/^[^\t]*\t/, ""); print; exit }' "$work/out/report.txt")
    if [ "$got" = "$2" ]; then echo "ok   $1 = $2"; else echo "FAIL $1 = '$got', expected '$2'"; fail=1; fi
}
expect gui true
expect plugin true
expect tap ok
expect filter "$FILTER"
expect frames 9
expect packets 10
events=$(awk -F'\t' '$1 == "event" { printf "%s:%s;", $2, $3 }' "$work/out/report.txt")
want="1:SYN;2:SYN-ACK;3:handshake ACK;4:data;5:ACK;6:data;7:ACK;8:FIN;9:FIN+ACK;10:final ACK;"
if [ "$events" = "$want" ]; then echo "ok   tcplife.event of frames 1-10"; else echo "FAIL events: $events"; fail=1; fi
if grep -E "found in multiple directories|Couldn't load plugin|Lua: Error" "$work/wireshark.log"; then
    echo "FAIL: wireshark complained on stderr"; fail=1
fi
[ "$fail" -eq 0 ] || exit 1

if [ -n "$shots" ]; then
    mkdir -p "$shots"
    # 1. packet details: only the list and the details pane, frame 9 selected
    #    by the filter, tcplife subtree with Close and TIME_WAIT open.
    stop_wireshark
    start_wireshark -o gui.layout_content_3:NONE -r "$work/captures/close-merged.pcapng" -Y "$FILTER"
    w=$(wait_window 'close-merged'); sleep 2
    xdotool windowmove "$w" 0 0 windowsize --sync "$w" 1280 900; sleep 1
    # shrink the packet list: drag the splitter (middle of the window) up
    xdotool mousemove 640 484 mousedown 1 mousemove 640 300 sleep 0.3 mousemove 640 250 mouseup 1; sleep 0.5
    # details pane: first row, End = the tcplife tree (last), Right = expand;
    # then End, Up = [TIME_WAIT], Right; Up x3 = [Close], Right.
    xdotool mousemove 300 263 click 1 sleep 0.3 key End sleep 0.2 key Right sleep 0.3 \
        key End sleep 0.2 key Up sleep 0.2 key Right sleep 0.3 \
        key Up Up Up sleep 0.2 key Right sleep 0.8
    import -window "$w" "$shots/packet-details.png"
    stop_wireshark

    # 2. the coloured packet list of a capture with TIME_WAIT reuse and 3-way closes.
    start_wireshark -o gui.layout_content_2:NONE -o gui.layout_content_3:NONE \
        -r "$work/captures/timewait-client-reuse.pcapng"
    w=$(wait_window 'timewait-client-reuse'); sleep 2
    xdotool windowmove "$w" 0 0 windowsize --sync "$w" 1280 900; sleep 1.5
    import -window "$w" "$shots/packet-list.png"
    stop_wireshark

    # 3. Statistics > TCP Connection Lifecycle (the last entry of the menu).
    start_wireshark -r "$work/captures/close-many.pcapng"
    w=$(wait_window 'close-many'); sleep 3
    xdotool windowmove "$w" 0 0 windowsize --sync "$w" 1280 900; sleep 1
    # click the "Statistics" menu title (its place in the 1280-wide menu bar);
    # Up = its last entry, the plugin's stats tree
    xdotool mousemove 325 10 click 1 sleep 0.8 key Up sleep 0.3 key Return
    d=$(wait_window 'TCP Connection Lifecycle ·'); sleep 3
    xdotool windowmove "$d" 140 60 windowsize --sync "$d" 1000 780; sleep 1.5
    import -window "$d" "$shots/stats-tree.png"
    stop_wireshark
    echo "screenshots in $shots:"; ls -l "$shots"
fi
echo "PASS"
