"""Where record files belong under ``data/records/``, so that no file is ever skipped unread.

The tool reads ``package.yaml``, ``actors.yaml``, ``places.yaml``, ``treaties.yaml`` and
``events/<year>/<event-id>.yaml``, the year being the one the file name starts with. Any other file
is reported by its path (``stray-file``), an event file elsewhere with where it belongs
(``file-place``); a ``.yml`` event file is reported (``file-name``), not read, so one spelling holds.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from pathlib import Path

# The files read at the top of data/records/, besides the events/ folder.
REGISTRY_FILES = ("package.yaml", "actors.yaml", "places.yaml", "treaties.yaml")


def strays(root: Path) -> Iterator[Path]:
    """Files under ``root`` outside events/ that no reader looks at (links included)."""
    for path in sorted(root.iterdir()) if root.is_dir() else []:
        if path.name in (*REGISTRY_FILES, "events"):
            continue
        if path.is_symlink() or not path.is_dir():
            yield path
        else:
            yield from (p for p in sorted(path.rglob("*")) if p.is_symlink() or not p.is_dir())


def tree(folder: Path) -> list[tuple[tuple[str, ...], str, bool, bool]]:
    """Everything under ``folder`` as ``(parts, path, is_link, is_folder)``, ``parts`` relative to it,
    in ``sorted(folder.rglob("*"))``'s order and, like it, without entering linked folders. One
    directory scan per folder and no Path objects: per file, those cost a fifth of a second at
    10,000 files."""
    found: list[tuple[tuple[str, ...], str, bool, bool]] = []

    def scan(path: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(path) as entries:
                listed = list(entries)
        except PermissionError:  # as rglob does
            return
        for entry in listed:
            link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            here = (*parts, entry.name)
            found.append((here, entry.path, link, is_dir))
            if is_dir and not link:
                scan(entry.path, here)

    if folder.is_dir():
        scan(str(folder), ())
    found.sort(key=lambda item: item[0])  # by parts, as paths compare: 2024/x before 2024-extra/
    return found


def split_suffix(name: str) -> tuple[str, str]:
    """A file name's stem and suffix, as ``PurePath.stem`` and ``.suffix`` give them."""
    i = name.rfind(".")
    return (name[:i], name[i:]) if 0 < i < len(name) - 1 else (name, "")


def stray_message(path: Path, top: bool) -> str:
    close = difflib.get_close_matches(path.name, REGISTRY_FILES, n=1, cutoff=0.75) if top else []
    hint = f"did you mean {close[0]}?" if close else (
        "records are package.yaml, actors.yaml, places.yaml, treaties.yaml and events/<year>/<id>.yaml")
    return f"is not a record file the tool reads; {hint}"


def misplaced(parts: tuple[str, ...]) -> str | None:
    """Why an event file, at ``parts`` under events/, is not where it belongs (None when it is)."""
    folder = "/".join(parts[:-1]) or "."
    year = split_suffix(parts[-1])[0][:4]
    if not (len(folder) == 4 and folder.isascii() and folder.isdigit()):
        where = f"events/{year}/" if year.isdigit() else "events/<year>/"
        return f"an event file belongs in {where}, the year its file name starts with"
    if year != folder and year.isdigit():
        return f"is in the {folder} folder but its file name starts with {year}; move it to events/{year}/"
    return None
