"""The CSV mirror of the tables: one UTF-8 CSV per table and a descriptor that lists them.

One function makes it for both places it is written, so the two cannot drift: ``timeline build``
commits it to the repository (``data/csv/<table>.csv``, ``datapackage-csv.json``) beside the
Parquet tables, and a release archive carries it under ``csv/``.

A null is an empty cell, and an empty cell is always a null: no table holds an empty string (the
records refuse one with the ``empty`` rule, and derived text is null where there is none), and a
mirror is refused rather than written ambiguously if one ever appears. Dates are YYYY-MM-DD,
booleans true/false, numbers as Arrow prints them.
"""

from __future__ import annotations

import copy
import csv
import io
import json

from .problems import TimelineError

DESCRIPTOR = "datapackage-csv.json"
ARCHIVE_FOLDER = "csv"


def csv_bytes(parquet: bytes) -> bytes:
    """A table as CSV: header, one line per row; dates ISO, booleans true/false, nulls empty."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(parquet))
    columns = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        elif pa.types.is_string(col.type) and pc.any(pc.equal(col, "")).as_py():
            # Written as an empty cell it would read back as a null: refuse rather than reinterpret.
            raise TimelineError(f"column {name} holds an empty string, which a CSV cell cannot tell from a null")
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        columns.append(col.to_pylist())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(zip(*columns, strict=True) if columns else [])
    return out.getvalue().encode("utf-8")


def csv_mirror(files: dict[str, bytes], folder: str = ARCHIVE_FOLDER) -> dict[str, bytes]:
    """``<folder>/<table>.csv`` for every Parquet resource of ``files["datapackage.json"]``, and
    ``datapackage-csv.json`` describing them (paths relative to it, so it sits beside datapackage.json)."""
    from .descriptor import dumps, sha256

    descriptor = json.loads(files["datapackage.json"])
    mirror = copy.deepcopy(descriptor)
    out: dict[str, bytes] = {}
    for resource in mirror["resources"]:
        data = csv_bytes(files[resource["path"]])
        path = f"{folder}/{resource['name']}.csv"
        out[path] = data
        for key in ("path", "format", "mediatype", "x-bytes", "hash", "schema"):
            resource.pop(key, None)
        schema = next(r["schema"] for r in descriptor["resources"] if r["name"] == resource["name"])
        resource.update({"path": path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                         "bytes": len(data), "hash": f"sha256:{sha256(data)}", "schema": schema})
    mirror["description"] = (descriptor.get("description", "") + " This descriptor lists the CSV mirror of "
                             "the tables; datapackage.json lists the Parquet originals.").strip()
    out[DESCRIPTOR] = dumps(mirror)
    return out
