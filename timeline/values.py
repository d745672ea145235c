"""Turn one YAML value into a column value, or say plainly why it cannot be one."""

from __future__ import annotations

import datetime as dt
import math
import re

from .tables import Field


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else None
    except ValueError:
        return None


def kind_of(value: object) -> str:
    """How a contributor would call a YAML value's type."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    for types, name in ((str, "text"), (list, "a list"), (dict, "a mapping"), ((bytes, bytearray), "binary data"),
                        ((set, frozenset), "a set")):
        if isinstance(value, types):
            return name
    return type(value).__name__


INT64 = 2**63


Result = tuple[object, "str | None", str]


def _text(value: object) -> Result:
    if not isinstance(value, str):
        return None, "type", f"expected text, not {kind_of(value)}; put text in quotes"
    if not value:
        return None, "empty", "is empty; write a value or leave the field out"
    return value, None, ""


def _date(value: object) -> Result:
    if not isinstance(value, str):
        return None, "type", f"expected a date written as YYYY-MM-DD, not {kind_of(value)}"
    parsed = _parse_date(value)
    if parsed is not None:
        return parsed, None, ""
    parts = value.split("-")
    if len(value) == 10 and len(parts) == 3 and all(p.isdigit() for p in parts):
        return None, "date", "not a real calendar date"
    return None, "date", "expected a date written as YYYY-MM-DD"


# How to write a count, said wherever one is written another way.
DIGITS_ONLY = "write a count with digits only: twelve thousand is 12000, not 12.000 or 12,000"
# Digits grouped with points, commas, apostrophes, spaces or underscores (12,000 or 1.500.000).
_GROUPED = re.compile(r"[-+]?[0-9]{1,3}([.,' _\u00a0\u202f][0-9]{3})+")


def _integer(value: object) -> Result:
    if isinstance(value, str):
        if re.fullmatch(r"[-+]?[0-9]+", value.strip()):
            return None, "type", "expected a number, not text; write it without quotes"
        if _GROUPED.fullmatch(value.strip()) or re.fullmatch(r"[-+]?[0-9]*[.,][0-9]+", value.strip()):
            return None, "integer", f"expected a whole number; {DIGITS_ONLY}"
        return None, "type", "expected a whole number, not text"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, "type", f"expected a whole number, not {kind_of(value)}"
    if isinstance(value, float):
        # YAML reads 12.000 as the number 12 and 1.5 as a fraction: neither is a count as written.
        if not math.isfinite(value):
            return None, "integer", "expected a whole number"
        if not value.is_integer():
            return None, "integer", "expected a whole number, not a fraction"
        return None, "integer", f"expected a whole number, not one with a decimal point; {DIGITS_ONLY}"
    if not -INT64 <= value < INT64:  # Parquet stores counts as int64
        return None, "integer", "is too large to be a count"
    return value, None, ""


def _number(value: object) -> Result:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, "type", f"expected a number, not {kind_of(value)}"
    if not math.isfinite(value):
        return None, "type", "expected a finite number"
    return float(value), None, ""


def _boolean(value: object) -> Result:
    if isinstance(value, bool):
        return value, None, ""
    return None, "type", f"expected true or false, not {kind_of(value)}"


_BY_TYPE = {"string": _text, "date": _date, "integer": _integer, "number": _number, "boolean": _boolean}


def coerce(value: object, spec: Field) -> Result:
    """Convert one YAML value to the column's type. Returns (value, rule, message); rule is None if fine."""
    if value is None:
        return None, None, ""
    return _BY_TYPE[spec.type](value)
