"""The rules run on Arrow tables as read (``timeline.frame``), with no pandas frame in between.

- every rule gives the same failures on a ``frame.Frame`` as on the pandas frame over the same
  Arrow data (a caller's frames still work), on a package spoiled in many ways at once;
- ``validate --package`` builds no pandas frame, and as a command never imports pandas; nor does a
  build before the first release;
- a ``Column`` reads one value as Python, None for a null.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import REPO
from timeline.arrowops import arrow_frame, as_stored
from timeline.checks import check_frames
from timeline.derived import expected_derived
from timeline.frame import Column, Frame, frames

sys.path.insert(0, str(REPO / "scripts"))
import make_synthetic  # noqa: E402

# (table, column, row, value): column rules, keys, references, dates, derived columns, all at once.
SPOILS = [
    ("events", "title", 3, " Leading space"), ("events", "summary", 4, "a  b"), ("events", "event_type", 5, "meetin"),
    ("events", "event_id", 6, "Bad ID"), ("events", "date_end", 7, dt.date(2020, 1, 1)),
    ("events", "confidence", 8, "high"), ("events", "added_in", 9, "1.0"), ("events", "modified_in", 10, None),
    ("sources", "url", 2, "ftp://example.org/x"), ("sources", "kind", 3, "blog"),
    ("actors", "actor_id", 4, "Bad  actor\t"), ("actors", "actor_type", 5, None),
    ("participants", "actor_id", 6, "nobody-at-all"), ("participants", "event_id", 7, None),
    ("citations", "source_id", 8, "src-000000000000"), ("citations", "claim", 9, "line\nbreak"),
    ("estimates", "low", 1, 10**9), ("estimates", "measure", 2, "killed"), ("estimates", "unit", 2, "barrels"),
    ("estimates", "as_of", 3, dt.date(2099, 1, 1)),
    ("places", "latitude", 0, 1.5), ("treaty_parties", "actor_id", 0, "nobody-either"),
    ("treaty_parties", "actor_id", 1, "a non-state actor"),  # filled in below
]


@pytest.fixture(scope="module")
def spoiled() -> dict[str, pa.Table]:
    tables = make_synthetic.tables(make_synthetic.generate(3000, seed=11))
    actors = tables["actors"].to_pydict()
    other = next(a for a, kind in zip(actors["actor_id"], actors["actor_type"], strict=True) if kind != "state")
    for table, column, row, value in SPOILS:
        value = other if value == "a non-state actor" else value
        t = tables[table]
        values = t.column(column).to_pylist()
        values[row] = value
        i = t.schema.get_field_index(column)
        kind = t.schema.field(column).type
        plain = kind.value_type if pa.types.is_dictionary(kind) else kind
        tables[table] = t.set_column(i, column, as_stored(pa.chunked_array([pa.array(values, plain)]), kind))
    # a duplicated key: the second actor's row again, at the end
    tables["actors"] = pa.concat_tables([tables["actors"], tables["actors"].slice(1, 1)])
    return tables


def _plain(value: object) -> object:
    """pandas gives NA where Arrow gives None."""
    return None if value is None or value != value or repr(value) == "<NA>" else value


def _report(failures) -> set[tuple]:
    return {(x.table, x.row, x.field, x.rule, x.message, _plain(x.value), x.other_row) for x in failures}


def test_rules_give_the_same_failures_on_arrow_and_on_pandas_frames(spoiled):
    today = dt.date(2030, 1, 1)
    on_arrow = _report(check_frames(frames(spoiled), today, derived=expected_derived))
    on_pandas = _report(check_frames({n: arrow_frame(t) for n, t in spoiled.items()}, today, derived=expected_derived))
    assert on_arrow == on_pandas
    rules = {rule for _, _, _, rule, _, _, _ in on_arrow}
    assert rules >= {"whitespace", "double-space", "vocabulary", "pattern", "date-order", "derived", "foreign-key",
                     "primary-key", "required", "control-characters", "estimate-values", "estimate-unit",
                     "future-date", "treaty-party"}, rules


def test_validate_package_builds_no_pandas_frame(built_mini: Path):
    code = f"""
import pandas as pd
made = []
init = pd.DataFrame.__init__
def counted(self, *args, **kwargs):
    made.append(1)
    init(self, *args, **kwargs)
pd.DataFrame.__init__ = counted
from timeline.validate import validate_package
assert validate_package({str(built_mini)!r}) == []
assert not made, f"{{len(made)}} pandas frames"
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_column_reads_values_as_python():
    table = pa.table({"a": pa.chunked_array([["x", None], ["z"]]), "d": [dt.date(2024, 6, 19), None, None]})
    frame = Frame(table)
    assert len(frame) == 3 and frame.columns == ["a", "d"] and "a" in frame and "b" not in frame
    column = frame["a"]
    assert isinstance(column, Column) and column.name == "a" and len(column) == 3
    assert [column[0], column[1], column[2]] == ["x", None, "z"] == list(column)
    assert frame["d"][0] == dt.date(2024, 6, 19) and frame["d"][1] is None
    assert frame["a"] is column and column.values.equals(table.column("a"))  # one object: look-ups share it


def _pyarrow_converts_without_pandas() -> bool:
    """pyarrow 15 imports pandas itself to turn a boolean array into numpy; later versions do not."""
    code = ("import sys; from timeline.frame import pyarrow_imports_pandas, pyarrow_without_pandas; "
            "pyarrow_without_pandas(); sys.exit(pyarrow_imports_pandas())")
    return subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_validate_package_command_never_imports_pandas(built_mini: Path):
    """As a command (``cli.entry``) it tells pyarrow that pandas is absent; the process then exits."""
    if not _pyarrow_converts_without_pandas():
        pytest.skip("this pyarrow imports pandas for its own conversions (pyarrow 15 does)")
    code = ("import sys; from timeline.cli import entry; "
            f"sys.argv = ['timeline', 'validate', '--package', {str(built_mini)!r}]; entry()")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "Valid: no problems found." in done.stdout, done.stderr[-2000:]
    assert "pandas.core" not in done.stderr  # -X importtime lists every module imported


def test_a_build_before_the_first_release_never_imports_pandas(tmp_path: Path):
    """Records become Arrow tables and Parquet with no pandas; only a diff with a release needs it."""
    if not _pyarrow_converts_without_pandas():
        pytest.skip("this pyarrow imports pandas for its own conversions (pyarrow 15 does)")
    make_synthetic.make(40, tmp_path, seed=5, records=True)
    code = ("import sys; from timeline.cli import entry; "
            f"sys.argv = ['timeline', 'build', '--root', {str(tmp_path)!r}]; entry()")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "Built version" in done.stdout, done.stderr[-2000:]
    assert "pandas.core" not in done.stderr
    built = {p.name: p.read_bytes() for p in (tmp_path / "build/package/data").glob("*.parquet")}
    assert built and all(built[name] == (tmp_path / "data" / name).read_bytes() for name in built)


def test_pyarrow_still_converts_pandas_after_being_told_it_is_absent():
    code = """
import sys
from timeline.frame import pyarrow_without_pandas
pyarrow_without_pandas()
assert "pandas" not in sys.modules
import pandas as pd
import pyarrow as pa
table = pa.Table.from_pandas(pd.DataFrame({"a": [1, 2]}))
assert table.to_pandas()["a"].tolist() == [1, 2]
assert pa.array(pd.Series(["x", None])).to_pylist() == ["x", None]
"""
    subprocess.run([sys.executable, "-c", code], check=True)
