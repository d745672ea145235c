"""The report of ``timeline diff``: text for people (values shortened) and JSON (values in full)."""

from __future__ import annotations

import json
import os
from typing import Any

from .diff import LEVELS, NONE, PackageDiff, RowChange, next_version


def to_dict(d: PackageDiff) -> dict[str, Any]:
    level = d.level
    return {
        "old": {"label": d.old.label, "version": d.old.version},
        "new": {"label": d.new.label, "version": d.new.version},
        "level": LEVELS[level],
        "next_version": next_version(d),
        "reasons": [{"level": LEVELS[lvl], "reason": why} for lvl, why in d.reasons()],
        "schema": [{"table": s.table, "field": s.field, "change": s.change, "detail": s.detail,
                    "level": LEVELS[s.level]} for s in d.schema],
        "metadata": d.metadata,
        "tables": [{"name": t.name, "rows_old": t.rows_old, "rows_new": t.rows_new,
                    **{c: t.count(c) for c in ("added", "modified", "retracted", "removed")},
                    "rows": [_row_dict(r) for r in t.rows]}
                   for t in d.tables],
    }


def _row_dict(r: RowChange) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id, "change": r.change, "fields": list(r.fields)}
    if r.values:  # full values: JSON readers shorten for themselves
        out["values"] = {f: {"old": old, "new": new} for f, (old, new) in zip(r.fields, r.values, strict=True)}
    return out


SIGNS = {"added": "+", "removed": "-", "retracted": "x", "modified": "~"}
SHOWN = 80  # characters of a value the text diff shows before an ellipsis


def shorten(value: str | None, limit: int = SHOWN, start: int = 0) -> str:
    """A value for the text diff: quoted, on one line, cut with an ellipsis past ``limit`` characters
    (from character ``start`` on, with a leading ellipsis, when that is where two values differ)."""
    if value is None:
        return "(none)"
    text = " ".join(value.split())
    if start > 0 and len(text) > limit:
        text = "…" + text[start:].lstrip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return json.dumps(text, ensure_ascii=False)


def shorten_pair(old: str | None, new: str | None, limit: int = SHOWN) -> tuple[str, str]:
    """Both sides of a modified value, each shortened around their first difference, so that a change
    late in a long text is still visible."""
    if old is None or new is None:
        return shorten(old, limit), shorten(new, limit)
    a, b = " ".join(old.split()), " ".join(new.split())
    first = len(os.path.commonprefix([a, b]))
    start = first - CONTEXT if first > limit - CONTEXT else 0
    return shorten(a, limit, start), shorten(b, limit, start)


CONTEXT = 30  # characters shown before the first difference when it lies past the cut


def to_text(d: PackageDiff, summary: bool = False) -> str:
    """The diff for people: the bump and why, schema changes, then each table's rows."""
    level = d.level
    lines = [f"Comparing {d.old.label} (version {d.old.version}) with {d.new.label} (version {d.new.version})."]
    if level == NONE:
        lines.append("No differences in data or schema.")
    else:
        why = "; ".join(w for lvl, w in d.reasons() if lvl == level)
        nxt = f", so the next version after {d.old.version} is {next_version(d)}" if next_version(d) else ""
        lines.append(f"Change: {LEVELS[level].upper()} ({why}){nxt}.")
    if d.schema:
        lines += ["", "Schema:"]
        for s in d.schema:
            where = f"{s.table}.{s.field}" if s.field else s.table
            detail = f": {s.detail}" if s.detail else ""
            lines.append(f"  {where}: {s.change}{detail} [{LEVELS[s.level]}]")
    if d.metadata:
        lines += ["", "Package metadata changed: " + ", ".join(d.metadata) + " [patch]"]
    lines.append("")
    for t in d.tables:
        counts = ", ".join(f"{t.count(c)} {c}" for c in ("added", "modified", "retracted", "removed") if t.count(c))
        lines.append(f"{t.name}: {t.rows_old} -> {t.rows_new} rows" + (f": {counts}" if counts else ", unchanged"))
        if summary:
            continue
        for r in t.rows:
            fields = f" ({', '.join(r.fields)})" if r.fields else ""
            lines.append(f"  {SIGNS[r.change]} {r.id}{fields}")
            lines += [f"      {f}: {' -> '.join(shorten_pair(old, new))}"
                      for f, (old, new) in zip(r.fields, r.values, strict=True)]
    return "\n".join(lines) + "\n"
