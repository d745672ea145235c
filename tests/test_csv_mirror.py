"""The committed CSV mirror: the same bytes as the archive's, valid for frictionless (offline),
regenerated and checked by the build like the Parquet tables, and unambiguous about nulls."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, snapshot
from timeline import paths
from timeline.build import build, check
from timeline.csvmirror import DESCRIPTOR, csv_bytes, csv_mirror
from timeline.problems import TimelineError
from timeline.tables import TABLES

MIRROR = [f"{paths.csv_folder()}/{t}.csv" for t in TABLES]


def committed(root: Path) -> dict[str, bytes]:
    files = {paths.DESCRIPTOR: (root / paths.DESCRIPTOR).read_bytes()}
    files.update({paths.table_path(t): (root / paths.table_path(t)).read_bytes() for t in TABLES})
    return files


def test_committed_mirror_is_the_archive_mirror_of_the_committed_tables():
    files = committed(REPO)
    in_repo = csv_mirror(files, paths.csv_folder())
    in_archive = csv_mirror(files)  # what a release archive carries under csv/
    assert set(in_repo) == {*MIRROR, DESCRIPTOR}
    for name in TABLES:
        assert (REPO / paths.csv_folder() / f"{name}.csv").read_bytes() == in_repo[f"data/csv/{name}.csv"] \
            == in_archive[f"csv/{name}.csv"], f"data/csv/{name}.csv is stale: run timeline build"
    assert (REPO / DESCRIPTOR).read_bytes() == in_repo[DESCRIPTOR]


def test_descriptor_paths_are_relative_and_inside_the_mirror():
    descriptor = json.loads((REPO / DESCRIPTOR).read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    for r in descriptor["resources"]:
        path = PurePosixPath(r["path"])
        assert not path.is_absolute() and ".." not in path.parts and "\\" not in r["path"]
        assert r["path"] == f"data/csv/{r['name']}.csv" and (REPO / path).is_file()
        assert r["format"] == "csv" and r["encoding"] == "utf-8"
        assert r["bytes"] == (REPO / path).stat().st_size


def test_frictionless_validates_the_committed_mirror_offline(tmp_path: Path):
    # Any attempt to reach the network goes to a closed local port and fails the run.
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json", DESCRIPTOR],
                          cwd=REPO, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["valid"] and len(report["tasks"]) == len(TABLES)
    assert sum(t["stats"]["rows"] for t in report["tasks"]) == sum(
        pq.read_metadata(REPO / paths.table_path(t)).num_rows for t in TABLES)


def test_an_empty_cell_is_a_null_and_a_null_an_empty_cell():
    """Cell by cell, for every table: empty exactly where the Parquet value is null."""
    for name in TABLES:
        table = pq.read_table(REPO / paths.table_path(name))
        rows = list(csv.reader(io.StringIO((REPO / f"data/csv/{name}.csv").read_text(encoding="utf-8"),
                                           newline="")))
        assert rows[0] == table.column_names
        assert len(rows) - 1 == table.num_rows
        for i, column in enumerate(table.column_names):
            nulls = [v is None for v in table.column(column).to_pylist()]
            empty = [r[i] == "" for r in rows[1:]]
            assert nulls == empty, f"{name}.{column}: an empty cell where the value is not null, or the reverse"


def test_no_table_holds_an_empty_string_and_one_would_be_refused():
    for name in TABLES:
        table = pq.read_table(REPO / paths.table_path(name))
        for column, values in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_string(values.type):
                assert "" not in values.to_pylist(), f"{name}.{column} holds an empty string"
    sink = io.BytesIO()
    pq.write_table(pa.table({"a": ["x", "", None]}), sink)
    with pytest.raises(TimelineError, match="column a holds an empty string"):
        csv_bytes(sink.getvalue())
    sink = io.BytesIO()
    pq.write_table(pa.table({"a": ["x", None], "b": pa.array([True, None]), "d": pa.array([1.5, None])}), sink)
    assert csv_bytes(sink.getvalue()) == b"a,b,d\nx,true,1.5\n,,\n"


def test_build_writes_the_mirror_and_check_finds_it_stale(built_mini: Path):
    for rel in (*MIRROR, DESCRIPTOR):
        assert (built_mini / rel).is_file(), rel
    assert check(built_mini) == []
    events = built_mini / "data/csv/events.csv"
    events.write_bytes(events.read_bytes().replace(b"\n", b"\r\n", 1))
    (built_mini / "data/csv/actors.csv").unlink()
    assert sorted(check(built_mini)) == ["data/csv/actors.csv", "data/csv/events.csv"]
    assert sorted(build(built_mini).changed) == ["data/csv/actors.csv", "data/csv/events.csv"]
    assert check(built_mini) == []


def test_a_failed_build_leaves_the_mirror_untouched(built_mini: Path):
    before = snapshot(built_mini)
    assert "data/csv/events.csv" in before and DESCRIPTOR in before
    path = built_mini / "data/records/actors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Lower house of the Russian parliament;",
                                                             "Lower house (mirror test);"), encoding="utf-8")
    with pytest.raises(OSError, match="injected failure"):
        build(built_mini, _fail_after="data/csv/actors.csv")
    assert snapshot(built_mini) == before


def _python_csv(table: pa.Table) -> bytes:
    """The mirror as Python's csv writer makes it cell by cell (what csv_bytes did before Arrow)."""
    import pyarrow.compute as pc

    columns = [pc.cast(c, pa.string()).to_pylist() for c in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue().encode("utf-8")


_TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from([*'ab ,"\n\r\'', "é", "😀", "\u2028"]), min_size=1,
                                     max_size=6))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(_TEXT, _TEXT, st.one_of(st.none(), st.integers(-10**12, 10**12)),
                               st.one_of(st.none(), st.booleans()), st.one_of(st.none(), st.dates()),
                               st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))),
                     max_size=8),
       width=st.integers(1, 6))
def test_the_mirror_has_the_bytes_of_pythons_csv_writer(rows, width):
    names = ["text", "other", "count", "flag", "day", "share"][:width]
    types = [pa.string(), pa.string(), pa.int64(), pa.bool_(), pa.date32(), pa.float64()][:width]
    table = pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in enumerate(zip(names, types, strict=True))})
    table = table.set_column(0, "text", table.column("text").dictionary_encode()) if width > 2 else table
    sink = io.BytesIO()
    pq.write_table(table, sink)
    plain = table.set_column(0, "text", table.column("text").cast(pa.string())) if width > 2 else table
    assert csv_bytes(sink.getvalue()) == _python_csv(plain)
