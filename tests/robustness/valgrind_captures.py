#!/usr/bin/python3
"""Valgrind memcheck of tshark with the tcplife module on a few small captures
(ctest robustness.valgrind; tests/robustness/README.md).

tshark runs unprivileged (tests/tools/run-unprivileged, as root: `nobody`) with
the module staged exactly as the integration harness stages it
(tests/integration/conftest.py: WIRESHARK_PLUGIN_DIR holding tcplife.so and the
system plugins, an empty HOME, scrubbed Wireshark variables), and valgrind runs
as that user too:

  run-unprivileged valgrind --error-exitcode=99 --leak-check=no \
      --track-origins=no tshark -2 -V -z tcplife,ladder -r CAPTURE

(-2 -V and the ladder view in one run: valgrind's start-up of libwireshark is
the expensive part.) No leak check: tshark's own leaks are not ours. Every
error report whose stack mentions tcplife.so (or a source file under plugin/,
for a build with debug information) fails the test and is printed; errors that
are only in Wireshark or its libraries are counted and listed briefly, not
judged. Exit 0 ok, 1 failure, 77 skipped (no valgrind, or a sanitizer build:
ASan and valgrind do not mix).

  --plugin PATH    the module (default <source>/build/plugin/tcplife.so)
  --source DIR     the source tree (default: two levels up)
  --jobs N         parallel valgrind runs (default: number of CPUs, max 4)
  --captures LIST  comma-separated paths relative to captures/ (default below)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
try:
    import pytest  # noqa: F401  (conftest.py imports it; only its decorators are needed here)
except ImportError:  # a python3 without pytest (e.g. a pyenv shim): a stand-in
    import types
    _stub = types.ModuleType("pytest")
    _stub.fixture = lambda *a, **k: (lambda f: f)
    def _die(msg="", **_k):
        raise SystemExit(msg)
    _stub.fail = _stub.exit = _die
    sys.modules["pytest"] = _stub
import conftest  # noqa: E402  (the harness's staging helpers; imports pytest)
import harness  # noqa: E402
from contract import PLUGIN_FILE  # noqa: E402

DEFAULT_CAPTURES = [
    "close-merged.pcapng", "close-simultaneous.pcapng", "timewait-lost-final-ack.pcapng",
    "syn-retries-answered.pcapng", "tfo.pcapng", "icmp-unreachable.pcapng",
    "hostile/snaplen-header-cut.pcap", "hostile/tuple-reused-many.pcap",
    "hostile/ipip-and-gre.pcap",
]
VALGRIND_TIMEOUT = 900


def stage(plugin: Path, source: Path, captures):
    tshark_bin = os.environ.get("TCPLIFE_TSHARK", "/usr/bin/tshark")
    version_dir = conftest._tshark_version_dir(tshark_bin)
    root = Path(tempfile.mkdtemp(prefix="tcplife-vg-", dir=conftest._world_traversable_tmp()))
    st = conftest.Stage(root, tshark_bin, version_dir)
    global_dir = conftest._global_plugin_dir(tshark_bin)
    version_global = global_dir if global_dir and global_dir.name == version_dir else None
    conftest._link_global_plugins(version_global, st.plugins / version_dir)
    st.plugin_in_plugin_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plugin, st.plugin_in_plugin_dir)
    st.home_empty.mkdir()
    harness.copy_captures(source / "captures", captures, st.captures)
    harness.make_world_readable(root)
    logs = root / "vglogs"
    logs.mkdir()
    os.chmod(logs, 0o1777)        # valgrind runs as the unprivileged user and writes here
    return st, logs


def error_blocks(log_text):
    """Valgrind error reports: from a '==pid== Message' line to the next '==pid== ' blank."""
    blocks, cur = [], None
    for line in log_text.splitlines():
        m = re.match(r"^==\d+==(.*)$", line)
        if not m:
            continue
        body = m.group(1)
        if not body.strip():
            if cur is not None:
                blocks.append(cur)
                cur = None
        elif cur is None:
            cur = [line]
        else:
            cur.append(line)
    if cur:
        blocks.append(cur)
    # keep only error reports: they have a stack ("at 0x...") right after the message
    return [b for b in blocks if len(b) > 1 and re.search(r"==\d+==\s+at 0x", b[1])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin")
    ap.add_argument("--source", default=str(HERE.parent.parent))
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--captures")
    args = ap.parse_args()
    source = Path(args.source).resolve()
    plugin = Path(args.plugin) if args.plugin else source / "build" / "plugin" / PLUGIN_FILE
    valgrind = shutil.which("valgrind")
    if not valgrind:
        print("SKIP: valgrind not found (Debian package valgrind)")
        return 77
    if not plugin.is_file():
        print(f"plugin not found: {plugin}")
        return 1
    if conftest.sanitizer_env(plugin):
        print("SKIP: sanitizer build (libasan) cannot run under valgrind")
        return 77
    captures = args.captures.split(",") if args.captures else DEFAULT_CAPTURES
    st, logs = stage(plugin, source, captures)
    ours = re.compile(re.escape(PLUGIN_FILE) + "|" + re.escape(str(source / "plugin") + "/"))

    def run(i_rel):
        i, rel = i_rel
        log = logs / f"{i:02d}.log"
        argv = [str(conftest.RUN_UNPRIVILEGED), valgrind, "--error-exitcode=99",
                "--leak-check=no", "--track-origins=no", "--num-callers=30",
                "--fullpath-after=", f"--log-file={log}",
                st.tshark_bin, "-2", "-V", "-z", "tcplife,ladder", "-r", str(st.capture(rel))]
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, env=st.env(), cwd=st.root, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, errors="replace",
                               timeout=VALGRIND_TIMEOUT)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            rc, out, err = None, "", f"timeout after {VALGRIND_TIMEOUT} s"
        text = log.read_text(errors="replace") if log.exists() else ""
        return rel, rc, out, err, text, time.monotonic() - t0

    t_all = time.monotonic()
    failures = 0
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(run, enumerate(captures)))
        for rel, rc, out, err, text, secs in results:
            blocks = error_blocks(text)
            mine = [b for b in blocks if any(ours.search(line) for line in b)]
            analysed = "TCP Connection Lifecycle" in out
            status = "ok"
            if rc is None or not text:
                status = "FAIL (no valgrind result)"
            elif mine:
                status = f"FAIL ({len(mine)} error(s) in tcplife)"
            elif rc not in (0, 99):
                status = f"FAIL (exit status {rc})"
            elif not analysed:
                status = "FAIL (no tcplife tree in the output: module not loaded?)"
            summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            if summary is None and status == "ok":
                status = "FAIL (no ERROR SUMMARY in the valgrind log)"
            print(f"{rel}: {status}; valgrind ERROR SUMMARY "
                  f"{summary.group(1) if summary else '?'} ({len(blocks)} report(s), "
                  f"{len(mine)} in tcplife), exit {rc}, {secs:.1f} s")
            if status != "ok":
                failures += 1
                print(f"  stderr: {err.strip()[:2000]}")
                for b in mine:
                    print("\n".join("  " + line for line in b))
                    print()
            for b in blocks:
                if b not in mine:
                    print(f"  (not ours) {b[0]}")
    finally:
        if failures and os.environ.get("TCPLIFE_KEEP_STAGE") == "1":
            print(f"logs kept: {logs}")
        else:
            shutil.rmtree(st.root, ignore_errors=True)
    print(f"{len(captures)} capture(s), {failures} failure(s), {time.monotonic() - t_all:.0f} s wall")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
