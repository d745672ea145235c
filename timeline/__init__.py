"""russia-dprk-timeline: a curated, sourced, versioned event timeline of the Russia-DPRK partnership.

>>> import timeline
>>> events = timeline.load("events")      # one table as a DataFrame
>>> tables = timeline.load()              # every table, by name
"""

from __future__ import annotations

from .load import load  # light: pandas and pyarrow are imported when a table is read

__all__ = ["load", "__version__"]
__version__ = "0.1.0"
