"""Rules of the research model (release 2.0.0): a source for every figure, structured estimates,
dated sources, state media tied to their state, coded statements and real country codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from . import vocab
from .columns import Failure, Frames
from .tables import ISO3, LANGUAGE, TABLES

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def _where(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def _col(series: pd.Series) -> pa.ChunkedArray:
    from .arrowops import arrow

    return arrow(series)


def _valid(series: pd.Series) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.is_valid(_col(series)).to_numpy(zero_copy_only=False)


def _mask(column: pa.ChunkedArray, fn) -> np.ndarray:
    """``fn`` on each value (once per distinct value of a dictionary column); nulls give false."""
    import pyarrow.compute as pc

    from .arrowops import elementwise

    return pc.fill_null(elementwise(column, fn), False).to_numpy(zero_copy_only=False)


def _eq(series: pd.Series, value: object) -> np.ndarray:
    import pyarrow.compute as pc

    return _mask(_col(series), lambda c: pc.equal(c, value))


def _date(series: pd.Series) -> pa.ChunkedArray:
    import pyarrow as pa

    return _col(series).cast(pa.date32())


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
    """The research-model rules; run after the key look-ups (they reuse the foreign keys' positions)."""
    yield from _estimates(f)
    yield from _cited_by_parent(f)
    yield from _sources(f)
    yield from _plover(f)
    yield from _countries(f)


def _estimates(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    es = f["estimates"]
    counts = es["counts"]
    period = _eq(counts, "period")
    has_start, has_end = _valid(es["period_start"]), _valid(es["period_end"])
    for i in _where(period & ~has_start):
        yield Failure("estimates", i, "period_start", "estimate-period",
                      "a period estimate needs period_start and period_end")
    for i in _where(period & has_start & ~has_end):
        yield Failure("estimates", i, "period_end", "estimate-period",
                      "a period estimate needs period_start and period_end")
    counted = _valid(counts)
    for col, has in (("period_start", has_start), ("period_end", has_end)):
        for i in _where(counted & ~period & has):
            yield Failure("estimates", i, col, "estimate-period",
                          f"only a period estimate (counts: period) has {col}; this one counts {counts[i]}",
                          es[col][i])
    if (has_start & has_end).any():
        earlier = pc.fill_null(pc.less(_date(es["period_end"]), _date(es["period_start"])), False)
        for i in _where(earlier.to_numpy(zero_copy_only=False)):
            yield Failure("estimates", i, "period_end", "date-order", "is before period_start", es["period_end"][i])
    derived, has_how = _col(es["derived"]), _valid(es["derivation"])
    for i in _where(_mask(derived, lambda c: pc.equal(c, True)) & ~has_how):
        yield Failure("estimates", i, "derivation", "estimate-derivation",
                      "a derived figure needs its derivation: say how it was computed from stated figures")
    for i in _where(_mask(derived, lambda c: pc.equal(c, False)) & has_how):
        yield Failure("estimates", i, "derivation", "estimate-derivation",
                      "only a derived figure (derived: true) has a derivation", es["derivation"][i])


def _joined(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each (a, b) pair as one Arrow string (ids hold no unit separator: their patterns forbid it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(a.cast(pa.string()), b.cast(pa.string()), "\x1f")


class _Cited:
    """Which (event, source) pairs the citations hold. Pairs are compared as (event row, source row)
    integers from the foreign keys' look-ups; a pair with an id that names no row (already a
    foreign-key failure) falls back to comparing the ids' text, as the rule is written."""

    def __init__(self, f: Frames) -> None:
        from .lookups import positions, sorted_ints

        cit = f["citations"]
        self.f = f
        self.width = len(f["sources"]) + 1
        ev = positions(cit["event_id"], f["events"]["event_id"])
        src = positions(cit["source_id"], f["sources"]["source_id"])
        ok = (ev >= 0) & (src >= 0)
        # Sorted already when the citations are (by event, then source: as every build writes them).
        self.known = sorted_ints(ev[ok] * self.width + src[ok])
        self._text: pa.ChunkedArray | None = None

    def contains(self, event: np.ndarray, source: np.ndarray, event_text: pa.Array,
                 source_text: pa.Array) -> np.ndarray:
        """Whether each pair is cited; ``event``/``source`` are row positions (-1: no such row) and
        the ``*_text`` arrays the ids as written (for those)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from .lookups import among_sorted

        rows = (event >= 0) & (source >= 0)
        found = np.zeros(len(event), dtype=bool)
        found[rows] = among_sorted(event[rows] * self.width + source[rows], self.known)
        rest = np.flatnonzero(~rows)
        if len(rest):
            if self._text is None:
                cit = self.f["citations"]
                self._text = _joined(_col(cit["event_id"]), _col(cit["source_id"])).unique()
            pick = pa.array(rest)
            pairs = _joined(*(pa.chunked_array([pc.take(text, pick)]) for text in (event_text, source_text)))
            found[rest] = pc.fill_null(pc.is_in(pairs, value_set=self._text), False).to_numpy(zero_copy_only=False)
        return found


def _cited_by_parent(f: Frames) -> Iterator[Failure]:
    """Every estimate names a source, and the sources of an estimate or a treaty provision are cited
    by its event."""
    import pyarrow.compute as pc

    from .lookups import covered, positions

    es, links = f["estimates"], f["estimate_sources"]
    ids = es["estimate_id"]
    active = ~_eq(es["status"], "retracted")  # a retracted figure keeps its id, not a source
    named = covered(ids, [links["estimate_id"]])
    for i in _where(_valid(ids) & active & ~named):
        yield Failure("estimates", i, "sources", "estimate-sourced",
                      "names no source; list under sources the cited pages that state the figure")
    cited = _Cited(f)
    for i, message, value in _uncited(f, cited, "estimate_sources", es, positions(links["estimate_id"], ids)):
        yield Failure("estimate_sources", i, "source_id", "estimate-source", message, value)
    ob, obs = f["treaty_obligations"], f["obligation_sources"]
    if not len(obs):
        return
    # The provision each source row belongs to (the first, if a key repeats: that is the key rule's).
    key = _joined(_col(ob["treaty_id"]), _col(ob["obligation_id"])).combine_chunks()
    at = pc.fill_null(pc.index_in(_joined(_col(obs["treaty_id"]), _col(obs["obligation_id"])), value_set=key),
                      -1).to_numpy(zero_copy_only=False).astype(np.int64)
    for i, message, value in _uncited(f, cited, "obligation_sources", ob, at):
        yield Failure("obligation_sources", i, "source_id", "obligation-source", message, value)


def _uncited(f: Frames, cited: _Cited, name: str, parent: pd.DataFrame,
             at: np.ndarray) -> Iterator[tuple[int, str, str]]:
    """Rows of the link table ``name`` whose source its parent's event (``parent`` row ``at``; -1 for
    none) does not cite. A link with no parent or no source is its key rules' to report."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .lookups import positions

    links = f[name]
    event_text = pc.take(_col(parent["event_id"]).cast(pa.string()), pa.array(at, mask=at < 0))
    event_text = event_text.combine_chunks() if isinstance(event_text, pa.ChunkedArray) else event_text
    event = np.where(at >= 0, positions(parent["event_id"], f["events"]["event_id"])[np.maximum(at, 0)], -1)
    source_text = _col(links["source_id"]).cast(pa.string()).combine_chunks()
    source = positions(links["source_id"], f["sources"]["source_id"])
    check = pc.and_(pc.is_valid(event_text), pc.is_valid(source_text)).to_numpy(zero_copy_only=False)
    if check.any():
        bad = check & ~cited.contains(event, source, event_text, source_text)
        for i in _where(bad):
            yield (i, f"is not among the citations of event {event_text[i].as_py()}; cite the page there too",
                   source_text[i].as_py())


def _sources(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    src = f["sources"]
    if not len(src):
        return
    date, prec = src["date_published"], src["date_published_precision"]
    dated, precise = _valid(date), _valid(prec)
    for i in _where(dated & ~precise):
        yield Failure("sources", i, "date_published_precision", "published-precision",
                      "a publication date needs its precision (published_precision: day or month)")
    for i in _where(~dated & precise):
        yield Failure("sources", i, "date_published_precision", "published-precision",
                      "a precision without a publication date; leave both out when the page shows no date",
                      prec[i])
    month = _eq(prec, "month")
    if month.any():
        not_first = pc.fill_null(pc.not_equal(pc.day(_date(date)), 1), False).to_numpy(zero_copy_only=False)
        for i in _where(month & not_first):
            yield Failure("sources", i, "date_published", "date-precision",
                          "month precision: write the 1st of the month", date[i])
    state, has_country = _eq(src["kind"], "state_media"), _valid(src["country"])
    for i in _where(state & ~has_country):
        yield Failure("sources", i, "country", "state-media-country",
                      "a state_media source names the state that owns it (ISO 3166-1 alpha-3), such as RUS")
    for i in _where(_valid(src["kind"]) & ~state & has_country):
        yield Failure("sources", i, "country", "state-media-country",
                      f"only state_media sources name an owning state; this one is {src['kind'][i]}",
                      src["country"][i])


def given_plover_failures(types: pd.Series, given: pd.Series) -> Iterator[Failure]:
    """Records: an event type with its own PLOVER category takes it; a record may not name another."""
    for i in _where(_valid(given)):
        spec = vocab.EVENT_TYPES.get(types[i])
        if spec is not None and spec.plover is not None and given[i] != spec.plover:
            yield Failure("events", i, "plover_category", "plover",
                          f"a {types[i]} takes its type's category {spec.plover}; leave plover out", given[i])


def _plover(f: Frames) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    ev = f["events"]
    coded = pa.array([t for t, spec in vocab.EVENT_TYPES.items() if spec.plover is None], pa.string())
    open_type = _mask(_col(ev["event_type"]), lambda c: pc.is_in(c.cast(pa.string()), value_set=coded))
    for i in _where(open_type & ~_valid(ev["plover_category"])):
        yield Failure("events", i, "plover_category", "plover",
                      f"a {ev['event_type'][i]} names the PLOVER category of its content (plover), such as DISAPPROVE")


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
    import pyarrow as pa
    import pyarrow.compute as pc

    values = _col(column)
    distinct = pc.drop_null(pc.unique(values)).cast(pa.string()).to_pylist()
    unknown = [v for v in distinct if re.fullmatch(pattern, v) and v not in codes]
    if not unknown:
        return []
    wanted = pa.array(unknown, pa.string())
    return _where(_mask(values, lambda c: pc.is_in(c.cast(pa.string()), value_set=wanted)))
