"""Turn curated records into tables: deduplicate sources, derive columns, locate problems."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

import pandas as pd

from . import vocab
from .checks import Failure, Frames, check_frames
from .problems import Problem, show
from .records import INVALID, Records, Row, yaml_key
from .tables import PROVENANCE_FIELDS, TABLES


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
                name = yaml_key("sources", key)
                problems.append(Problem(
                    row.file, row.line_of(key), row.record, name, "source-conflict",
                    f"the same URL is cited at {seen.file}:{seen.line_of(key)} with {name} {_shown(a)}",
                    _shown(b)))
    return list(first.values()), problems


def expected_derived(f: Frames) -> pd.DataFrame:
    """category, plover_category and confidence, as the build computes them (joined in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise, unique_key

    ev = f["events"]
    types = list(vocab.EVENT_TYPES)
    known = pa.array(types, pa.string())
    pos = elementwise(arrow(ev["event_type"]), lambda c: pc.index_in(c, value_set=known))
    category = pc.take(pa.array([vocab.EVENT_TYPES[t].category for t in types], pa.string()), pos)
    plover = pc.take(pa.array([vocab.EVENT_TYPES[t].plover for t in types], pa.string()), pos)
    if unique_key(ev["event_id"]) and unique_key(f["sources"]["source_id"]):
        two, strong, weak = _per_event_sources(f)
    else:
        two, strong, weak = _per_event_sources_joined(f)
    medium = pc.or_(pc.and_(two, pc.invert(weak)), pc.and_(pc.invert(two), strong))
    confidence = pc.if_else(pc.and_(two, strong), "high", pc.if_else(medium, "medium", "low"))
    return pd.DataFrame({name: pd.Series(pd.arrays.ArrowExtensionArray(values), index=ev.index)
                         for name, values in (("category", category), ("plover_category", plover),
                                              ("confidence", confidence))})


def _per_event_sources(f: Frames) -> tuple:
    """Per event: two or more publishers, any strong source, only weak sources (True when uncited).

    Event and source ids are unique here, so each citation is mapped to its event's and source's row
    (look-ups the foreign-key rule made already) and counted with numpy.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise, positions

    ev, cit, src = f["events"], f["citations"], f["sources"]
    event = positions(cit["event_id"], ev["event_id"])
    source = positions(cit["source_id"], src["source_id"])
    keep = event >= 0  # citations of unknown events count for no event
    event, source = event[keep], source[keep]
    rows = pa.array(source, mask=source < 0)  # an unknown source has no publisher and no kind
    kind = arrow(src["kind"])
    strong, weak = (pc.fill_null(pc.take(elementwise(kind, lambda c, s=kinds: pc.is_in(c, pa.array(sorted(s)))),
                                         rows), False).to_numpy(zero_copy_only=False)
                    for kinds in (vocab.STRONG_SOURCE_KINDS, vocab.WEAK_SOURCE_KINDS))
    codes, names = pd.factorize(src["publisher"])
    publisher = np.where(source >= 0, codes[np.maximum(source, 0)], -1)
    n = len(ev)
    cited = np.bincount(event, minlength=n)
    pairs = np.sort(event[publisher >= 0] * (len(names) + 1) + publisher[publisher >= 0])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs  # distinct (event, publisher)
    publishers = np.bincount(pairs // (len(names) + 1), minlength=n)
    any_strong = np.bincount(event, weights=strong, minlength=n) > 0
    all_weak = np.bincount(event, weights=weak, minlength=n) == cited
    return pa.array(publishers >= 2), pa.array(any_strong), pa.array(all_weak)


def _per_event_sources_joined(f: Frames) -> tuple:
    """The same as ``_per_event_sources`` for tables whose ids may repeat: a join and a group-by."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow

    def col(name: str, column: str) -> pa.ChunkedArray:
        return arrow(f[name][column]).cast(pa.string())

    cit = pa.table({"event_id": col("citations", "event_id"), "source_id": col("citations", "source_id")})
    src = pa.table({"source_id": col("sources", "source_id"), "publisher": col("sources", "publisher"),
                    "kind": col("sources", "kind")})
    joined = cit.join(src, keys="source_id", join_type="left outer")
    joined = joined.append_column("strong", pc.is_in(joined["kind"], pa.array(sorted(vocab.STRONG_SOURCE_KINDS))))
    joined = joined.append_column("weak", pc.is_in(joined["kind"], pa.array(sorted(vocab.WEAK_SOURCE_KINDS))))
    per = joined.group_by("event_id").aggregate([("publisher", "count_distinct"), ("strong", "any"),
                                                 ("weak", "all")])
    per = per.filter(pc.is_valid(per["event_id"]))  # as pandas' groupby, which drops a null key
    at = pc.index_in(col("events", "event_id"), value_set=per["event_id"])
    two = pc.greater_equal(pc.fill_null(pc.take(per["publisher_count_distinct"], at), 0), 2)
    strong = pc.fill_null(pc.take(per["strong_any"], at), False)
    weak = pc.fill_null(pc.take(per["weak_all"], at), True)
    return two, strong, weak


def _frame(name: str, rows: list[Row], version: str) -> tuple[pd.DataFrame, set[tuple[str, int, str]]]:
    """Build one table as an Arrow-backed frame; cells already reported as malformed become null."""
    import pyarrow as pa

    from .schemas import schema_arrow

    table = TABLES[name]
    invalid = set()
    columns: dict[str, list] = {}
    for f in table.fields:  # column by column: one comprehension each, not a Python loop per cell
        values = [row.values.get(f.name) for row in rows]
        if any(v is INVALID for v in values):
            for i, v in enumerate(values):
                if v is INVALID:
                    invalid.add((name, i, f.name))
                    values[i] = None
        columns[f.name] = values
    for i, row in enumerate(rows):
        if row.skip:
            invalid.update((name, i, fld) for fld in row.skip)
    for name_ in PROVENANCE_FIELDS:  # placeholders; the build stamps the real versions (history.stamp)
        if name_ in columns:
            columns[name_] = [version] * len(rows)
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
    dangling: dict[str, list[str]] = {}  # referenced table -> values that refer to nothing
    for x in failures:
        if x.rule == "foreign-key" and x.field in TABLES[x.table].field_names:
            dangling.setdefault(TABLES[x.table].field(x.field).references[0], []).append(str(x.value))
    located = [locate(x, origins, frames) for x in failures if not _consequence(x, records, invalid, dangling)]
    return Assembled(frames, origins, list(records.problems) + conflicts + located)


# Which tables' rows make a row of these tables used (see the ``orphan`` rule).
_USERS = {"actors": {"participants", "estimates", "treaty_parties"}, "treaties": {"events"}}


def _consequence(x: Failure, records: Records, invalid: set[tuple[str, int, str]],
                 dangling: dict[str, list[str]]) -> bool:
    """A failure that only follows from a problem already reported, so reporting it would repeat it."""
    spec = TABLES[x.table]
    if x.rule == "estimate-values":  # a malformed low, best or high was reported and read as missing
        return any((x.table, x.row, c) in invalid for c in ("low", "best", "high"))
    if x.row < 0 or x.field not in spec.field_names:
        return False
    if x.rule == "foreign-key":  # the target may be in a file that could not be read
        return records.may_lack(spec.field(x.field).references[0], x.value)
    if x.rule == "orphan":  # its user may be in an unreadable file, or misspell it ('choe-son-hiu')
        return (bool(_USERS.get(x.table, set()) & records.incomplete)
                or bool(difflib.get_close_matches(str(x.value), dangling.get(x.table, []), n=1)))
    # Derived columns (category, source_id, added_in...) follow from fields checked on their own.
    return spec.field(x.field).derived and x.rule != "primary-key"


def _shown(value: object) -> str:
    return show(value.isoformat() if isinstance(value, dt.date) else value)


# The column that ties a child row to its parent: implied by the file, so not named in problems.
_PARENT = {"participants": "event_id", "citations": "event_id", "treaty_parties": "treaty_id",
           "treaty_obligations": "treaty_id"}


def locate(x: Failure, origins: dict[str, list[Row]], frames: Frames) -> Problem:
    """Point a failure at the file, line and record it came from."""
    if x.row < 0:
        return Problem(f"<{x.table}>", 0, "", x.field, x.rule, x.message)
    row = origins[x.table][x.row]
    message = x.message
    field, line = yaml_key(x.table, x.field), row.line_of(x.field)
    if x.table == "sources" and x.field == "source_id":
        line = row.line_of("url")
    value = "" if x.value is None or (not isinstance(x.value, str) and pd.isna(x.value)) else _shown(x.value)
    if x.rule == "unicode-nfc":  # escaped, or the decomposed letter looks like any other
        value = ascii(x.value)[:60]
    if x.rule == "primary-key":  # name the keys as written, and where the first one is
        start = message.index("{row:")
        first = origins[x.table][int(message[start + 5: message.index("}", start)])]
        key = [c for c in TABLES[x.table].primary_key if c != _PARENT.get(x.table)]
        message = f"duplicate {'/'.join(yaml_key(x.table, c) for c in key)}; first defined at {first.file}:{first.line}"
        field = yaml_key(x.table, key[0])
        value = "" if x.table == "citations" else show("/".join(str(row.values[c]) for c in key))
        if len(key) > 1:
            line = row.line
    return Problem(row.file, line, row.record, field, x.rule, message, value)
