"""Every rule the package must satisfy, run vectorised on whole tables.

The same checks serve the curated records (``timeline build``/``validate``, where each failure
is traced back to file:line) and a built package (``timeline validate --package``).
The column rules come from the table definitions (``columns``). The cross-field and cross-table
rules are here (the research model's in ``sourcing``); every rule is registered in ``rules``, which
the codebook lists. ``check_frames``
runs them all, with the key look-ups in worker threads beside the column rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from . import vocab
from .columns import Failure, Frames, column_failures, inherited_failures, inheriting
from .consistency import rule_consistency
from .hints import ADD
from .sourcing import rule_sourcing
from .tables import TABLES, users

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .frame import Column, Frame

def _rows(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def _dates(series: pd.Series | Column) -> pa.ChunkedArray:
    """The column as Arrow dates: comparisons hold for any year (pandas timestamps stop at 2262)."""
    import pyarrow as pa

    from .arrowops import arrow
    from .frame import Column

    if isinstance(series, Column):
        return series.values.cast(pa.date32())
    import pandas as pd  # a caller's pandas frame: pandas is loaded already

    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        return arrow(series).cast(pa.date32())
    return pa.chunked_array([pa.array(series.astype("object"), pa.date32())])


def _text(series: pd.Series | Column) -> pa.ChunkedArray:
    import pyarrow as pa

    from .arrowops import arrow

    return arrow(series).cast(pa.string())


def _is(series: pd.Series | Column, value: str) -> pa.ChunkedArray:
    """Whether each value of a text or dictionary column equals ``value`` (false for a null)."""
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise

    return pc.fill_null(elementwise(arrow(series), lambda c: pc.equal(c, value)), False)


def _at(mask: pa.ChunkedArray) -> list[int]:
    """Row positions where an Arrow mask is true (nulls count as false)."""
    from .arrowops import true_rows

    return true_rows(mask).tolist()


def rule_dates(f: Frames, today: dt.date) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    ev = f["events"]
    start, end, ann = _dates(ev["date_start"]), _dates(ev["date_end"]), _dates(ev["date_announced"])
    for i in _at(pc.less(end, start)):
        yield Failure("events", i, "date_end", "date-order", "is before date_start", ev["date_end"][i])
    for i in _at(pc.less(ann, start)):
        yield Failure("events", i, "date_announced", "date-order", "is before date_start", ev["date_announced"][i])
    month, year = _is(ev["date_precision"], "month"), _is(ev["date_precision"], "year")
    for i in _at(pc.and_(month, pc.not_equal(pc.day(start), 1))):
        yield Failure("events", i, "date_start", "date-precision",
                      "month precision: date_start must be the 1st of a month", ev["date_start"][i])
    for i in _at(pc.and_(pc.or_(month, year), pc.is_null(end))):
        yield Failure("events", i, "date_end", "date-precision",
                      f"{ev['date_precision'][i]} precision needs date_end (the last day of the window)")
    # a month ends the day before a 1st
    next_day = pc.cast(pc.add(pc.cast(end, pa.int32()), pa.scalar(1, pa.int32())), pa.date32())
    for i in _at(pc.and_(month, pc.not_equal(pc.day(next_day), 1))):
        yield Failure("events", i, "date_end", "date-precision",
                      "month precision: date_end must be the last day of a month", ev["date_end"][i])
    for i in _at(pc.and_(year, pc.or_(pc.not_equal(pc.month(start), 1), pc.not_equal(pc.day(start), 1)))):
        yield Failure("events", i, "date_start", "date-precision",
                      "year precision: date_start must be 1 January", ev["date_start"][i])
    for i in _at(pc.and_(year, pc.or_(pc.not_equal(pc.month(end), 12), pc.not_equal(pc.day(end), 31)))):
        yield Failure("events", i, "date_end", "date-precision",
                      "year precision: date_end must be 31 December", ev["date_end"][i])
    yield from _estimate_dates(f)
    yield from _future_dates(f, today)


def _estimate_dates(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    es = f["estimates"]
    as_of = _dates(es["as_of"])
    for i in _at(pc.and_(_is(es["as_of_precision"], "month"), pc.not_equal(pc.day(as_of), 1))):
        yield Failure("estimates", i, "as_of", "date-precision",
                      "month precision: as_of must be the 1st of the month", es["as_of"][i])
    for i in _at(pc.and_(_is(es["as_of_precision"], "year"),
                         pc.or_(pc.not_equal(pc.month(as_of), 1), pc.not_equal(pc.day(as_of), 1)))):
        yield Failure("estimates", i, "as_of", "date-precision",
                      "year precision: as_of must be 1 January", es["as_of"][i])


def _future_dates(f: Frames, today: dt.date) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    limit = pa.scalar(today, pa.date32())
    for name, table in TABLES.items():
        for fld in table.fields:
            if fld.type == "date":
                values = _dates(f[name][fld.name])
                for i in _at(pc.greater(values, limit)):
                    yield Failure(name, i, fld.name, "future-date",
                                  f"is after the build date {today.isoformat()}", f[name][fld.name][i])


def rule_events(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    for name, what in (("events", "event"), ("estimates", "estimate")):
        df = f[name]
        reason = pc.is_valid(_text(df["retraction_reason"]))
        for i in _at(pc.and_(_is(df["status"], "retracted"), pc.invert(reason))):
            yield Failure(name, i, "retraction_reason", "retraction", f"a retracted {what} needs a reason")
        for i in _at(pc.and_(_is(df["status"], "active"), reason)):
            yield Failure(name, i, "retraction_reason", "retraction", f"only retracted {what}s carry a reason")


def rule_estimates(f: Frames) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise

    es = f["estimates"]
    low, best, high = (arrow(es[c]).cast(pa.float64(), safe=False) for c in ("low", "best", "high"))
    for i in _at(pc.and_(pc.and_(pc.is_null(low), pc.is_null(best)), pc.is_null(high))):
        yield Failure("estimates", i, "best", "estimate-values", "state at least one of low, best, high")
    for col, a, b in (("best", low, best), ("high", best, high), ("high", low, high)):
        for i in _at(pc.greater(a, b)):
            yield Failure("estimates", i, col, "estimate-values",
                          "low <= best <= high is violated", f"{a[i].as_py():g} > {b[i].as_py():g}")
    measures = list(vocab.MEASURES)
    units = pa.array([vocab.MEASURES[m][1] for m in measures], pa.string())
    measure_set = pa.array(measures, pa.string())
    expected = elementwise(arrow(es["measure"]), lambda c: pc.take(units, pc.index_in(c, value_set=measure_set)))
    unit = _text(es["unit"])
    known = pc.is_in(unit, value_set=pa.array(sorted(vocab.UNITS), pa.string()))  # else [vocabulary] says why
    for i in _at(pc.and_(known, pc.not_equal(unit, expected))):  # null when the measure is unknown: no failure
        yield Failure("estimates", i, "unit", "estimate-unit",
                      f"measure {es['measure'][i]} is counted in {expected[i].as_py()}", es["unit"][i])


def _keys(df: pd.DataFrame | Frame, cols: tuple[str, ...] | list[str], rows: np.ndarray) -> list[object]:
    """The keys of some rows as Python values (a tuple for a compound key)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow

    at = pa.array(rows, pa.int64())
    parts = [pc.take(arrow(df[c]), at).to_pylist() for c in cols]
    return parts[0] if len(cols) == 1 else list(zip(*parts, strict=True))


# Distinct unknown references that get a "did you mean" hint; past that, difflib would dominate.
_HINTS = 100
# A row named once in English, for messages such as "refers to an actor that does not exist".
_A_ROW = {"events": "an event", "actors": "an actor", "sources": "a source", "treaties": "a treaty",
          "places": "a place", "estimates": "an estimate"}
# Child tables whose key starts with their parent's id: when the parent id is itself duplicated,
# the children's duplicates are that same mistake and are not reported again.
_PARENT = {t.name: (t.parent[1], t.parent[0]) for t in TABLES.values() if t.parent}


def _look_up(pairs: list[tuple[pd.Series | Column, pd.Series | Column]]) -> None:
    """Compute (inside ``lookups.memo``) the look-ups of the reference columns into one key column,
    and whether that key is unique: hashing in pyarrow, which leaves the interpreter free."""
    from .lookups import positions, prefetch, unique_key

    prefetch(pairs)
    for values, known in pairs:
        positions(values, known)
    unique_key(pairs[0][1])


def _by_key(f: Frames) -> list[list[tuple[pd.Series | Column, pd.Series | Column]]]:
    """The foreign keys grouped by the key column they refer to, the most rows first."""
    groups: dict[tuple[str, str], list[tuple[pd.Series | Column, pd.Series | Column]]] = {}
    for name, table in TABLES.items():
        for fld in table.fields:
            if fld.references:
                ref_table, ref_field = fld.references
                groups.setdefault(fld.references, []).append((f[name][fld.name], f[ref_table][ref_field]))
    return sorted(groups.values(), key=lambda pairs: -sum(len(v) for v, _ in pairs))


def _suggester(f: Frames, table: str, column: str) -> Callable[[str], str | None]:
    """'Did you mean' among the keys of ``table``, by spelling and by the rows' names (``hints``)."""
    import pyarrow.compute as pc

    from .arrowops import arrow
    from .hints import Hints

    df = f[table]
    keys = arrow(df[column])
    known = pc.unique(pc.drop_null(keys))
    if len(known) >= 50_000:
        return lambda value: None
    names: dict[str, list[str]] = {}
    for col in ("name", "short_name"):
        if col in df and len(df) < 50_000:
            for key, name in zip(keys.to_pylist(), arrow(df[col]).to_pylist(), strict=True):
                if isinstance(key, str) and isinstance(name, str):
                    names.setdefault(key, []).append(name)
    hints = Hints([str(k) for k in known.to_pylist()], names)
    return hints.suggest


def rule_keys(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    from .arrowops import arrow
    from .lookups import duplicated as duplicated_rows
    from .lookups import positions

    duplicated = {}
    for name, table in TABLES.items():
        df = f[name]
        rows = np.flatnonzero(duplicated_rows(df, table.primary_key))
        key = dict(zip(rows.tolist(), _keys(df, table.primary_key, rows), strict=True))  # duplicates only
        duplicated[name] = set(key.values())
        if name in _PARENT and len(rows):
            column, parent = _PARENT[name]
            # the parent's key duplicated already: the same mistake, reported there
            rows = rows[[v not in duplicated[parent] for v in _keys(df, [column], rows)]]
        if len(rows):
            first = {}
            for i in rows.tolist():
                k = key[i]
                if k in first:
                    yield Failure(name, i, table.primary_key[-1] if len(table.primary_key) > 1
                                  else table.primary_key[0], "primary-key", f"duplicate {'/'.join(table.primary_key)}",
                                  k if isinstance(k, str) else "/".join(map(str, k)), other_row=first[k])
                else:
                    first[k] = i
        for fld in table.fields:
            if not fld.references:
                continue
            ref_table, ref_field = fld.references
            values = df[fld.name]
            found = positions(values, f[ref_table][ref_field]) >= 0
            missing = pc.is_valid(arrow(values)).to_numpy(zero_copy_only=False) & ~found
            if not missing.any():
                continue
            suggest = _suggester(f, ref_table, ref_field)
            hints: dict[str, str] = {}
            for i in _rows(missing):
                value = str(values[i])
                if value not in hints:  # difflib is slow: one look-up per distinct value, at most _HINTS
                    close = suggest(value) if len(hints) < _HINTS else None
                    how = ADD.get(ref_table)
                    hints[value] = (f"; did you mean '{close}'?" if close else "") + (
                        "" if not how else f" ({how})" if close else f"; {how}")
                hint = hints[value]
                yield Failure(name, i, fld.name, "foreign-key",
                              f"refers to {_A_ROW.get(ref_table, ref_table)} that does not exist{hint}",
                              values[i])


def _isin(values: pd.Series | Column, known: pd.Series | Column | list) -> np.ndarray:
    """``values.isin(known)``, reusing the foreign-key look-ups where ``values`` is a unique key."""
    from .lookups import covered

    return covered(values, known if isinstance(known, list) else [known])


# The orphan rule's message for each table it applies to (tables.Table.orphan_check).
_ORPHAN = {"actors": "actor is not used by any event, estimate or treaty", "places": "place is not used by any event",
           "sources": "source is not cited by any event", "treaties": "no event is a milestone of this treaty"}


def rule_links(f: Frames) -> Iterator[Failure]:
    ev, cit = f["events"], f["citations"]
    cited = _isin(ev["event_id"], cit["event_id"])
    for i in _rows(~cited):
        yield Failure("events", i, "citations", "cited", "event has no citation; add at least one source")
    for name, table in TABLES.items():
        if not table.orphan_check:
            continue
        key = table.primary_key[0]
        df = f[name]
        used = [f[t][c] for t, c in users(name)]
        shown = "url" if name == "sources" else key
        for i in _rows(~_isin(df[key], used)):
            yield Failure(name, i, key, "orphan", _ORPHAN[name], df[shown][i])
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow
    from .lookups import positions

    actors, parties = f["actors"], f["treaty_parties"]
    at = positions(parties["actor_id"], actors["actor_id"])  # an actor's first row, if its id repeats
    ptype = pc.take(arrow(actors["actor_type"]).cast(pa.string()), pa.array(at, pa.int64(), mask=at < 0))
    for i in _at(pc.and_(pc.is_valid(ptype), pc.not_equal(ptype, "state"))):
        yield Failure("treaty_parties", i, "actor_id", "treaty-party", "a treaty party must be a state actor",
                      parties["actor_id"][i])


def _differ(a: pd.Series | Column, b: pd.Series | Column) -> list[int]:
    """Rows where two text columns differ, a null equal only to a null (compared in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow

    x, y = arrow(a).cast(pa.string()), arrow(b).cast(pa.string())
    same = pc.or_(pc.fill_null(pc.equal(x, y), False), pc.and_(pc.is_null(x), pc.is_null(y)))
    return [int(i) for i in pc.indices_nonzero(pc.invert(same)).to_numpy()]


def rule_derived(f: Frames, want: Frame) -> Iterator[Failure]:
    """For a built package: derived columns equal ``want``, what the build would compute, and each
    place's columns equal its gazetteer entry's."""
    from .arrowops import arrow
    from .frame import missing
    from .gazetteer import lookup

    ev = f["events"]
    for col in ("category", "plover_category", "confidence"):
        have, exp = ev[col], want[col]
        for i in _differ(have, exp):
            yield Failure("events", i, col, "derived", f"should be {exp[i]!r} by the documented rule", have[i])
    places = f["places"]
    gids = [None if missing(v) else v for v in arrow(places["geonameid"]).to_pylist()]
    columns = {c: arrow(places[c]).to_pylist() for c in ("gazetteer_name", "country", "admin1_code", "latitude",
                                                          "longitude")}
    for i, gid in enumerate(gids):
        entry = lookup(None if gid is None else int(gid))
        if entry is None:
            if gid is not None:
                yield Failure("places", i, "geonameid", "gazetteer", "is not an entry of the gazetteer", gid)
            continue
        for col, value in columns.items():
            attr = "name" if col == "gazetteer_name" else col
            want_value = getattr(entry, attr)
            have = None if missing(value[i]) else value[i]
            if have != want_value:
                yield Failure("places", i, col, "derived", f"should be {want_value!r}, the gazetteer's", have)


def _after(tasks: list, derived: Callable[[Frames], Frame], f: Frames) -> Frame:
    """The derived columns, once the key look-ups they use are done (then beside the key rules)."""
    for task in tasks:
        task.result()
    return derived(f)


def check_frames(f: Frames, today: dt.date, derived: Callable[[Frames], Frame] | None = None,
                 skip: set[tuple[str, int, str]] | None = None) -> list[Failure]:
    """Run every rule; ``skip`` holds cells already reported as malformed."""
    from concurrent.futures import ThreadPoolExecutor

    from .lookups import memo, positions

    out: list[Failure] = []
    with memo(), ThreadPoolExecutor(2) as pool:  # rules share their key look-ups
        # Two cores: the key look-ups run in pyarrow threads beside the column and row rules.
        look_ups = [pool.submit(_look_up, pairs) for pairs in _by_key(f)]
        if derived is not None:
            want = pool.submit(_after, look_ups, derived, f)
        deferred, columns = {}, {}
        for name in TABLES:
            deferred[name] = inheriting(f, name)
            columns[name] = column_failures(name, f[name], deferred[name])
            out += columns[name]
        out += rule_dates(f, today)
        out += rule_events(f)
        out += rule_estimates(f)
        for task in look_ups:
            task.result()
        # Beside the key rules, on the look-ups:
        sourced = pool.submit(lambda: [*rule_sourcing(f), *rule_consistency(f)])
        for name, fields in deferred.items():
            for column in sorted(fields):
                ref_table, ref_field = TABLES[name].field(column).references
                keys = f[ref_table][ref_field]
                out += inherited_failures(name, column, f[name][column], keys,
                                          [x for x in columns[ref_table] if x.field == ref_field],
                                          positions(f[name][column], keys))
        out += rule_keys(f)
        out += rule_links(f)
        out += sourced.result()
        if derived is not None:
            out += rule_derived(f, want.result())
    if skip:
        out = [x for x in out if (x.table, x.row, x.field) not in skip]
    return out
