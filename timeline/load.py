"""``timeline.load``: the package's tables as pandas DataFrames with documented dtypes.

- text: ``string``; controlled vocabularies: ``category``; dates: ``datetime64[ms]``
  (use ``.dt``); counts: nullable ``Int64``; flags: nullable ``boolean``.
- Every file's size and sha256 are checked against ``datapackage.json`` first.
- Every frame's ``.attrs`` say which package it came from: ``name``, ``version`` (the data
  version) and ``source`` (``checkout``, ``wheel``, ``archive`` or ``folder``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, overload

from . import reader
from .about import package_info
from .tables import TABLES

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .reader import PackageSource


def _types_mapper():
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
               pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return mapping.get


def frame(table: pa.Table, name: str) -> pd.DataFrame:
    """A table as pandas with the documented dtypes."""
    out = table.to_pandas(types_mapper=_types_mapper(), date_as_object=False)
    for f in TABLES[name].fields if name in TABLES else ():
        if f.vocabulary and f.name in out and out[f.name].dtype != "category":
            out[f.name] = out[f.name].astype("category")
    return out


def frames(src: PackageSource, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Tables of an opened package (all by default) as frames whose ``.attrs`` name the package."""
    attrs = package_info(src.descriptor, src.source)
    out = {}
    for name in names if names is not None else list(src.resources):
        out[name] = frame(src.arrow(name), name)
        out[name].attrs.update(attrs)
    return out


@overload
def load(table: None = None, path: str | os.PathLike[str] | None = None, *, verify: bool = True
         ) -> dict[str, pd.DataFrame]: ...
@overload
def load(table: str, path: str | os.PathLike[str] | None = None, *, verify: bool = True) -> pd.DataFrame: ...


def load(table: str | None = None, path: str | os.PathLike[str] | None = None, *, verify: bool = True):
    """Load one table (``load("events")``) or all of them (``load()``) from a package.

    ``path`` is a folder holding ``datapackage.json``, the descriptor itself, or a release
    ``.zip``; by default the checkout's package, else the copy bundled with the installed wheel.
    ``verify=False`` skips the size and hash checks: only for packages you trust. Each frame's
    ``.attrs`` hold the package's ``name``, ``version`` and ``source``.
    """
    src = reader.open_package(path, verify=verify)
    if table is not None:
        src.resource(table)  # a KeyError naming the tables there is
    out = frames(src, [table] if table is not None else None)
    return out[table] if table is not None else out
