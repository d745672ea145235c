"""russia-dprk-timeline: a curated, sourced, versioned event timeline of the Russia-DPRK partnership.

>>> import timeline
>>> events = timeline.load("events")      # one table as a DataFrame
>>> tables = timeline.load()              # every table, by name
>>> timeline.latest_estimates("2025-06-30", measure="killed")   # the latest figure per estimator
>>> timeline.__version__                  # the data version: the wheel's, the descriptor's, events.attrs'
"""

from __future__ import annotations

from .asof import as_known_on, latest_estimates, series
from .load import load  # light: pandas and pyarrow are imported when a table is read

__all__ = ["load", "as_known_on", "latest_estimates", "series", "__version__"]


def __getattr__(name: str) -> str:
    # The data version, read from the package's descriptor when asked (see timeline.about).
    if name == "__version__":
        from .about import version

        return version()
    raise AttributeError(f"module 'timeline' has no attribute {name!r}")
