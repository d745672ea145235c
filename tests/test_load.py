"""timeline.load: documented dtypes, hash checks, and the same tables for every reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import timeline
from tests.conftest import REPO
from timeline.problems import IntegrityError
from timeline.tables import TABLES


def test_load_all_tables_with_documented_dtypes():
    tables = timeline.load(path=REPO)
    assert list(tables) == list(TABLES)
    events = tables["events"]
    assert events["date_start"].dtype == "datetime64[ms]"
    assert events["date_start"].dt.year.min() >= 2023
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    assert isinstance(events["title"].dtype, pd.StringDtype)
    estimates = tables["estimates"]
    assert str(estimates["best"].dtype) == "Int64"
    assert estimates["best"].isna().any() and estimates["best"].notna().any()
    assert str(tables["treaty_obligations"]["conditional"].dtype) == "boolean"


def test_load_one_table():
    events = timeline.load("events", path=REPO)
    assert len(events) == pq.read_metadata(REPO / "data/events.parquet").num_rows
    with pytest.raises(KeyError, match="no table 'nope'"):
        timeline.load("nope", path=REPO)


def test_a_flipped_byte_is_an_integrity_error(built_mini: Path):
    path = built_mini / "data/events.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="data/events.parquet: sha256 does not match"):
        timeline.load("events", path=built_mini)
    timeline.load("actors", path=built_mini)  # other tables still load


def test_a_truncated_file_is_reported_by_size(built_mini: Path):
    path = built_mini / "data/actors.parquet"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IntegrityError, match="data/actors.parquet: size is"):
        timeline.load(path=built_mini)


def test_verify_false_skips_the_checks(built_mini: Path):
    path = built_mini / "data/events.parquet"
    path.write_bytes(path.read_bytes())  # same bytes, fine either way
    descriptor = built_mini / "datapackage.json"
    descriptor.write_text(descriptor.read_text().replace('"hash": "sha256:', '"hash": "sha256:0'))
    with pytest.raises(IntegrityError):
        timeline.load("events", path=built_mini)
    assert len(timeline.load("events", path=built_mini, verify=False)) == 7


def test_every_reader_sees_the_same_rows_and_real_dates():
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    for name, table in TABLES.items():
        path = REPO / f"data/{name}.parquet"
        n = pq.read_table(path).num_rows
        assert len(pd.read_parquet(path)) == n
        assert polars.read_parquet(path).height == n
        assert duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0] == n
        for f in table.fields:
            if f.type == "date":
                assert str(polars.read_parquet(path).schema[f.name]) == "Date"
                kind = (duckdb.sql(f"select typeof({f.name}) from '{path}' limit 1").fetchall() or [None])[0]
                assert kind is None or kind[0] == "DATE"


def test_plain_pandas_gives_sensible_types():
    events = pd.read_parquet(REPO / "data/events.parquet")
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    assert events["date_start"].map(type).eq(__import__("datetime").date).all()
    arrow = pd.read_parquet(REPO / "data/events.parquet", dtype_backend="pyarrow")
    assert str(arrow["date_start"].dtype) == "date32[day][pyarrow]"
    assert "__index_level_0__" not in events.columns


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from timeline.cli import parser; parser().format_help(); "
            "heavy = [m for m in ('pandera', 'pandas', 'pyarrow', 'frictionless') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
