"""``timeline validate``: check the curated records and a built package, reporting every problem."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from . import collector, paths
from .problems import DuplicateResource, IntegrityError, NotParquet, Problem, UnsafeArchive, UnsafePackage, show
from .tables import PROVENANCE_FIELDS, TABLES

if TYPE_CHECKING:
    import pyarrow as pa

    from .reader import PackageSource


def validate_records(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in the records under ``root/data/records`` (empty when all is well)."""
    from .pipeline import prepare

    return sorted(set(prepare(Path(root), today).problems))


def validate_package(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in a built package: descriptor, file integrity, column types and all rules."""
    with collector.paused():  # the imports and the rules make many long-lived objects (collector.paused)
        return _validate_package(root, today)


def _validate_package(root: str | os.PathLike[str], today: dt.date | None) -> list[Problem]:
    from .reader import open_package

    # The rules' modules import while the Parquet files are read (mostly outside the interpreter);
    # pandas among them, unless pyarrow was told it is absent (frame.pyarrow_without_pandas): the
    # rules never use it, but pyarrow imports it on the first Python value it converts.
    importing = threading.Thread(target=_import_rules, daemon=True)
    importing.start()
    # So are indexing the gazetteer for the places' check and loading the ISO code registries.
    threading.Thread(target=_warm_registries, daemon=True).start()
    today = today or dt.date.today()
    try:  # a release archive is unpacked into the cache, refused if unsafe
        src = open_package(root)
    except UnsafeArchive as exc:
        return [Problem(Path(root).name, 0, "", "", "archive", str(exc))]
    except DuplicateResource as exc:
        return [Problem(paths.DESCRIPTOR, 0, "", "", "duplicate-resource", str(exc))]
    except UnsafePackage as exc:
        return [Problem(paths.DESCRIPTOR, 0, "", "", "descriptor", str(exc))]
    # Each file is hashed before it is parsed; hashing the next one overlaps reading this one.
    with ThreadPoolExecutor(1) as pool:
        verified = {name: pool.submit(src.data, name) for name in TABLES if name in src.resources}
        problems, tables = _read_tables(src, verified)
    importing.join()
    if problems:
        return sorted(problems)
    from .checks import check_frames
    from .derived import expected_derived
    from .frame import Frame, missing

    # No pandas: the rules run on the Arrow tables as they were read (``frame.Frame``).
    frames = {name: Frame(table) for name, table in tables.items()}
    del tables
    failures = check_frames(frames, today, derived=expected_derived)
    out = []
    for x in failures:
        rel = paths.table_path(x.table)
        if x.row < 0:
            out.append(Problem(rel, 0, "", x.field, x.rule, x.message))
            continue
        pk = TABLES[x.table].primary_key
        record = "/".join(str(frames[x.table][k][x.row]) for k in pk)
        value = "" if missing(x.value) else show(x.value)
        out.append(Problem(rel, x.row + 1, record, x.field, x.rule,
                           x.message if x.other_row is None else f"{x.message}; first defined at row {x.other_row + 1}",
                           value))
    return sorted(out)


def _import_rules() -> None:
    """pandas (see above) and the modules of the rules."""
    from .frame import pyarrow_imports_pandas

    wanted = ("pandas",) if pyarrow_imports_pandas() else ()
    for name in (*wanted, "pyarrow.compute", "timeline.arrowops", "timeline.lookups", "timeline.derived",
                 "timeline.checks"):
        importlib.import_module(name)


def _warm_registries() -> None:
    from .gazetteer import warm
    from .sourcing import iso_countries, iso_languages

    warm()
    iso_countries()
    iso_languages()


def _read_tables(src: PackageSource, verified: dict[str, Future]) -> tuple[list[Problem], dict]:
    """The tables whose files passed their integrity check and have the expected columns."""
    from .schemas import schema_arrow

    resources = src.resources
    problems: list[Problem] = []
    tables = {}
    for name in TABLES:
        rel = paths.table_path(name)
        if name not in resources:
            problems.append(Problem(paths.DESCRIPTOR, 0, name, "", "resource", "table is missing from resources"))
            continue
        try:
            file = verified[name].result()
        except (IntegrityError, UnsafePackage) as exc:
            rule = "integrity" if isinstance(exc, IntegrityError) else "unsafe-path"
            where = str(resources[name].get("path", rel))
            problems.append(Problem(where, 0, name, "", rule, str(exc).removeprefix(f"{where}: ")))
            continue
        expected = schema_arrow(name)
        try:  # the types as stored, then the table (see _column_types)
            wrong = _column_types(rel, name, src.parquet(name, data=file).schema_arrow, expected)
            if wrong:
                problems += wrong
                continue
            table = src.arrow(name, data=file, dictionary=[c for c in PROVENANCE_FIELDS if c in expected.names])
        except NotParquet as exc:
            problems.append(Problem(rel, 0, name, "", "parquet", exc.reason))
            continue
        if table.schema.names != expected.names:
            table = table.select(expected.names)
        tables[name] = table
    return problems, tables


def _column_types(rel: str, name: str, stored: pa.Schema, expected: pa.Schema) -> list[Problem]:
    """Columns missing, extra or of another type than the package's. The same columns and types in
    another order, or with other nullability flags (another writer's defaults), are the table: the
    rules, "required" among them, decide. The types are the file's as stored: the provenance
    columns, stored as text, are then read as the file's dictionary (a handful of versions: their
    rules run once per version, and no string is made for each row)."""
    if stored.equals(expected, check_metadata=False):
        return []
    wrong = []
    for f in expected:
        have = stored.field(f.name).type if f.name in stored.names else None
        if have != f.type:
            wrong.append(Problem(rel, 0, name, f.name, "column-type", f"column should be {f.type}", str(have)))
    extra = set(stored.names) - set(expected.names)
    return wrong + [Problem(rel, 0, name, c, "column-type", "unexpected column") for c in sorted(extra)]
