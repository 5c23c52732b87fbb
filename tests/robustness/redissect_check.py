#!/usr/bin/python3
"""GUI-style re-dissection equivalence (ctest robustness.redissect): runs the
`redissect` program (redissect.c) on every capture under captures/, staged and
unprivileged exactly as the integration harness runs tshark (the staging of
valgrind_captures.py, i.e. tests/integration/conftest.py). For each capture it
dissects all frames in order (tshark -2's first pass), then with a tree in
order (the reference), then --rounds times in a random order, and fails on any
frame whose tcplife subtree text differs from the reference.

  redissect_check.py --redissect BIN [--plugin SO] [--source DIR] [--rounds N] [--seed N]
Exit 0 ok, 1 failure, 77 skipped (sanitizer build)."""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import valgrind_captures as vc  # noqa: E402  (stage(); imports the harness's conftest)
import conftest  # noqa: E402
import harness  # noqa: E402
from contract import PLUGIN_FILE  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redissect", required=True)
    ap.add_argument("--plugin")
    ap.add_argument("--source", default=str(HERE.parent.parent))
    ap.add_argument("--rounds", default="3")
    ap.add_argument("--seed", default=os.environ.get("TCPLIFE_REDISSECT_SEED", "20261121"))
    args = ap.parse_args()
    source = Path(args.source).resolve()
    plugin = Path(args.plugin) if args.plugin else source / "build" / "plugin" / PLUGIN_FILE
    if conftest.sanitizer_env(plugin):
        print("SKIP: sanitizer build")
        return 77
    os.environ["TCPLIFE_SOURCE_DIR"] = str(source)
    captures = [str(p) for p in harness.find_captures()]
    st, _logs = vc.stage(plugin, source, captures)
    binary = st.root / "redissect"
    shutil.copyfile(args.redissect, binary)
    os.chmod(binary, 0o755)
    failures = 0
    try:
        for rel in captures:
            p = subprocess.run([str(conftest.RUN_UNPRIVILEGED), str(binary), "--rounds", args.rounds,
                                "--seed", args.seed, str(st.capture(rel))],
                               env=st.env(), cwd=st.root, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, errors="replace", timeout=600)
            last = p.stdout.strip().splitlines()[-1:] or [""]
            # a capture with no TCP at all legitimately has no tcplife tree
            no_tree_ok = "0 with a tcplife tree" in p.stdout and "differs" not in p.stdout
            ok = p.returncode == 0 or (p.returncode == 1 and no_tree_ok)
            print(f"{rel}: {'ok' if ok else 'FAIL'} (exit {p.returncode}) {last[0]}")
            if not ok:
                failures += 1
                print(p.stdout[-6000:])
                print(p.stderr[-2000:])
    finally:
        shutil.rmtree(st.root, ignore_errors=True)
    print(f"{len(captures)} capture(s), {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
