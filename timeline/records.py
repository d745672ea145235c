"""Read the curated records under ``data/records/`` into rows, keeping where each value came from.

Layout (see the README, "How to add an event"):
- ``events/<year>/<event-id>.yaml``: one event with its participants, estimates and citations;
  sources are written inline in citations and deduplicated by URL;
- ``actors.yaml`` and ``treaties.yaml``: registries;
- ``package.yaml``: package metadata (name, title, version, contributors...).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, show
from .tables import TABLES, Field
from .yamlio import Mapping, read_yaml

# Record keys that differ from their column names; every other key is the column name itself.
EVENT_KEYS = {"id": "event_id", "type": "event_type", "treaty": "treaty_id"}
PLACE_KEYS = {"name": "place_name", "region": "place_region", "country": "place_country"}
PARTICIPANT_KEYS = {"actor": "actor_id", "role": "role"}
ESTIMATE_KEYS = {"id": "estimate_id", "estimator": "estimator_id"}
CITATION_KEYS = {"published": "date_published"}
ACTOR_KEYS = {"id": "actor_id", "type": "actor_type"}
TREATY_KEYS = {"id": "treaty_id", "signing_event": "signing_event_id"}
OBLIGATION_KEYS = {"id": "obligation_id", "type": "obligation_type", "event": "event_id"}
CITATION_FIELDS = ("url", "publisher", "agency", "title", "published", "language", "kind", "claim")


@dataclass
class Row:
    """One row of one table, with the file, line and record it came from."""

    values: dict[str, object]
    file: str
    line: int
    record: str
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, column: str) -> int:
        return self.lines.get(column, self.line)


@dataclass
class Records:
    """All rows read from a records folder, and every problem met on the way."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})
    problems: list[Problem] = field(default_factory=list)
    package: dict[str, object] = field(default_factory=dict)


def source_id(url: str) -> str:
    """Stable source id: derived from the URL, so the same page always gets the same id."""
    return "src-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else None
    except ValueError:
        return None


Coerced = tuple[object, "str | None", str]


def _to_string(value: object) -> Coerced:
    if isinstance(value, str):
        return value, None, ""
    kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a number"
    if isinstance(value, bool):
        kind = "true/false"
    return None, "type", f"expected text, got {kind}; put text in quotes"


def _to_date(value: object) -> Coerced:
    if not isinstance(value, str):
        return None, "type", "expected a date written as YYYY-MM-DD"
    parsed = _parse_date(value)
    if parsed is not None:
        return parsed, None, ""
    parts = value.split("-")
    if len(value) == 10 and len(parts) == 3 and all(p.isdigit() for p in parts):
        return None, "date", "not a real calendar date"
    return None, "date", "expected a date written as YYYY-MM-DD"


def _to_integer(value: object) -> Coerced:
    if isinstance(value, (bool, list, dict)):
        return None, "type", "expected a whole number"
    if isinstance(value, str):
        return None, "type", "expected a number, got text; write it without quotes"
    if isinstance(value, float):
        if value.is_integer():
            return int(value), None, ""
        return None, "integer", "expected a whole number, not a fraction"
    return value, None, ""


def _to_boolean(value: object) -> Coerced:
    if isinstance(value, bool):
        return value, None, ""
    return None, "type", "expected true or false"


_COERCE = {"string": _to_string, "date": _to_date, "integer": _to_integer, "boolean": _to_boolean}


def coerce(value: object, spec: Field) -> Coerced:
    """Convert one YAML value to the column's type. Returns (value, rule, message); rule is None when fine."""
    if value is None:
        return None, None, ""
    return _COERCE[spec.type](value)


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.out = Records()

    def rel(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root.parent.parent)).as_posix()

    def problem(self, file: str, line: int, record: str, fld: str, rule: str, msg: str, value: str = "") -> None:
        self.out.problems.append(Problem(file, line, record, fld, rule, msg, value))

    def row(self, table: str, data: Mapping, keymap: dict[str, str], file: str, record: str,
            extra: dict[str, object] | None = None, nested: dict[str, str] | None = None,
            allowed: set[str] | None = None) -> Row:
        """Check the keys of one mapping, coerce its values and append it as a row of ``table``."""
        spec = TABLES[table]
        if allowed is None:
            allowed = set(keymap) | set(nested or ()) | {
                f.name for f in spec.fields
                if not f.derived and f.name not in keymap.values() and f.name not in (extra or {})
                and not f.name.startswith("place_")
            }
        values: dict[str, object] = dict(extra or {})
        lines: dict[str, int] = {}
        for key, raw in data.items():
            line = data.lines.get(key, data.line)
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(sorted(allowed))}"
                self.problem(file, line, record, key, "unknown-field", f"unknown field '{key}'{hint}")
                continue
            if nested and key in nested:
                continue
            column = keymap.get(key, key)
            value, rule, msg = coerce(raw, spec.field(column))
            if rule:
                self.problem(file, line, record, key, rule, msg, show(raw))
                values[column] = _INVALID
            else:
                values[column] = value
            lines[column] = line
        for f in spec.fields:
            if f.derived or f.name in values:
                continue
            values[f.name] = None
        row = Row(values, file, data.line, record, lines)
        self.out.rows[table].append(row)
        return row

    def mapping(self, value: object, file: str, line: int, record: str, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.problem(file, line, record, what, "type", f"expected a mapping of fields for {what}", show(value))
        return None

    def listing(self, value: object, file: str, line: int, record: str, what: str) -> list:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problem(file, line, record, what, "type", f"expected a list for {what}", show(value))
        return []

    def event_file(self, path: Path) -> None:
        file = self.rel(path)
        doc, problems = read_yaml(file, path.read_bytes())
        self.out.problems += problems
        if problems:
            return
        data = self.mapping(doc, file, 1, "", "the event")
        if data is None:
            return
        record = data.get("id") if isinstance(data.get("id"), str) else path.stem
        if isinstance(data.get("id"), str) and data["id"] != path.stem:
            self.problem(file, data.lines["id"], record, "id", "id-matches-file",
                         f"id must equal the file name '{path.stem}'", show(data["id"]))
        nested = {"place": "", "participants": "", "estimates": "", "citations": ""}
        event = self.row("events", data, EVENT_KEYS, file, record, nested=nested)
        place = data.get("place")
        if place is not None:
            place_map = self.mapping(place, file, data.lines["place"], record, "place")
            if place_map is not None:
                for key, raw in place_map.items():
                    line = place_map.lines[key]
                    if key not in PLACE_KEYS:
                        self.problem(file, line, record, f"place.{key}", "unknown-field",
                                     f"unknown field 'place.{key}'; allowed: name, region, country")
                        continue
                    value, rule, msg = coerce(raw, TABLES["events"].field(PLACE_KEYS[key]))
                    event.values[PLACE_KEYS[key]] = _INVALID if rule else value
                    event.lines[PLACE_KEYS[key]] = line
                    if rule:
                        self.problem(file, line, record, f"place.{key}", rule, msg, show(raw))
        for key, table, keymap in (("participants", "participants", PARTICIPANT_KEYS),
                                   ("estimates", "estimates", ESTIMATE_KEYS),
                                   ("citations", "citations", CITATION_KEYS)):
            for item in self.listing(data.get(key), file, data.lines.get(key, 1), record, key):
                item_map = self.mapping(item, file, data.lines.get(key, 1), record, key)
                if item_map is None:
                    continue
                if table == "citations":
                    self.citation(item_map, file, record)
                else:
                    self.row(table, item_map, keymap, file, record, extra={"event_id": record})

    def citation(self, data: Mapping, file: str, record: str) -> None:
        """A citation carries its source inline: split it into a citation row and a source row."""
        url = data.get("url")
        sid = source_id(url) if isinstance(url, str) else None
        keys = set(CITATION_FIELDS)

        def part(wanted: set[str]) -> Mapping:
            sub = Mapping({k: v for k, v in data.items() if k in wanted or k not in keys and "claim" in wanted})
            sub.line, sub.lines = data.line, {k: data.lines[k] for k in sub}
            return sub

        self.row("citations", part({"claim"}), {}, file, record,
                 extra={"event_id": record, "source_id": sid}, allowed=keys)
        self.row("sources", part(keys - {"claim"}), CITATION_KEYS, file, record,
                 extra={"source_id": sid}, allowed=keys)

    def registry(self, path: Path, table: str, keymap: dict[str, str], nested: dict[str, str] | None = None) -> list:
        if not path.exists():
            self.problem(self.rel(path), 0, "", "", "missing-file", "required registry file is missing")
            return []
        file = self.rel(path)
        doc, problems = read_yaml(file, path.read_bytes())
        self.out.problems += problems
        if problems or doc is None:
            return []
        items = self.listing(doc, file, 1, "", table)
        out = []
        for item in items:
            data = self.mapping(item, file, 1, "", f"an entry of {path.name}")
            if data is None:
                continue
            record = data.get("id") if isinstance(data.get("id"), str) else f"entry at line {data.line}"
            out.append((data, self.row(table, data, keymap, file, record, nested=nested), file, record))
        return out

    def treaties(self, path: Path) -> None:
        for data, row, file, record in self.registry(path, "treaties", TREATY_KEYS,
                                                     nested={"parties": "", "obligations": ""}):
            for party in self.listing(data.get("parties"), file, data.lines.get("parties", data.line),
                                      record, "parties"):
                self.out.rows["treaty_parties"].append(Row(
                    {"treaty_id": row.values["treaty_id"], "actor_id": party if isinstance(party, str) else _INVALID},
                    file,
                    data.lines.get("parties", data.line), record,
                ))
                if not isinstance(party, str):
                    self.problem(file, data.lines["parties"], record, "parties", "type",
                                 "parties must be a list of actor ids", show(party))
            for item in self.listing(data.get("obligations"), file, data.lines.get("obligations", data.line),
                                     record, "obligations"):
                item_map = self.mapping(item, file, data.line, record, "obligations")
                if item_map is not None:
                    self.row("treaty_obligations", item_map, OBLIGATION_KEYS, file, record,
                             extra={"treaty_id": row.values["treaty_id"]})


class _Invalid:
    """Marks a value already reported as malformed, so later rules do not report it twice."""

    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()
INVALID = _INVALID


def read_records(root: str | os.PathLike[str]) -> Records:
    """Read every record file under ``root`` (normally ``data/records``)."""
    root = Path(root)
    reader = _Reader(root)
    package = root / "package.yaml"
    if package.exists():
        doc, problems = read_yaml(reader.rel(package), package.read_bytes())
        reader.out.problems += problems
        if isinstance(doc, dict):
            reader.out.package = dict(doc)
    else:
        reader.problem(reader.rel(package), 0, "", "", "missing-file", "package.yaml is missing")
    reader.registry(root / "actors.yaml", "actors", ACTOR_KEYS)
    reader.treaties(root / "treaties.yaml")
    events = root / "events"
    for path in sorted(events.rglob("*")) if events.exists() else []:
        if path.is_dir():
            continue
        if path.suffix not in (".yaml", ".yml"):
            reader.problem(reader.rel(path), 0, "", "", "file-name",
                           "only .yaml files belong under events/")
            continue
        reader.event_file(path)
    return reader.out
