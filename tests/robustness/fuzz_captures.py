#!/usr/bin/python3
"""Capture fuzzer: mutated and truncated copies of every capture under
captures/ through the real tshark with the built plugin.

  fuzz_captures.py [--plugin build/plugin/tcplife.so] [--source DIR] [--keep DIR]

For every capture (captures/**/*.pcapng|pcap|cap) it makes
TCPLIFE_FUZZ_ITERATIONS copies with `editcap -E <rate> --seed <s>` (rates
cycle through 0.002, 0.01, 0.05) and four truncations `editcap -s N` (N = 40,
54, 60, 66: inside the IP/TCP headers and options), concatenates them with
`mergecap -a` (one tshark start per mode instead of one per copy) and runs
tshark unprivileged (tests/tools/run-unprivileged, as the integration tests
do) in four modes: -nr, -nVxr, -2 -nVr, and -q with -z tcplife,tree /
streams / ladder. A run fails on a signal, on an exit status other than 0 or 2
(tshark exits 2 on a cut-off capture file), on a sanitizer report
(AddressSanitizer, runtime error:, LeakSanitizer is off), on "Couldn't load
plugin" or on a timeout. A failing combined file is split again to name the
copy that fails; it and the command are printed and kept under --keep.

Environment:
  TCPLIFE_FUZZ_ITERATIONS  mutated copies per capture (default 2)
  TCPLIFE_FUZZ_SEED        seed (default random; always printed)
  TCPLIFE_FUZZ_JOBS        parallel tshark runs (default: CPU count)
  TCPLIFE_PRELOAD          ASan runtime to LD_PRELOAD (sanitizer build)

Long run (about an hour on 2 cores):
  TCPLIFE_FUZZ_ITERATIONS=200 tests/robustness/fuzz_captures.py --plugin build-asan/plugin/tcplife.so
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
import harness  # noqa: E402  (staging helpers shared with the integration tests)
RUN_UNPRIVILEGED = HERE.parent / "tools" / "run-unprivileged"
EXTS = (".pcapng", ".pcap", ".cap")
RATES = (0.002, 0.01, 0.05)
SNAPLENS = (40, 54, 60, 66)
MODES = {
    "notree": ["-nr"],
    "tree": ["-nVxr"],
    "twopass": ["-2", "-nVr"],
    "stats": ["-q", "-z", "tcplife,tree", "-z", "tcplife,streams", "-z", "tcplife,ladder", "-nr"],
}
TIMEOUT = 300
BAD_STDERR = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|"
                        r"LeakSanitizer|Couldn't load plugin|Segmentation fault|"
                        r"\*\* \(tshark:\d+\): (CRITICAL|ERROR)")


def tshark_version_dir():
    out = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"\b(\d+)\.(\d+)\.\d+", out)
    return f"{m.group(1)}.{m.group(2)}" if m else "4.0"


def env_for(stage):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WIRESHARK_") and k not in ("XDG_CONFIG_HOME", "LD_PRELOAD")}
    env.update(LC_ALL="C.UTF-8", TZ="UTC", HOME=str(stage / "home"),
               WIRESHARK_PLUGIN_DIR=str(stage / "plugins"))
    preload = os.environ.get("TCPLIFE_PRELOAD", "")
    if preload:
        env.update(LD_PRELOAD=preload,
                   ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
                   WIRESHARK_EXTCAP_DIR="/nonexistent/tcplife-no-extcap")
    return env


def run_tshark(stage, mode, capture):
    argv = ["tshark"] + MODES[mode] + [str(capture)]
    full = [str(RUN_UNPRIVILEGED)] + argv
    try:
        p = subprocess.run(full, env=env_for(stage), cwd=stage, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return argv, f"timeout after {TIMEOUT} s"
    if p.returncode < 0:
        return argv, f"killed by signal {signal.Signals(-p.returncode).name}\n{p.stderr[-4000:]}"
    if p.returncode not in (0, 2):
        return argv, f"exit status {p.returncode}\n{p.stderr[-4000:]}"
    if BAD_STDERR.search(p.stderr):
        return argv, f"stderr:\n{p.stderr[-4000:]}"
    return argv, None


def make_inputs(src, work, idx, iterations, rng):
    """The copies of one capture and how each was made: [(path, command)]."""
    parts = []
    for i in range(iterations):
        rate = RATES[i % len(RATES)]
        seed = rng.randrange(1, 2**31)
        out = work / f"c{idx}-E{i}.pcapng"
        cmd = ["editcap", "-F", "pcapng", "-E", str(rate), "--seed", str(seed), str(src), str(out)]
        parts.append((out, cmd))
    for n in SNAPLENS:
        out = work / f"c{idx}-s{n}.pcapng"
        parts.append((out, ["editcap", "-F", "pcapng", "-s", str(n), str(src), str(out)]))
    made = []
    for out, cmd in parts:
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode == 0 and out.exists():
            made.append((out, cmd))
    return made


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plugin", default=None)
    ap.add_argument("--source", default=str(HERE.parent.parent))
    ap.add_argument("--keep", default=None, help="directory for failing inputs (default: a temp dir)")
    args = ap.parse_args()
    src = Path(args.source).resolve()
    plugin = Path(args.plugin or src / "build" / "plugin" / "tcplife.so").resolve()
    if not plugin.is_file():
        print(f"plugin not found: {plugin}", file=sys.stderr)
        return 2
    iterations = int(os.environ.get("TCPLIFE_FUZZ_ITERATIONS", "2"))
    seed = int(os.environ.get("TCPLIFE_FUZZ_SEED") or random.SystemRandom().randrange(1, 2**31))
    jobs = int(os.environ.get("TCPLIFE_FUZZ_JOBS") or os.cpu_count() or 2)
    rng = random.Random(seed)
    print(f"fuzz_captures: seed {seed}, {iterations} mutated copies + {len(SNAPLENS)} truncations "
          f"per capture, plugin {plugin}", flush=True)
    print(f"  reproduce: TCPLIFE_FUZZ_SEED={seed} TCPLIFE_FUZZ_ITERATIONS={iterations} "
          f"{Path(__file__).resolve()} --plugin {plugin}", flush=True)

    captures = sorted(p for p in (src / "captures").rglob("*")
                      if p.is_file() and p.name.lower().endswith(EXTS))
    base = "/tmp"
    stage = Path(tempfile.mkdtemp(prefix="tcplife-fuzz-", dir=base))
    keep = Path(args.keep) if args.keep else None
    failures = []
    t0 = time.time()
    try:
        epan = stage / "plugins" / tshark_version_dir() / "epan"
        epan.mkdir(parents=True)
        shutil.copyfile(plugin, epan / plugin.name)
        (stage / "home").mkdir()
        work = stage / "work"
        work.mkdir()

        jobs_list = []   # (capture, combined, parts)
        n_inputs = 0
        for idx, cap in enumerate(captures):
            parts = make_inputs(cap, work, idx, iterations, rng)
            n_inputs += len(parts)
            combined = work / f"c{idx}-all.pcapng"
            r = subprocess.run(["mergecap", "-a", "-F", "pcapng", "-w", str(combined)]
                               + [str(p) for p, _ in parts], capture_output=True, text=True)
            if r.returncode != 0:
                combined = None
            jobs_list.append((cap, combined, parts))
        harness.make_world_readable(stage)

        def check(item):
            cap, combined, parts, mode = item
            targets = [combined] if combined else [p for p, _ in parts]
            out = []
            for t in targets:
                argv, why = run_tshark(stage, mode, t)
                if why is None:
                    continue
                # name the copy that fails
                culprits = []
                for p, cmd in parts:
                    a2, w2 = run_tshark(stage, mode, p)
                    if w2:
                        culprits.append((p, cmd, a2, w2))
                out.append((cap, mode, argv, why, culprits))
            return out

        items = [(c, comb, parts, m) for c, comb, parts in jobs_list for m in MODES]
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            for res in ex.map(check, items):
                failures += res
        runs = len(items)
        print(f"fuzz_captures: {len(captures)} captures, {n_inputs} inputs "
              f"({len(captures) * iterations} mutated, {len(captures) * len(SNAPLENS)} truncated), "
              f"{runs} tshark runs, {len(failures)} failures, {time.time() - t0:.0f} s", flush=True)
        for cap, mode, argv, why, culprits in failures:
            print(f"\nFAIL {cap.relative_to(src)} mode {mode}: {' '.join(argv)}\n  {why.strip()[:3000]}")
            if keep is None:
                keep = Path(tempfile.mkdtemp(prefix="tcplife-fuzz-fail-"))
            keep.mkdir(parents=True, exist_ok=True)
            for p, cmd, a2, w2 in culprits:
                dest = keep / f"{cap.stem}-{p.name}"
                shutil.copyfile(p, dest)
                cmd = [c if not c.startswith(str(work)) else str(dest) for c in cmd]
                print(f"  failing copy: {dest}\n    made by: {' '.join(cmd)}\n"
                      f"    run: tests/tools/run-unprivileged tshark {' '.join(MODES[mode])} {dest}"
                      f" (WIRESHARK_PLUGIN_DIR with the plugin; as root via run-unprivileged)")
        if failures:
            print(f"\nfuzz_captures: FAILED (seed {seed})")
            return 1
        return 0
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
