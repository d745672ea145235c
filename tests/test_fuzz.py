"""Fuzzing real records: mutate them the ways careless or hostile edits do, and check the answer.

Each example takes a real record file of the mini package (events, registries), mutates it (drops,
duplicates, retypes or renames a key; inserts an odd character into a text; changes a number, a
date or an id; or moves the file), validates in-process and asserts: no exception escapes, and the
records either pass or every problem is one printable line naming the file it is in. On a few
failing examples ``timeline build`` runs too and must leave every output byte-identical.

The records live in one temp folder for the whole run; each example restores the file it changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MINI, snapshot
from timeline.build import build
from timeline.problems import Problem, ValidationFailed
from timeline.validate import validate_records
from timeline.yamlio import dump_yaml

TODAY = dt.date(2026, 1, 1)
EXAMPLES = 200
BUILDS = 6  # failing examples that also prove the build leaves its outputs alone
RECORDS = Path("data/records")
FILES = sorted(str(p.relative_to(MINI)) for p in (MINI / RECORDS).rglob("*.yaml"))
# file[:line][: record][: field]: [rule] message[ (got value)], on one printable line
LINE = re.compile(r"^data/\S+?(:\d+)?: (.+: )?\[[a-z0-9-]+\] \S[^\n\r]*$")
ODD = ["\u200b", "\u202e", "\u2066", "\u00a0", "\u3000", "\ufeff", "\t", "\x00", "\x85", "\u2028", "  ", "e\u0301",
       "\U0001f600", "\\", "'", '"', ": ", "#", "&a", "*a", "!!str "]
NUMBERS = [0, -1, 1.5, 12.0, 2**63, 10**30, "12,000", "12.000", "1e3", "0x10", True, None, float("inf")]
DATES = ["2024-02-30", "2024-13-01", "24-06-19", "2024/06/19", "9999-12-31", "1900-01-01", "2024-06-19T10:00",
         20240619, ""]


@functools.cache
def workspace() -> tuple[Path, dict[str, bytes]]:
    """The mini package, built once (so a failed build has outputs to leave alone)."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-")) / "repo"
    shutil.copytree(MINI, root)
    build(root, today=TODAY)
    return root, snapshot(root)


def _paths(doc: object, prefix: tuple = ()):
    """Every (container path, key or index) in a parsed document."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _slug_edit(value: str, data: st.DataObject) -> str:
    how = data.draw(st.sampled_from(["typo", "case", "other", "suffix"]))
    if how == "typo" and len(value) > 2:
        i = data.draw(st.integers(0, len(value) - 2))
        return value[:i] + value[i + 1] + value[i] + value[i + 2:]
    return {"case": value.upper(), "other": "nobody-known", "suffix": value + "-x"}.get(how, value + "y")


def mutate(text: str, data: st.DataObject) -> str:
    """One careless or hostile edit of a record file's text."""
    action = data.draw(st.sampled_from(["drop", "duplicate", "retype", "rename", "odd", "number", "date", "id"]))
    if action == "duplicate":  # a key (or a list entry) written twice, as a text edit
        lines = text.splitlines(keepends=True)
        i = data.draw(st.integers(0, len(lines) - 1))
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    doc = yaml.safe_load(text)
    paths = list(_paths(doc))
    *parent_path, last = data.draw(st.sampled_from(paths))
    parent = doc
    for step in parent_path:
        parent = parent[step]
    value = parent[last]
    if action == "drop":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[data.draw(st.sampled_from([last.upper(), last + "s", last[:-1], f" {last}", last.replace("_", "-")]))] \
            = parent.pop(last)
    elif action == "retype":
        parent[last] = data.draw(st.sampled_from([[value], {"value": value}, 7, True, None, "", str(value)]))
    elif action == "odd" and isinstance(value, str):
        i = data.draw(st.integers(0, len(value)))
        parent[last] = value[:i] + data.draw(st.sampled_from(ODD)) + value[i:]
    elif action == "number":
        parent[last] = data.draw(st.sampled_from(NUMBERS) | st.integers(-10**6, 10**6))
    elif action == "date":
        parent[last] = data.draw(st.sampled_from(DATES))
    elif action == "id" and isinstance(value, str):
        parent[last] = _slug_edit(value, data)
    else:
        parent[last] = data.draw(st.sampled_from(ODD + NUMBERS[:4]))
    return dump_yaml(doc)


def _assert_clean(problems: list, where: set[str]) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        line = str(problem)
        assert LINE.match(line), line
        assert problem.file.startswith("data/") and ".." not in problem.file, line
    # the file that was changed is named by some problem (or an id it held is missing from the package)
    assert not problems or any(p.file in where or p.file.endswith(".parquet") for p in problems), problems


_builds = {"left": BUILDS}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.sampled_from(FILES), st.data())
def test_mutated_records_pass_or_fail_cleanly_and_a_failed_build_writes_nothing(rel: str, data: st.DataObject):
    root, before = workspace()
    original = (root / rel).read_bytes()
    text = mutate(original.decode("utf-8"), data)
    moved = None
    if rel.startswith("data/records/events/") and data.draw(st.booleans()) and data.draw(st.booleans()):
        moved = root / rel.replace("/events/2024/", "/events/2025/").replace("/events/2025/", "/events/2023/", 1)
    target = moved or root / rel
    try:
        if moved:
            (root / rel).unlink()
            moved.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        problems = validate_records(root, TODAY)
        _assert_clean(problems, {str(target.relative_to(root)), *FILES})
        if problems and _builds["left"] > 0:
            _builds["left"] -= 1
            with pytest.raises(ValidationFailed):
                build(root, today=TODAY)
            assert snapshot(root) == before
    finally:
        target.unlink(missing_ok=True)
        (root / rel).write_bytes(original)
