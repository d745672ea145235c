"""Rules of the research model (release 2.0.0): a source for every figure, structured estimates,
dated sources, state media tied to their state, coded statements and real country codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import numpy as np
import pandas as pd

from . import vocab
from .columns import Failure, Frames
from .tables import ISO3, LANGUAGE, TABLES


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask.fillna(False).astype(bool)].index]


def _obj(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), None)


@cache
def iso_countries() -> frozenset[str]:
    """Assigned ISO 3166-1 alpha-3 codes, from pycountry (a maintained registry, not a pattern)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@cache
def iso_languages() -> frozenset[str]:
    """ISO 639-1 two-letter codes, from pycountry's ISO 639-3 table (the languages that have one)."""
    import pycountry

    return frozenset(x.alpha_2 for x in pycountry.languages if hasattr(x, "alpha_2"))


def rule_sourcing(f: Frames) -> Iterator[Failure]:
    yield from _estimates(f)
    yield from _cited_by_parent(f)
    yield from _sources(f)
    yield from _plover(f)
    yield from _countries(f)


def _estimates(f: Frames) -> Iterator[Failure]:
    es = f["estimates"]
    counts = _obj(es["counts"])
    start, end = es["period_start"], es["period_end"]
    period = counts == "period"
    for i in _rows(period & start.isna()):
        yield Failure("estimates", i, "period_start", "estimate-period",
                      "a period estimate needs period_start and period_end")
    for i in _rows(period & start.notna() & end.isna()):
        yield Failure("estimates", i, "period_end", "estimate-period",
                      "a period estimate needs period_start and period_end")
    for col in ("period_start", "period_end"):
        for i in _rows(counts.notna() & ~period & es[col].notna()):
            yield Failure("estimates", i, col, "estimate-period",
                          f"only a period estimate (counts: period) has {col}; this one counts {counts[i]}",
                          es[col][i])
    both = start.notna() & end.notna()
    if both.any():
        earlier = pd.Series(False, index=es.index)
        earlier[both] = pd.to_datetime(_obj(end[both])) < pd.to_datetime(_obj(start[both]))
        for i in _rows(earlier):
            yield Failure("estimates", i, "period_end", "date-order", "is before period_start", end[i])
    derived, how = _obj(es["derived"]), es["derivation"]
    for i in _rows((derived == True) & how.isna()):  # noqa: E712 (object column with None)
        yield Failure("estimates", i, "derivation", "estimate-derivation",
                      "a derived figure needs its derivation: say how it was computed from stated figures")
    for i in _rows((derived == False) & how.notna()):  # noqa: E712
        yield Failure("estimates", i, "derivation", "estimate-derivation",
                      "only a derived figure (derived: true) has a derivation", how[i])


def _joined(a, b):
    """Each (a, b) pair as one Arrow string (ids hold no unit separator: their patterns forbid it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow

    def text(x) -> pa.ChunkedArray:
        return (arrow(x) if isinstance(x, pd.Series) else pa.chunked_array([x])).cast(pa.string())

    return pc.binary_join_element_wise(text(a), text(b), "\x1f")


def _pairs_in(a: tuple[pd.Series, pd.Series], b: tuple[pd.Series, pd.Series]) -> np.ndarray:
    """Whether each (a0, a1) pair is among the (b0, b1) pairs, hashed in Arrow."""
    import pyarrow.compute as pc

    found = pc.is_in(_joined(*a), value_set=_joined(*b).unique())
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _cited_by_parent(f: Frames) -> Iterator[Failure]:
    """Every estimate names a source, and the sources of an estimate or a treaty provision are cited
    by its event."""
    cit = (f["citations"]["event_id"], f["citations"]["source_id"])
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, positions

    es, links = f["estimates"], f["estimate_sources"]
    ids = es["estimate_id"]
    active = ~(es["status"].astype("object") == "retracted")  # a retracted figure keeps its id, not a source
    named = positions(ids, links["estimate_id"]) >= 0
    for i in _rows(pd.Series(ids.notna().to_numpy() & active.to_numpy() & ~named, index=es.index)):
        yield Failure("estimates", i, "sources", "estimate-sourced",
                      "names no source; list under sources the cited pages that state the figure")
    at = positions(links["estimate_id"], ids)
    event = pc.take(arrow(es["event_id"]).cast(pa.string()), pa.array(at, mask=at < 0))
    source = arrow(links["source_id"]).cast(pa.string())
    check = pc.and_(pc.is_valid(event), pc.is_valid(source))
    found = pc.is_in(_joined(event.combine_chunks() if isinstance(event, pa.ChunkedArray) else event,
                             source.combine_chunks()), value_set=_joined(*cit).unique())
    bad = pc.and_(check, pc.invert(pc.fill_null(found, False)))
    for i in pc.indices_nonzero(bad).to_pylist():
        yield Failure("estimate_sources", i, "source_id", "estimate-source",
                      f"is not among the citations of event {event[i].as_py()}; cite the page there too",
                      source[i].as_py())
    ob, obs = f["treaty_obligations"], f["obligation_sources"]
    key = pd.MultiIndex.from_arrays([_obj(ob["treaty_id"]).to_numpy(), _obj(ob["obligation_id"]).to_numpy()])
    ob_event = pd.Series(_obj(ob["event_id"]).to_numpy(), index=key)
    ob_event = ob_event[~ob_event.index.duplicated()]
    events = pd.Series([ob_event.get((t, o)) for t, o in zip(_obj(obs["treaty_id"]), _obj(obs["obligation_id"]),
                                                               strict=True)], index=obs.index, dtype="object")
    sources = _obj(obs["source_id"])
    check = events.notna() & sources.notna()  # a missing provision is its key rule's to report
    if check.any():
        bad = check.copy()
        bad[check] = ~_pairs_in((events[check], sources[check]), cit)
        for i in _rows(bad):
            yield Failure("obligation_sources", i, "source_id", "obligation-source",
                          f"is not among the citations of event {events[i]}; cite the page there too", sources[i])


def _sources(f: Frames) -> Iterator[Failure]:
    src = f["sources"]
    date, prec = src["date_published"], src["date_published_precision"]
    if src.empty:
        return
    for i in _rows(date.notna() & prec.isna()):
        yield Failure("sources", i, "date_published_precision", "published-precision",
                      "a publication date needs its precision (published_precision: day or month)")
    for i in _rows(date.isna() & prec.notna()):
        yield Failure("sources", i, "date_published_precision", "published-precision",
                      "a precision without a publication date; leave both out when the page shows no date",
                      prec[i])
    month = prec.astype("object") == "month"
    if month.any():
        d = pd.to_datetime(date[month].astype("object"))
        for i in _rows(pd.Series(d.dt.day != 1, index=d.index).reindex(src.index, fill_value=False)):
            yield Failure("sources", i, "date_published", "date-precision",
                          "month precision: write the 1st of the month", date[i])
    kind, country = src["kind"].astype("object"), src["country"]
    for i in _rows((kind == "state_media") & country.isna()):
        yield Failure("sources", i, "country", "state-media-country",
                      "a state_media source names the state that owns it (ISO 3166-1 alpha-3), such as RUS")
    for i in _rows(kind.notna() & (kind != "state_media") & country.notna()):
        yield Failure("sources", i, "country", "state-media-country",
                      f"only state_media sources name an owning state; this one is {kind[i]}", country[i])


def given_plover_failures(types: pd.Series, given: pd.Series) -> Iterator[Failure]:
    """Records: an event type with its own PLOVER category takes it; a record may not name another."""
    types, given = _obj(types), _obj(given)
    for i in _rows(given.notna()):
        spec = vocab.EVENT_TYPES.get(types[i])
        if spec is not None and spec.plover is not None and given[i] != spec.plover:
            yield Failure("events", i, "plover_category", "plover",
                          f"a {types[i]} takes its type's category {spec.plover}; leave plover out", given[i])


def _plover(f: Frames) -> Iterator[Failure]:
    ev = f["events"]
    types = _obj(ev["event_type"])
    given = _obj(ev["plover_category"])
    coded = [t for t, spec in vocab.EVENT_TYPES.items() if spec.plover is None]
    for i in _rows(types.isin(coded) & given.isna()):
        yield Failure("events", i, "plover_category", "plover",
                      f"a {types[i]} names the PLOVER category of its content (plover), such as DISAPPROVE")


def _countries(f: Frames) -> Iterator[Failure]:
    """Every written country and language code against its registry (tables.ISO3, tables.LANGUAGE)."""
    for name, table in TABLES.items():
        for fld in table.fields:
            if fld.derived:
                continue
            if fld.pattern == ISO3:
                for i in _unknown_codes(f[name][fld.name], ISO3, iso_countries()):
                    yield Failure(name, i, fld.name, "country-code",
                                  "is not an assigned ISO 3166-1 alpha-3 country code", f[name][fld.name][i])
            elif fld.pattern == LANGUAGE:
                for i in _unknown_codes(f[name][fld.name], LANGUAGE, iso_languages()):
                    yield Failure(name, i, fld.name, "language-code",
                                  "is not an ISO 639-1 language code, such as en, ru or ko", f[name][fld.name][i])


def _unknown_codes(column: pd.Series, pattern: str, codes: frozenset[str]) -> list[int]:
    """Rows holding a well-formed code (a malformed one is [pattern]'s) that the registry lacks;
    each distinct code is looked at once (a million sources share a few dozen)."""
    unknown = [v for v in column.dropna().unique().tolist() if re.fullmatch(pattern, str(v)) and v not in codes]
    return _rows(pd.Series(column.isin(unknown).to_numpy(), index=column.index)) if unknown else []
