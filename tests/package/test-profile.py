#!/usr/bin/env python3
"""tests/package/test-profile.py PLUGIN.so SOURCE_DIR   (ctest: package.profile)

Installs the profile with packaging/install-profile.sh under a temporary
XDG_CONFIG_HOME and runs tshark -C tcplife, as an ordinary user with the staged
plugin (packaging/stage-plugin.sh), on bundled captures:
  - no error or warning on stderr (so every preference and colouring rule parsed),
  - the tcplife columns (stream, event, client and server state) are printed,
  - --color paints the merged FIN+ACK with the profile's rule,
  - every filter button (dfilter_buttons, UAT format with \\xNN escapes) is a
    valid display filter selecting the expected frames.
Changes nothing outside a temporary directory."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

plugin, src = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
RUN_UNPRIV = src / "tests" / "tools" / "run-unprivileged"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


work = Path(tempfile.mkdtemp(prefix="tcplife-profile-", dir="/tmp"))
try:
    os.chmod(work, 0o755)
    subprocess.run([str(src / "packaging" / "stage-plugin.sh"), str(plugin), str(work)], check=True)
    xdg = work / "xdg"
    env = {k: v for k, v in os.environ.items()
           if k not in ("WIRESHARK_PLUGIN_DIR", "WIRESHARK_CONFIG_DIR", "XDG_CONFIG_HOME")}
    env.update(LC_ALL="C.UTF-8", TZ="UTC", HOME=str(work / "home"), XDG_CONFIG_HOME=str(xdg),
               WIRESHARK_PLUGIN_DIR=str(work / "plugins"))
    subprocess.run([str(src / "packaging" / "install-profile.sh")], env=env, check=True)
    prof = xdg / "wireshark" / "profiles" / "tcplife"
    check(all((prof / f).is_file() for f in ("preferences", "colorfilters", "dfilter_buttons")),
          f"install-profile.sh installed the profile into {prof}")
    caps = work / "captures"
    caps.mkdir()
    for name in ("close-merged", "refused", "close-abort", "timewait-client-reuse"):
        shutil.copy(src / "captures" / f"{name}.pcapng", caps)
    subprocess.run(["chmod", "-R", "a+rX", str(work)], check=True)

    def tshark(*args):
        p = subprocess.run([str(RUN_UNPRIV), os.environ.get("TCPLIFE_TSHARK", "tshark"), *args],
                           env=env, capture_output=True, text=True, cwd=work,
                           stdin=subprocess.DEVNULL, timeout=300)
        err = [l for l in p.stderr.splitlines() if l.strip() and not l.startswith("Running as user")]
        return p.returncode, p.stdout, err

    rc, out, err = tshark("-C", "tcplife", "-r", str(caps / "close-merged.pcapng"))
    check(rc == 0 and not err, f"tshark -C tcplife: exit {rc}, stderr {err}")
    lines = out.splitlines()
    check(len(lines) == 10, f"10 packets printed (got {len(lines)})")
    frame9 = next((l for l in lines if l.split()[0] == "9"), "")
    check(re.search(r"\bTCP 66 0 FIN\+ACK TIME_WAIT LAST_ACK\b", frame9) is not None,
          f"frame 9 shows stream, event and both states: {frame9.strip()}")
    frame1 = next((l for l in lines if l.split()[0] == "1"), "")
    check(" 0 SYN SYN_SENT LISTEN " in frame1, f"frame 1: {frame1.strip()}")

    # tshark --color colours only a terminal: give it one with script(1).
    # colorfilters lines are @name@filter@[background][foreground].
    cmd = (f"{RUN_UNPRIV} {os.environ.get('TCPLIFE_TSHARK', 'tshark')} -C tcplife --color "
           f"-r {caps / 'close-merged.pcapng'} -Y 'frame.number == 9'")
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=dict(env, TERM="xterm",
                       COLORTERM="truecolor"), capture_output=True, text=True, cwd=work,
                       stdin=subprocess.DEVNULL, timeout=300)
    check(p.returncode == 0 and "FIN+ACK" in p.stdout, f"tshark --color: exit {p.returncode}")
    check("\x1b[38;2;0;0;0m\x1b[48;2;153;204;255m" in p.stdout,
          "merged FIN+ACK painted by the profile's rule (black on light blue): "
          + repr(p.stdout[:40]))

    expect = {"Handshake problems": ("refused", "2"),
              "Abnormal closes": ("close-abort", "12"),
              "TIME_WAIT reuse": ("timewait-client-reuse", "11,21,31"),
              "3-way close": ("close-merged", "9")}
    buttons = {}
    for line in (prof / "dfilter_buttons").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
        check(len(fields) == 4 and fields[0] == "TRUE", f"button line has 4 quoted fields: {line[:60]}")
        decode = lambda s: re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)
        buttons[decode(fields[1])] = decode(fields[2])
    check(set(buttons) == set(expect), f"buttons {sorted(buttons)}")
    for label, dfilter in buttons.items():
        if label not in expect:
            continue
        cap, frames = expect[label]
        rc, out, err = tshark("-C", "tcplife", "-r", str(caps / f"{cap}.pcapng"), "-Y", dfilter,
                              "-T", "fields", "-e", "frame.number")
        got = ",".join(out.split())
        check(rc == 0 and not err and got == frames,
              f"button '{label}' on {cap}: frames {got or 'none'} (expected {frames}) {err}")
finally:
    shutil.rmtree(work, ignore_errors=True)

print("PASS" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
