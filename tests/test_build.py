"""timeline build: validated, deterministic, atomic; --check catches stale outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import REPO, needs_lock, snapshot
from timeline.tables import TABLES


def test_build_writes_every_table_and_descriptor(built_mini: Path):
    descriptor = json.loads((built_mini / "datapackage.json").read_text())
    names = [r["name"] for r in descriptor["resources"]]
    assert names == list(TABLES)
    for name in TABLES:
        assert (built_mini / f"data/{name}.parquet").exists()
        assert (built_mini / f"schemas/{name}.json").exists()
    assert pq.read_table(built_mini / "data/events.parquet").num_rows == 7


def test_build_is_byte_identical_when_repeated(built_mini: Path, cli):
    before = snapshot(built_mini)
    code, out, _ = cli("build", "--root", str(built_mini), "--out", str(built_mini))
    assert code == 0 and "already up to date" in out
    assert snapshot(built_mini) == before


def test_rows_are_sorted_by_primary_key(built_mini: Path):
    for name, table in TABLES.items():
        rows = pq.read_table(built_mini / f"data/{name}.parquet").to_pylist()
        keys = [tuple(r[k] for k in table.primary_key) for r in rows]
        assert keys == sorted(keys), name


def test_dates_are_parquet_dates(built_mini: Path):
    schema = pq.read_schema(built_mini / "data/events.parquet")
    assert str(schema.field("date_start").type) == "date32[day]"


def test_check_passes_when_fresh_and_fails_when_stale(built_mini: Path, cli):
    assert cli("build", "--check", "--root", str(built_mini))[0] == 0
    event = next((built_mini / "data/records/events").rglob("*.yaml"))
    event.write_text(event.read_text().replace("status: active", "status: active\nnotes: A new note."))
    code, _, err = cli("build", "--check", "--root", str(built_mini))
    assert code == 1 and "data/events.parquet" in err


def test_failed_build_changes_nothing(built_mini: Path, cli):
    before = snapshot(built_mini)
    event = next((built_mini / "data/records/events").rglob("*.yaml"))
    event.write_text(event.read_text().replace("date_precision: day", "date_precision: daily"))
    code, _, err = cli("build", "--root", str(built_mini))
    assert code == 1
    assert "[vocabulary]" in err and "Nothing was written." in err
    assert snapshot(built_mini) == before


@needs_lock  # another pyarrow writes other (equally valid) Parquet bytes
def test_committed_outputs_are_up_to_date(cli):
    code, out, err = cli("build", "--check", "--root", str(REPO))
    assert code == 0, err
