"""``timeline validate``: check the curated records and a built package, reporting every problem."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from . import paths
from .problems import IntegrityError, Problem, UnsafePackage, show
from .tables import TABLES


def arrow_frame(table):
    """Arrow-backed frame for the checks; dictionary columns decoded to plain strings."""
    import pandas as pd
    import pyarrow as pa

    columns = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(columns, names=table.column_names).to_pandas(types_mapper=pd.ArrowDtype)


def validate_records(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in the records under ``root/data/records`` (empty when all is well)."""
    from .build import prepare

    return sorted(set(prepare(Path(root), today)[2]))


def validate_package(root: str | os.PathLike[str] = ".", today: dt.date | None = None) -> list[Problem]:
    """Every problem in a built package: descriptor, file integrity, column types and all rules."""
    import pandas as pd
    import pyarrow.parquet as pq

    from .assemble import expected_derived
    from .checks import check_frames
    from .package import read_descriptor, verify_resource
    from .schemas import schema_arrow

    root = Path(root)
    today = today or dt.date.today()
    try:
        descriptor = read_descriptor(root)
    except UnsafePackage as exc:
        return [Problem(paths.DESCRIPTOR, 0, "", "", "descriptor", str(exc))]
    resources = {r.get("name"): r for r in descriptor["resources"] if isinstance(r, dict)}
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        rel = paths.table_path(name)
        if name not in resources:
            problems.append(Problem(paths.DESCRIPTOR, 0, name, "", "resource", "table is missing from resources"))
            continue
        try:
            file = verify_resource(root, resources[name])
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
            for f in expected:
                have = table.schema.field(f.name).type if f.name in table.schema.names else None
                if have != f.type:
                    problems.append(Problem(rel, 0, name, f.name, "column-type",
                                            f"column should be {f.type}", str(have)))
            extra = set(table.schema.names) - set(expected.names)
            problems += [Problem(rel, 0, name, c, "column-type", "unexpected column") for c in sorted(extra)]
            continue
        frames[name] = arrow_frame(table)
    if problems:
        return sorted(problems)
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
                           re.sub(r"\{row:(\d+)\}", lambda m: f"row {int(m[1]) + 1}", x.message), value))
    return sorted(out)
