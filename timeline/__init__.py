"""russia-dprk-timeline: a curated, sourced, versioned event timeline of the Russia-DPRK partnership.

>>> import timeline
>>> events = timeline.load("events")      # one table as a DataFrame
>>> tables = timeline.load()              # every table, by name
>>> timeline.latest_estimates("2025-06-30", measure="killed")   # the latest figure per estimator
"""

from __future__ import annotations

from .asof import as_known_on, latest_estimates, series
from .load import load  # light: pandas and pyarrow are imported when a table is read

__all__ = ["load", "as_known_on", "latest_estimates", "series", "__version__"]
__version__ = "0.1.0"
