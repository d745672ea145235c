"""``timeline build``: records -> validated, deterministic Parquet tables and their descriptor.

The CSV mirror of the tables (``data/csv/``, ``datapackage-csv.json``; see ``csvmirror``) is one
more output of the same rendering, so it is written, checked and kept atomically like the tables.

The outputs are written as one set (``outputs.write_outputs``): a failure at any point leaves
``data/*.parquet``, ``schemas/``, ``datapackage.json`` and the CSV mirror exactly as they were.

Once a release is recorded, the committed package (``data/*.parquet``, ``schemas/``,
``datapackage.json`` and the CSV mirror ``data/csv/``, ``datapackage-csv.json``) is that release's and
only ``timeline release`` rewrites it; the CLI's ``timeline build`` writes the working package into the
ignored ``build/package/``. So a pull request that adds an event changes records only, and two such
requests never conflict on generated files (issue 15, item 4). ``check`` verifies both halves.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .csvmirror import csv_mirror
from .descriptor import descriptor, dumps
from .outputs import stale_outputs, write_outputs
from .problems import BuildLocked, ValidationFailed
from .schemas import schema_arrow, schema_frictionless
from .tables import TABLES

PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "row_group_size": 1_000_000,
    "write_statistics": True,
    "data_page_version": "2.0",
}
LOCK_NAME = ".timeline-build.lock"


@dataclass
class BuildResult:
    changed: list[str]
    files: dict[str, bytes]
    rows: dict[str, int]
    version: str


def parquet_bytes(name: str, frame) -> bytes:
    """Deterministic Parquet: explicit schema, rows sorted by primary key, fixed writer options.

    ``frame`` is a ``frame.Frame``, a pyarrow Table or an Arrow-backed pandas frame (``frame.table_of``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .frame import table_of

    table = TABLES[name]
    schema = schema_arrow(name)
    columns = table_of(frame)
    # Plain values first: each dictionary is encoded again below, in the sorted order, for stable bytes.
    plain = pa.Table.from_arrays([c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                                  for c in columns.columns], names=columns.column_names)
    plain = plain.sort_by([(k, "ascending") for k in table.primary_key])
    arrays = []
    for f in schema:
        column = plain.column(f.name)
        if pa.types.is_dictionary(f.type):
            column = column.cast(pa.string()).dictionary_encode().cast(f.type)
        else:
            column = column.cast(f.type)
        arrays.append(column)
    out = pa.Table.from_arrays(arrays, schema=schema)
    sink = io.BytesIO()
    pq.write_table(out, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def package_files(meta: dict, frames: dict) -> dict[str, bytes]:
    """Every output file's bytes, keyed by its path relative to the package root."""
    files: dict[str, bytes] = {}
    for name in TABLES:
        files[paths.table_path(name)] = parquet_bytes(name, frames[name])
        files[paths.schema_path(name)] = dumps(schema_frictionless(name))
    files[paths.DESCRIPTOR] = dumps(descriptor(meta, files))
    files.update(csv_mirror(files, paths.csv_folder()))
    return files


def build(root: str | os.PathLike[str] = ".", today: dt.date | None = None, lock_timeout: float = 60.0,
          _fail_after: str | None = None, out: str | os.PathLike[str] | None = None) -> BuildResult:
    """Validate the records under ``root`` and write the package into ``out`` (default: ``root``).

    Raises ``ValidationFailed`` on any problem. ``_fail_after`` is for tests: raise right after
    writing that output, to prove atomicity.
    """
    from .pipeline import prepare

    root = Path(root)
    target = Path(out) if out is not None else root
    with build_lock(target, lock_timeout):
        ready = prepare(root, today)
        if ready.problems:
            raise ValidationFailed(ready.problems)
        meta, frames = ready.meta, ready.frames
        files = package_files(meta, frames)
        changed = write_outputs(target, files, _fail_after=_fail_after)
    return BuildResult(changed, files, {n: len(frames[n]) for n in TABLES}, str(meta.get("version")))


def committed(root: Path, meta: dict, frames: dict) -> dict[str, bytes]:
    """The bytes the committed package must have: the last release's, or before any release the build's."""
    import json

    from .history import last_release

    release = last_release(root)
    if release is None:
        return package_files(meta, frames)
    descriptor = (release.path / paths.DESCRIPTOR).read_bytes()
    files = {paths.DESCRIPTOR: descriptor}
    for resource in json.loads(descriptor)["resources"]:
        files[resource["path"]] = (release.path / resource["path"]).read_bytes()
        files[paths.schema_path(resource["name"])] = dumps(resource["schema"])
    files.update(csv_mirror(files, paths.csv_folder()))  # the mirror of the release's tables
    return files


def check(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[str]:
    """Check the records build, and return the committed outputs that differ (empty when up to date).

    The committed package must equal the last release (see the module docstring); before the
    first release, the build of the records.
    """
    from .pipeline import prepare

    root = Path(root)
    ready = prepare(root, today)
    if ready.problems:
        raise ValidationFailed(ready.problems)
    return stale_outputs(root, committed(root, ready.meta, ready.frames))


@contextmanager
def build_lock(root: Path, timeout: float) -> Iterator[None]:
    """One build at a time per folder: a second one waits up to ``timeout`` seconds, then fails cleanly."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_NAME, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildLocked(f"another build of {root} is running; try again when it ends") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
