"""Turn curated records into tables: deduplicate sources, derive columns, locate problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import vocab
from .checks import Failure, Frames, check_frames
from .problems import Problem, show
from .records import INVALID, Records, Row
from .tables import TABLES


@dataclass
class Assembled:
    frames: Frames
    origins: dict[str, list[Row]]
    problems: list[Problem] = field(default_factory=list)


SOURCE_DETAILS = ("publisher", "agency", "title", "date_published", "language", "kind")


def _dedupe_sources(rows: list[Row]) -> tuple[list[Row], list[Problem]]:
    """One source per URL; the same URL with different details is an error at every later place."""
    first: dict[object, Row] = {}
    problems = []
    for row in rows:
        url = row.values.get("url")
        if url is None or url is INVALID:
            first.setdefault(id(row), row)
            continue
        if url not in first:
            first[url] = row
            continue
        seen = first[url]
        for key in SOURCE_DETAILS:
            a, b = seen.values.get(key), row.values.get(key)
            if a is not INVALID and b is not INVALID and a != b:
                problems.append(Problem(
                    row.file, row.line_of(key), row.record, key, "source-conflict",
                    f"the same URL is cited at {seen.file}:{seen.line_of(key)} with {key} {show(a)}",
                    show(b)))
    return list(first.values()), problems


def expected_derived(f: Frames) -> pd.DataFrame:
    """category, plover_category and confidence, as the build computes them."""
    ev = f["events"]
    etype = ev["event_type"].astype("object")
    category = etype.map(lambda t: vocab.EVENT_TYPES[t].category if t in vocab.EVENT_TYPES else None)
    plover = etype.map(lambda t: vocab.EVENT_TYPES[t].plover if t in vocab.EVENT_TYPES else None)
    cit = f["citations"][["event_id", "source_id"]].astype("object")
    src = f["sources"][["source_id", "publisher", "kind"]].astype("object")
    joined = cit.merge(src, on="source_id", how="left")
    joined["strong"] = joined["kind"].isin(vocab.STRONG_SOURCE_KINDS)
    joined["weak"] = joined["kind"].isin(vocab.WEAK_SOURCE_KINDS)
    per = joined.groupby("event_id").agg(
        publishers=("publisher", "nunique"), strong=("strong", "any"), all_weak=("weak", "all"))
    per = per.reindex(ev["event_id"].astype("object"))
    per.index = ev.index
    confidence = pd.Series("low", index=ev.index, dtype="object")
    two = per["publishers"].fillna(0) >= 2
    strong = per["strong"].fillna(False).astype(bool)
    weak = per["all_weak"].fillna(True).astype(bool)
    confidence[(two & ~weak) | (~two & strong)] = "medium"
    confidence[two & strong] = "high"
    return pd.DataFrame({"category": category, "plover_category": plover, "confidence": confidence})


def _frame(name: str, rows: list[Row], version: str) -> tuple[pd.DataFrame, set[tuple[str, int, str]]]:
    """Build one table as an Arrow-backed frame; cells already reported as malformed become null."""
    import pyarrow as pa

    from .schemas import schema_arrow

    table = TABLES[name]
    invalid = set()
    columns: dict[str, list] = {f.name: [] for f in table.fields}
    for i, row in enumerate(rows):
        for f in table.fields:
            value = row.values.get(f.name)
            if value is INVALID:
                invalid.add((name, i, f.name))
                value = None
            columns[f.name].append(value)
    columns["added_in"] = [version] * len(rows)
    columns["modified_in"] = [version] * len(rows)
    schema = schema_arrow(name)
    plain = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                       for f in schema])
    arrow = pa.table(columns, schema=plain)
    return arrow.to_pandas(types_mapper=pd.ArrowDtype), invalid


def assemble(records: Records, version: str, today: dt.date) -> Assembled:
    """Check everything and return the tables; ``problems`` lists every failure located in the records."""
    origins = dict(records.rows)
    origins["sources"], conflicts = _dedupe_sources(records.rows["sources"])
    frames: Frames = {}
    invalid: set[tuple[str, int, str]] = set()
    for name in TABLES:
        frames[name], bad = _frame(name, origins[name], version)
        invalid |= bad
    derived = expected_derived(frames)
    ev = frames["events"]
    for col in ("category", "plover_category", "confidence"):
        ev[col] = derived[col].astype(ev[col].dtype)
    failures = check_frames(frames, today, skip=invalid)
    problems = list(records.problems) + conflicts + [locate(x, origins, frames) for x in failures]
    return Assembled(frames, origins, problems)


def locate(x: Failure, origins: dict[str, list[Row]], frames: Frames) -> Problem:
    """Point a failure at the file, line and record it came from."""
    if x.row < 0:
        return Problem(f"<{x.table}>", 0, "", x.field, x.rule, x.message)
    row = origins[x.table][x.row]
    message = x.message
    if "{row:" in message:  # a duplicate key names the place of the first definition
        start = message.index("{row:")
        first = origins[x.table][int(message[start + 5: message.index("}", start)])]
        message = message[:start] + f"{first.file}:{first.line}"
    field = x.field
    line = row.line_of(x.field)
    if x.table == "sources" and x.field == "source_id":
        field = "url"
        line = row.line_of("url")
    value = "" if x.value is None or (not isinstance(x.value, str) and pd.isna(x.value)) else show(
        x.value.isoformat() if isinstance(x.value, dt.date) else x.value)
    return Problem(row.file, line, row.record, field, x.rule, message, value)
