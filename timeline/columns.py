"""Column rules: each field's rules from its table definition, one cell at a time.

``arrowops`` runs them in pyarrow.compute; the generated pandera schema is the reference
implementation (tests/test_fast_paths.py checks the two agree). A reference column (an actor,
event or source id in a child table) follows the same rules as the key it points to, so a value
found there breaks exactly the rules the key's value breaks: ``inherited_failures`` reads them off
the parent instead of running regexes over millions of repeated ids.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, NamedTuple

from .schemas import PATTERN_HINTS, TEXT_RULES, allowed_values, schema_pandera
from .tables import TABLES, Field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .frame import Column, Frame


class Failure(NamedTuple):
    """A failed rule on one cell: table, row position, column, rule, message, offending value, and the
    position of the row it clashes with (a duplicate key's first row), which whoever reports it names."""

    table: str
    row: int
    field: str
    rule: str
    message: str
    value: object = None
    other_row: int | None = None


# A package's tables as ``frame.Frame`` (as validate --package reads them) or as pandas frames.
Frames = dict[str, "pd.DataFrame | Frame"]


def column_failures(name: str, df: pd.DataFrame | Frame, deferred: frozenset[str] = frozenset()) -> list[Failure]:
    """Field rules from the table definition, run with pyarrow.compute (see ``arrowops``).

    Fields in ``deferred`` get only the required rule here; their other rules come from
    ``inherited_failures`` once the key look-ups are done."""
    from .arrowops import failing_cells

    found = failing_cells(name, df, deferred)
    if found is None:  # the frame's columns or index are off: pandera says how
        return column_failures_pandera(name, df)
    return _failures(name, found)


def _rules(f: Field) -> dict[str, object]:
    """The column rules a field has (other than required), each with what parametrises it."""
    rules: dict[str, object] = {}
    for rule, value in (("vocabulary", f.vocabulary), ("pattern", f.pattern), ("minimum", f.minimum),
                        ("maximum", f.maximum), ("max-length", f.max_length)):
        if value is not None:
            rules[rule] = value
    if f.free_text:
        rules.update(dict.fromkeys([*TEXT_RULES, "unicode-nfc"], True))
    return rules


def inherits(f: Field) -> bool:
    """Whether each column rule of a reference field is a rule of the key it refers to, the same
    way: a value found among the keys then breaks exactly those of the key's failures."""
    if not f.references:
        return False
    key = TABLES[f.references[0]].field(f.references[1])
    mine, theirs = _rules(f), _rules(key)
    return f.type == key.type and not key.references and all(theirs.get(r) == v for r, v in mine.items())


def inheriting(f: Frames, name: str) -> frozenset[str]:
    """The fields of a table whose rules ``inherited_failures`` can read off their keys' (none where
    a frame's shape is off: pandera then checks every field)."""
    from .arrowops import well_formed

    if not well_formed(name, f[name]):
        return frozenset()
    return frozenset(x.name for x in TABLES[name].fields
                     if inherits(x) and well_formed(x.references[0], f[x.references[0]]))


def inherited_failures(name: str, column: str, values: pd.Series | Column, keys: pd.Series | Column,
                       key_failures: list[Failure], positions: np.ndarray) -> list[Failure]:
    """Column rules of reference ``column`` (values) from its key column's failures: a value found at
    ``positions`` in the keys breaks the rules that key breaks; the values found nowhere (foreign-key
    failures as well) are checked directly."""
    import numpy as np
    import pyarrow.compute as pc

    from .arrowops import arrow, field_failures

    col = arrow(values)
    spec = TABLES[name].field(column)
    found = positions >= 0
    cells: list[tuple[int, str, str, object]] = []
    bad_keys: dict[str, list[int]] = {}
    mine = _rules(spec)
    for x in key_failures:
        if x.row >= 0 and x.rule in mine:
            bad_keys.setdefault(x.rule, []).append(x.row)
    for rule, rows in bad_keys.items():
        bad = np.zeros(len(keys), dtype=bool)
        bad[rows] = True
        hit = np.flatnonzero(found & bad[np.maximum(positions, 0)])
        cells += zip(hit.tolist(), [column] * len(hit), [rule] * len(hit), pc.take(col, hit).to_pylist(),
                     strict=True)
    unknown = np.flatnonzero(~found if not col.null_count else ~found & pc.is_valid(col).to_numpy(zero_copy_only=False))
    if len(unknown):
        subset = pc.take(col, unknown)
        for rows, rule in field_failures(spec, subset):
            if rule != "required":
                cells += zip(unknown[rows].tolist(), [column] * len(rows), [rule] * len(rows),
                             pc.take(subset, rows).to_pylist(), strict=True)
    return _failures(name, cells)


def _failures(name: str, cells: list[tuple[int, str, str, object]]) -> list[Failure]:
    spec, messages = TABLES[name], {}
    out = []
    for row, column, rule, value in cells:
        if rule == "required":
            out.append(Failure(name, row, column, "required", "is required but missing"))
            continue
        key = (rule, column, value)
        if key not in messages:  # many rows often share one bad value
            messages[key] = _message(rule, spec.field(column), value)
        out.append(Failure(name, row, column, rule, messages[key], value))
    return _one_text_rule_per_cell(out) if out else []


def column_failures_pandera(name: str, df: pd.DataFrame) -> list[Failure]:
    """The same field rules run through the generated pandera schema: the reference implementation."""
    import pandas as pd
    import pandera.pandas as pa_pandas

    schema = schema_pandera(name)
    try:
        schema.validate(df, lazy=True)
    except pa_pandas.errors.SchemaErrors as exc:
        out = []
        for case in exc.failure_cases.itertuples(index=False):
            column = case.column
            if column not in schema.columns or pd.isna(case.index):
                out.append(Failure(name, -1, str(column or ""), "columns", str(case.check)))
                continue
            spec = TABLES[name].field(column)
            if case.check == "not_nullable":
                out.append(Failure(name, int(case.index), column, "required", "is required but missing"))
                continue
            rule = schema.columns[column].checks[int(case.check_number)].name
            out.append(Failure(name, int(case.index), column, rule, _message(rule, spec, case.failure_case),
                               case.failure_case))
        return _one_text_rule_per_cell(out)
    return []


def _one_text_rule_per_cell(failures: list[Failure]) -> list[Failure]:
    """'Sputnik\t' breaks two text rules for one reason: report only the first."""
    seen: set[tuple[int, str]] = set()
    out = []
    for x in sorted(failures, key=lambda x: (x.row, x.field, _TEXT_ORDER.get(x.rule, -1))):
        if x.rule in _TEXT_ORDER:
            if (x.row, x.field) in seen:
                continue
            seen.add((x.row, x.field))
        out.append(x)
    return out


_TEXT_ORDER = {rule: i for i, rule in enumerate([*TEXT_RULES, "unicode-nfc"])}


def _message(rule: str, spec, value: object) -> str:
    if rule == "vocabulary":
        allowed = allowed_values(spec)
        close = difflib.get_close_matches(str(value), allowed, n=1)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif len(allowed) <= 12:
            hint = "allowed: " + ", ".join(allowed)
        else:
            hint = f"see the {len(allowed)} values of {spec.vocabulary} in docs/codebook.md"
        return f"is not a known {spec.vocabulary} value; {hint}"
    if rule == "pattern" and spec.name == "url":
        return url_problem(str(value))
    if rule == "pattern":
        return "is malformed: " + PATTERN_HINTS.get(spec.name, "a lowercase slug such as kim-jong-un")
    if rule == "minimum":
        return f"must be at least {spec.minimum}"
    if rule == "maximum":
        return f"must be at most {spec.maximum}"
    if rule == "max-length":
        return f"is longer than {spec.max_length} characters"
    if rule in TEXT_RULES:
        return TEXT_RULES[rule][1]
    if rule == "unicode-nfc":
        return "is not in Unicode normal form NFC; re-type the accented letters"
    return rule


def url_problem(url: str) -> str:
    """Why a URL is refused, said plainly: only http(s) pages a reader can open are sources."""
    scheme, sep, rest = url.partition(":")
    if not sep or not scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
        return "has no http:// or https:// at the start"
    if scheme.lower() not in ("http", "https"):
        return f"uses the {scheme[:20]}: scheme; only http:// and https:// addresses are allowed"
    if any(c.isspace() for c in url):
        return "contains a space or line break; write spaces as %20"
    if not rest.startswith("//") or len(rest) < 3 or rest[2] in "/$.?#":
        return f"has no host after {scheme}://"
    return "is malformed: " + PATTERN_HINTS["url"]


