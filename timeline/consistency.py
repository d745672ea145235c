"""Rules that hold across one record's parts: an estimate and its event, a treaty and its milestones.

- ``estimate-id``: an estimate's id is its own event's id and ``-e<n>`` (ids are written, not made up);
- ``estimator-participant``: the actor who made an estimate is among its event's participants, in
  whatever role the event gives it (the curated data names every estimator there, as ``estimator``,
  ``sanctioning_authority``, ``investigator``...); the role is not derived from the estimates;
- ``treaty-milestone``: an event that is a milestone of a treaty does not end before its signature;
- ``percentage``: a share (unit ``percent``) lies within 0-100.

Each rule is vectorised in Arrow and checks only rows whose inputs are well formed and found: a
malformed or dangling value is its own rule's to report.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .columns import Failure, Frames
from .tables import ESTIMATE_ID


def rule_consistency(f: Frames) -> Iterator[Failure]:
    yield from _estimate_ids(f)
    yield from _estimators(f)
    yield from _milestones(f)
    yield from _percentages(f)


def _text(series):
    import pyarrow as pa

    from .arrowops import arrow

    return arrow(series).cast(pa.string())


def _estimate_ids(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    from .arrowops import arrow, matches, true_rows

    es = f["estimates"]
    ids, events = _text(es["estimate_id"]), _text(es["event_id"])
    stored = arrow(es["estimate_id"])  # the pattern rule's column: its answer is shared
    shaped = matches(stored if stored.type == ids.type else ids, ESTIMATE_ID)  # else [pattern] says why
    # Where the id is shaped, it ends in -e and digits: less its trailing digits it must be the
    # event's id and -e (a trim and a join: a third of the regex replacement's time).
    own = pc.equal(pc.ascii_rtrim(ids, characters="0123456789"), pc.binary_join_element_wise(events, "-e", ""))
    for i in true_rows(pc.and_(shaped, pc.invert(own))).tolist():
        event = events[i].as_py()
        yield Failure("estimates", i, "estimate_id", "estimate-id",
                      f"must be its event's id followed by -e<number>, such as {event}-e1", ids[i].as_py())


def _estimators(f: Frames) -> Iterator[Failure]:
    """Each estimator is among its event's participants. Pairs are compared as (event row, actor row)
    integers from the foreign keys' look-ups; an estimate whose event id names no event (already a
    foreign-key failure) is compared by the ids' text, as the rule is written."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .lookups import among_sorted, positions, sorted_ints

    es, parts, actors, events = f["estimates"], f["participants"], f["actors"], f["events"]
    est_actor = positions(es["estimator_id"], actors["actor_id"])
    part_actor = positions(parts["actor_id"], actors["actor_id"])
    est_event = positions(es["event_id"], events["event_id"])
    part_event = positions(parts["event_id"], events["event_id"])
    known = est_actor >= 0  # else [foreign-key] says why
    # An event with a participant that names no actor may have misspelled the estimator there: that
    # participant's own problem says so.
    unknown = part_actor < 0
    doubtful = np.zeros(len(events) + 1, dtype=bool)
    doubtful[part_event[unknown & (part_event >= 0)]] = True
    found = est_event >= 0
    known &= ~np.where(found, doubtful[np.maximum(est_event, 0)], False)
    width = len(actors) + 1
    ok = (part_event >= 0) & (part_actor >= 0)
    listed_pairs = sorted_ints(part_event[ok] * width + part_actor[ok])
    bad = np.zeros(len(es), dtype=bool)
    rows = np.flatnonzero(found & known)
    bad[rows] = ~among_sorted(est_event[rows] * width + est_actor[rows], listed_pairs)
    events_text = _text(es["event_id"])
    rest = np.flatnonzero(~found & known & pc.is_valid(events_text).to_numpy(zero_copy_only=False))
    if len(rest):  # event ids that name no event: compare the ids as written
        from .sourcing import _joined

        p_events, p_actors = _text(parts["event_id"]), _text(parts["actor_id"])
        doubtful_ids = pc.unique(pc.filter(p_events, pa.array(unknown)))
        pick = pa.array(rest)
        mine = pa.chunked_array([pc.take(events_text, pick)])
        pairs = _joined(mine, pa.chunked_array([pc.take(_text(es["estimator_id"]), pick)]))
        listed = pc.fill_null(pc.is_in(pairs, value_set=_joined(p_events, p_actors).unique()), True)
        skip = pc.fill_null(pc.is_in(mine, value_set=pc.drop_null(doubtful_ids)), False)
        bad[rest] = pc.and_(pc.invert(listed), pc.invert(skip)).to_numpy(zero_copy_only=False)
    ids = _text(es["estimator_id"])
    for i in np.flatnonzero(bad).tolist():
        yield Failure("estimates", i, "estimator_id", "estimator-participant",
                      "is not among the event's participants; list the estimator under participants (in its "
                      "role at the event, such as estimator)", ids[i].as_py())


def _milestones(f: Frames) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import true_rows
    from .checks import _dates
    from .lookups import positions

    ev, tr = f["events"], f["treaties"]
    at = positions(ev["treaty_id"], tr["treaty_id"])
    signed = pc.take(_dates(tr["date_signed"]), pa.array(at, mask=at < 0))
    ends = pc.coalesce(_dates(ev["date_end"]), _dates(ev["date_start"]))
    treaty = _text(ev["treaty_id"])
    for i in true_rows(pc.less(ends, signed)).tolist():
        yield Failure("events", i, "treaty_id", "treaty-milestone",
                      f"the event ends before the treaty was signed ({signed[i].as_py().isoformat()}); a "
                      "milestone cannot come before the signature", treaty[i].as_py())


def _percentages(f: Frames) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow, elementwise, true_rows

    es = f["estimates"]
    percent = pc.fill_null(elementwise(arrow(es["unit"]), lambda c: pc.equal(c, "percent")), False)
    for col in ("low", "best", "high"):
        values = arrow(es[col]).cast(pa.float64(), safe=False)
        for i in true_rows(pc.and_(percent, pc.greater(values, 100))).tolist():
            yield Failure("estimates", i, col, "percentage", "a share in percent lies within 0-100",
                          es[col][i])
