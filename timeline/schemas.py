"""Schemas generated from the table definitions: Arrow (for writing), Frictionless, pandera."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import vocab
from .tables import TABLES, Field, Table

if TYPE_CHECKING:
    import pandera.pandas as pa_pandas
    import pyarrow as pa

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

# What a pattern means, said the way a contributor needs to hear it.
PATTERN_HINTS = {
    "event_id": "lowercase slug starting with the date, such as 2024-06-19-treaty-signed",
    "estimate_id": "the event id followed by -e<number>, such as 2024-06-19-treaty-signed-e1",
    "url": "must be an http:// or https:// address with a host and no spaces",
    "language": "two-letter ISO 639-1 code in lowercase, such as en",
    "country": "three-letter ISO 3166-1 alpha-3 code in capitals, such as PRK",
    "place_id": "a lowercase slug such as pyongyang (an id from data/records/places.yaml)",
    "added_in": "a version such as 1.2.0",
    "modified_in": "a version such as 1.2.0",
}


def allowed_values(f: Field) -> list[str]:
    return sorted(vocab.VOCABULARIES[f.vocabulary]) if f.vocabulary else []


def _arrow_type(f: Field) -> pa.DataType:
    import pyarrow as pa

    if f.vocabulary:
        return pa.dictionary(pa.int32(), pa.string())
    return {"string": pa.string(), "date": pa.date32(), "integer": pa.int64(), "number": pa.float64(),
            "boolean": pa.bool_()}[f.type]


def schema_arrow(table: str | Table) -> pa.Schema:
    """The Arrow schema every build writes with: controlled vocabularies dictionary-encoded."""
    import pyarrow as pa

    spec = TABLES[table] if isinstance(table, str) else table
    return pa.schema([pa.field(f.name, _arrow_type(f), nullable=not f.required) for f in spec.fields])


def schema_frictionless(table: str | Table) -> dict[str, Any]:
    """Frictionless Table Schema (v2) for one table, with enums, keys and descriptions."""
    spec = TABLES[table] if isinstance(table, str) else table
    fields = []
    for f in spec.fields:
        out: dict[str, Any] = {"name": f.name, "type": f.type, "description": f.description}
        constraints: dict[str, Any] = {}
        if f.required:
            constraints["required"] = True
        if f.vocabulary:
            constraints["enum"] = allowed_values(f)
            out["categories"] = allowed_values(f)
        if f.pattern:
            constraints["pattern"] = f.pattern.removeprefix("^").removesuffix("$")
        if f.minimum is not None:
            constraints["minimum"] = f.minimum
        if f.maximum is not None:
            constraints["maximum"] = f.maximum
        if f.max_length is not None:
            constraints["maxLength"] = f.max_length
        if f.type == "date":
            out["format"] = "default"
        if f.type in ("integer", "number"):
            # Parquet nulls reach frictionless as NaN; declare them missing (see toolchain notes).
            out["missingValues"] = ["", "nan", "NaN"]
        if constraints:
            out["constraints"] = constraints
        fields.append(out)
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": fields,
        "primaryKey": list(spec.primary_key),
    }
    fks = []
    for f in spec.fields:
        if f.references:
            ref_table, ref_field = f.references
            fks.append({"fields": [f.name], "reference": {"resource": ref_table, "fields": [ref_field]}})
    if fks:
        schema["foreignKeys"] = fks
    return schema


# Every character str.isspace() calls whitespace, spelled out: RE2 (pandas on Arrow strings,
# pyarrow.compute) reads \s as ASCII only, so a trailing no-break space would pass there.
SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Characters that show nothing or reorder what is shown: bidirectional marks, embeddings, overrides
# and isolates, zero-width spaces and joiners, the word joiner and invisible operators, the BOM.
INVISIBLE = "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"

# Checks applied to every text column; their names are the rules reported to contributors. The
# patterns hold the characters themselves, so Python's re and RE2 read them alike.
TEXT_RULES: dict[str, tuple[str, str]] = {
    "control-characters": (r"[\x00-\x1f\x7f-\x9f]", "contains a tab, line break or other control character"),
    "invisible-characters": (f"[{INVISIBLE}]", "contains an invisible or direction-changing character (a "
                                               "zero-width space, joiner, bidirectional mark, override or "
                                               "isolate); delete it"),
    "whitespace": (f"^[{SPACE}]|[{SPACE}]$", "has leading or trailing whitespace"),
    "double-space": (r"\S  +\S", "has repeated spaces"),
}


def schema_pandera(table: str | Table) -> pa_pandas.DataFrameSchema:
    """pandera schema of the column rules, for frames read with ``types_mapper=pd.ArrowDtype``.

    Column types are enforced by the Arrow schema; this checks values. Each check carries
    ``name`` = the rule reported to contributors (see ``checks.column_problems``).
    """
    import pandera.pandas as pa_pandas

    spec = TABLES[table] if isinstance(table, str) else table
    columns = {}
    for f in spec.fields:
        checks = []
        if f.vocabulary:
            checks.append(pa_pandas.Check.isin(allowed_values(f), name="vocabulary"))
        if f.pattern:
            checks.append(pa_pandas.Check.str_matches(f.pattern, name="pattern"))
        if f.minimum is not None:
            checks.append(pa_pandas.Check.ge(f.minimum, name="minimum"))
        if f.maximum is not None:
            checks.append(pa_pandas.Check.le(f.maximum, name="maximum"))
        if f.max_length is not None:
            checks.append(pa_pandas.Check.str_length(max_value=f.max_length, name="max-length"))
        if f.free_text:
            for rule, (regex, _) in TEXT_RULES.items():
                checks.append(pa_pandas.Check(_not_matching(regex), name=rule))
            checks.append(pa_pandas.Check(_is_nfc, name="unicode-nfc"))
        columns[f.name] = pa_pandas.Column(None, checks, nullable=not f.required, required=True)
    return pa_pandas.DataFrameSchema(columns, strict=True, ordered=True, name=spec.name)


def _not_matching(regex: str):
    def check(series):
        return ~series.str.contains(regex, regex=True)

    return check


def _is_nfc(series):
    import unicodedata

    # Only non-ASCII text can be un-normalised; skip the rest cheaply.
    # ``str.isascii`` is new in pandas 3; the regex gives the same under pandas 2 (pyproject's floor).
    out = series.str.isascii() if hasattr(series.str, "isascii") else series.str.fullmatch(r"[\x00-\x7f]*")
    rest = ~out
    if rest.any():
        out = out.copy()
        out[rest] = series[rest].map(lambda s: unicodedata.is_normalized("NFC", s))
    return out
