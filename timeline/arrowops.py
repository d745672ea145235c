"""Vectorised building blocks on Arrow-backed columns: the column rules, duplicate keys, set lookups.

The checks run on tables of millions of rows (UCDP- or ACLED-sized timelines), so nothing here
turns a column into Python objects: values stay in Arrow and are visited only where a rule fails.
``failing_cells`` applies exactly the rules of ``schemas.schema_pandera`` (same regexes, same
RE2 engine that pandas uses for Arrow strings); tests/test_fast_paths.py checks the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from .frame import Column, Frame
from .schemas import TEXT_RULES, allowed_values
from .tables import PLAIN_PATTERNS, TABLES, Field

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# One failed cell: (row, column, rule, value); the caller turns it into its own record type.
Cell = tuple[int, str, str, object]
# Bytes that may start or end a string matched by schemas.SPACE (ASCII whitespace, any non-ASCII
# byte): a superset, used only to skip the exact regex on columns that cannot fail it.
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[0x80:] = True
# The C1 controls U+0080..U+009F, C2 80..C2 9F in UTF-8 (C0 controls and DEL are single bytes).
# Both patterns start with a literal, which ``re`` scans for as fast as ``bytes.find``.
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_DOUBLE_SPACE = re.compile(rb"  ")


def arrow(series: pd.Series | Column | pa.ChunkedArray) -> pa.ChunkedArray:
    """The column as Arrow, without a copy when it is Arrow-backed already (a ``frame.Column`` always is)."""
    import pyarrow as pa

    if isinstance(series, Column):
        return series.values
    if isinstance(series, pa.ChunkedArray):
        return series
    values = series.array
    out = values.__arrow_array__() if hasattr(values, "__arrow_array__") else pa.array(series, from_pandas=True)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow-backed frame for the checks: the table's own columns, no copy (dictionary columns stay
    dictionary-encoded; the rules look at their distinct values). The build's tables and a read
    package's are both checked in this form."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series(pd.arrays.ArrowExtensionArray(table[name]), copy=False)
                         for name in table.column_names})


def as_stored(values: pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray:
    """Values in the type the package stores them in (``schemas.schema_arrow``): a controlled
    vocabulary dictionary-encoded."""
    import pyarrow as pa

    if pa.types.is_dictionary(type_):
        return values.cast(type_.value_type).dictionary_encode().cast(type_)
    return values.cast(type_)


def true_rows(mask: pa.ChunkedArray) -> np.ndarray:
    """Positions where ``mask`` is true (nulls count as false)."""
    import pyarrow.compute as pc

    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def _data(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes and offsets of a string chunk, as numpy views."""
    import pyarrow as pa

    offsets_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()[:3]
    offs = np.frombuffer(offsets, dtype=offsets_type)[chunk.offset: chunk.offset + len(chunk) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    return raw[offs[0]: offs[-1]] if len(offs) else raw[:0], offs - (offs[0] if len(offs) else 0)


def _suspects(column: pa.ChunkedArray) -> set[str]:
    """Text rules some value of the column may break, from cheap scans of its bytes (a superset:
    the exact regex then runs only on the columns named here). The scans read the Arrow buffer in
    place: numpy for byte ranges, ``re`` for byte sequences (a bytes copy costs more than the scan)."""
    found: set[str] = set()
    for chunk in column.chunks:
        if len(chunk) == chunk.null_count:
            continue
        data, offs = _data(chunk)
        if not len(data):
            continue
        raw, top = memoryview(data), data.max()
        ascii_only = top < 0x80
        if not ascii_only:  # every invisible character is non-ASCII
            found.update(("unicode-nfc", "invisible-characters"))
        # C0 controls are below 0x20; DEL is 0x7F (none when no byte reaches it).
        if data.min() < 0x20 or top >= 0x7F and (data == 0x7F).any() or not ascii_only and _C1_CONTROL.search(raw):
            found.add("control-characters")
        if _DOUBLE_SPACE.search(raw):
            found.add("double-space")
        # First and last byte of every value (an empty value reads a neighbour's byte: only a false alarm).
        edges = np.concatenate([np.take(data, offs[:-1], mode="clip"), np.take(data, offs[1:] - 1, mode="clip")])
        if (edges <= 0x20).any() if ascii_only else _EDGE[edges].any():
            found.add("whitespace")
    return found


def _few_values(column: pa.ChunkedArray) -> bool:
    """Whether a column repeats a handful of values (versions, codes): then check each value once."""
    import pyarrow.compute as pc

    head = column.slice(0, 2000)
    return len(column) > 5000 and len(pc.unique(head)) <= 20


def _failing(column: pa.ChunkedArray, test: Callable[[pa.ChunkedArray], pa.ChunkedArray]) -> np.ndarray:
    """Rows where ``test`` (true = passes) fails; low-cardinality columns are tested per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _few_values(column):
        distinct = pc.drop_null(pc.unique(column))
        passed = pc.fill_null(test(pa.chunked_array([distinct])), True).combine_chunks()
        bad = pc.filter(distinct, pc.invert(passed))
        if len(bad) == 0:
            return np.empty(0, dtype=np.int64)
        return true_rows(pc.is_in(column, value_set=bad, skip_nulls=True))
    return true_rows(pc.and_(pc.is_valid(column), pc.invert(test(column))))


def _nfc_failures(column: pa.ChunkedArray) -> np.ndarray:
    import unicodedata

    import pyarrow.compute as pc

    rows = true_rows(pc.invert(pc.string_is_ascii(column)))
    if not len(rows):
        return rows
    values = pc.take(column, rows).to_pylist()
    return rows[[not unicodedata.is_normalized("NFC", v) for v in values]]


def elementwise(column: pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array]) -> pa.ChunkedArray:
    """``fn`` applied to each value; for a dictionary column, to each distinct value (the vocabulary
    columns of a built package are dictionary-encoded: decoding a million codes costs more than the rule)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        return fn(column)
    if any(ch.dictionary.null_count for ch in column.chunks):  # a null behind a valid code: decode
        return fn(column.cast(column.type.value_type))
    kind = fn(pa.array([], column.type.value_type)).type
    return pa.chunked_array([pc.take(fn(ch.dictionary), ch.indices) for ch in column.chunks], kind)


def field_failures(f: Field, column: pa.ChunkedArray) -> Iterator[tuple[np.ndarray, str]]:
    """(rows, rule) for every rule of one field that some non-null value breaks; "required" for nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        yield from _dictionary_failures(f, column)
        return
    if f.required and column.null_count:
        yield true_rows(pc.is_null(column)), "required"
    if column.null_count == len(column):
        return
    if f.vocabulary:
        allowed = pa.array(allowed_values(f), column.type if pa.types.is_string(column.type) else pa.string())
        yield _failing(column, lambda c: pc.is_in(c, value_set=allowed)), "vocabulary"
    malformed = None
    if f.pattern:
        malformed = _failing(column, lambda c: pc.match_substring_regex(c, f.pattern))
        yield malformed, "pattern"
    if f.minimum is not None:
        yield true_rows(pc.less(column, f.minimum)), "minimum"
    if f.maximum is not None:
        yield true_rows(pc.greater(column, f.maximum)), "maximum"
    # A value has at least as many bytes as characters: measure characters only when bytes exceed.
    if f.max_length is not None and pc.max(pc.binary_length(column)).as_py() > f.max_length:
        yield true_rows(pc.greater(pc.utf8_length(column), f.max_length)), "max-length"
    if f.free_text:
        if f.pattern in PLAIN_PATTERNS:  # only a malformed value can break a text rule
            if len(malformed):
                for rows, rule in _text_failures(pc.take(column, malformed)):
                    yield malformed[rows], rule
        else:
            yield from _text_failures(column)


def _dictionary_failures(f: Field, column: pa.ChunkedArray) -> Iterator[tuple[np.ndarray, str]]:
    """The rules run once per distinct value of a dictionary column, then mapped to its rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.unify_dictionaries()
    if not column.num_chunks or column.chunks[0].dictionary.null_count:
        yield from field_failures(f, column.cast(column.type.value_type))
        return
    if f.required and column.null_count:
        yield true_rows(pc.is_null(column)), "required"
    codes = pa.chunked_array([ch.indices for ch in column.chunks], column.type.index_type)
    for rows, rule in field_failures(f, pa.chunked_array([column.chunks[0].dictionary])):
        if len(rows):
            yield true_rows(pc.is_in(codes, value_set=pa.array(rows, column.type.index_type))), rule


def _text_failures(column: pa.ChunkedArray) -> Iterator[tuple[np.ndarray, str]]:
    import pyarrow.compute as pc

    suspects = _suspects(column)
    for rule, (regex, _) in TEXT_RULES.items():
        if rule in suspects:
            yield _failing(column, lambda c, rx=regex: pc.invert(pc.match_substring_regex(c, rx))), rule
    if "unicode-nfc" in suspects:
        yield _nfc_failures(column), "unicode-nfc"


def well_formed(name: str, df: pd.DataFrame | Frame) -> bool:
    """Whether the frame has the table's columns in order and a 0..n-1 index (a ``frame.Frame`` has no
    other index)."""
    if list(df.columns) != TABLES[name].field_names:
        return False
    if isinstance(df, Frame):
        return True
    import pandas as pd

    return df.index.equals(pd.RangeIndex(len(df)))


def failing_cells(name: str, df: pd.DataFrame, deferred: frozenset[str] = frozenset()) -> list[Cell] | None:
    """Every cell breaking a column rule of table ``name`` (only the required rule for the fields in
    ``deferred``); None when the frame's shape needs pandera (columns missing, extra or out of
    order, or an index that is not 0..n-1) to say what is wrong."""
    import pyarrow.compute as pc

    if not well_formed(name, df):
        return None
    out: list[Cell] = []
    for f in TABLES[name].fields:
        column = arrow(df[f.name])
        if f.name in deferred:
            if f.required and column.null_count:
                out += [(int(i), f.name, "required", None) for i in true_rows(pc.is_null(column))]
            continue
        for rows, rule in field_failures(f, column):
            if not len(rows):
                continue
            values = [None] * len(rows) if rule == "required" else pc.take(column, rows).to_pylist()
            out += [(int(i), f.name, rule, v) for i, v in zip(rows, values, strict=True)]
    return out


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


def _cached(objects: tuple, compute: Callable[[], object]) -> object:
    if _MEMO is None:
        return compute()
    key = tuple(id(o) for o in objects)
    if key not in _MEMO:
        _MEMO[key] = (objects, compute())  # holding the objects keeps their ids from being reused
    return _MEMO[key][1]


def _runs(column: pa.ChunkedArray) -> np.ndarray | None:
    """Start of each run of equal neighbours (a child table sorted by its parent's id repeats it row
    after row); None for a short column or one with nulls."""
    import pyarrow.compute as pc

    n = len(column)
    if n < 1000 or column.null_count:
        return None
    column = column.combine_chunks() if column.num_chunks > 1 else column.chunk(0)
    change = pc.not_equal(column.slice(1), column.slice(0, n - 1))
    return np.concatenate([[0], np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1])


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
    starts = _runs(column)
    if starts is None:
        return column.cast(pa.string()), lambda found: found
    if len(starts) == len(known):
        values = pc.take(column, pa.array(starts)).cast(pa.string())
        if unique_key_arrow(known) and pc.all(pc.equal(values, known.cast(pa.string()))).as_py():
            return None, lambda _: _expand(np.arange(len(known), dtype=np.int64), starts, n)
    if len(starts) > 0.75 * n:
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

    return _cached((v, k, positions), compute)


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
    return bool(_cached((column, unique_key), lambda: len(column) < 2 and not column.null_count or (
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
    import pyarrow.compute as pc

    n = len(columns[0])
    less, equal = None, None
    for c in columns:
        a, b = c.slice(0, n - 1), c.slice(1)
        lt, eq = pc.less(a, b), pc.equal(a, b)
        less = lt if less is None else pc.or_(less, pc.and_(equal, lt))
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
