"""Read the curated records under ``data/records/`` into rows, keeping where each value came from.

Layout (see the README, "How to add an event"):
- ``events/<year>/<event-id>.yaml``: one event with its participants, estimates and citations;
  sources are written inline in citations and deduplicated by URL;
- ``actors.yaml`` and ``treaties.yaml``: registries;
- ``package.yaml``: package metadata (name, title, version, contributors...).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .citation import DOI
from .layout import misplaced, split_suffix, stray_message, strays, tree
from .problems import Problem, show
from .recordkeys import (
    ACTOR_KEYS,
    BLANK,
    CITATION_KEY_SET,
    CITATION_KEYS,
    ESTIMATE_KEYS,
    EVENT_KEYS,
    FIELDS,
    IS_TEXT,
    OBLIGATION_KEYS,
    PARTICIPANT_KEYS,
    PLACE_KEYS,
    SOURCE_KEY_SET,
    TREATY_KEYS,
    allowed_keys,
)
from .tables import SLUG, TABLES, VERSION
from .values import coerce, kind_of
from .yamlio import Mapping, Sequence, read_file

# Tables whose rows come from event files: unreadable event files leave them incomplete.
EVENT_TABLES = ("events", "participants", "estimates", "estimate_sources", "citations", "sources")


@dataclass
class Row:
    """One row of one table, with the file, line and record it came from."""

    values: dict[str, object]
    file: str
    line: int
    record: str
    lines: dict[str, int] = field(default_factory=dict)
    skip: set[str] = field(default_factory=set)  # fields whose problems are already explained
    shown: dict[str, object] = field(default_factory=dict)  # how a derived cell is written in the file (its URL)

    def line_of(self, column: str) -> int:
        return self.lines.get(column, self.line)


@dataclass
class Records:
    """All rows read from a records folder, and every problem met on the way."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})
    problems: list[Problem] = field(default_factory=list)
    package: dict[str, object] = field(default_factory=dict)
    # What could not be read: rules that need the whole picture (references, orphans, removed
    # ids) stay quiet about it rather than report the consequences of one unreadable file.
    incomplete: set[str] = field(default_factory=set)  # tables that may lack rows
    unread_events: set[str] = field(default_factory=set)  # file-name ids of event files not read as written

    def may_lack(self, table: str, key: object) -> bool:
        """Whether a row of ``table`` with this id may exist in a file that could not be read."""
        return key in self.unread_events if table == "events" else table in self.incomplete


def source_id(url: str) -> str:
    """Stable source id: derived from the URL, so the same page always gets the same id."""
    return "src-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.out = Records()

    def rel(self, path: Path) -> str:
        text, base = str(path), self._base
        if text.startswith(base):  # the usual case, without relpath's cost on 100k files
            return Path(text[len(base):]).as_posix()
        return Path(os.path.relpath(path, self.root.parent.parent)).as_posix()

    @functools.cached_property
    def _base(self) -> str:  # once per reading: it cost a third of a second at 10,000 files
        return os.path.join(str(self.root.parent.parent), "") if self.root.parent.parent != Path(".") else ""

    def problem(self, file: str, line: int, record: str, fld: str, rule: str, msg: str, value: str = "") -> None:
        self.out.problems.append(Problem(file, line, record, fld, rule, msg, value))

    def row(self, table: str, data: Mapping, keymap: dict[str, str], file: str, record: str,
            extra: dict[str, object] | None = None, nested: dict[str, str] | None = None,
            allowed: set[str] | None = None, defaults: dict[str, object] | None = None) -> Row:
        """Check the keys of one mapping, coerce its values and append it as a row of ``table``.

        ``extra`` holds values implied by where the mapping stands (its event's id); ``defaults``
        the documented value of a field left out (an estimate is stated unless ``derived: true``)."""
        if allowed is None:
            allowed = allowed_keys(table, keymap, nested, extra)
        values: dict[str, object] = {**BLANK[table], **(defaults or {}), **(extra or {})}
        lines: dict[str, int] = {}
        explained: set[str] = set()
        text = IS_TEXT[table]
        for key, raw in data.items():
            line = data.lines.get(key, data.line)
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(sorted(allowed))}"
                self.problem(file, line, record, key, "unknown-field", f"unknown field {show(key)}{hint}")
                if close and close[0] not in data:  # 'summery' explains the missing 'summary'
                    explained.add(keymap.get(close[0], close[0]))
                continue
            if nested and key in nested:
                continue
            column = keymap.get(key, key)
            if type(raw) is str and raw and text[column]:  # most values: text where text belongs
                values[column], lines[column] = raw, line
                continue
            value, rule, msg = coerce(raw, FIELDS[table][column])
            if rule:
                self.problem(file, line, record, key, rule, msg, show(raw))
                values[column] = _INVALID
            else:
                values[column] = value
            lines[column] = line
        row = Row(values, file, data.line, record, lines, explained)
        self.out.rows[table].append(row)
        return row

    def mapping(self, value: object, file: str, line: int, record: str, fld: str, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.problem(file, line, record, fld, "type", f"{what} must be a mapping of fields (key: value lines), "
                     f"not {kind_of(value)}", show(value))
        return None

    def listing(self, value: object, file: str, line: int, record: str, fld: str) -> list[tuple[object, int]]:
        """The items of a list with their lines; anything else is reported and read as empty."""
        if value is None:
            return []
        if isinstance(value, Sequence):
            return list(zip(value, value.lines, strict=True))
        self.problem(file, line, record, fld, "type", f"{fld or 'the file'} must be a list of entries "
                     f"(lines starting with '- '), not {kind_of(value)}", show(value))
        return []

    def event_file(self, path: str, file: str, stem: str) -> None:
        """One event file: ``path`` to open, ``file`` as problems name it, ``stem`` its name less .yaml."""
        doc, problems = read_file(path, file)
        self.out.problems += problems
        data = None if problems else self.mapping(doc, file, 1, "", "", "an event file")
        if data is None:
            self.out.incomplete.update(EVENT_TABLES)
            self.out.unread_events.add(stem)
            return
        record = data.get("id") if isinstance(data.get("id"), str) and data["id"] else stem
        if record != stem:
            self.out.unread_events.add(stem)
            self.problem(file, data.lines["id"], record, "id", "id-matches-file",
                         f"id must equal the file name '{stem}'", show(data["id"]))
        nested = {"participants": "", "estimates": "", "citations": ""}
        event = self.row("events", data, EVENT_KEYS, file, record, nested=nested)
        if event.values.get("event_id") is _INVALID:  # its rows name the file's id; the id's problem says why
            self.out.unread_events.add(stem)
            event.skip.add("citations")
        for key, table, keymap in (("participants", "participants", PARTICIPANT_KEYS),
                                   ("estimates", "estimates", ESTIMATE_KEYS),
                                   ("citations", "citations", CITATION_KEYS)):
            value = data.get(key)
            items = self.listing(value, file, data.lines.get(key, 1), record, key)
            whole = value is None or isinstance(value, Sequence)
            for item, line in items:
                item_map = self.mapping(item, file, line, record, key, f"each entry of {key}")
                if item_map is None:
                    whole = False
                elif table == "citations":
                    self.citation(item_map, file, record)
                elif table == "estimates":
                    self.estimate(item_map, file, record)
                else:
                    self.row(table, item_map, keymap, file, record, extra={"event_id": record})
            if not whole:  # an entry could not be read: orphans and the 'cited' rule would mislead
                self.out.incomplete.add(table)
                event.skip.add(key)

    def estimate(self, data: Mapping, file: str, record: str) -> None:
        """An estimate, with the sources that state it nested under ``sources``."""
        row = self.row("estimates", data, ESTIMATE_KEYS, file, record, extra={"event_id": record},
                       nested={"sources": ""}, defaults={"derived": False, "status": "active"})
        estimate_id = row.values.get("estimate_id")
        items = self.listing(data.get("sources"), file, data.lines.get("sources", data.line), record, "sources")
        if "sources" in data and not isinstance(data.get("sources"), Sequence):
            row.skip.add("sources")
            self.out.incomplete.add("estimate_sources")
        for item, _line in items:
            item_map = self.mapping(item, file, _line, record, "sources", "each entry of an estimate's sources")
            if item_map is None:
                row.skip.add("sources")
                self.out.incomplete.add("estimate_sources")
                continue
            url = item_map.get("url")
            sid: object = source_id(url) if isinstance(url, str) and url else _INVALID
            if "url" not in item_map:
                sid = None
            link = self.row("estimate_sources", item_map, {"attribution": "attribution"}, file, record,
                            extra={"estimate_id": estimate_id, "source_id": sid}, nested={"url": ""},
                            allowed={"url", "attribution"})
            link.lines["source_id"] = item_map.lines.get("url", item_map.line)
            link.shown["source_id"] = url
            if url is not None and not isinstance(url, str):
                self.problem(file, item_map.lines["url"], record, "sources.url", "type",
                             f"expected the URL of a citation of this event, not {kind_of(url)}", show(url))
                link.values["source_id"] = _INVALID

    def citation(self, data: Mapping, file: str, record: str) -> None:
        """A citation carries its source inline: split it into a citation row and a source row."""
        url = data.get("url")
        # Without a readable URL there is no source id; the URL's own problem explains both rows.
        sid: object = source_id(url) if isinstance(url, str) and url else _INVALID
        # The page's details go to the source; the claim, and any unknown key, to the citation.
        on_cited, on_source = Mapping(), Mapping()
        on_cited.line = on_source.line = data.line
        on_cited.lines, on_source.lines = {}, {}
        for k, v in data.items():
            part = on_source if k in SOURCE_KEY_SET else on_cited
            part[k], part.lines[k] = v, data.lines[k]
        cited = self.row("citations", on_cited, {}, file, record,
                         extra={"event_id": record, "source_id": sid}, allowed=CITATION_KEY_SET)
        source = self.row("sources", on_source, CITATION_KEYS, file, record,
                          extra={"source_id": sid}, allowed=CITATION_KEY_SET)
        source.skip |= {CITATION_KEYS.get(k, k) for k in cited.skip}  # 'publsher' explains 'publisher'

    def registry(self, path: Path, table: str, keymap: dict[str, str], nested: dict[str, str] | None = None,
                 also: tuple[str, ...] = ()) -> list:
        file = self.rel(path)
        if not path.exists() and not path.is_symlink():
            self.problem(file, 0, "", "", "missing-file", "required registry file is missing")
            self.out.incomplete.update((table, *also))
            return []
        doc, problems = read_file(path, file)
        self.out.problems += problems
        items = [] if problems else self.listing(doc, file, 1, "", "")
        if problems or not isinstance(doc, Sequence):
            self.out.incomplete.update((table, *also))
        out = []
        for item, line in items:
            data = self.mapping(item, file, line, "", "", f"each entry of {path.name}")
            if data is None:
                self.out.incomplete.update((table, *also))
                continue
            record = data.get("id") if isinstance(data.get("id"), str) else f"entry at line {data.line}"
            row = self.row(table, data, keymap, file, record, nested=nested)
            if row.values.get(_id_column(table)) in (None, _INVALID):
                self.out.incomplete.update((table, *also))
            out.append((data, row, file, record))
        return out

    def treaties(self, path: Path) -> None:
        for data, row, file, record in self.registry(path, "treaties", TREATY_KEYS,
                                                     nested={"parties": "", "obligations": ""},
                                                     also=("treaty_parties", "treaty_obligations",
                                                           "obligation_sources")):
            treaty_id = row.values["treaty_id"]
            for party, line in self.listing(data.get("parties"), file, data.lines.get("parties", data.line),
                                            record, "parties"):
                ok = isinstance(party, str)
                self.out.rows["treaty_parties"].append(Row(
                    {"treaty_id": treaty_id, "actor_id": party if ok else _INVALID}, file, line, record,
                ))
                if not ok:
                    self.problem(file, line, record, "parties", "type",
                                 f"parties must be a list of actor ids, not {kind_of(party)}", show(party))
            for item, line in self.listing(data.get("obligations"), file, data.lines.get("obligations", data.line),
                                           record, "obligations"):
                item_map = self.mapping(item, file, line, record, "obligations", "each entry of obligations")
                if item_map is not None:
                    ob = self.row("treaty_obligations", item_map, OBLIGATION_KEYS, file, record,
                                  extra={"treaty_id": treaty_id}, nested={"sources": ""})
                    self.obligation_sources(item_map, ob, treaty_id, file, record)

    def obligation_sources(self, data: Mapping, ob: Row, treaty_id: object, file: str, record: str) -> None:
        """The pages that confirm a treaty provision: a list of URLs cited by the provision's event."""
        for url, line in self.listing(data.get("sources"), file, data.lines.get("sources", data.line), record,
                                      "sources"):
            ok = isinstance(url, str) and bool(url)
            self.out.rows["obligation_sources"].append(Row(
                {"treaty_id": treaty_id, "obligation_id": ob.values.get("obligation_id"),
                 "source_id": source_id(url) if ok else _INVALID}, file, line, record, shown={"source_id": url}))
            if not ok:
                self.problem(file, line, record, "sources", "type",
                             f"sources must be a list of the URLs that state the provision, not {kind_of(url)}",
                             show(url))

    def package(self, path: Path) -> None:
        """package.yaml: the metadata the descriptor is written from."""
        file = self.rel(path)
        if not path.exists() and not path.is_symlink():
            self.problem(file, 0, "", "", "missing-file", "package.yaml is missing")
            return
        doc, problems = read_file(path, file)
        self.out.problems += problems
        if problems:
            return
        if not isinstance(doc, Mapping):
            self.mapping(doc, file, 1, "", "", "package.yaml")
            return
        for key, pattern, example in (("name", SLUG, "russia-dprk-timeline"), ("version", VERSION, "1.2.0")):
            value = doc.get(key)
            if not isinstance(value, str) or not re.match(pattern, value):
                self.problem(file, doc.lines.get(key, doc.line), "", key, "package",
                             f"{key} must be text such as {example}", show(value) if key in doc else "")
        if "doi" in doc and not (isinstance(doc["doi"], str) and re.match(DOI, doc["doi"])):
            self.problem(file, doc.lines.get("doi", doc.line), "", "doi", "package",
                         "doi must be a DOI such as 10.5281/zenodo.1234567, without https://doi.org/",
                         show(doc["doi"]))
        try:
            json.dumps(doc, allow_nan=False)
        except (TypeError, ValueError):
            self.problem(file, doc.line, "", "", "package",
                         "holds a value JSON cannot carry (binary data, a set, NaN or infinity)")
            return
        self.out.package = dict(doc)


def _id_column(table: str) -> str:
    return TABLES[table].primary_key[0]


class _Invalid:
    """Marks a value already reported as malformed, so later rules do not report it twice."""

    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()
INVALID = _INVALID


def read_records(root: str | os.PathLike[str]) -> Records:
    """Read every record file under ``root`` (normally ``data/records``); any other file there is reported
    (see ``layout``)."""
    root = Path(root)
    reader = _Reader(root)
    reader.package(root / "package.yaml")
    reader.registry(root / "actors.yaml", "actors", ACTOR_KEYS)
    reader.registry(root / "places.yaml", "places", PLACE_KEYS)
    reader.treaties(root / "treaties.yaml")
    for path in strays(root):
        reader.problem(reader.rel(path), 0, "", "", "stray-file", stray_message(path, path.parent == root))
    events = root / "events"
    prefix = reader.rel(events) + "/"  # problems name files from the repository root, as rel() does
    for parts, path, link, is_dir in tree(events):
        file = prefix + "/".join(parts)
        if link:
            reader.problem(file, 0, "", "", "file-type",
                           "links are not followed under events/; put the file itself here")
            continue
        if is_dir:
            continue
        stem, suffix = split_suffix(parts[-1])
        if suffix != ".yaml":
            hint = ""
            if suffix == ".yml":  # an event under the wrong name: not read, so not reported as removed
                hint = f"; rename it to {stem}.yaml"
                reader.out.unread_events.add(stem)
                reader.out.incomplete.update(EVENT_TABLES)
            reader.problem(file, 0, "", "", "file-name", f"only .yaml files belong under events/{hint}")
            continue
        wrong = misplaced(parts)
        if wrong:
            reader.problem(file, 0, "", "", "file-place", wrong)
        reader.event_file(path, file, stem)
    return reader.out
