"""Key look-ups shared by the rules: positions of references among their keys, duplicate keys, sets.

The foreign keys, the orphan and citation rules and the derived confidence all map the same child
columns onto the same parent keys; inside ``memo`` each look-up is computed once. A built package
is sorted by its keys, which the look-ups use: a child column sorted like its parent is matched by
its runs, often with no hashing at all; integer pair keys are matched by binary search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from .arrowops import arrow

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .frame import Frame


# Look-ups shared by the rules of one check run (the foreign keys, orphans, citations and the
# derived confidence all map the same child columns onto the same parent keys).
_MEMO: dict[tuple, tuple] | None = None


@contextmanager
def memo() -> Iterator[None]:
    """Share look-ups between the rules run inside; nothing is kept afterwards."""
    global _MEMO
    outer = _MEMO
    _MEMO = {} if outer is None else outer
    try:
        yield
    finally:
        _MEMO = outer


def _key(objects: tuple) -> tuple[int, ...]:
    return tuple(id(o) for o in objects)


def shared(objects: tuple, compute: Callable[[], object]) -> object:
    """``compute()``, computed once per ``objects`` (by identity) inside ``memo``; always outside it."""
    if _MEMO is None:
        return compute()
    key = _key(objects)
    if key not in _MEMO:
        _MEMO[key] = (objects, compute())  # holding the objects keeps their ids from being reused
    return _MEMO[key][1]


def _remember(objects: tuple, value: object) -> None:
    """Keep ``value`` as ``shared(objects, ...)``'s answer inside ``memo`` (nothing outside it)."""
    if _MEMO is not None:
        _MEMO[_key(objects)] = (objects, value)


def _recall(objects: tuple) -> object | None:
    """What ``_remember`` or ``shared`` keeps for ``objects`` inside ``memo``; None when nothing is."""
    found = None if _MEMO is None else _MEMO.get(_key(objects))
    return None if found is None else found[1]


def _sorted_runs(column: pa.ChunkedArray) -> np.ndarray | None:
    """The run starts of a column a look-up found sorted, each run one of its parent's keys; else None."""
    return _recall((column, _sorted_runs))


def _runs(column: pa.ChunkedArray) -> np.ndarray | None:
    """Start of each run of equal neighbours (a child table sorted by its parent's id repeats it row
    after row); None for a short column or one with nulls."""
    import pyarrow.compute as pc

    n = len(column)
    if n < _MIN_RUN_ROWS or column.null_count:
        return None
    change = pc.not_equal(column.slice(1), column.slice(0, n - 1))  # chunked: no copy of the strings
    return np.concatenate([[0], np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1])


def _rarely_repeats(column: pa.ChunkedArray) -> bool:
    """Whether a sample of neighbouring rows shows the column unsorted (then its runs cannot be the
    sorted keys) and changing too often for its runs to be worth looking up (``_WORTH_RUNS``): then
    finding the runs would cost a comparison of every neighbour for nothing. Only the strategy
    depends on it, never a result."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(column)
    if n < _MIN_RUN_ROWS or column.null_count:
        return False
    this, after = [], []
    for chunk in column.chunks:  # a take from a chunked array would first join its chunks
        if len(chunk) > 1:
            at = pa.array(np.linspace(0, len(chunk) - 2, num=max(1, _SAMPLE * len(chunk) // n), dtype=np.int64))
            this.append(pc.take(chunk, at))
            after.append(pc.take(chunk, pc.add(at, 1)))
    if not this:
        return False
    a, b = pa.chunked_array(this, column.type), pa.chunked_array(after, column.type)
    changes = pc.sum(pc.not_equal(a, b).cast(pa.int64())).as_py() or 0
    return bool(pc.any(pc.greater(a, b)).as_py()) and changes > _WORTH_RUNS * len(a)


# Columns shorter than this are looked up row by row; _rarely_repeats samples this many pairs of
# neighbours; the runs are looked up instead of the rows when there are at most _WORTH_RUNS per row.
_MIN_RUN_ROWS = 1000
_SAMPLE = 1024
_WORTH_RUNS = 0.75


def _expand(found: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    return np.repeat(found, np.diff(starts, append=n))


def _probe(column: pa.ChunkedArray, known: pa.ChunkedArray) -> tuple[pa.ChunkedArray | None, Callable]:
    """What to look up for ``column`` in ``known``, and how to turn the answer into one position per
    row. When the column's runs are exactly the unique sorted keys (every parent row has children,
    as built packages are sorted), no look-up is needed at all: the answer is ``(None, positions)``.
    Otherwise the runs are looked up when that saves at least a quarter of the look-ups."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(column)
    starts = None if _rarely_repeats(column) else _runs(column)
    if starts is None:
        return column.cast(pa.string()), lambda found: found
    if len(starts) == len(known):
        values = pc.take(column, pa.array(starts)).cast(pa.string())
        if unique_key_arrow(known) and pc.all(pc.equal(values, known.cast(pa.string()))).as_py():
            _remember((column, _sorted_runs), starts)  # the column is sorted: its key order is known
            return None, lambda _: _expand(np.arange(len(known), dtype=np.int64), starts, n)
    if len(starts) > _WORTH_RUNS * n:
        return column.cast(pa.string()), lambda found: found
    values = pc.take(column, pa.array(starts)).cast(pa.string())
    return values, lambda found: _expand(found, starts, n)


def positions(values: pd.Series, known: pd.Series) -> np.ndarray:
    """Row of ``known`` holding each value (the first, if repeated); -1 where absent or null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    v, k = arrow(values), arrow(known)

    def compute() -> np.ndarray:
        probe, expand = _probe(v, k)
        if probe is None:
            return expand(None)
        value_set = k.cast(pa.string()).combine_chunks()
        found = pc.index_in(probe, value_set=value_set, skip_nulls=True)
        return expand(pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64))

    return shared((v, k, positions), compute)


def prefetch(pairs: list[tuple[pd.Series, pd.Series]]) -> None:
    """Compute ``positions`` for many (values, known) pairs, hashing each ``known`` column once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _MEMO is None:
        return
    groups: dict[int, list[pd.Series]] = {}
    parents: dict[int, pa.ChunkedArray] = {}
    for values, known in pairs:
        k = arrow(known)
        parents[id(k)] = k
        groups.setdefault(id(k), []).append(values)
    for key, children in groups.items():
        k = parents[key]
        columns = list({id(c): c for c in (arrow(v) for v in children)}.values())
        todo = []
        for c in columns:
            if (id(c), id(k), id(positions)) in _MEMO:
                continue
            probe, expand = _probe(c, k)
            if probe is None:
                _MEMO[(id(c), id(k), id(positions))] = ((c, k, positions), expand(None))
            else:
                todo.append((c, probe, expand))
        if not todo:
            continue
        joined = pa.chunked_array([ch for _, probe, _ in todo for ch in probe.chunks], pa.string())
        found = pc.index_in(joined, value_set=k.cast(pa.string()).combine_chunks(), skip_nulls=True)
        found = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        start = 0
        for c, probe, expand in todo:
            _MEMO[(id(c), id(k), id(positions))] = ((c, k, positions), expand(found[start: start + len(probe)]))
            start += len(probe)


def unique_key(series: pd.Series) -> bool:
    """True when the column has no nulls and strictly increases, so each value names one row
    (a built package is sorted by its keys). False means only "not known to be unique"."""
    return unique_key_arrow(arrow(series))


def unique_key_arrow(column: pa.ChunkedArray) -> bool:
    return bool(shared((column, unique_key), lambda: len(column) < 2 and not column.null_count or (
        not column.null_count and _strictly_increasing([column]))))


def covered(parent: pd.Series, children: list[pd.Series]) -> np.ndarray:
    """``parent.isin(children)``; from the children's positions in ``parent`` when its keys are unique."""
    if not unique_key(parent):
        return isin(parent, children)
    hit = np.zeros(len(parent), dtype=bool)
    for child in children:
        pos = positions(child, parent)
        hit[pos[pos >= 0]] = True
    return hit


def _strictly_increasing(columns: list[pa.ChunkedArray]) -> bool:
    """Whether rows are in strictly increasing key order (as ``timeline build`` writes them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(columns[0])
    less, equal = None, None
    for i, c in enumerate(columns):
        starts = _sorted_runs(c) if i == 0 and len(columns) > 1 else None
        if starts is not None:  # sorted, as its foreign-key look-up found: it rises exactly where a run starts
            rises = np.zeros(n - 1, dtype=bool)
            rises[starts[1:] - 1] = True
            less, equal = pa.array(rises), pa.array(~rises)
            continue
        a, b = c.slice(0, n - 1), c.slice(1)
        lt = pc.less(a, b)
        less = lt if less is None else pc.or_(less, pc.and_(equal, lt))
        if i < len(columns) - 1:  # the last column's ties are not needed: a tie there is not increasing
            eq = pc.equal(a, b)
            equal = eq if equal is None else pc.and_(equal, eq)
    return bool(pc.all(less).as_py())


def sorted_ints(keys: np.ndarray) -> np.ndarray:
    """``keys`` in increasing order; a column built in key order is returned as it is (no sort)."""
    return keys if len(keys) < 2 or (keys[1:] >= keys[:-1]).all() else np.sort(keys)


def among_sorted(keys: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Whether each integer key is in ``known``, which ``sorted_ints`` has put in order (a binary
    search: cheaper than hashing the millions of (row, row) pair keys of the citation rules)."""
    if not len(known):
        return np.zeros(len(keys), dtype=bool)
    return known[np.minimum(np.searchsorted(known, keys), len(known) - 1)] == keys


def duplicated(df: pd.DataFrame | Frame, cols: tuple[str, ...] | list[str]) -> np.ndarray:
    """Rows whose key occurs more than once. A null single-column key never counts; in a
    compound key a null is a value like any other (as Python tuples compare)."""
    import pyarrow.compute as pc

    n = len(df)
    if n < 2 or len(cols) == 1 and unique_key(df[cols[0]]):
        return np.zeros(n, dtype=bool)
    columns = [arrow(df[c]) for c in cols]
    if not any(c.null_count for c in columns) and _strictly_increasing(columns):
        return np.zeros(n, dtype=bool)
    codes = np.zeros(n, dtype=np.int64)
    for c in columns:
        part, distinct = _codes(c)
        codes = np.unique(codes * (distinct + 1) + part, return_inverse=True)[1].reshape(-1)
    dup = np.bincount(codes)[codes] > 1
    if len(cols) == 1:
        dup &= pc.is_valid(columns[0]).to_numpy(zero_copy_only=False)
    return dup


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """One integer per row, equal for equal values and a null a value of its own; and how many there are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(encoded.dictionary)


def isin(values: pd.Series, known: pd.Series | list[pd.Series]) -> np.ndarray:
    """``values.isin(known)`` as a numpy mask, hashing in Arrow (nulls match nulls, as in pandas)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = known if isinstance(known, list) else [known]
    chunks = [ch for p in parts for ch in arrow(p).cast(pa.string()).chunks]
    value_set = pa.chunked_array(chunks, pa.string()).combine_chunks() if chunks else pa.array([], pa.string())
    mask = pc.is_in(arrow(values).cast(pa.string()), value_set=value_set)
    return mask.to_numpy(zero_copy_only=False).astype(bool)
