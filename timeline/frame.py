"""Arrow tables with just enough of a data frame's face for the rules, and no pandas.

``frames[name][column]`` is a ``Column`` over the table's own Arrow column (no copy), and
``column[i]`` is one value as Python (None for a null). The rules reach the Arrow data through
``arrowops.arrow``, which takes a ``Column`` or a pandas Series alike, so a package is checked in
this form and a caller's pandas frames still work. ``timeline validate --package`` reads a package
this way: importing pandas alone costs about as much as every rule at 100,000 events.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


class Column:
    """One named Arrow column; the same ``values`` object every time (look-ups are shared by identity)."""

    __slots__ = ("name", "values")

    def __init__(self, name: str, values: pa.ChunkedArray):
        self.name = name
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, row: int) -> Any:
        return self.values[row].as_py()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values.to_pylist())

    def __repr__(self) -> str:
        return f"Column({self.name!r}, {self.values.type}, {len(self)} rows)"


class Frame:
    """A table's columns by name, in the table's order."""

    __slots__ = ("table", "_columns")

    def __init__(self, table: pa.Table):
        self.table = table
        self._columns = {name: Column(name, table.column(i)) for i, name in enumerate(table.column_names)}

    def __getitem__(self, name: str) -> Column:
        return self._columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __len__(self) -> int:
        return self.table.num_rows

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def with_columns(self, values: dict[str, pa.ChunkedArray]) -> Frame:
        """A new frame with these columns replaced (the Arrow table itself never changes)."""
        table = self.table
        for name, column in values.items():
            table = table.set_column(table.column_names.index(name), name, column)
        return Frame(table)

    def __repr__(self) -> str:
        return f"Frame({len(self)} rows: {', '.join(self._columns)})"


def table_of(frame: Frame | pa.Table | Any) -> pa.Table:
    """The Arrow table behind a ``Frame``, a table itself, or a caller's Arrow-backed pandas frame
    (its columns as they are, with no conversion through pandas)."""
    import pyarrow as pa

    from .arrowops import arrow

    if isinstance(frame, Frame):
        return frame.table
    if isinstance(frame, pa.Table):
        return frame
    return pa.table({c: arrow(frame[c]) for c in frame.columns})


def missing(value: object) -> bool:
    """A null as the rules see a value: None, or a float NaN (a pandas caller's missing value)."""
    return value is None or value != value


def frames(tables: dict[str, pa.Table]) -> dict[str, Frame]:
    """The tables as frames for the rules."""
    return {name: Frame(table) for name, table in tables.items()}


def pyarrow_without_pandas() -> None:
    """Let pyarrow's first look for pandas find none (for a process that gives pyarrow no pandas object).

    pyarrow imports pandas, a quarter of a second of interpreter time, the first time it converts a
    Python value (``pa.scalar``, ``pa.array``), only to ask whether the value is a pandas object;
    ``timeline validate --package`` never gives it one. Once the look has found nothing, pyarrow
    still imports pandas whenever it is asked to convert to or from pandas. Nothing happens if
    pandas is loaded already.
    """
    global _PANDAS_SKIPPED
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
        # pyarrow 15 also looks for pandas to turn a boolean array into numpy, and would import it
        # then, in the rules' threads: there it is imported ahead of them (validate), as before.
        _NoPandas.asked = 0
        pa.array([True]).to_numpy(zero_copy_only=False)
        _PANDAS_SKIPPED = not _NoPandas.asked
    finally:
        sys.meta_path.remove(_NoPandas)


def pyarrow_imports_pandas() -> bool:
    """Whether pyarrow will import pandas on its first conversion (see ``pyarrow_without_pandas``)."""
    return not _PANDAS_SKIPPED


_PANDAS_SKIPPED = False


class _NoPandas:
    """An import finder for which pandas is not there; it counts the times it was asked."""

    asked = 0

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            cls.asked += 1
            raise ModuleNotFoundError("pandas is left out of this command", name="pandas")
