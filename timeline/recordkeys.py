"""How record keys map to columns: the key maps, the keys a mapping may hold, the key a problem names.

A record writes most fields under their column's name; the exceptions are each ``Field.key``
(``published`` for ``date_published``). ``records`` reads with these maps; every problem names the
key as written in the file (``yaml_key``).
"""

from __future__ import annotations

import functools

from .tables import TABLES


def _keys(table: str) -> dict[str, str]:
    """Record key -> column, for the keys that differ from their column names (``Field.key``)."""
    return {f.key: f.name for f in TABLES[table].fields if f.key and f.key not in ("url", "sources", "parties")}


# Record keys that differ from their column names; every other key is the column name itself.
EVENT_KEYS = _keys("events")
PARTICIPANT_KEYS = _keys("participants")
ESTIMATE_KEYS = _keys("estimates")
CITATION_KEYS = _keys("sources")
ACTOR_KEYS = _keys("actors")
PLACE_KEYS = _keys("places")
TREATY_KEYS = _keys("treaties")
OBLIGATION_KEYS = _keys("treaty_obligations")
ESTIMATE_SOURCE_KEYS = {"url": "source_id", "attribution": "attribution"}
# table -> column -> Field, for the per-value look-ups (Table.field scans the tuple).
FIELDS = {name: {f.name: f for f in t.fields} for name, t in TABLES.items()}
# table -> column -> whether it holds text, which a non-empty YAML string is as written (values.coerce).
IS_TEXT = {name: {f.name: f.type == "string" for f in t.fields} for name, t in TABLES.items()}
# Each row starts with every field of its table as null; the record's values and the derived ones
# are filled in after (the table is then built column by column from complete rows).
BLANK = {name: dict.fromkeys(t.field_names) for name, t in TABLES.items()}
CITATION_FIELDS = ("url", "publisher", "agency", "title", "published", "published_precision", "language", "kind",
                   "country", "claim")
CITATION_KEY_SET = frozenset(CITATION_FIELDS)
SOURCE_KEY_SET = CITATION_KEY_SET - {"claim"}
# Column -> the key written in the records, where they differ, so every problem names what is in the file.
_KEYS_OF = {name: {f.name: f.key for f in t.fields if f.key} for name, t in TABLES.items()}
_KEYS_OF["treaty_obligations"].pop("treaty_id", None)
_KEYS_OF["estimate_sources"]["estimate_id"] = "sources"
_KEYS_OF["obligation_sources"]["obligation_id"] = "sources"


def yaml_key(table: str, column: str) -> str:
    """The key a contributor writes for ``table.column`` (``date_published`` is ``published``)."""
    return _KEYS_OF.get(table, {}).get(column, column)


_ALLOWED: dict[tuple, tuple[dict[str, str], frozenset[str]]] = {}


def allowed_keys(table: str, keymap: dict[str, str], nested: dict[str, str] | None,
                 extra: dict[str, object] | None) -> frozenset[str]:
    """The keys a mapping of ``table`` may hold (computed once per kind of mapping, not per row).

    Keyed by the key map's identity (hashing its items for each of 100,000 rows cost a tenth of a
    second): the maps are the constants above, and the entry holds its map, so no other map
    can take that id."""
    key = (table, id(keymap), *(nested or ()), None, *(extra or ()))
    found = _ALLOWED.get(key)
    if found is None:
        allowed = _allowed_for(table, tuple(keymap.items()), tuple(nested or ()), tuple(extra or ()))
        found = _ALLOWED[key] = (keymap, allowed)
    return found[1]


@functools.cache
def _allowed_for(table: str, keymap: tuple[tuple[str, str], ...], nested: tuple[str, ...],
                 extra: tuple[str, ...]) -> frozenset[str]:
    columns = {column for _, column in keymap}
    return frozenset({key for key, _ in keymap} | set(nested) | {
        f.name for f in TABLES[table].fields if not f.derived and f.name not in columns and f.name not in extra
    })
