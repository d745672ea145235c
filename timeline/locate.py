"""Which checkout and which built package a command works on (issue 15, item 3).

Commands find the checkout from any folder inside it. Outside one, a command that needs the
curated records stops with ``NotACheckout`` (the CLI exits 2), read-only commands read the
package bundled with the installed toolchain, and nothing is written unless ``--out`` says where.
A path the user names that does not exist is ``NotFound``, never a "problem" with the data.
"""

from __future__ import annotations

from pathlib import Path

from .paths import MARKER, default_package, find_root
from .problems import NotACheckout, NotFound


def existing(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise NotFound(p)
    return p


def checkout(root: str | Path | None, command: str, hint: str = "give --root PATH") -> Path:
    """``root`` if given (it must exist), else the checkout holding the current folder."""
    if root is not None:
        return existing(root)
    found = find_root()
    if found is None:
        raise NotACheckout(f"`timeline {command}` needs a checkout of the timeline repository, and "
                           f"{Path.cwd()} is not inside one (no {MARKER.as_posix()} in it or any folder "
                           f"above it); run it in a checkout or {hint}")
    return found


def package(path: str | Path | None, root: str | Path | None = None) -> Path:
    """The built package a read-only command reads: ``path``, else the checkout's, else the bundled copy."""
    if path:
        return existing(path)
    if root is not None:
        return existing(root)
    return find_root() or default_package()


def output(out: str | Path | None, root: str | Path | None, default: Path, command: str) -> Path:
    """Where a command writes: ``out``, else ``default`` under the checkout (never an arbitrary folder)."""
    if out:
        return Path(out)
    return checkout(root, command, f"give --out PATH (it would write {default.as_posix()})") / default
