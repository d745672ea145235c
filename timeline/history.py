"""The release history kept in the repository, and the provenance the build stamps from it.

``timeline release`` writes each release under ``data/releases/<version>/``: its
``datapackage.json`` and Parquet tables (byte-identical to those in the archive), the archive's
other members (codebook, README, LICENSE, CITATION.cff) and ``release.json`` (what was released,
why, and the archive's sha256). The last release is found from these files, not from git tags,
so a shallow clone without tags knows it too. From it the build

- stamps ``added_in`` / ``modified_in``: unchanged rows keep their versions, new or changed rows
  get the upcoming version;
- writes the ``changes`` table: the last release's log plus the changes since (the first
  release is the baseline: the log starts after it);
- knows which ids were published, which may never disappear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diff import NONE, Package, PackageDiff, bump, diff_packages, empty_package, record_ids, version_key
from .problems import TimelineError
from .tables import PROVENANCE_FIELDS, TABLES, VERSION

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .frame import Frame

RELEASES = Path("data") / "releases"
MANIFEST = "release.json"
LOG = "changes"


@dataclass(frozen=True)
class Release:
    version: str
    path: Path
    manifest: dict[str, Any]


def releases(root: str | Path) -> list[Release]:
    """Every release recorded under ``root/data/releases``, oldest first."""
    import re

    folder = Path(root) / RELEASES
    out = []
    for manifest in folder.glob(f"*/{MANIFEST}") if folder.is_dir() else []:
        version = manifest.parent.name
        if not re.match(VERSION, version):
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TimelineError(f"{manifest}: the release record is damaged ({exc}); restore it from git") from None
        if not isinstance(data, dict):
            raise TimelineError(f"{manifest}: the release record is damaged (not a JSON object); restore it from git")
        out.append(Release(version, manifest.parent, data))
    return sorted(out, key=lambda r: version_key(r.version))


def last_release(root: str | Path) -> Release | None:
    found = releases(root)
    return found[-1] if found else None


def open_release(release: Release | None) -> Package:
    from .reader import open_package

    if release is None:
        return empty_package()
    return Package.of(open_package(release.path, label=f"release {release.version}"))


def candidate(meta: dict[str, Any], frames: dict[str, Frame | pd.DataFrame]) -> Package:
    """The package the build is about to write, as the diff sees it."""

    from .schemas import schema_frictionless

    descriptor = {k: v for k, v in meta.items() if k != "resources"}
    descriptor["resources"] = [{"name": n, "schema": schema_frictionless(n)} for n in TABLES]
    from .frame import table_of

    tables = {n: table_of(frames[n]) for n in TABLES}
    return Package("records", descriptor, tables)


@dataclass
class Pending:
    """What the records hold that the last release does not, and the version to stamp it with."""

    last: Release | None
    old: Package
    diff: PackageDiff
    version: str


def upcoming_version(meta: dict[str, Any], last: Release | None, diff: PackageDiff) -> str:
    """package.yaml's version until it is released; after that, the version the changes call for."""
    stated = str(meta.get("version", "0.0.0"))
    if last is None or version_key(stated) > version_key(last.version):
        return stated
    return bump(last.version, diff.level) if diff.level != NONE else last.version


DEV_SUFFIX = ".dev0"


def package_version(pend: Pending) -> str:
    """The version a build calls itself: the last release's while the package equals it; otherwise
    the upcoming version marked unreleased (``2.1.0.dev0``), so a build is never taken for a release."""
    if pend.last is not None and pend.diff.level == NONE:
        return pend.last.version
    return pend.version + DEV_SUFFIX


def pending(meta: dict[str, Any], frames: dict[str, Frame | pd.DataFrame], last: Release | None,
            old: Package) -> Pending:
    """Compare the records (already assembled into ``frames``) with the last release ``last``, opened
    as ``old`` (``open_release``): the caller reads the history once and passes it on.

    Before the first release there is nothing to compare with: every row is new, and the
    ``changes`` log stays empty (the first release is the baseline; ``added_in`` says the rest).
    """
    if last is None:
        diff = PackageDiff(old, Package("records", {}, {}), [], [], [])
    else:
        diff = diff_packages(old, candidate(meta, frames))
    return Pending(last, old, diff, upcoming_version(meta, last, diff))


def stamp(frames: dict[str, Frame], pend: Pending, version: str | None = None) -> Pending:
    """Fill ``added_in``, ``modified_in`` and the ``changes`` table of ``frames`` in place.

    Unchanged rows keep the versions of the last release; new or changed rows get ``version``
    (by default the upcoming one, see ``upcoming_version``). Before the first release every row is
    new, and neither pandas nor the record ids are needed.
    """
    import pyarrow as pa

    from .frame import Frame, table_of

    version = version or pend.version
    old = pend.old
    changed = {t.name: {r.id for r in t.rows if r.change != "removed"} for t in pend.diff.tables}
    for name, table in TABLES.items():
        if not all(f in table.field_names for f in PROVENANCE_FIELDS):
            continue
        current = table_of(frames[name])
        before = old.tables.get(name)
        if before is not None and all(f in before.column_names for f in PROVENANCE_FIELDS):
            added, modified = _carried(current, before, table.primary_key, changed.get(name, set()), version)
        else:
            added = modified = [version] * current.num_rows
        frames[name] = Frame(current).with_columns({"added_in": pa.chunked_array([pa.array(added, pa.string())]),
                                                    "modified_in": pa.chunked_array([pa.array(modified, pa.string())])})
    frames[LOG] = changes_frame(old, pend.diff, version)
    return Pending(pend.last, old, pend.diff, version)


def _carried(current: pa.Table, before: pa.Table, key: tuple[str, ...], changed: set[str],
             version: str) -> tuple[list, list]:
    """Each row's added_in and modified_in: the last release's for a row it has unchanged, else ``version``."""
    import pandas as pd

    ids = record_ids(current.select(list(key)), key)
    prior = pd.DataFrame({f: before.column(f).to_pylist() for f in PROVENANCE_FIELDS},
                         index=record_ids(before, key))
    added, modified = ids.map(prior["added_in"]), ids.map(prior["modified_in"])
    fresh = ids.isin(changed) | modified.isna()
    return added.where(added.notna(), version).tolist(), modified.where(~fresh, version).tolist()


def changes_frame(old: Package, diff: PackageDiff, version: str) -> Frame:
    """The release log: every earlier release's rows, then this version's."""
    import pyarrow as pa

    from .frame import Frame

    columns = TABLES[LOG].field_names
    rows: dict[str, list] = {c: [] for c in columns}
    if LOG in old.tables:
        previous = old.tables[LOG]
        for c in columns:
            rows[c] += previous.column(c).to_pylist() if c in previous.column_names else [None] * previous.num_rows
    for t in diff.tables:
        for r in t.rows:
            for c, v in zip(columns, (version, t.name, r.id, r.change, ", ".join(r.fields) or None), strict=True):
                rows[c].append(v)
    return Frame(pa.table({c: pa.array(v, pa.string()) for c, v in rows.items()}))


def snapshot_files(release: Release) -> dict[str, bytes]:
    """The archive members a release keeps (everything in its folder but release.json)."""
    return {p.relative_to(release.path).as_posix(): p.read_bytes()
            for p in sorted(release.path.rglob("*")) if p.is_file() and p.name != MANIFEST}
