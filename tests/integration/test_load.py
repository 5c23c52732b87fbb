"""The plugin loads and registers its whole contract (contract.py).

A plugin that fails to load only prints "Couldn't load plugin" on stderr and
tshark still exits 0 (practices fact 0.5), so both the listing and stderr are
checked, for each of the two ways a user can install it."""

import pytest

from conftest import unexpected_stderr
from contract import EXPERTS, FIELDS, PLUGIN_FILE, PROTOCOL


def _plugins_listing(staged, personal):
    res = staged.run(["-G", "plugins"], personal=personal)
    assert res.returncode == 0, res.describe()
    assert "Couldn't load plugin" not in res.stderr, res.describe()
    assert not unexpected_stderr(res.stderr), res.describe()
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    return [[c.strip() for c in row] for row in rows if row and row[0].strip() == PLUGIN_FILE]


@pytest.mark.parametrize("personal", [False, True], ids=["WIRESHARK_PLUGIN_DIR", "personal-folder"])
def test_plugin_listed(staged, personal):
    rows = _plugins_listing(staged, personal)
    assert len(rows) == 1, f"{PLUGIN_FILE} listed {len(rows)} times by tshark -G plugins: {rows}"
    where = staged.plugin_in_personal if personal else staged.plugin_in_plugin_dir
    assert rows[0][-1] == str(where), f"loaded from {rows[0][-1]}, expected {where}"
    assert rows[0][2] == "dissector", rows[0]


@pytest.fixture(scope="module")
def glossary(tshark):
    """-G fields as {abbrev: row}: P rows (protocols) and F rows (fields and,
    in 4.0, expert infos)."""
    rows = {}
    for line in tshark(["-G", "fields"]).splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[0] in ("P", "F"):
            rows.setdefault(cols[2], cols)
    return rows


def test_protocol_registered(glossary):
    assert PROTOCOL in glossary and glossary[PROTOCOL][0] == "P", \
        f"protocol {PROTOCOL!r} not in tshark -G fields"


@pytest.mark.parametrize("name", FIELDS)
def test_field_registered(glossary, name):
    assert name in glossary, f"field {name} not registered"
    assert glossary[name][0] == "F"
    assert glossary[name][4] == PROTOCOL, f"{name} belongs to {glossary[name][4]}"


@pytest.mark.parametrize("name", EXPERTS)
def test_expert_registered(glossary, name):
    assert name in glossary, f"expert info {name} not registered"
    assert glossary[name][3] == "FT_NONE", glossary[name]


def test_no_unlisted_names(glossary):
    """Every tcplife.* name tshark knows is in contract.py (append new ones there)."""
    known = set(FIELDS) | set(EXPERTS) | {PROTOCOL}
    extra = sorted(n for n, row in glossary.items()
                   if row[0] == "F" and (n.startswith(PROTOCOL + ".")) and n not in known)
    assert not extra, "registered but missing from tests/integration/contract.py: " + ", ".join(extra)
