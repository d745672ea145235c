"""As-of queries: the dataset as it was known on a date, the latest figures, and tidy series.

A fact counts as *known* on a date when a source that states it was published by then: an event
by any of its citations, an estimate by any of its ``estimate_sources``. A source published with
month precision counts from the last day of its month; a source that shows no date never counts,
since nothing says it was out by then. Retracted events and estimates are left out.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

Tables = dict[str, "pd.DataFrame"]


def _tables(tables: Tables | None, path: str | os.PathLike[str] | None) -> Tables:
    if tables is not None:
        return tables
    from .load import load

    return load(path=path)


def _day(value: dt.date | str) -> pd.Timestamp:
    import pandas as pd

    return pd.Timestamp(value)


def _known_sources(sources: pd.DataFrame, on: pd.Timestamp) -> set[str]:
    """Ids of the sources out by ``on``: a month-precision date counts from the month's end."""
    import pandas as pd

    date = pd.to_datetime(sources["date_published"])
    month = sources["date_published_precision"].astype("object") == "month"
    available = date.where(~month, date + pd.offsets.MonthEnd(0))
    return set(sources.loc[available.notna() & (available <= on), "source_id"].astype(str))


def as_known_on(date: dt.date | str, tables: Tables | None = None, *,
                path: str | os.PathLike[str] | None = None) -> Tables:
    """The tables as they could have been compiled on ``date``.

    Events, estimates, citations and sources are cut to what a source published by ``date``
    states; participants follow their events. Other tables are returned whole.
    """
    t = _tables(tables, path)
    on = _day(date)
    known = _known_sources(t["sources"], on)
    cit = t["citations"][t["citations"]["source_id"].astype(str).isin(known)]
    active = t["events"]["status"].astype(str) == "active"
    events = t["events"][active & t["events"]["event_id"].astype(str).isin(set(cit["event_id"].astype(str)))]
    ids = set(events["event_id"].astype(str))
    links = t["estimate_sources"][t["estimate_sources"]["source_id"].astype(str).isin(known)]
    es = t["estimates"]
    es = es[(es["status"].astype(str) == "active") & es["event_id"].astype(str).isin(ids)
            & es["estimate_id"].astype(str).isin(set(links["estimate_id"].astype(str)))]
    out = dict(t)
    out["events"] = events.reset_index(drop=True)
    out["citations"] = cit[cit["event_id"].astype(str).isin(ids)].reset_index(drop=True)
    out["sources"] = t["sources"][t["sources"]["source_id"].astype(str).isin(known)].reset_index(drop=True)
    out["estimates"] = es.reset_index(drop=True)
    out["estimate_sources"] = links[links["estimate_id"].astype(str).isin(set(es["estimate_id"].astype(str)))] \
        .reset_index(drop=True)
    out["participants"] = t["participants"][t["participants"]["event_id"].astype(str).isin(ids)] \
        .reset_index(drop=True)
    return out


_SERIES_COLUMNS = ["estimate_id", "event_id", "measure", "estimator_id", "estimator", "as_of", "as_of_precision",
                   "low", "best", "high", "unit", "counts", "period_start", "period_end", "derived"]


def series(measure: str, tables: Tables | None = None, *, known_on: dt.date | str | None = None,
           path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every active figure of one measure as a tidy frame for plotting, oldest first.

    ``as_of`` is a datetime (with its precision kept in ``as_of_precision``); low, best and high
    stay as stated. ``known_on`` limits it to what was published by that date.
    """
    t = _tables(tables, path)
    if known_on is not None:
        t = as_known_on(known_on, t)
    es = t["estimates"]
    es = es[(es["measure"].astype(str) == measure) & (es["status"].astype(str) == "active")].copy()
    names = dict(zip(t["actors"]["actor_id"].astype(str), t["actors"]["name"].astype(str), strict=True))
    es["estimator"] = es["estimator_id"].astype(str).map(names).astype("string")
    for col in ("as_of", "period_start", "period_end"):
        es[col] = es[col].astype("datetime64[ms]")
    return es[_SERIES_COLUMNS].sort_values(["as_of", "estimate_id"]).reset_index(drop=True)


def latest_estimates(date: dt.date | str | None = None, tables: Tables | None = None, *,
                     measure: str | None = None, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The latest figure per measure and estimator, as known on ``date`` (today by default).

    Only figures a source published by ``date`` states count, and only those whose ``as_of`` is
    not after it; among an estimator's figures of one measure the latest ``as_of`` wins (ties: the
    higher estimate id, the later record).
    """
    t = _tables(tables, path)
    on = _day(date or dt.date.today())
    t = as_known_on(on, t)
    es = t["estimates"]
    if measure is not None:
        es = es[es["measure"].astype(str) == measure]
    es = es[es["as_of"].astype("datetime64[ms]") <= on]
    frames = [series(m, {**t, "estimates": es}) for m in sorted(set(es["measure"].astype(str)))]
    if not frames:
        return series("", {**t, "estimates": es.iloc[:0]})
    import pandas as pd

    rows = pd.concat(frames, ignore_index=True)
    rows = rows.sort_values(["measure", "estimator_id", "as_of", "estimate_id"])
    return rows.groupby(["measure", "estimator_id"], observed=True, sort=True).tail(1).reset_index(drop=True)
