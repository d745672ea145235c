"""``timeline release``: cut a versioned release of the package.

The version comes from the differences with the last release (``timeline diff``); a ``bump``
override must give a reason, which the changelog records. One release writes, all together
or not at all: the tables with their ``added_in`` / ``modified_in`` and ``changes`` rows,
``datapackage.json`` and ``package.yaml`` (version, created), ``CITATION.cff`` and ``.zenodo.json``
(``citation``), the codebook, the README figures, the data report, the explorer page, a
``CHANGELOG.md`` entry and the release's folder under ``data/releases/``; then the archive
``dist/<name>-<version>.zip``, which ``rebuild`` makes again, byte for byte, from that folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .archive import archive_name, build_archive
from .citation import CITATION, citation_files
from .descriptor import sha256
from .diff import LEVELS, MAJOR, MINOR, NONE, PATCH, PackageDiff, bump
from .history import MANIFEST, RELEASES, Pending, Release, last_release, releases, snapshot_files
from .outputs import write_outputs
from .problems import TimelineError, ValidationFailed
from .tables import TABLES

FIRST_VERSION = "1.0.0"
BUMPS = {"major": MAJOR, "minor": MINOR, "patch": PATCH}
CHANGELOG = "CHANGELOG.md"
LICENSE = "LICENSE"
DIST = "dist"
LIST_LIMIT = 100  # ids listed per section of a changelog entry; the changes table has them all
CHANGELOG_HEADER = """# Changelog

Every release of the data package, newest first. Entries are written by `timeline release`;
from the second release on, the `changes` table in the package lists every row added, modified,
retracted or removed.
Versions follow the Data Package version recipe (see docs/codebook.md, "Versions and provenance").
"""


class NothingToRelease(TimelineError):
    """The records hold nothing the last release does not."""


@dataclass
class ReleaseResult:
    version: str
    previous: str | None
    computed: int  # the level the differences call for
    level: int  # the level released (differs when overridden)
    diff: PackageDiff
    archive: Path
    archive_bytes: bytes = field(repr=False)
    changed: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return sha256(self.archive_bytes)


def _set_keys(text: str, values: dict[str, str]) -> str:
    """Replace top-level ``key: value`` lines of package.yaml, keeping everything else as written."""
    for key, value in values.items():
        line = f"{key}: {json.dumps(value)}" if key == "created" else f"{key}: {value}"
        text, n = re.subn(rf"^{key}:.*$", line, text, count=1, flags=re.M)
        if not n:
            text = text.rstrip("\n") + f"\n{line}\n"
    return text


def _ids(items: list[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in items[:LIST_LIMIT])
    more = len(items) - LIST_LIMIT
    return shown + (f" and {more} more (see the `changes` table)" if more > 0 else "")


def changelog_entry(version: str, date: dt.date, previous: str | None, diff: PackageDiff, level: int,
                    reason: str | None, notes: str, rows: dict[str, int], archive: str, digest: str,
                    size: int) -> str:
    lines = [f"## [{version}] - {date.isoformat()}", ""]
    if previous is None:
        lines += ["First release.", ""]
    else:
        computed = diff.level
        why = "; ".join(w for lvl, w in diff.reasons() if lvl == computed)
        lines.append(f"{LEVELS[level].upper()} release after {previous}. The differences ({why}) call for "
                     f"{LEVELS[computed].upper()}.")
        if level != computed:
            lines.append(f"The bump was set to {LEVELS[level].upper()} by hand. Reason: {reason}")
        lines.append("")
        if diff.schema:
            lines += ["### Schema", ""]
            lines += [f"- `{s.table}{'.' + s.field if s.field else ''}`: {s.change}"
                      + (f" ({s.detail})" if s.detail else "") for s in diff.schema]
            lines.append("")
        for change, title in (("added", "Added"), ("retracted", "Retracted"), ("modified", "Modified"),
                              ("removed", "Removed")):
            items = []
            for t in diff.tables:
                ids = [r.id + (f" ({', '.join(r.fields)})" if change == "modified" else "")
                       for r in t.rows if r.change == change]
                if ids:
                    items.append(f"- {t.name}: {_ids(ids)}")
            if items:
                lines += [f"### {title}", "", *items, ""]
    lines += ["### Contents", ""]
    old_rows = {t.name: t.rows_old for t in diff.tables}
    lines += ["| table | rows |", "|---|---|"]
    for name, n in rows.items():
        delta = n - old_rows.get(name, 0) if previous is not None and name in old_rows else None
        lines.append(f"| {name} | {n}{f' ({delta:+d})' if delta else ''} |")
    lines.append("")
    if notes.strip():
        lines += ["### Notes", "", notes.strip(), ""]
    lines += [f"Archive: `{archive}`, {size} bytes, sha256 `{digest}`.", ""]
    return "\n".join(lines)


UNRELEASED = "## Unreleased"


def add_entry(text: str, entry: str) -> str:
    """``text`` with ``entry`` as its newest release. What the ``## Unreleased`` section lists moves into
    the entry (as its ``### Changes``), leaving that section empty for what comes next."""
    if not text.strip():
        text = CHANGELOG_HEADER
    at = text.find("\n## [")
    head, rest = (text.rstrip("\n") + "\n\n", "") if at < 0 else (text[: at + 1], text[at + 1:])
    start = head.find(f"\n{UNRELEASED}\n")
    if start >= 0:
        pending = head[start + len(UNRELEASED) + 2:].strip("\n")
        head = head[: start + 1] + UNRELEASED + "\n\n"
        if pending:
            title, _, body = entry.partition("\n\n")
            summary, _, sections = body.partition("\n\n")
            entry = f"{title}\n\n{summary}\n\n### Changes\n\n{pending}\n\n{sections}"
    return head + entry + ("\n" + rest if rest else "")


def choose_version(last: Release | None, diff: PackageDiff, override: str | None, reason: str | None
                   ) -> tuple[str, int]:
    """The version to release and its level."""
    if override and not (reason and reason.strip()):
        raise TimelineError("--bump needs --reason: the changelog records why the computed bump was overridden")
    if last is None:
        if override:
            raise TimelineError(f"the first release is {FIRST_VERSION}; --bump applies to later releases")
        return FIRST_VERSION, MAJOR
    level = BUMPS[override] if override else diff.level
    if level == NONE:
        raise NothingToRelease(f"nothing changed since release {last.version}")
    return bump(last.version, level), level


def release_views(files: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The README figures (by name), the data report and the explorer page (by path), drawn from
    the release's own tables. They are release outputs: CI checks them against the committed
    package, which is the last release's, so a pull request adding an event never touches them."""
    import tempfile

    from .load import frames
    from .plot import figures
    from .reader import open_package
    from .site import SITE, build_site
    from .stats import REPORT, report

    with tempfile.TemporaryDirectory() as tmp:
        for rel, data in files.items():
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / rel).write_bytes(data)
        pages = {REPORT.as_posix(): report(tmp).encode(), SITE.as_posix(): build_site(tmp).encode()}
        src = open_package(tmp)
        return figures(frames(src), src.descriptor), pages


def release(root: str | Path = ".", bump_override: str | None = None, reason: str | None = None,
            notes: str = "", today: dt.date | None = None, dry_run: bool = False) -> ReleaseResult:
    """Cut the next release of the package under ``root``; see the module docstring."""
    from .build import build_lock, package_files
    from .codebook import CODEBOOK, codebook, package_readme
    from .pipeline import prepare
    from .rrecipe import RECIPE, recipe

    root = Path(root)
    today = today or dt.date.today()
    license_path = root / LICENSE
    if not license_path.is_file():
        raise TimelineError(f"{license_path} is missing; a release must carry its licence")
    chosen: list[tuple[str, int]] = []
    refused: list[TimelineError] = []

    def choose(pend: Pending) -> str:
        # The version is stamped before the rules run; a refusal waits until they have, so that
        # invalid records are reported as such whatever the bump.
        try:
            chosen.append(choose_version(pend.last, pend.diff, bump_override, reason))
        except TimelineError as exc:
            refused.append(exc)
            return pend.version
        return chosen[-1][0]

    with build_lock(root, 60.0):
        ready = prepare(root, today, unreleased=False, choose=choose)
        if ready.problems:
            raise ValidationFailed(ready.problems)
        if refused:
            raise refused[0]
        meta, frames, pend = ready.meta, ready.frames, ready.pending
        assert pend is not None and chosen  # records without problems are always stamped
        version, level = chosen[-1]
        created = f"{today.isoformat()}T00:00:00Z"
        meta = {**meta, "version": version, "created": created}
        files = package_files(meta, frames)
        rows = {n: len(frames[n]) for n in TABLES}
        descriptor = json.loads(files[paths.DESCRIPTOR])
        cited = citation_files(meta, today)
        citation = cited[CITATION]
        book = codebook().encode()
        kept = {paths.DESCRIPTOR: files[paths.DESCRIPTOR],
                **{paths.table_path(n): files[paths.table_path(n)] for n in TABLES},
                "codebook.md": book, "README.md": package_readme(descriptor, rows).encode(),
                LICENSE: license_path.read_bytes(), CITATION: citation}
        figures, pages = release_views(files)
        kept.update({f"figures/{n}": data for n, data in figures.items()})
        archive = build_archive(kept)
        name = archive_name(str(meta.get("name", "package")), version)
        previous = pend.last.version if pend.last else None
        manifest = {"version": version, "previous": previous, "created": created,
                    "computed": LEVELS[pend.diff.level] if previous else "first",
                    "level": LEVELS[level] if previous else "first",
                    "reason": reason if bump_override else None, "rows": rows,
                    "archive": {"name": name, "bytes": len(archive), "sha256": sha256(archive)}}
        entry = changelog_entry(version, today, previous, pend.diff, level, reason, notes, rows, name,
                                sha256(archive), len(archive))
        changelog = root / CHANGELOG
        package_yaml = root / paths.RECORDS / "package.yaml"
        folder = (RELEASES / version).as_posix()
        out = {**files, CODEBOOK.as_posix(): book, RECIPE.as_posix(): recipe().encode(), **cited,
               **{f"docs/figures/{n}": data for n, data in figures.items()}, **pages,
               CHANGELOG: add_entry(changelog.read_text(encoding="utf-8") if changelog.exists() else "",
                                    entry).encode(),
               (paths.RECORDS / "package.yaml").as_posix():
                   _set_keys(package_yaml.read_text(encoding="utf-8"), {"version": version, "created": created}
                             ).encode(),
               **{f"{folder}/{rel}": data for rel, data in kept.items()},
               f"{folder}/{MANIFEST}": (json.dumps(manifest, indent=2) + "\n").encode()}
        target = root / DIST / name
        changed = [] if dry_run else write_outputs(root, out)
    if not dry_run:
        write_outputs(target.parent, {target.name: archive})
    return ReleaseResult(version, previous, pend.diff.level, level, pend.diff, target, archive, changed)


def rebuild(root: str | Path = ".", version: str | None = None) -> tuple[Release, bytes]:
    """The archive of a recorded release, built again from its folder under data/releases/."""
    found = {r.version: r for r in releases(root)}
    if not found:
        raise TimelineError(f"{Path(root) / RELEASES}: no release recorded yet; run `timeline release`")
    rel = found.get(version) if version else last_release(root)
    if rel is None:
        raise TimelineError(f"no release {version}; recorded: {', '.join(found)}")
    return rel, build_archive(snapshot_files(rel))
