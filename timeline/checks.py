"""Every rule the package must satisfy, run vectorised on whole tables.

The same checks serve the curated records (``timeline build``/``validate``, where each failure
is traced back to file:line) and a built package (``timeline validate --package``).
Column rules come from the table definitions: the generated pandera schema is the reference,
and ``arrowops`` runs the same rules in pyarrow.compute so that millions of rows stay fast (the
two are tested to agree). The cross-field and cross-table rules are listed in ``RULES`` and
documented in the codebook from there.
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
    """Field rules from the table definition, run with pyarrow.compute (see ``arrowops``)."""
    from .arrowops import column_failures as cells

    found = cells(name, df)
    if found is None:  # the frame's columns or index are off: pandera says how
        return column_failures_pandera(name, df)
    spec, messages = TABLES[name], {}
    out = []
    for row, column, rule, value in found:
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


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask.fillna(False).astype(bool)].index]


def _dates(series: pd.Series) -> pd.Series:
    """Arrow-backed dates: comparisons hold for any year (pandas timestamps stop at 2262)."""
    import pyarrow as pa

    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        return series
    return pd.Series(pa.array(series.astype("object"), pa.date32()), index=series.index,
                     dtype=pd.ArrowDtype(pa.date32()))


def _month_end(d: pd.Series) -> pd.Series:
    """Whether each date is the last day of its month."""
    return (d + pd.Timedelta(days=1)).dt.day == 1


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
    for i in _rows(month & end.notna() & ~_month_end(end)):
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
    limit = today
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
    for i in _rows(expected.notna() & unit.notna() & (unit != expected)):
        yield Failure("estimates", i, "unit", "estimate-unit",
                      f"measure {es['measure'][i]} is counted in {expected[i]}", unit[i])


def _key(df: pd.DataFrame, cols: tuple[str, ...] | list[str]) -> pd.Series:
    if len(cols) == 1:
        return df[cols[0]].astype("object")
    return pd.Series(list(zip(*(df[c].astype("object") for c in cols), strict=True)), index=df.index)


# Distinct unknown references that get a "did you mean" hint; past that, difflib would dominate.
_HINTS = 100
# A row named once in English, for messages such as "refers to an actor that does not exist".
_A_ROW = {"events": "an event", "actors": "an actor", "sources": "a source", "treaties": "a treaty"}
# Child tables whose key starts with their parent's id: when the parent id is itself duplicated,
# the children's duplicates are that same mistake and are not reported again.
_PARENT = {"participants": ("event_id", "events"), "citations": ("event_id", "events"),
           "estimates": ("event_id", "events"), "treaty_parties": ("treaty_id", "treaties"),
           "treaty_obligations": ("treaty_id", "treaties")}


def rule_keys(f: Frames) -> Iterator[Failure]:
    from .arrowops import duplicated as duplicated_rows
    from .arrowops import positions, prefetch

    prefetch([(f[name][fld.name], f[fld.references[0]][fld.references[1]])
              for name, table in TABLES.items() for fld in table.fields if fld.references])
    duplicated = {}
    for name, table in TABLES.items():
        df = f[name]
        dup = pd.Series(duplicated_rows(df, table.primary_key), index=df.index)
        key = _key(df[dup] if dup.any() else df.iloc[:0], table.primary_key)  # Python keys: duplicates only
        duplicated[name] = set(key) if dup.any() else set()
        if name in _PARENT and dup.any():
            column, parent = _PARENT[name]
            dup &= ~df[column].astype("object").isin(duplicated[parent])
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
            values = df[fld.name]
            found = positions(values, f[ref_table][ref_field]) >= 0
            missing = pd.Series(values.notna().to_numpy() & ~found, index=df.index)
            if not missing.any():
                continue
            known = pd.Index(f[ref_table][ref_field].astype("object").dropna().unique())
            names = known.astype(str).tolist() if len(known) < 50_000 else []
            hints: dict[str, str] = {}
            for i in _rows(missing):
                value = str(values[i])
                if value not in hints:  # difflib is slow: one look-up per distinct value, at most _HINTS
                    close = difflib.get_close_matches(value, names, n=1) if len(hints) < _HINTS else []
                    hints[value] = f"; did you mean '{close[0]}'?" if close else ""
                hint = hints[value]
                yield Failure(name, i, fld.name, "foreign-key",
                              f"refers to {_A_ROW.get(ref_table, ref_table)} that does not exist{hint}",
                              values[i])


def _isin(values: pd.Series, known: pd.Series | list[pd.Series]) -> pd.Series:
    """``values.isin(known)``, reusing the foreign-key look-ups where ``values`` is a unique key."""
    from .arrowops import covered

    return pd.Series(covered(values, known if isinstance(known, list) else [known]), index=values.index)


def rule_links(f: Frames) -> Iterator[Failure]:
    ev, cit = f["events"], f["citations"]
    cited = _isin(ev["event_id"], cit["event_id"])
    for i in _rows(~cited):
        yield Failure("events", i, "citations", "cited", "event has no citation; add at least one source")
    actors = f["actors"]
    used = [f["participants"]["actor_id"], f["estimates"]["estimator_id"], f["treaty_parties"]["actor_id"]]
    for i in _rows(~_isin(actors["actor_id"], used)):
        yield Failure("actors", i, "actor_id", "orphan", "actor is not used by any event, estimate or treaty",
                      actors["actor_id"][i])
    src = f["sources"]
    for i in _rows(~_isin(src["source_id"], cit["source_id"])):
        yield Failure("sources", i, "source_id", "orphan", "source is not cited by any event", src["url"][i])
    tr = f["treaties"]
    for i in _rows(~_isin(tr["treaty_id"], ev["treaty_id"])):
        yield Failure("treaties", i, "treaty_id", "orphan", "no event is a milestone of this treaty",
                      tr["treaty_id"][i])
    parties = f["treaty_parties"]
    types = actors.drop_duplicates("actor_id").set_index("actor_id")["actor_type"].astype("object")
    types.index = types.index.astype("object")
    ptype = parties["actor_id"].astype("object").map(types)
    for i in _rows(ptype.notna() & (ptype != "state")):
        yield Failure("treaty_parties", i, "actor_id", "treaty-party", "a treaty party must be a state actor",
                      parties["actor_id"][i])


def _differ(a: pd.Series, b: pd.Series) -> list[int]:
    """Rows where two text columns differ, a null equal only to a null (compared in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowops import arrow

    x, y = arrow(a).cast(pa.string()), arrow(b).cast(pa.string())
    same = pc.or_(pc.fill_null(pc.equal(x, y), False), pc.and_(pc.is_null(x), pc.is_null(y)))
    return [int(i) for i in pc.indices_nonzero(pc.invert(same)).to_numpy()]


def rule_derived(f: Frames, expected: Callable[[Frames], pd.DataFrame]) -> Iterator[Failure]:
    """For a built package: derived columns equal what the build would compute."""
    ev = f["events"]
    want = expected(f)
    for col in ("category", "plover_category", "confidence"):
        have, exp = ev[col], want[col]
        for i in _differ(have, exp):
            yield Failure("events", i, col, "derived", f"should be {exp[i]!r} by the documented rule", have[i])


def check_frames(f: Frames, today: dt.date, derived: Callable[[Frames], pd.DataFrame] | None = None,
                 skip: set[tuple[str, int, str]] | None = None) -> list[Failure]:
    """Run every rule; ``skip`` holds cells already reported as malformed."""
    from .arrowops import memo

    out: list[Failure] = []
    with memo():  # rules share their key look-ups
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
