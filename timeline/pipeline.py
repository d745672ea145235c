"""The records -> checked frames: the one pipeline ``timeline validate``, ``build`` and ``release`` share.

``prepare`` reads the records, assembles the tables, runs every rule and stamps the provenance from
the release history; the commands only differ in what they do with the result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import paths
from .problems import Problem
from .tables import stable_ids

# IDs written by curators (``Table.stable_id``); source ids are derived from URLs and follow them.
STABLE_IDS = stable_ids()


def removed_ids(root: Path, frames: dict) -> list[Problem]:
    """Published ids must never disappear: a wrong record is retracted, not deleted.

    Published means in the last release recorded under data/releases/ (see ``history``).
    """
    from .history import released_ids

    problems = []
    for name, column in STABLE_IDS.items():
        before = released_ids(root, name, column)
        now = set(frames[name][column].astype("object").dropna())
        for gone in sorted(before - now):
            problems.append(Problem(paths.table_path(name), 0, gone, column, "id-removed",
                                    "a published id is missing from the records; keep the record and "
                                    "set status: retracted with a retraction_reason instead"))
    return problems


def prepare(root: Path, today: dt.date | None = None, version: str | None = None, *, unreleased: bool = True
            ) -> tuple[dict, dict, list[Problem]]:
    """Read and check the records under ``root``. Returns (metadata, frames, problems).

    Rows are stamped with the versions they were added and last modified in, from the release
    history (``history.stamp``); new or changed rows get ``version``, by default the upcoming one.
    With ``unreleased`` the metadata's version becomes the one the build calls itself
    (``history.package_version``); ``timeline release`` keeps package.yaml's and sets its own.
    """
    from .assemble import assemble
    from .history import package_version, stamp
    from .records import read_records

    today = today or dt.date.today()
    records = read_records(root / paths.RECORDS)
    meta = dict(records.package)
    result = assemble(records, str(meta.get("version", "0.0.0")), today)
    tables = {column: name for name, column in STABLE_IDS.items()}
    removed = [p for p in removed_ids(root, result.frames) if not records.may_lack(tables[p.field], p.record)]
    problems = result.problems + removed
    if not problems:
        pend = stamp(root, meta, result.frames, version)
        if unreleased:
            meta["version"] = package_version(pend)
    return meta, result.frames, problems
