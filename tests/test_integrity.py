"""Integrity on load: every file's size and sha256 are checked against datapackage.json.

A flipped byte, a truncated or grown file, a missing file, a descriptor that records no hash or
an unknown algorithm all give an ``IntegrityError`` naming the file; ``verify=False`` is the
explicit opt-out for people who know why the bytes differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import timeline
from timeline.descriptor import sha256
from timeline.problems import IntegrityError, UnsafePackage
from timeline.tables import TABLES
from timeline.validate import validate_package


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def edit_descriptor(root: Path, table: str, **changes) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    for key, value in changes.items():
        if value is None:
            resource.pop(key, None)
        else:
            resource[key] = value
    path.write_text(json.dumps(descriptor, indent=2))


@pytest.mark.parametrize("table", list(TABLES))
def test_a_flipped_byte_in_any_table_is_caught_by_name(built_mini: Path, table: str):
    flip_byte(built_mini / f"data/{table}.parquet")
    with pytest.raises(IntegrityError) as caught:
        timeline.load(table, built_mini)
    assert str(caught.value) == (f"data/{table}.parquet: sha256 does not match datapackage.json; the file was "
                                 "changed or damaged (pass verify=False only if you know why)")
    with pytest.raises(IntegrityError, match=f"data/{table}.parquet"):
        timeline.load(path=built_mini)  # loading every table stops at the damaged one


def test_validate_reports_the_damaged_file_once(built_mini: Path, cli):
    flip_byte(built_mini / "data/events.parquet")
    code, out, err = cli("validate", "--package", str(built_mini))
    assert (code, err) == (1, "")
    assert out == ("data/events.parquet: events: [integrity] sha256 does not match datapackage.json; the file "
                   "was changed or damaged (pass verify=False only if you know why)\n1 problem(s) found.\n")


@pytest.mark.parametrize("change", ["truncate", "append"])
def test_a_file_of_another_size_is_caught_before_hashing(built_mini: Path, change: str):
    path = built_mini / "data/actors.parquet"
    data = path.read_bytes()
    path.write_bytes(data[:-10] if change == "truncate" else data + b"\0" * 10)
    size = len(data) - 10 if change == "truncate" else len(data) + 10
    with pytest.raises(IntegrityError, match=rf"^data/actors.parquet: size is {size} bytes, datapackage.json "
                                             rf"says {len(data)}; the file was changed or damaged$"):
        timeline.load("actors", built_mini)


def test_a_missing_file_is_named(built_mini: Path):
    (built_mini / "data/treaties.parquet").unlink()
    with pytest.raises(IntegrityError, match="^data/treaties.parquet: file is missing$"):
        timeline.load("treaties", built_mini)


@pytest.mark.parametrize("dropped", ["hash", "x-bytes"])
def test_a_descriptor_without_hash_or_size_cannot_vouch_for_a_file(built_mini: Path, dropped: str):
    edit_descriptor(built_mini, "events", **{dropped: None})
    with pytest.raises(IntegrityError, match="records no size and sha256 for it, so it cannot be verified"):
        timeline.load("events", built_mini)
    assert len(timeline.load("events", built_mini, verify=False)) == 7


def test_only_sha256_is_accepted(built_mini: Path):
    edit_descriptor(built_mini, "events", hash="md5:0123456789abcdef0123456789abcdef")
    with pytest.raises(IntegrityError, match="unsupported hash algorithm 'md5'; only sha256 is checked"):
        timeline.load("events", built_mini)


def test_verify_false_is_the_explicit_opt_out(built_mini: Path):
    """A file rewritten on purpose (here: its recorded hash is stale) loads only when asked."""
    edit_descriptor(built_mini, "estimates", hash="sha256:" + "0" * 64)
    with pytest.raises(IntegrityError):
        timeline.load("estimates", built_mini)
    frame = timeline.load("estimates", built_mini, verify=False)
    assert len(frame) == 5 and frame["best"].dtype == "Int64"


def test_a_matching_hash_over_garbage_is_still_refused_cleanly(built_mini: Path, cli):
    """Someone who rewrites the descriptor can make any bytes 'match'; they are still not Parquet."""
    garbage = b"this is not a parquet file"
    (built_mini / "data/events.parquet").write_bytes(garbage)
    edit_descriptor(built_mini, "events", hash=f"sha256:{sha256(garbage)}", **{"x-bytes": len(garbage)})
    with pytest.raises(IntegrityError, match="^events.parquet: not a readable Parquet file"):
        timeline.load("events", built_mini)
    problems = validate_package(built_mini)
    assert [(p.file, p.rule) for p in problems] == [("data/events.parquet", "parquet")]
    code, _, err = cli("validate", "--package", str(built_mini))
    assert code == 1 and "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"resources": {}}', b"[" * 100_000 + b"]" * 100_000,
                                     "{\"resources\": []}".encode("utf-16")])
def test_a_broken_descriptor_is_a_clear_error(built_mini: Path, content: bytes, cli):
    (built_mini / "datapackage.json").write_bytes(content)
    with pytest.raises(UnsafePackage, match="datapackage.json: "):
        timeline.load("events", built_mini)
    code, out, err = cli("validate", "--package", str(built_mini))
    assert code == 1 and err == "" and "datapackage.json: [descriptor]" in out


def test_a_table_that_is_not_in_the_package_is_a_key_error(built_mini: Path):
    with pytest.raises(KeyError, match="no table 'evnts'"):
        timeline.load("evnts", built_mini)
