"""Every rule the package must satisfy, run vectorised on whole tables.

The same checks serve the curated records (``timeline build``/``validate``, where each failure
is traced back to file:line) and a built package (``timeline validate --package``).
Column rules come from the table definitions through pandera; the cross-field and
cross-table rules are listed in ``RULES`` and documented in the codebook from there.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pandas as pd

from . import vocab
from .schemas import PATTERN_HINTS, TEXT_RULES, allowed_values, schema_pandera
from .tables import TABLES


class Failure(NamedTuple):
    """A failed rule on one cell: table, row position, column, rule, message, offending value."""

    table: str
    row: int
    field: str
    rule: str
    message: str
    value: object = None


Frames = dict[str, pd.DataFrame]

# name -> description, in the order they run; the codebook lists them from here.
RULES: dict[str, str] = {
    "required": "A required field has a value.",
    "vocabulary": "A coded field holds one of the values of its vocabulary.",
    "pattern": "Identifiers, codes, versions and URLs have the documented form.",
    "minimum": "Counts are not negative.",
    "max-length": "Text fields stay within their maximum length.",
    **{rule: f"Text fields: no value {msg}." for rule, (_, msg) in TEXT_RULES.items()},
    "unicode-nfc": "Text is in Unicode normal form C.",
    "primary-key": "Primary keys are unique across all files.",
    "foreign-key": "Every reference (actor, event, source, treaty) points to an existing row.",
    "date-order": "date_end is not before date_start; date_announced is not before date_start.",
    "date-precision": "Month precision: starts on the 1st and ends on the last day of a month; "
                      "year precision: 1 January to 31 December; day precision: any days.",
    "future-date": "No date lies after the build date.",
    "retraction": "A retracted event has a retraction_reason; an active one has none.",
    "derived": "category and plover_category match the event type; confidence matches the rule.",
    "estimate-values": "An estimate states at least one of low, best, high, and low <= best <= high.",
    "estimate-unit": "An estimate's unit is the unit its measure is counted in.",
    "cited": "Every event has at least one citation.",
    "orphan": "Every actor, source and treaty is used by some event, estimate or treaty row.",
    "treaty-party": "Treaty parties are state actors.",
}


def column_failures(name: str, df: pd.DataFrame) -> list[Failure]:
    """Field rules from the table definition, run through the generated pandera schema."""
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
        return out
    return []


def _message(rule: str, spec, value: object) -> str:
    if rule == "vocabulary":
        allowed = allowed_values(spec)
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
        return f"is not a known {spec.vocabulary} value; {hint}"
    if rule == "pattern":
        return "is malformed: " + PATTERN_HINTS.get(spec.name, "a lowercase slug such as kim-jong-un")
    if rule == "minimum":
        return f"must be at least {spec.minimum}"
    if rule == "max-length":
        return f"is longer than {spec.max_length} characters"
    if rule in TEXT_RULES:
        return TEXT_RULES[rule][1]
    if rule == "unicode-nfc":
        return "is not in Unicode normal form NFC; re-type the accented letters"
    return rule


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask.fillna(False).astype(bool)].index]


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.astype("object"), errors="coerce")


def _month_end(d: pd.Series) -> pd.Series:
    return d + pd.offsets.MonthEnd(0)


def rule_dates(f: Frames, today: dt.date) -> Iterator[Failure]:
    ev = f["events"]
    start, end, ann = _dates(ev["date_start"]), _dates(ev["date_end"]), _dates(ev["date_announced"])
    for i in _rows(end < start):
        yield Failure("events", i, "date_end", "date-order", "is before date_start", ev["date_end"][i])
    for i in _rows(ann < start):
        yield Failure("events", i, "date_announced", "date-order", "is before date_start", ev["date_announced"][i])
    prec = ev["date_precision"].astype("object")
    month, year = prec == "month", prec == "year"
    for i in _rows(month & (start.dt.day != 1)):
        yield Failure("events", i, "date_start", "date-precision",
                      "month precision: date_start must be the 1st of a month", ev["date_start"][i])
    for i in _rows((month | year) & end.isna()):
        yield Failure("events", i, "date_end", "date-precision",
                      f"{prec[i]} precision needs date_end (the last day of the window)")
    for i in _rows(month & end.notna() & (end != _month_end(end))):
        yield Failure("events", i, "date_end", "date-precision",
                      "month precision: date_end must be the last day of a month", ev["date_end"][i])
    for i in _rows(year & ((start.dt.month != 1) | (start.dt.day != 1))):
        yield Failure("events", i, "date_start", "date-precision",
                      "year precision: date_start must be 1 January", ev["date_start"][i])
    for i in _rows(year & end.notna() & ((end.dt.month != 12) | (end.dt.day != 31))):
        yield Failure("events", i, "date_end", "date-precision",
                      "year precision: date_end must be 31 December", ev["date_end"][i])
    es = f["estimates"]
    as_of = _dates(es["as_of"])
    aprec = es["as_of_precision"].astype("object")
    for i in _rows((aprec == "month") & (as_of.dt.day != 1)):
        yield Failure("estimates", i, "as_of", "date-precision",
                      "month precision: as_of must be the 1st of the month", es["as_of"][i])
    for i in _rows((aprec == "year") & ((as_of.dt.month != 1) | (as_of.dt.day != 1))):
        yield Failure("estimates", i, "as_of", "date-precision",
                      "year precision: as_of must be 1 January", es["as_of"][i])
    limit = pd.Timestamp(today)
    for name, table in TABLES.items():
        for fld in table.fields:
            if fld.type == "date":
                values = _dates(f[name][fld.name])
                for i in _rows(values > limit):
                    yield Failure(name, i, fld.name, "future-date",
                                  f"is after the build date {today.isoformat()}", f[name][fld.name][i])


def rule_events(f: Frames) -> Iterator[Failure]:
    ev = f["events"]
    status = ev["status"].astype("object")
    reason = ev["retraction_reason"].notna()
    for i in _rows((status == "retracted") & ~reason):
        yield Failure("events", i, "retraction_reason", "retraction", "a retracted event needs a reason")
    for i in _rows((status == "active") & reason):
        yield Failure("events", i, "retraction_reason", "retraction", "only retracted events carry a reason")


def rule_estimates(f: Frames) -> Iterator[Failure]:
    es = f["estimates"]
    low, best, high = (es[c].astype("Float64") for c in ("low", "best", "high"))
    for i in _rows(low.isna() & best.isna() & high.isna()):
        yield Failure("estimates", i, "best", "estimate-values", "state at least one of low, best, high")
    for col, a, b in (("best", low, best), ("high", best, high), ("high", low, high)):
        for i in _rows(a > b):
            yield Failure("estimates", i, col, "estimate-values",
                          "low <= best <= high is violated", f"{a[i]:g} > {b[i]:g}")
    units = {m: u for m, (_, u) in vocab.MEASURES.items()}
    expected = es["measure"].astype("object").map(units)
    unit = es["unit"].astype("object")
    for i in _rows(expected.notna() & (unit != expected)):
        yield Failure("estimates", i, "unit", "estimate-unit",
                      f"measure {es['measure'][i]} is counted in {expected[i]}", unit[i])


def _key(df: pd.DataFrame, cols: tuple[str, ...] | list[str]) -> pd.Series:
    if len(cols) == 1:
        return df[cols[0]].astype("object")
    return pd.Series(list(zip(*(df[c].astype("object") for c in cols), strict=True)), index=df.index)


def rule_keys(f: Frames) -> Iterator[Failure]:
    for name, table in TABLES.items():
        df = f[name]
        key = _key(df, table.primary_key)
        dup = key.duplicated(keep=False) & key.notna()
        if dup.any():
            first = {}
            for i in _rows(dup):
                k = key[i]
                if k in first:
                    yield Failure(name, i, table.primary_key[-1] if len(table.primary_key) > 1
                                  else table.primary_key[0], "primary-key",
                                  f"duplicate {'/'.join(table.primary_key)}; first defined at {{row:{first[k]}}}",
                                  k if isinstance(k, str) else "/".join(map(str, k)))
                else:
                    first[k] = i
        for fld in table.fields:
            if not fld.references:
                continue
            ref_table, ref_field = fld.references
            known = pd.Index(f[ref_table][ref_field].astype("object").dropna().unique())
            values = df[fld.name].astype("object")
            missing = values.notna() & ~values.isin(known)
            for i in _rows(missing):
                close = difflib.get_close_matches(str(values[i]), known.astype(str).tolist(), n=1) \
                    if len(known) < 50_000 else []
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield Failure(name, i, fld.name, "foreign-key",
                              f"refers to a {ref_table[:-1].replace('_', ' ')} that does not exist{hint}",
                              values[i])


def rule_links(f: Frames) -> Iterator[Failure]:
    ev, cit = f["events"], f["citations"]
    cited = ev["event_id"].astype("object").isin(cit["event_id"].astype("object"))
    for i in _rows(~cited):
        yield Failure("events", i, "citations", "cited", "event has no citation; add at least one source")
    actors = f["actors"]
    used = pd.concat([f["participants"]["actor_id"], f["estimates"]["estimator_id"],
                      f["treaty_parties"]["actor_id"]]).astype("object")
    for i in _rows(~actors["actor_id"].astype("object").isin(used)):
        yield Failure("actors", i, "actor_id", "orphan", "actor is not used by any event, estimate or treaty",
                      actors["actor_id"][i])
    src = f["sources"]
    for i in _rows(~src["source_id"].astype("object").isin(cit["source_id"].astype("object"))):
        yield Failure("sources", i, "source_id", "orphan", "source is not cited by any event", src["url"][i])
    tr = f["treaties"]
    for i in _rows(~tr["treaty_id"].astype("object").isin(ev["treaty_id"].astype("object"))):
        yield Failure("treaties", i, "treaty_id", "orphan", "no event is a milestone of this treaty",
                      tr["treaty_id"][i])
    parties = f["treaty_parties"]
    types = actors.set_index(actors["actor_id"].astype("object"))["actor_type"].astype("object")
    ptype = parties["actor_id"].astype("object").map(types)
    for i in _rows(ptype.notna() & (ptype != "state")):
        yield Failure("treaty_parties", i, "actor_id", "treaty-party", "a treaty party must be a state actor",
                      parties["actor_id"][i])


def rule_derived(f: Frames, expected: Callable[[Frames], pd.DataFrame]) -> Iterator[Failure]:
    """For a built package: derived columns equal what the build would compute."""
    ev = f["events"]
    want = expected(f)
    for col in ("category", "plover_category", "confidence"):
        have, exp = ev[col].astype("object"), want[col].astype("object")
        bad = ~((have == exp) | (have.isna() & exp.isna()))
        for i in _rows(bad):
            yield Failure("events", i, col, "derived", f"should be {exp[i]!r} by the documented rule", have[i])


def check_frames(f: Frames, today: dt.date, derived: Callable[[Frames], pd.DataFrame] | None = None,
                 skip: set[tuple[str, int, str]] | None = None) -> list[Failure]:
    """Run every rule; ``skip`` holds cells already reported as malformed."""
    out: list[Failure] = []
    for name in TABLES:
        out += column_failures(name, f[name])
    out += rule_keys(f)
    out += rule_dates(f, today)
    out += rule_events(f)
    out += rule_estimates(f)
    out += rule_links(f)
    if derived is not None:
        out += rule_derived(f, derived)
    if skip:
        out = [x for x in out if (x.table, x.row, x.field) not in skip]
    return out
