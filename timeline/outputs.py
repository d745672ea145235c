"""Generated files: written only when their bytes change, all together or not at all.

Every command that generates files (build, release, codebook, stats, plot, site, cite, archive)
computes them as a mapping {path relative to a root: bytes} and hands it to ``write_outputs``, or to
``stale_outputs`` for its ``--check``; so every ``--check`` means the same thing, and no command
half-writes its outputs.

A write first puts the changed files in a staging folder beside them (same file system, so the
final moves are renames); only when all are written are they moved into place, with the previous
files kept aside (hard links) until the last move. A failure at any point, even an interrupt,
puts back what was already moved: the outputs are the old set or the new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

MODE = 0o644  # generated files are for sharing, whatever the umask or mkstemp would make them


def stale_outputs(root: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[str]:
    """The paths in ``files`` whose file under ``root`` is missing or holds other bytes, in order."""
    root = Path(root)
    return [rel for rel, data in files.items() if not (root / rel).is_file() or (root / rel).read_bytes() != data]


def write_outputs(root: str | os.PathLike[str], files: Mapping[str, bytes],
                  _fail_after: str | None = None) -> list[str]:
    """Write the stale ``files`` under ``root`` as one set; return their paths (empty when none was stale).

    ``_fail_after`` is for tests: raise right after staging that file, to prove atomicity.
    """
    root = Path(root)
    changed = stale_outputs(root, files)
    if not changed:
        return []
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".timeline-staging-", dir=root))
    backup = Path(tempfile.mkdtemp(prefix=".timeline-backup-", dir=root))
    moved: list[str] = []
    try:
        for rel in changed:
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(files[rel])
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(target, MODE)
            if _fail_after == rel:
                raise OSError(f"injected failure after writing {rel}")
        for rel in changed:
            if (root / rel).exists():
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                os.link(root / rel, backup / rel)
        for rel in changed:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, root / rel)
            moved.append(rel)
    except BaseException:
        for rel in moved:  # put back what was already replaced
            if (backup / rel).exists():
                os.replace(backup / rel, root / rel)
            else:
                (root / rel).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return changed
