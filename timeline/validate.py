"""``timeline validate``: check the curated records and a built package, reporting every problem."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import paths
from .problems import IntegrityError, Problem, UnsafePackage, show
from .tables import TABLES


def validate_records(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in the records under ``root/data/records`` (empty when all is well)."""
    from .pipeline import prepare

    return sorted(set(prepare(Path(root), today).problems))


def validate_package(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in a built package: descriptor, file integrity, column types and all rules."""
    from .package import read_descriptor, resources_by_name, verify_resource

    # pandas takes a few tenths of a second to import, mostly in the interpreter; the Parquet
    # reads mostly outside it: on two cores the two overlap.
    importing = threading.Thread(target=importlib.import_module, args=("pandas",), daemon=True)
    importing.start()
    # So is parsing the gazetteer (half a second of JSON) for the places' check.
    threading.Thread(target=_warm_gazetteer, daemon=True).start()
    root = Path(root)
    today = today or dt.date.today()
    if root.suffix == ".zip" and root.is_file():  # a release archive: unpacked into the cache, refused if unsafe
        from .archive import extract_cached

        try:
            root = extract_cached(root)
        except UnsafePackage as exc:
            return [Problem(root.name, 0, "", "", "archive", str(exc))]
    try:
        descriptor = read_descriptor(root)
    except UnsafePackage as exc:
        return [Problem(paths.DESCRIPTOR, 0, "", "", "descriptor", str(exc))]
    try:
        resources = resources_by_name(descriptor)
    except UnsafePackage as exc:
        return [Problem(paths.DESCRIPTOR, 0, "", "", "duplicate-resource", str(exc))]
    # Each file is hashed before it is parsed; hashing the next one overlaps reading this one.
    with ThreadPoolExecutor(1) as pool:
        verified = {name: pool.submit(verify_resource, root, resources[name]) for name in TABLES if name in resources}
        problems, tables = _read_tables(resources, verified)
    importing.join()
    if problems:
        return sorted(problems)
    import pandas as pd

    from .arrowops import arrow_frame
    from .assemble import expected_derived
    from .checks import check_frames

    frames = {name: arrow_frame(table) for name, table in tables.items()}
    del tables
    failures = check_frames(frames, today, derived=expected_derived)
    out = []
    for x in failures:
        rel = paths.table_path(x.table)
        if x.row < 0:
            out.append(Problem(rel, 0, "", x.field, x.rule, x.message))
            continue
        pk = TABLES[x.table].primary_key
        record = "/".join(str(frames[x.table][k].iloc[x.row]) for k in pk)
        value = "" if x.value is None or (not isinstance(x.value, str) and pd.isna(x.value)) else show(x.value)
        out.append(Problem(rel, x.row + 1, record, x.field, x.rule,
                           x.message if x.other_row is None else f"{x.message}; first defined at row {x.other_row + 1}",
                           value))
    return sorted(out)


def _warm_gazetteer() -> None:
    from .gazetteer import entries

    entries()


def _read_tables(resources: dict, verified: dict[str, Future]) -> tuple[list[Problem], dict]:
    """The tables whose files passed their integrity check and have the expected columns."""
    import pyarrow.parquet as pq

    from .schemas import schema_arrow

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
        try:
            table = pq.read_table(file)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            problems.append(Problem(rel, 0, name, "", "parquet", f"not a readable Parquet file ({str(exc)[:120]})"))
            continue
        expected = schema_arrow(name)
        if not table.schema.equals(expected, check_metadata=False):
            wrong = []
            for f in expected:
                have = table.schema.field(f.name).type if f.name in table.schema.names else None
                if have != f.type:
                    wrong.append(Problem(rel, 0, name, f.name, "column-type", f"column should be {f.type}", str(have)))
            extra = set(table.schema.names) - set(expected.names)
            wrong += [Problem(rel, 0, name, c, "column-type", "unexpected column") for c in sorted(extra)]
            if wrong:
                problems += wrong
                continue
            # The same columns and types, in another order or with other nullability flags (another
            # writer's defaults): the rules, "required" among them, decide.
            table = table.select(expected.names)
        tables[name] = table
    return problems, tables
