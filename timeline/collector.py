"""Pausing Python's cyclic garbage collector while the records become tables."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and turn it back on after (if it was on).

    Reading 10,000 records builds about a million dicts, lists and rows that all live until the
    tables are written. Each collector pass walks every one of them again, which was a sixth of
    the build's time (BENCHMARKS.md). The objects are freed by reference counting as usual; only
    reference cycles wait for the collector, until its next pass after the block, and reading
    records makes none (2,000 event files read with it off leave nothing for ``gc.collect()``).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
