"""russia-dprk-timeline: a curated, sourced, versioned event timeline of the Russia-DPRK partnership.

>>> import timeline
>>> events = timeline.load("events")      # one table as a DataFrame
>>> tables = timeline.load()              # every table, by name
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "__version__"]
__version__ = "0.1.0"


def load(*args: Any, **kwargs: Any) -> Any:
    """Load the package's tables; see ``timeline.load.load``. Imported lazily to keep start-up fast."""
    from .load import load as _load

    return _load(*args, **kwargs)
