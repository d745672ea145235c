"""timeline diff: rows by primary key, schema changes, the bump they call for; golden files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from timeline.build import build
from timeline.diff import MAJOR, MINOR, NONE, PATCH, Package, bump, diff_packages, diff_schema
from timeline.diffreport import to_dict
from timeline.problems import NotFound
from timeline.reader import open_package

CASES = sorted(p for p in (FIXTURES / "diff").iterdir() if (p / "old").is_dir())
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # UPDATE_GOLDEN=1 pytest tests/test_diff.py rewrites them


def opened(spec: str, repo: Path | None = None) -> Package:
    return Package.of(open_package(spec, repo))


def _build(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    build(dst)
    return dst


@pytest.fixture
def built_case(request, tmp_path: Path, monkeypatch) -> Path:
    case = request.param
    _build(case / "old", tmp_path / "old")
    _build(case / "new", tmp_path / "new")
    monkeypatch.chdir(tmp_path)  # so the labels in the output are the stable names old/ and new/
    return case


@pytest.mark.parametrize("built_case", CASES, ids=[c.name for c in CASES], indirect=True)
@pytest.mark.parametrize("fmt", ["txt", "json"])
def test_diff_matches_golden_file(built_case: Path, fmt: str, cli):
    args = ["diff", "old", "new"] + (["--json"] if fmt == "json" else [])
    code, out, err = cli(*args)
    assert code == 0, err
    golden = built_case / f"expected.{fmt}"
    if UPDATE:
        golden.write_text(out)
    assert out == golden.read_text()


def test_golden_case_covers_every_kind_of_row_change(built_mini: Path, tmp_path: Path):
    new = _build(FIXTURES / "diff" / "basic" / "new", tmp_path / "new")
    result = to_dict(diff_packages(opened(str(built_mini)), opened(str(new))))
    kinds = {r["change"] for t in result["tables"] for r in t["rows"]}
    assert kinds == {"added", "modified", "retracted", "removed"}
    assert result["level"] == "major"  # a citation (and its source) removed
    events = next(t for t in result["tables"] if t["name"] == "events")
    row = next(r for r in events["rows"] if r["id"] == "2024-10-24-duma-ratifies-treaty")
    assert (row["change"], row["fields"]) == ("retracted", ["status", "retraction_reason"])
    assert row["values"]["status"] == {"old": "active", "new": "retracted"}
    assert row["values"]["retraction_reason"]["old"] is None  # a missing value is null, not ""


def test_identical_packages_have_no_differences(built_mini: Path, cli):
    code, out, _ = cli("diff", str(built_mini), str(built_mini))
    assert code == 0 and "No differences in data or schema." in out
    assert diff_packages(opened(str(built_mini)), opened(str(built_mini))).level == NONE


def test_diff_reads_git_revisions_and_matches_folders(built_mini: Path, tmp_path: Path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(built_mini), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "old")
    shutil.rmtree(built_mini / "data" / "records")
    shutil.copytree(FIXTURES / "diff" / "basic" / "new" / "data" / "records", built_mini / "data" / "records")
    build(built_mini)
    git("add", "-A")
    git("commit", "-qm", "new")
    by_rev = diff_packages(opened("HEAD~1", built_mini), opened("HEAD", built_mini))
    old_folder = _build(FIXTURES / "diff" / "basic" / "old", tmp_path / "old")
    by_folder = diff_packages(opened(str(old_folder)), opened(str(built_mini)))
    labels = ("old", "new")
    assert {k: v for k, v in to_dict(by_rev).items() if k not in labels} == \
        {k: v for k, v in to_dict(by_folder).items() if k not in labels}
    with pytest.raises(NotFound, match="no-such-revision: not found"):
        open_package("no-such-revision", built_mini)


def _schema(**fields: dict) -> dict:
    return {"fields": [{"name": n, **f} for n, f in fields.items()], "primaryKey": ["id"]}


ID = {"type": "string", "constraints": {"required": True}}


@pytest.mark.parametrize(("old", "new", "change", "level"), [
    ({"a": {"type": "string"}}, {}, "field removed", MAJOR),
    ({}, {"a": {"type": "string"}}, "field added", MINOR),
    ({"a": {"type": "integer"}}, {"a": {"type": "string"}}, "field retyped", MAJOR),
    ({"a": {"type": "string"}}, {"a": {"type": "string", "constraints": {"required": True}}},
     "constraint tightened", MAJOR),
    ({"a": {"type": "string", "constraints": {"required": True}}}, {"a": {"type": "string"}},
     "constraint loosened", MINOR),
    ({"a": {"type": "string", "constraints": {"enum": ["x", "y"]}}},
     {"a": {"type": "string", "constraints": {"enum": ["x"]}}}, "constraint tightened", MAJOR),
    ({"a": {"type": "string", "constraints": {"enum": ["x"]}}},
     {"a": {"type": "string", "constraints": {"enum": ["x", "y"]}}}, "constraint loosened", MINOR),
    ({"a": {"type": "string", "constraints": {"maxLength": 200}}},
     {"a": {"type": "string", "constraints": {"maxLength": 100}}}, "constraint tightened", MAJOR),
    ({"a": {"type": "string", "constraints": {"maxLength": 100}}},
     {"a": {"type": "string", "constraints": {"maxLength": 200}}}, "constraint loosened", MINOR),
    ({"a": {"type": "integer", "constraints": {"minimum": 0}}},
     {"a": {"type": "integer", "constraints": {"minimum": 1}}}, "constraint tightened", MAJOR),
    ({"a": {"type": "string", "constraints": {"pattern": "[a-z]+"}}},
     {"a": {"type": "string", "constraints": {"pattern": "[a-z0-9]+"}}}, "constraint tightened", MAJOR),
    ({"a": {"type": "string", "description": "x"}}, {"a": {"type": "string", "description": "y"}},
     "description changed", PATCH),
])
def test_schema_changes_and_their_levels(old: dict, new: dict, change: str, level: int):
    (result,) = diff_schema("t", _schema(id=ID, **old), _schema(id=ID, **new))
    assert (result.change, result.level) == (change, level)


def test_reordered_fields_and_changed_keys_are_major():
    old = _schema(id=ID, a={"type": "string"}, b={"type": "string"})
    new = _schema(id=ID, b={"type": "string"}, a={"type": "string"})
    assert [(c.change, c.level) for c in diff_schema("t", old, new)] == [("fields reordered", MAJOR)]
    assert [c.change for c in diff_schema("t", old, {**old, "primaryKey": ["a"]})] == ["primary key changed"]


def test_tables_added_and_removed():
    import pyarrow as pa

    table = pa.table({"id": ["x"]})
    resource = {"name": "t", "schema": _schema(id=ID)}
    with_t = Package("a", {"version": "1.0.0", "resources": [resource]}, {"t": table})
    without = Package("b", {"version": "1.0.0", "resources": []}, {})
    assert diff_packages(with_t, without).level == MAJOR
    assert diff_packages(without, with_t).level == MINOR


@pytest.mark.parametrize(("level", "expected"), [(MAJOR, "2.0.0"), (MINOR, "1.3.0"), (PATCH, "1.2.4"),
                                                 (NONE, "1.2.3")])
def test_bump(level: int, expected: str):
    assert bump("1.2.3", level) == expected


def test_json_output_is_the_library_result(built_mini: Path, tmp_path: Path, cli):
    new = _build(FIXTURES / "diff" / "basic" / "new", tmp_path / "new")
    code, out, _ = cli("diff", str(built_mini), str(new), "--json")
    assert code == 0
    assert json.loads(out) == to_dict(diff_packages(opened(str(built_mini)), opened(str(new))))


@pytest.mark.parametrize(("value", "shown"), [
    (None, "(none)"),
    ("short", '"short"'),
    ("two\nlines  and   spaces", '"two lines and spaces"'),
    ("x" * 200, '"' + "x" * 79 + '…"'),
])
def test_text_diff_shortens_values(value, shown):
    from timeline.diffreport import shorten

    assert shorten(value) == shown


def test_a_late_change_in_a_long_text_stays_visible():
    from timeline.diffreport import shorten_pair

    old = "The Ministry said " + "x" * 100 + " on Monday."
    new = "The Ministry said " + "x" * 100 + " on Tuesday."
    shown_old, shown_new = shorten_pair(old, new)
    assert shown_old.startswith('"…') and shown_old.endswith('on Monday."') and "Tuesday" in shown_new
    assert shorten_pair("short", "shorter") == ('"short"', '"shorter"')
    assert shorten_pair(None, "new") == ("(none)", '"new"')
