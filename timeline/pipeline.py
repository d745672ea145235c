"""The records -> checked frames: the one pipeline ``timeline validate``, ``build`` and ``release`` share.

``prepare`` reads the records, assembles the tables, stamps their provenance from the release history
and runs every rule on the result; the commands only differ in what they do with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import collector, paths
from .problems import Problem
from .tables import LOG_TABLE, TABLES, stable_ids

if TYPE_CHECKING:
    from .diff import Package
    from .history import Pending

# IDs written by curators (``Table.stable_id``); source ids are derived from URLs and follow them.
STABLE_IDS = stable_ids()


@dataclass
class Prepared:
    meta: dict
    frames: dict
    problems: list[Problem]
    pending: Pending | None  # the differences with the last release; None when the records have problems


def removed_ids(old: Package, frames: dict) -> list[Problem]:
    """Published ids must never disappear: a wrong record is retracted, not deleted.

    Published means in the last release recorded under data/releases/ (see ``history``), opened as ``old``.
    """
    from .arrowops import arrow

    problems = []
    for name, column in STABLE_IDS.items():
        table = old.tables.get(name)
        before = set(table.column(column).to_pylist()) if table is not None and column in table.column_names else set()
        now = set(arrow(frames[name][column]).drop_null().to_pylist())
        for gone in sorted(before - now):
            problems.append(Problem(paths.table_path(name), 0, gone, column, "id-removed",
                                    "a published id is missing from the records; keep the record and "
                                    "set status: retracted with a retraction_reason instead"))
    return problems


def _keyed(frames: dict) -> bool:
    """Whether every table's primary key is present and unique, as the diff needs to match rows."""
    from .arrowops import arrow
    from .lookups import duplicated

    for name, t in TABLES.items():
        if name == LOG_TABLE:  # written by the stamp itself
            continue
        if any(arrow(frames[name][c]).null_count for c in t.primary_key):
            return False
        if duplicated(frames[name], t.primary_key).any():
            return False
    return True


def prepare(root: Path, today: dt.date | None = None, *, unreleased: bool = True,
            choose: Callable[[Pending], str] | None = None) -> Prepared:
    """Read the records under ``root``, stamp their provenance and run every rule on the result.

    Rows are stamped with the versions they were added and last modified in, from the release
    history (``history.stamp``); new or changed rows get ``choose(pending)``, by default the upcoming
    version. The stamp comes before the rules, so they check the very tables a build writes. With
    ``unreleased`` the metadata's version becomes the one the build calls itself
    (``history.package_version``); ``timeline release`` keeps package.yaml's and sets its own.
    """
    today = today or dt.date.today()
    with collector.paused():
        return _prepare(root, today, unreleased, choose)


def _prepare(root: Path, today: dt.date, unreleased: bool, choose: Callable[[Pending], str] | None) -> Prepared:
    from .assemble import assemble, check_assembled
    from .history import last_release, open_release, package_version, pending, stamp
    from .records import read_records

    records = read_records(root / paths.RECORDS)
    meta = dict(records.package)
    result = assemble(records, str(meta.get("version", "0.0.0")))
    last = last_release(root)  # the history is read once: the removed ids and the diff both use it
    old = open_release(last)
    tables = {column: name for name, column in STABLE_IDS.items()}
    removed = [p for p in removed_ids(old, result.frames) if not records.may_lack(tables[p.field], p.record)]
    pend = None
    # The diff matches rows by key, so it needs every key present and unique; and a build that is
    # failing already has no use for it. Then the provenance keeps its placeholders, whose failures
    # the checks treat as consequences (derived columns), and every problem is still reported.
    if not (result.problems or removed or result.invalid) and _keyed(result.frames):
        pend = pending(meta, result.frames, last, old)
        pend = stamp(result.frames, pend, choose(pend) if choose else None)
    problems = result.problems + removed + check_assembled(records, result, today, stamped=pend is not None)
    if problems:
        pend = None
    elif unreleased and pend is not None:
        meta["version"] = package_version(pend)
    return Prepared(meta, result.frames, problems, pend)
