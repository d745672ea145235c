"""``timeline diff``: what changed between two packages, and the version bump it calls for.

Tables are compared by primary key (rows added, removed, modified with the fields that changed,
retracted) and by schema (fields added, removed, retyped, reordered, constraints tightened or
loosened). The bump follows the Data Package version recipe: MAJOR for a removed, renamed or
retyped field, a tightened constraint or a removed row; MINOR for added tables, fields or rows
and loosened constraints; PATCH for corrected values and descriptive metadata.

The ``changes`` table (the release log) and the provenance columns are not compared: they
record the diff rather than take part in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .problems import TimelineError

if TYPE_CHECKING:
    import pyarrow as pa

    from .reader import PackageSource

NONE, PATCH, MINOR, MAJOR = 0, 1, 2, 3
LEVELS = {NONE: "none", PATCH: "patch", MINOR: "minor", MAJOR: "major"}
LOG_TABLE = "changes"
PROVENANCE = ("added_in", "modified_in")
NULL = "\x1f"  # a missing value when comparing (not NUL, which pandas drops); values hold no control characters
# Constraints where a larger value allows less, and where it allows more.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
FLAGS = ("required", "unique")
METADATA = ("name", "title", "description", "homepage", "keywords", "contributors", "licenses", "doi")


@dataclass
class Package:
    """A package opened for comparison: its descriptor and its tables (dictionary columns decoded)."""

    label: str
    descriptor: dict[str, Any]
    tables: dict[str, pa.Table]

    @classmethod
    def of(cls, src: PackageSource) -> Package:
        """An opened package (see ``reader.open_package``) with every Parquet table read."""
        return cls(src.label, src.descriptor, {name: _decode(src.arrow(name)) for name in src.parquet_tables()})

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", "?"))

    def schema(self, name: str) -> dict[str, Any]:
        for r in self.descriptor.get("resources", []):
            if isinstance(r, dict) and r.get("name") == name:
                return r.get("schema") or {}
        return {}


@dataclass(frozen=True)
class RowChange:
    id: str
    change: str  # added, modified, retracted, removed
    fields: tuple[str, ...] = ()
    # (old, new) of each field in ``fields``, as text; None for a missing value.
    values: tuple[tuple[str | None, str | None], ...] = ()


@dataclass(frozen=True)
class SchemaChange:
    table: str
    field: str  # empty for a change of the table itself
    change: str
    detail: str
    level: int


@dataclass
class TableDiff:
    name: str
    rows_old: int
    rows_new: int
    rows: list[RowChange] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for r in self.rows if r.change == change)


@dataclass
class PackageDiff:
    old: Package
    new: Package
    tables: list[TableDiff]
    schema: list[SchemaChange]
    metadata: list[str]

    @property
    def level(self) -> int:
        return max([lvl for lvl, _ in self.reasons()], default=NONE)

    def reasons(self) -> list[tuple[int, str]]:
        """Why the bump is what it is: (level, reason), one per kind of change."""
        out: dict[str, int] = {}
        for s in self.schema:
            out.setdefault(s.change, s.level)
        for t in self.tables:
            for change, level, reason in (("removed", MAJOR, "rows removed"), ("added", MINOR, "rows added"),
                                          ("retracted", PATCH, "records retracted"),
                                          ("modified", PATCH, "values corrected")):
                if t.count(change):
                    out.setdefault(reason, level)
        if self.metadata:
            out.setdefault("package metadata changed", PATCH)
        return sorted(((lvl, why) for why, lvl in out.items()), key=lambda x: (-x[0], x[1]))


def bump(version: str, level: int) -> str:
    """The next version after ``version`` for a change of ``level``."""
    major, minor, patch = (int(x) for x in version.split("."))
    if level == MAJOR:
        return f"{major + 1}.0.0"
    if level == MINOR:
        return f"{major}.{minor + 1}.0"
    if level == PATCH:
        return f"{major}.{minor}.{patch + 1}"
    return version


def is_release(version: object) -> bool:
    """A released version (``2.0.0``), not a build between releases (``2.1.0.dev0``) or none."""
    import re

    from .tables import VERSION

    return isinstance(version, str) and bool(re.match(VERSION, version))


def next_version(d: PackageDiff) -> str | None:
    """The version after the old package for these differences; none unless the old one is a release
    (after a build between releases, only the last release tells: see ``timeline release --dry-run``)."""
    return bump(d.old.version, d.level) if is_release(d.old.descriptor.get("version")) else None


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


# ---------------------------------------------------------------- packages


def _decode(table: pa.Table) -> pa.Table:
    import pyarrow as pa

    cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(cols, names=table.column_names)


def empty_package(label: str = "(nothing)") -> Package:
    return Package(label, {"resources": []}, {})


# ---------------------------------------------------------------- comparing


def _text(table: pa.Table, column: str):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = table.column(column)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pd.Series(arr.to_pandas(), dtype=object)


def record_ids(table: pa.Table, key: list[str] | tuple[str, ...]):
    """Each row's record id: its primary key values as text, joined with '/'."""
    ids = _text(table, key[0]).fillna("")
    for k in key[1:]:
        ids = ids + "/" + _text(table, k).fillna("")
    return ids.rename("id")


def _keyed(table: pa.Table, key: list[str], fields: list[str], name: str):
    """Every value as text (nulls as NULL), indexed by the record id."""
    import pandas as pd

    frame = pd.DataFrame({col: _text(table, col).where(lambda s: s.notna(), NULL) for col in fields})
    frame.index = record_ids(table, key)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise TimelineError(f"{name}: duplicate primary key {dup!r}; validate the package first")
    return frame[fields]


def _value(text: str) -> str | None:
    return None if text == NULL else text


def diff_rows(name: str, old: pa.Table | None, new: pa.Table | None, key: list[str],
              old_fields: list[str], new_fields: list[str]) -> TableDiff:
    import numpy as np

    out = TableDiff(name, old.num_rows if old is not None else 0, new.num_rows if new is not None else 0)
    if not key or any(k not in cols for cols in (old_fields if old is not None else key,
                                                    new_fields if new is not None else key) for k in key):
        return out  # no key to match rows by (the schema change is reported on its own)
    common = [f for f in new_fields if f in old_fields and f not in PROVENANCE and f not in key]
    o = _keyed(old, key, common, name) if old is not None else None
    n = _keyed(new, key, common, name) if new is not None else None
    old_ids = o.index if o is not None else n.index[:0]
    new_ids = n.index if n is not None else o.index[:0]
    out.rows += [RowChange(i, "added") for i in new_ids.difference(old_ids).sort_values()]
    out.rows += [RowChange(i, "removed") for i in old_ids.difference(new_ids).sort_values()]
    both = old_ids.intersection(new_ids).sort_values()
    if len(both) and common:
        a, b = o.loc[both, common].to_numpy(), n.loc[both, common].to_numpy()
        differs = a != b
        status = common.index("status") if "status" in common else None
        for i in np.flatnonzero(differs.any(axis=1)):
            cols = np.flatnonzero(differs[i])
            fields = tuple(common[j] for j in cols)
            values = tuple((_value(a[i, j]), _value(b[i, j])) for j in cols)
            retracted = status is not None and b[i, status] == "retracted" and a[i, status] != "retracted"
            out.rows.append(RowChange(both[i], "retracted" if retracted else "modified", fields, values))
    return out


def _constraint(table: str, name: str, key: str, before: Any, after: Any) -> SchemaChange | None:
    if before == after:
        return None
    what = f"{key} {json.dumps(before)} -> {json.dumps(after)}"
    tighter: bool
    if key == "enum":
        gone = sorted(set(before or ()) - set(after or ()))
        new = sorted(set(after or ()) - set(before or ()))
        if before is None or after is None:
            tighter = after is not None
            what = "enum added" if tighter else "enum removed"
        else:
            tighter = bool(gone)
            what = "; ".join(x for x in (f"values removed: {', '.join(gone)}" if gone else "",
                                         f"values added: {', '.join(new)}" if new else "") if x)
    elif before is None or after is None:
        tighter = after is not None and after is not False
    elif key in LOWER_BOUNDS:
        tighter = after > before
    elif key in UPPER_BOUNDS:
        tighter = after < before
    elif key in FLAGS:
        tighter = bool(after)
    else:  # a changed pattern (or other rule) cannot be shown to allow more: treat it as tighter
        tighter = True
    if tighter:
        return SchemaChange(table, name, "constraint tightened", what, MAJOR)
    return SchemaChange(table, name, "constraint loosened", what, MINOR)


def diff_schema(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[SchemaChange]:
    """Schema changes of one table, each with the bump it calls for."""
    out: list[SchemaChange] = []
    before = {f["name"]: f for f in old.get("fields", []) if isinstance(f, dict)}
    after = {f["name"]: f for f in new.get("fields", []) if isinstance(f, dict)}
    for name in before:
        if name not in after:
            out.append(SchemaChange(table, name, "field removed", f"type {before[name].get('type')}", MAJOR))
    for name, f in after.items():
        if name not in before:
            out.append(SchemaChange(table, name, "field added", f"type {f.get('type')}", MINOR))
            continue
        b = before[name]
        if b.get("type") != f.get("type"):
            out.append(SchemaChange(table, name, "field retyped", f"{b.get('type')} -> {f.get('type')}", MAJOR))
        bc, ac = b.get("constraints") or {}, f.get("constraints") or {}
        for key in dict.fromkeys([*bc, *ac]):
            change = _constraint(table, name, key, bc.get(key), ac.get(key))
            if change:
                out.append(change)
        for key in ("description", "title"):
            if b.get(key) != f.get(key):
                out.append(SchemaChange(table, name, f"{key} changed", "", PATCH))
    kept_old = [n for n in before if n in after]
    kept_new = [n for n in after if n in before]
    if kept_old != kept_new:
        out.append(SchemaChange(table, "", "fields reordered", ", ".join(kept_new), MAJOR))
    if old.get("primaryKey") != new.get("primaryKey"):
        out.append(SchemaChange(table, "", "primary key changed",
                                f"{old.get('primaryKey')} -> {new.get('primaryKey')}", MAJOR))
    fk_old = {json.dumps(k, sort_keys=True) for k in old.get("foreignKeys", [])}
    fk_new = {json.dumps(k, sort_keys=True) for k in new.get("foreignKeys", [])}
    for k in sorted(fk_new - fk_old):
        out.append(SchemaChange(table, "", "constraint tightened", f"foreign key added: {k}", MAJOR))
    for k in sorted(fk_old - fk_new):
        out.append(SchemaChange(table, "", "constraint loosened", f"foreign key removed: {k}", MINOR))
    return out


def diff_packages(old: Package, new: Package) -> PackageDiff:
    """Compare two packages table by table; ``new`` decides the table order."""
    names = [*new.tables, *(n for n in old.tables if n not in new.tables)]
    tables, schema = [], []
    for name in names:
        in_old, in_new = name in old.tables, name in new.tables
        if in_old and not in_new:
            schema.append(SchemaChange(name, "", "table removed", "", MAJOR))
        elif in_new and not in_old:
            schema.append(SchemaChange(name, "", "table added", "", MINOR))
        else:
            schema += diff_schema(name, old.schema(name), new.schema(name))
        if name == LOG_TABLE:
            continue
        sch = new.schema(name) if in_new else old.schema(name)
        key = [k for k in sch.get("primaryKey", []) if isinstance(k, str)]
        tables.append(diff_rows(name, old.tables.get(name), new.tables.get(name), key,
                                old.tables[name].column_names if in_old else [],
                                new.tables[name].column_names if in_new else []))
    metadata = [k for k in METADATA if old.descriptor and old.descriptor.get("resources")
                and old.descriptor.get(k) != new.descriptor.get(k)]
    return PackageDiff(old, new, tables, schema, metadata)
