"""Integration fixtures: the real tshark with the built plugin, never a mock.

Environment (set by tests/CMakeLists.txt; defaults for a manual pytest run):
  TCPLIFE_PLUGIN      the built module (default <source>/build/plugin/tcplife.so)
  TCPLIFE_SOURCE_DIR  the source tree (default: two levels above this file)
  TCPLIFE_TSHARK      tshark to run (default /usr/bin/tshark)
  TCPLIFE_KEEP_STAGE  set to 1 to keep the staging directory for inspection

The session fixture `staged` copies the module and the captures into a fresh
temporary directory readable by `nobody`, because tshark run as root loads no
plugin from the personal folder or $WIRESHARK_PLUGIN_DIR (practices fact
0.4): every tshark run goes through tests/tools/run-unprivileged.

  <tmp>/plugins/4.0/epan/tcplife.so         WIRESHARK_PLUGIN_DIR of the
                                            default runs; it stands in for the
                                            system folder (whose plugins are
                                            linked in beside it, minus any
                                            installed tcplife.so), so a stale
                                            system copy can never be tested
  <tmp>/home-empty/                         HOME of the default runs
  <tmp>/home/.local/lib/wireshark/plugins/4.0/epan/tcplife.so
                                            the personal folder, used by the
                                            "personal" runs (test_load.py),
                                            with WIRESHARK_PLUGIN_DIR=
  <tmp>/plugins-global/                     (the system plugins only)
  <tmp>/captures/...                        copies of captures/, mode 0644

The module is in only one plugin folder per run: tshark warns on stderr
"The plugin 'tcplife.so' was found in multiple directories" otherwise.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness
from contract import PLUGIN_FILE

TSHARK_TIMEOUT = 300
RUN_UNPRIVILEGED = harness.HERE.parent / "tools" / "run-unprivileged"

# tshark always prints this as root; nothing else on stderr is acceptable.
_ALLOWED_STDERR = [re.compile(r'^Running as user ".*" and group ".*"\. This could be dangerous\.$')]

# Variables that would point tshark at someone's real configuration or plugins.
_SCRUBBED_ENV = ("XDG_CONFIG_HOME", "WIRESHARK_PLUGIN_DIR", "WIRESHARK_CONFIG_DIR",
                 "WIRESHARK_DATA_DIR", "WIRESHARK_EXTCAP_DIR", "WIRESHARK_RUN_FROM_BUILD_DIRECTORY",
                 "WIRESHARK_DEBUG_WMEM_OVERRIDE", "ERF_RECORDS_TO_CHECK", "IEEE_802_11_RECORDS_TO_CHECK")


def sanitizer_env(plugin=None):
    """Extra environment for a sanitizer build (TCPLIFE_SANITIZE=ON): tshark is
    not instrumented, so the ASan runtime must be preloaded. TCPLIFE_PRELOAD
    names it; unset, it is found with ldd when the module links libasan."""
    preload = os.environ.get("TCPLIFE_PRELOAD", "")
    if not preload and plugin is not None:
        try:
            out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        m = re.search(r"libasan\.so\S*\s+=>\s+(\S+)", out)
        preload = m.group(1) if m else ""
    if not preload:
        return {}
    return {"LD_PRELOAD": preload,
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
            # extcaps inherit LD_PRELOAD; androiddump then hangs `tshark -G plugins`
            "WIRESHARK_EXTCAP_DIR": "/nonexistent/tcplife-no-extcap"}


def unexpected_stderr(stderr: str):
    return [line for line in stderr.splitlines()
            if line.strip() and not any(rx.match(line) for rx in _ALLOWED_STDERR)]


class TsharkResult:
    def __init__(self, argv, returncode, stdout, stderr):
        self.argv, self.returncode, self.stdout, self.stderr = argv, returncode, stdout, stderr

    def describe(self):
        return (f"command: {' '.join(self.argv)}\nexit status: {self.returncode}\n"
                f"stderr:\n{self.stderr.rstrip()}\nstdout (first 2000 chars):\n{self.stdout[:2000]}")


class Stage:
    """The staged plugin, homes and captures, and the tshark runner."""

    def __init__(self, root: Path, tshark_bin: str, version_dir: str):
        self.root = root
        self.tshark_bin = tshark_bin
        self.version_dir = version_dir
        self.plugins = root / "plugins"
        self.plugins_global = root / "plugins-global"
        self.home = root / "home"
        self.home_empty = root / "home-empty"
        self.captures = root / "captures"
        self.sanitizer = {}           # sanitizer_env() of the plugin under test
        self.plugin_in_plugin_dir = self.plugins / version_dir / "epan" / PLUGIN_FILE
        self.plugin_in_personal = (self.home / ".local" / "lib" / "wireshark" / "plugins"
                                   / version_dir / "epan" / PLUGIN_FILE)

    def capture(self, rel) -> Path:
        return self.captures / rel

    def env(self, personal=False):
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env["LC_ALL"] = "C.UTF-8"
        env["TZ"] = "UTC"
        env.update(self.sanitizer)
        if personal:
            env["HOME"] = str(self.home)
            env["WIRESHARK_PLUGIN_DIR"] = str(self.plugins_global)
        else:
            env["HOME"] = str(self.home_empty)
            env["WIRESHARK_PLUGIN_DIR"] = str(self.plugins)
        return env

    def run(self, args, two_pass=False, personal=False) -> TsharkResult:
        """Run tshark unprivileged; return everything, judge nothing."""
        argv = [self.tshark_bin] + (["-2"] if two_pass else []) + [str(a) for a in args]
        full = [str(RUN_UNPRIVILEGED)] + argv
        try:
            proc = subprocess.run(full, env=self.env(personal), cwd=self.root,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=TSHARK_TIMEOUT, text=True, errors="replace")
        except subprocess.TimeoutExpired:
            pytest.fail(f"tshark did not finish in {TSHARK_TIMEOUT} s: {' '.join(argv)}")
        return TsharkResult(argv, proc.returncode, proc.stdout, proc.stderr)

    def tshark(self, args, two_pass=False, personal=False) -> str:
        """Run tshark unprivileged and return its stdout; fail the test on a
        non-zero exit status or on any stderr line but the root warning."""
        res = self.run(args, two_pass=two_pass, personal=personal)
        if res.returncode != 0:
            pytest.fail("tshark failed\n" + res.describe(), pytrace=False)
        bad = unexpected_stderr(res.stderr)
        if bad:
            pytest.fail("tshark wrote to stderr\n" + res.describe(), pytrace=False)
        return res.stdout


def _tshark_version_dir(tshark_bin: str) -> str:
    out = subprocess.run([tshark_bin, "--version"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60).stdout
    m = re.search(r"\b(\d+)\.(\d+)\.\d+", out)
    if not m:
        pytest.exit(f"cannot read the version of {tshark_bin}: {out[:200]!r}", returncode=2)
    return f"{m.group(1)}.{m.group(2)}"


def _global_plugin_dir(tshark_bin: str):
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    out = subprocess.run([tshark_bin, "-G", "folders"], capture_output=True, text=True,
                         env=env, stdin=subprocess.DEVNULL, timeout=60).stdout
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Global Plugins" and value.strip():
            return Path(value.strip())
    return None


def _link_global_plugins(global_dir, dest: Path):
    """Mirror the system plugin folder as symlinks, leaving out tcplife."""
    dest.mkdir(parents=True, exist_ok=True)
    if global_dir is None or not global_dir.is_dir():
        return
    for sub in global_dir.iterdir():
        if not sub.is_dir():
            continue
        (dest / sub.name).mkdir(exist_ok=True)
        for f in sub.iterdir():
            if f.name != PLUGIN_FILE and f.name.endswith(".so"):
                os.symlink(f, dest / sub.name / f.name)


def _world_traversable_tmp():
    """$TMPDIR if the unprivileged user can reach it, else /tmp."""
    base = Path(tempfile.gettempdir()).resolve()
    for d in [base] + list(base.parents):
        if not d.stat().st_mode & 0o001:
            return "/tmp"
    return str(base)


@pytest.fixture(scope="session")
def staged():
    plugin = os.environ.get("TCPLIFE_PLUGIN")
    plugin = Path(plugin) if plugin else harness.source_dir() / "build" / "plugin" / PLUGIN_FILE
    if not plugin.is_file():
        pytest.exit(f"plugin not found: {plugin} (build first, or set TCPLIFE_PLUGIN)", returncode=2)
    tshark_bin = os.environ.get("TCPLIFE_TSHARK", "/usr/bin/tshark")
    if not os.access(tshark_bin, os.X_OK):
        pytest.exit(f"tshark not found at {tshark_bin} (Debian package tshark)", returncode=2)

    version_dir = _tshark_version_dir(tshark_bin)
    root = Path(tempfile.mkdtemp(prefix="tcplife-it-", dir=_world_traversable_tmp()))
    os.chmod(root, 0o755)
    stage = Stage(root, tshark_bin, version_dir)
    stage.sanitizer = sanitizer_env(plugin)
    try:
        global_dir = _global_plugin_dir(tshark_bin)
        version_global = global_dir if global_dir and global_dir.name == version_dir else None
        for dest in (stage.plugins / version_dir, stage.plugins_global / version_dir):
            _link_global_plugins(version_global, dest)
        for target in (stage.plugin_in_plugin_dir, stage.plugin_in_personal):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plugin, target)
        stage.home_empty.mkdir()
        harness.copy_captures(harness.captures_dir(), harness.find_captures(), stage.captures)
        harness.make_world_readable(root)
        yield stage
    finally:
        if os.environ.get("TCPLIFE_KEEP_STAGE") == "1":
            print(f"\nstaging directory kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def tshark(staged):
    """tshark(args, two_pass=False, personal=False) -> stdout (see Stage.tshark)."""
    return staged.tshark
