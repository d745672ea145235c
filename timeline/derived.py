"""The derived columns of events (category, plover_category, confidence), by the documented rule.

The build fills them with ``expected_derived``; ``validate --package`` checks a package's against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import vocab
from .frame import Frame

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .columns import Frames
    from .frame import Column


def expected_derived(f: Frames) -> Frame:
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
    return Frame(pa.table({"category": category, "plover_category": plover, "confidence": confidence}))


def _per_event_sources(f: Frames) -> tuple[np.ndarray, np.ndarray]:
    """Per event: the number of distinct originating agencies, and whether any source is strong.

    A source's originating agency is its ``agency``, else its publisher; an aggregator that names no
    agency originates nothing. Strong: a wire, an official text, or state media of a state whose actor
    takes part in the event (``vocab.CONFIDENCE_RULE_VERSION``). Ids may repeat in a broken package:
    the first row of a key is the one looked up (``lookups.positions``, shared with the key rules).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise
    from .lookups import positions

    ev, cit, src = f["events"], f["citations"], f["sources"]
    n = len(ev)
    event = positions(cit["event_id"], ev["event_id"])
    source = positions(cit["source_id"], src["source_id"])
    keep = (event >= 0) & (source >= 0)
    event, source = event[keep], source[keep]

    def text(column: pd.Series | Column) -> pa.ChunkedArray:
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
    from .lookups import sorted_ints

    keys = sorted_ints(keys)
    return keys if len(keys) < 2 else keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
