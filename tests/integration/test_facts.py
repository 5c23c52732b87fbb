"""Hand-checked facts about the bundled captures (captures/**/*.facts).

Each non-comment line of <name>.facts reads `<display filter> => <frames>`
(frames: `1,3,5-7` or `none`) and states exactly which frames of <name>.pcapng
(or .pcap / .cap; x.pcap.facts describes x.pcap) match the filter in two-pass
tshark, i.e. exactly the frames `tshark -2 -r CAP -Y FILTER -T fields -e
frame.number` prints. Each line is its own test case, named file:line. A
malformed line fails; with no .facts file at all the single placeholder case
is skipped."""

import os
import shutil

import pytest

import harness
from conftest import unexpected_stderr

# TCPLIFE_FACTS_VERIFY=1: also run the plain -Y command for every fact and
# check that the batch (facts.lua) agrees with it (slow; for harness changes).
VERIFY_BATCH = os.environ.get("TCPLIFE_FACTS_VERIFY") == "1"


def _collect():
    params = []
    for facts_rel in harness.find_facts_files():
        try:
            facts = harness.parse_facts(facts_rel)
        except (OSError, UnicodeDecodeError) as exc:
            facts = [harness.Fact(facts_rel, 0, "", error=f"unreadable: {exc}")]
        if not facts:
            facts = [harness.Fact(facts_rel, 0, "", error="no facts in file")]
        params += [pytest.param(f, id=f.id) for f in facts]
    if not params:
        params = [pytest.param(None, id="no-facts-files",
                               marks=pytest.mark.skip(reason="no captures/**/*.facts yet"))]
    return params


class _FactRunner:
    """Evaluates the facts of one .facts file in a single `tshark -2` run
    (facts.lua: one filtered frame tap per fact) the first time one of its
    facts is tested. A fact whose batch answer differs from the expectation,
    or the whole file if the batch run fails, is settled by the plain
    `tshark -2 -r CAP -Y FILTER -T fields -e frame.number`, which is the
    definition; the batch only makes the passing majority cheap."""

    def __init__(self, staged):
        self.staged = staged
        self.workdir = staged.root / "facts"
        self.workdir.mkdir(mode=0o755, exist_ok=True)
        self.script = self.workdir / "facts.lua"
        shutil.copyfile(harness.HERE / "facts.lua", self.script)
        os.chmod(self.script, 0o644)
        self.batches = {}          # facts_rel -> {lineno: frozenset | None}
        self.batch_failure = {}    # facts_rel -> TsharkResult of a failed batch run

    def _run_batch(self, facts_rel, capture_rel):
        facts = [f for f in harness.parse_facts(facts_rel) if f.error is None]
        answers = {f.lineno: None for f in facts}
        self.batches[facts_rel] = answers
        if not facts:
            return
        filters = self.workdir / (str(facts_rel).replace("/", "__") + ".filters")
        filters.write_text("".join(f.display_filter + "\n" for f in facts), encoding="utf-8")
        os.chmod(filters, 0o644)
        res = self.staged.run(["-q", "-r", self.staged.capture(capture_rel),
                               "-X", f"lua_script:{self.script}", "-X", f"lua_script1:{filters}"],
                              two_pass=True)
        if res.returncode != 0 or unexpected_stderr(res.stderr):
            self.batch_failure[facts_rel] = res
            return
        for line in res.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "FACT" and parts[2] == "OK":
                idx = int(parts[1]) - 1
                if 0 <= idx < len(facts):
                    answers[facts[idx].lineno] = frozenset(int(x) for x in parts[3:])

    def batch_answer(self, fact, capture_rel):
        if fact.facts_rel not in self.batches:
            self._run_batch(fact.facts_rel, capture_rel)
        return self.batches[fact.facts_rel].get(fact.lineno)

    def plain_run(self, fact, capture_rel):
        return self.staged.run(["-r", self.staged.capture(capture_rel), "-Y", fact.display_filter,
                                "-T", "fields", "-e", "frame.number"], two_pass=True)


@pytest.fixture(scope="session")
def fact_runner(staged):
    return _FactRunner(staged)


@pytest.mark.parametrize("fact", _collect())
def test_fact(fact, fact_runner):
    where = f"captures/{fact.facts_rel}:{fact.lineno}"
    if fact.error:
        pytest.fail(f"{where}: malformed fact: {fact.error}\n  {fact.text}", pytrace=False)
    capture_rel = harness.capture_for_facts(fact.facts_rel)
    if capture_rel is None:
        pytest.fail(f"{where}: no capture beside {fact.facts_rel} "
                    f"(tried {', '.join(harness.CAPTURE_EXTENSIONS)})", pytrace=False)

    batch = fact_runner.batch_answer(fact, capture_rel)
    if batch == fact.frames and not VERIFY_BATCH:
        return
    res = fact_runner.plain_run(fact, capture_rel)
    if res.returncode != 0 or unexpected_stderr(res.stderr):
        pytest.fail(f"{where}: tshark failed on filter {fact.display_filter!r}\n{res.describe()}",
                    pytrace=False)
    got = {int(x) for x in res.stdout.split()}
    if VERIFY_BATCH and batch != got:
        pytest.fail(f"{where}: harness bug: facts.lua gave {harness.format_frames(batch or ())}, "
                    f"-Y gave {harness.format_frames(got)}", pytrace=False)
    if got != fact.frames:
        missing = fact.frames - got
        extra = got - fact.frames
        pytest.fail(
            f"{where}: {fact.display_filter}\n"
            f"  expected frames: {harness.format_frames(fact.frames)}\n"
            f"  tshark -2 gave:  {harness.format_frames(got)}\n"
            f"  missing: {harness.format_frames(missing)}   unexpected: {harness.format_frames(extra)}",
            pytrace=False)
