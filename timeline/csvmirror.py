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
import functools
import io
import json
import re

from .problems import TimelineError

DESCRIPTOR = "datapackage-csv.json"
ARCHIVE_FOLDER = "csv"


@functools.cache
def _quoting() -> tuple[str, re.Pattern[bytes]]:
    """The characters that make Python's csv writer quote a field, as this Python's writer does
    (3.11 leaves a carriage return bare with lineterminator="\\n"; later versions may not): as an
    Arrow regex class for the cells, and as a bytes pattern for a first look at a column's buffer."""
    found = ""
    for c in ',"\n\r':
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([c, "x"])
        found += c if out.getvalue().startswith('"') else ""
    cls = "[" + found.replace("\n", "\\n").replace("\r", "\\r") + "]"
    return cls, re.compile(cls.encode())


def csv_bytes(parquet: bytes) -> bytes:
    """A table as CSV: header, one line per row; dates ISO, booleans true/false, nulls empty.

    The bytes of Python's ``csv.writer`` (minimal quoting, doubled quotes, "\\n" line ends), made
    column by column with Arrow compute instead of cell by cell in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(pa.BufferReader(parquet)).read()  # read_table would import pyarrow.dataset
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)
    if not table.num_rows or not table.num_columns:
        return header.getvalue().encode("utf-8")
    from .arrowops import text_buffers

    specials, needs_quotes = _quoting()
    cells = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        text = pa.types.is_string(col.type) or pa.types.is_dictionary(col.type)  # numbers and dates need no quotes
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        elif pa.types.is_string(col.type) and pc.any(pc.equal(col, "")).as_py():
            # Written as an empty cell it would read back as a null: refuse rather than reinterpret.
            raise TimelineError(f"column {name} holds an empty string, which a CSV cell cannot tell from a null")
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        col = pc.fill_null(col, "")
        if text and any(needs_quotes.search(memoryview(text_buffers(ch)[0])) for ch in col.chunks):
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
            col = pc.if_else(pc.match_substring_regex(col, specials), quoted, col)
        cells.append(col)
    if len(cells) == 1:  # the writer quotes a row of one empty field, so it is not a blank line
        cells[0] = pc.if_else(pc.equal(cells[0], ""), '""', cells[0])
    lines = pc.binary_join_element_wise(*cells, ",")
    body = pc.binary_join_element_wise(lines, "\n", "")
    # No nulls are left, so each chunk's data buffer holds its lines end to end.
    return header.getvalue().encode("utf-8") + b"".join(text_buffers(ch)[0].tobytes() for ch in body.chunks)


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
