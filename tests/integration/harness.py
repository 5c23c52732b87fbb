"""Helpers shared by the integration tests: where things are, which captures
exist, and how .facts files read. No tshark here (see conftest.py)."""

import os
import re
import shutil
from pathlib import Path

from contract import CAPTURE_EXTENSIONS

HERE = Path(__file__).resolve().parent


def source_dir() -> Path:
    env = os.environ.get("TCPLIFE_SOURCE_DIR")
    return Path(env).resolve() if env else HERE.parent.parent


def captures_dir() -> Path:
    return source_dir() / "captures"


def find_captures():
    """Every capture below captures/, as paths relative to captures/, sorted."""
    root = captures_dir()
    if not root.is_dir():
        return []
    found = [p.relative_to(root) for p in root.rglob("*")
             if p.is_file() and p.name.lower().endswith(CAPTURE_EXTENSIONS)]
    return sorted(found, key=str)


def copy_captures(src_root: Path, rels, dest_root: Path):
    """Copy captures (paths relative to captures/) into a staging tree."""
    for rel in rels:
        dest = dest_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src_root / rel, dest)


def make_world_readable(root):
    """Directories enterable and files readable by anyone, nothing writable:
    tshark runs as an unprivileged user when the tests run as root."""
    for dirpath, _dirs, files in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in files:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


def find_facts_files():
    root = captures_dir()
    if not root.is_dir():
        return []
    return sorted((p.relative_to(root) for p in root.rglob("*.facts") if p.is_file()), key=str)


def capture_for_facts(facts_rel: Path):
    """The capture a .facts file describes: the same name without .facts,
    either already a capture name or completed with a capture extension."""
    root = captures_dir()
    stem = facts_rel.with_suffix("")
    # x.pcap.facts describes x.pcap; x.facts describes x.pcapng, x.pcap or x.cap
    if stem.name.lower().endswith(CAPTURE_EXTENSIONS) and (root / stem).is_file():
        return stem
    for ext in CAPTURE_EXTENSIONS:
        candidate = stem.with_name(stem.name + ext)
        if (root / candidate).is_file():
            return candidate
    return None


class Fact:
    """One `<display filter> => <frames>` line of a .facts file."""

    def __init__(self, facts_rel, lineno, text, display_filter=None, frames=None, error=None):
        self.facts_rel = facts_rel
        self.lineno = lineno
        self.text = text
        self.display_filter = display_filter
        self.frames = frames          # frozenset of frame numbers
        self.error = error            # why the line is malformed, or None

    @property
    def id(self):
        return f"{self.facts_rel}:{self.lineno}"


_RANGE = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")


def parse_frames(spec: str):
    """'1,3,5-7' -> {1,3,5,6,7}; 'none' -> {}. Raises ValueError."""
    spec = spec.strip()
    if spec == "none":
        return frozenset()
    if not spec:
        raise ValueError("no frames after '=>' (write 'none' for no frame)")
    frames = set()
    for part in spec.split(","):
        m = _RANGE.match(part.strip())
        if not m:
            raise ValueError(f"bad frame item {part.strip()!r} (numbers, ranges a-b, or 'none')")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo < 1 or hi < lo:
            raise ValueError(f"bad frame range {part.strip()!r}")
        frames.update(range(lo, hi + 1))
    return frozenset(frames)


def parse_facts(facts_rel: Path):
    """All facts of one file; malformed lines come back with .error set."""
    facts = []
    text = (captures_dir() / facts_rel).read_text(encoding="utf-8")
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=>" not in line:
            facts.append(Fact(facts_rel, lineno, line, error="no '=>' in line"))
            continue
        dfilter, _, frames_spec = line.rpartition("=>")
        dfilter = dfilter.strip()
        if not dfilter:
            facts.append(Fact(facts_rel, lineno, line, error="empty display filter"))
            continue
        try:
            frames = parse_frames(frames_spec)
        except ValueError as exc:
            facts.append(Fact(facts_rel, lineno, line, error=str(exc)))
            continue
        facts.append(Fact(facts_rel, lineno, line, dfilter, frames))
    return facts


def format_frames(frames):
    """{1,2,3,5} -> '1-3,5' (for messages)."""
    out = []
    for n in sorted(frames):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in out) or "none"
