"""Vectorised column rules on Arrow-backed columns: each field's rules, run in pyarrow.compute.

The checks run on tables of millions of rows (UCDP- or ACLED-sized timelines), so nothing here
turns a column into Python objects: values stay in Arrow and are visited only where a rule fails.
``failing_cells`` applies exactly the rules of ``schemas.schema_pandera`` (same regexes, same
RE2 engine that pandas uses for Arrow strings); tests/test_fast_paths.py checks the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from .frame import Column, Frame
from .schemas import TEXT_RULES, allowed_values
from .tables import PLAIN_PATTERNS, TABLES, URL, Field

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
# The pattern starts with a literal, which ``re`` scans for as fast as ``bytes.find``.
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_TWO_SPACES = np.uint16(0x2020)
# RE2's \s (tab, newline, form feed, carriage return, space: not vertical tab), and the characters
# tables.URL refuses right after the scheme.
_RE2_SPACE = np.zeros(256, dtype=bool)
_RE2_SPACE[[9, 10, 12, 13, 32]] = True
_NOT_A_HOST_START = _RE2_SPACE.copy()
_NOT_A_HOST_START[[ord(c) for c in "/$.?#"]] = True


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


def text_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
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
        data, offs = text_buffers(chunk)
        if not len(data):
            continue
        raw, top = memoryview(data), data.max()
        ascii_only = top < 0x80
        if not ascii_only:  # every invisible character is non-ASCII
            found.update(("unicode-nfc", "invisible-characters"))
        # C0 controls are below 0x20; DEL is 0x7F (none when no byte reaches it).
        if data.min() < 0x20 or top >= 0x7F and (data == 0x7F).any() or not ascii_only and _C1_CONTROL.search(raw):
            found.add("control-characters")
        if has_two_spaces(data):
            found.add("double-space")
        # First and last byte of every value (an empty value reads a neighbour's byte: only a false alarm).
        edges = np.concatenate([np.take(data, offs[:-1], mode="clip"), np.take(data, offs[1:] - 1, mode="clip")])
        if (edges <= 0x20).any() if ascii_only else _EDGE[edges].any():
            found.add("whitespace")
    return found


def has_two_spaces(data: np.ndarray) -> bool:
    """Whether two spaces follow each other in ``data`` (bytes): read as 16-bit words at both byte
    alignments, a pair of spaces is one word. About three times faster than ``re`` on prose, whose
    single spaces stop a literal search every few bytes."""
    n = len(data)
    even = data[: n - n % 2].view(np.uint16)
    odd = data[1: n - (n - 1) % 2].view(np.uint16)
    return bool((even == _TWO_SPACES).any() or (odd == _TWO_SPACES).any())


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


def matches(column: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    """``pc.match_substring_regex``, once per column and pattern among the rules run in ``lookups.memo``
    (the pattern rule and the estimate-id rule both ask it of every estimate id)."""
    import pyarrow.compute as pc

    from .lookups import shared

    if pattern == URL:
        return shared((column, pattern, matches), lambda: _url_matches(column))
    return shared((column, pattern, matches), lambda: pc.match_substring_regex(column, pattern))


def _url_matches(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``pc.match_substring_regex(column, tables.URL)`` from byte scans, three times faster on a
    million addresses (tests/test_fast_paths.py compares the two): the scheme, then a first character
    that may start a host, then no RE2 whitespace anywhere. Every character the pattern names is
    ASCII, so no byte of a longer UTF-8 character can be taken for one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    for chunk in column.chunks:
        data, offs = text_buffers(chunk)
        secure = pc.fill_null(pc.starts_with(chunk, "https://"), False).to_numpy(zero_copy_only=False)
        plain = pc.fill_null(pc.starts_with(chunk, "http://"), False).to_numpy(zero_copy_only=False)
        scheme = np.where(secure, 8, np.where(plain, 7, 0))
        ok = (scheme > 0) & (np.diff(offs) > scheme)
        if len(data):
            ok &= ~_NOT_A_HOST_START[data[np.minimum(offs[:-1] + scheme, len(data) - 1)]]
            if data.min() <= 0x20:  # every space is; a table look-up per byte costs twenty times a min
                low = np.flatnonzero(data <= 0x20)
                spaces = low[_RE2_SPACE[data[low]]]
                ok[np.searchsorted(offs, spaces, side="right") - 1] = False
        nulls = pc.is_null(chunk).to_numpy(zero_copy_only=False) if chunk.null_count else None
        out.append(pa.array(ok, pa.bool_(), mask=nulls))
    return pa.chunked_array(out, pa.bool_())


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
        malformed = _failing(column, lambda c: matches(c, f.pattern))
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
