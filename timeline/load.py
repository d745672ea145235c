"""``timeline.load``: the package's tables as pandas DataFrames with documented dtypes.

- text: ``string``; controlled vocabularies: ``category``; dates: ``datetime64[ms]``
  (use ``.dt``); counts: nullable ``Int64``; flags: nullable ``boolean``.
- Every file's size and sha256 are checked against ``datapackage.json`` first.
- Every frame's ``.attrs`` say which package it came from: ``name``, ``version`` (the data
  version) and ``source`` (``checkout``, ``wheel``, ``archive`` or ``folder``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, overload

from .about import package_info, source_of
from .package import read_descriptor, resources_by_name, verify_resource
from .paths import default_package
from .tables import TABLES

if TYPE_CHECKING:
    import pandas as pd


def _types_mapper():
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
               pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return mapping.get


def read_table(path: Path, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    from .problems import IntegrityError

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise IntegrityError(f"{path.name}: not a readable Parquet file ({str(exc)[:120]})") from None
    frame = table.to_pandas(types_mapper=_types_mapper(), date_as_object=False)
    for f in TABLES[name].fields if name in TABLES else ():
        if f.vocabulary and f.name in frame and frame[f.name].dtype != "category":
            frame[f.name] = frame[f.name].astype("category")
    return frame


def _resolve(path: str | os.PathLike[str] | None) -> Path:
    return resolve_package(path)[0]


def resolve_package(path: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """The package folder ``path`` names and its source (see ``about.source_of``)."""
    if path is None:
        root = default_package()
        return root, source_of(root)
    p = Path(path)
    if not p.exists():
        from .problems import NotFound

        raise NotFound(p)
    if p.is_file() and p.suffix == ".zip":
        from .archive import extract_cached

        return extract_cached(p), source_of(p, archive=True)
    if p.is_file() and p.name == "datapackage.json":
        p = p.parent
    return p, source_of(p)


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
    root, source = resolve_package(path)
    descriptor = read_descriptor(root)
    attrs = package_info(descriptor, source)
    resources = resources_by_name(descriptor)
    names = [table] if table is not None else list(resources)
    if table is not None and table not in resources:
        raise KeyError(f"no table {table!r} in {root / 'datapackage.json'}; "
                       f"tables: {', '.join(sorted(map(str, resources)))}")
    out = {}
    for name in names:
        resource = resources[name]
        if verify:
            file = verify_resource(root, resource)
        else:
            from .package import resource_file

            file = resource_file(root, resource)
        out[name] = read_table(file, name)
        out[name].attrs.update(attrs)
    return out[table] if table is not None else out
