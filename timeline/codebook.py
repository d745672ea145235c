"""Documentation generated from the table definitions: ``docs/codebook.md`` and the archive's README.

The codebook lists every table and field (type, constraints, meaning), every controlled
vocabulary with its definitions and PLOVER mapping, and every rule in the registry (``rules.RULES``).
``timeline codebook`` also writes the R recipe (``rrecipe``); ``timeline codebook --check`` (and
tests) fail when either committed file is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import vocab
from .tables import TABLES, Field

CODEBOOK = Path("docs") / "codebook.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: object) -> str:
    return f"`{_cell(text)}`"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _constraints(f: Field) -> str:
    parts = []
    if f.vocabulary:
        parts.append(f"one of [{f.vocabulary}](#{f.vocabulary})")
    if f.pattern:
        parts.append(f"pattern {_code(f.pattern)}")
    if f.minimum is not None:
        parts.append(f"at least {f.minimum}")
    if f.maximum is not None:
        parts.append(f"at most {f.maximum}")
    if f.max_length is not None:
        parts.append(f"at most {f.max_length} characters")
    if f.references:
        parts.append(f"refers to {_code('.'.join(f.references))}")
    if f.derived:
        parts.append("derived by the build")
    return "; ".join(parts)


def _used_by() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in TABLES.values():
        for f in t.fields:
            if f.vocabulary:
                out.setdefault(f.vocabulary, []).append(f"`{t.name}.{f.name}`")
    return out


def _vocabularies() -> list[str]:
    lines = ["## Controlled vocabularies", "",
             "Values are only ever added; removing one is a MAJOR change.", ""]
    used = _used_by()
    for name, values in vocab.VOCABULARIES.items():
        lines += [f"### {name}", "", f"Used by {', '.join(used.get(name, ['no field']))}.", ""]
        if name == "event_type":
            rows = [[_code(v), _cell(e.definition), _code(e.category), _code(e.plover) if e.plover else "none",
                     _cell(e.plover_note)] for v, e in values.items()]
            lines += _table(["value", "definition", "category", "PLOVER", "PLOVER note"], rows)
        elif name == "measure":
            rows = [[_code(v), _cell(d), _code(u)] for v, (d, u) in values.items()]
            lines += _table(["value", "definition", "unit"], rows)
        else:
            lines += _table(["value", "definition"], [[_code(v), _cell(vocab.definition(name, v))] for v in values])
        lines.append("")
    return lines


def _rules() -> list[str]:
    from .rules import APPLIES, RULES

    lines = ["## Rules", "",
             "Every rule the tool can report, from the rule registry (`timeline/rules.py`). `timeline build` and "
             "`timeline validate` report each failure as `file:line: record: field: [rule] message (got value)`; "
             "a built package's problems name the file and table instead.", ""]
    lines += _table(["applies to", "meaning"], [[_code(k), _cell(v)] for k, v in APPLIES.items()])
    lines.append("")
    lines += _table(["rule", "applies to", "what must hold"],
                    [[_code(r.name), _code(r.applies), _cell(r.meaning)] for r in RULES.values()])
    return [*lines, ""]


def _relations() -> list[str]:
    from .tables import children, users

    lines = ["## Relations", "",
             "Declared on the table definitions; the reader, the rules and this page derive from them.", ""]
    rows = []
    for t in TABLES.values():
        nested = f"inside {_code(t.parent[0])} records (by {_code(t.parent[1])})" if t.parent else ""
        kids = ", ".join(_code(c.name) for c in children(t.name))
        used = ", ".join(_code(f"{a}.{b}") for a, b in users(t.name)) if t.orphan_check else ""
        rows.append([_code(t.name), nested, kids, _code(t.stable_id) if t.stable_id else "", used])
    lines += _table(["table", "written", "nested tables", "stable id", "a row must be used by"], rows)
    return [*lines, ""]


CONFIDENCE = """## Confidence (rule version 2, from release 2.0.0)

`events.confidence` is derived from the event's citations. Each source has an **originating agency**:
its `agency` where the page names one (the wire or outlet whose story it carries), else its publisher;
an aggregator that names no agency originates nothing. Reprints of one agency's story therefore count
once, whoever reprints them. A source is **strong** when its kind is `wire`, `government` or
`international_organisation`, or when it is `state_media` of a state whose actor takes part in the event
(its `country` is the country of a participant: TASS for Russia's acts and words, KCNA for the DPRK's);
third-country state media reprinting others are not strong.

- `high`: two or more distinct originating agencies, at least one source strong;
- `medium`: two or more distinct originating agencies, none strong; or a single originating agency
  whose source is strong;
- `low`: everything else (a single originating agency that is not strong, or aggregators naming no agency).

Version 1 (release 1.0.0) counted distinct publishers and any state media as official.
"""

# How each 1.0.0 column maps to 2.0.0 (the MAJOR release of the research model).
MIGRATION: list[tuple[str, str]] = [
    ("`events.place_name`, `events.place_region`, `events.place_country`",
     "`events.place_id` -> `places` (`name`, `country`, `latitude`, `longitude`, `where_precision`, "
     "`geonameid`); route and multi-region details moved to `events.notes`"),
    ("`events.plover_category` (null for statements)",
     "`events.plover_category`, required: a statement names the category of its content"),
    ("`events.confidence` (rule version 1)", "`events.confidence` (rule version 2, above): every event re-graded"),
    ("`estimates.scope` (free text)",
     "`estimates.counts` (cumulative, current, period, wave, forecast, capacity) with `period_start` and "
     "`period_end`; `scope` stays as a note"),
    ("(figures tied to events only)", "`estimate_sources`: the source or sources stating each figure, with "
     "`attribution`"),
    ("(none)", "`estimates.derived` and `estimates.derivation` flag a curator-derived figure; "
     "`estimates.status` and `estimates.retraction_reason` retract a duplicated or unsupported one, id kept"),
    ("`sources.date_published`", "`sources.date_published` with `sources.date_published_precision` (a "
     "month-only date is kept, as the 1st of the month)"),
    ("(none)", "`sources.country`: the owning state of a state_media outlet"),
    ("`treaty_obligations` (Article 4 only)", "`treaty_obligations`: every provision the pages confirm, "
     "`article` null where no page gives its number; `obligation_sources` ties each to its pages"),
    ("`checks.RULES` (22 rules)", "the rule registry (`timeline/rules.py`): every rule the tool reports"),
]


def _migration() -> list[str]:
    lines = ["## From 1.0.0 to 2.0.0", "",
             "Release 2.0.0 is a MAJOR release: the research data model. How each 1.0.0 column maps to 2.0.0:", ""]
    lines += _table(["1.0.0", "2.0.0"], [list(row) for row in MIGRATION])
    return [*lines, ""]


VERSIONING = """## Versions and provenance

Each release has a semantic version computed by `timeline release` from the differences with
the previous release (the Data Package version recipe):

- MAJOR: a table or field removed or renamed, a field retyped or reordered, a constraint
  tightened, a primary key changed, or a row removed;
- MINOR: a table, field or row added, or a constraint loosened;
- PATCH: values corrected, records retracted, or descriptive metadata changed.

Ids are never removed or reused: a wrong record is kept with `status: retracted` and a
`retraction_reason`. Every row carries `added_in` (the version it first appeared in) and
`modified_in` (the version it last changed in). The first release is the baseline; from then
on the `changes` table lists every row added, modified, retracted or removed by each release,
with the fields that changed. Rows compare on every field common to both versions except
`added_in` and `modified_in`.

The descriptor's `version` is the data version, which the Python wheel and `timeline.__version__`
share. A build whose package equals the last release carries that release's version; one that
differs from it is not a release and carries the version the next release would get, marked
`.dev0` (such as `2.1.0.dev0`). The descriptor's `doi`, once recorded in `package.yaml`, is the
Zenodo DOI to cite (`timeline cite`).
"""


def codebook() -> str:
    """The codebook, in Markdown."""
    lines = ["# Codebook", "",
             "Generated by `timeline codebook` from `timeline/tables.py`, `timeline/vocab.py` and "
             "`timeline/rules.py`; do not edit it by hand.", "", "## Tables", ""]
    lines += _table(["table", "one row per", "primary key"],
                    [[f"[{t.name}](#{t.name})", _cell(t.description), ", ".join(map(_code, t.primary_key))]
                     for t in TABLES.values()])
    lines.append("")
    for t in TABLES.values():
        lines += [f"## {t.name}", "", f"**{t.title}.** {t.description}", "",
                  f"Primary key: {', '.join(map(_code, t.primary_key))}.", ""]
        rows = [[_code(f.name), f.type, "yes" if f.required else "", _constraints(f), _cell(f.description)]
                for f in t.fields]
        lines += _table(["field", "type", "required", "constraints", "meaning"], rows)
        lines.append("")
    lines += _relations()
    lines += _vocabularies()
    lines += _rules()
    lines.append(CONFIDENCE)
    lines.append(VERSIONING)
    lines += _migration()
    return "\n".join(lines).rstrip("\n") + "\n"


def outputs() -> dict[str, bytes]:
    """Every file ``timeline codebook`` writes, by path under the checkout: the codebook and the R recipe."""
    from .rrecipe import RECIPE, recipe

    return {CODEBOOK.as_posix(): codebook().encode(), RECIPE.as_posix(): recipe().encode()}


def package_readme(descriptor: dict[str, Any], rows: dict[str, int]) -> str:
    """The README of a release archive: what is in it and how to read it."""
    name, version = descriptor.get("name", "package"), descriptor.get("version", "")
    licenses = ", ".join(str(x.get("name")) for x in descriptor.get("licenses", []) if isinstance(x, dict))
    lines = [f"# {descriptor.get('title', name)}, version {version}", "",
             str(descriptor.get("description", "")), "",
             f"Released {str(descriptor.get('created', ''))[:10]}. Data licence: {licenses or 'see LICENSE'}. "
             "How to cite: CITATION.cff.", "", "## Files", "",
             "- `datapackage.json`: the Frictionless Data Package (v2) descriptor of the Parquet tables in "
             "`data/`, with their schemas, sizes and sha256 hashes.",
             "- `data/<table>.parquet`: the tables.",
             "- `datapackage-csv.json` and `csv/<table>.csv`: the same tables as CSV (UTF-8, comma-separated, "
             "header row; an empty cell is a missing value; dates are YYYY-MM-DD).",
             "- `codebook.md`: every table, field, controlled vocabulary and rule.",
             "- `figures/*.png`: the figures of the project README (the timeline; estimates of casualties, "
             "troops and munitions), drawn from these tables.",
             "- `CITATION.cff`, `LICENSE`.", "", "## Tables", ""]
    table_rows = [[_code(r["name"]), str(rows.get(r["name"], "")), _cell(r.get("description", ""))]
                  for r in descriptor.get("resources", [])]
    lines += _table(["table", "rows", "description"], table_rows)
    lines += ["", "## Reading it", "",
              "- Python, with the project's `timeline` package: "
              f"`timeline.load(path=\"{name}-{version}.zip\")` (checks every hash).",
              "- pandas: `pandas.read_parquet(\"data/events.parquet\")`.",
              "- R: `frictionless::read_resource(frictionless::read_package(\"datapackage-csv.json\"), "
              "\"events\")`, or `read.csv(\"csv/events.csv\")`.",
              "- Checking it: `frictionless validate datapackage.json` and "
              "`frictionless validate datapackage-csv.json`.", ""]
    return "\n".join(lines)
