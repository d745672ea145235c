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
import pandas as pd

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

    from .arrowops import true_rows

    es = f["estimates"]
    ids, events = _text(es["estimate_id"]), _text(es["event_id"])
    shaped = pc.match_substring_regex(ids, ESTIMATE_ID)  # else [pattern] says why
    own = pc.equal(pc.replace_substring_regex(ids, r"-e[0-9]+$", ""), events)
    for i in true_rows(pc.and_(shaped, pc.invert(own))).tolist():
        event = events[i].as_py()
        yield Failure("estimates", i, "estimate_id", "estimate-id",
                      f"must be its event's id followed by -e<number>, such as {event}-e1", ids[i].as_py())


def _estimators(f: Frames) -> Iterator[Failure]:
    import pyarrow.compute as pc

    from .arrowops import positions
    from .sourcing import _joined

    es, parts = f["estimates"], f["participants"]
    known = positions(es["estimator_id"], f["actors"]["actor_id"]) >= 0  # else [foreign-key] says why
    # An event with a participant that names no actor may have misspelled the estimator there: that
    # participant's own problem says so.
    unknown = positions(parts["actor_id"], f["actors"]["actor_id"]) < 0
    if unknown.any():
        doubtful = pd.Series(parts["event_id"].to_numpy()[unknown]).dropna().unique().tolist()
        known &= ~es["event_id"].isin(doubtful).to_numpy()
    pairs = _joined(es["event_id"], es["estimator_id"])
    listed = pc.fill_null(pc.is_in(pairs, value_set=_joined(parts["event_id"], parts["actor_id"]).unique()), True)
    bad = known & ~listed.to_numpy(zero_copy_only=False).astype(bool)  # a null pair (no event) is not checked
    ids = _text(es["estimator_id"])
    for i in np.flatnonzero(bad).tolist():
        yield Failure("estimates", i, "estimator_id", "estimator-participant",
                      "is not among the event's participants; list the estimator under participants (in its "
                      "role at the event, such as estimator)", ids[i].as_py())


def _milestones(f: Frames) -> Iterator[Failure]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import positions, true_rows
    from .checks import _dates

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
