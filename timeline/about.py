"""Which package this is: its name, its data version and where its tables come from.

The data version is the one fact behind every version number: ``timeline build`` writes it into
``datapackage.json`` (``history.package_version``), setup.py gives the wheel the version of the
descriptor it bundles, and ``timeline.__version__`` and every loaded frame's ``.attrs`` read it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .paths import BUNDLED, DESCRIPTOR, REPO_ROOT, default_package

DIST_NAME = "russia-dprk-timeline"
SOURCES = ("checkout", "wheel", "archive", "folder")


def source_of(root: Path, archive: bool = False) -> str:
    """``archive`` (a release .zip), ``wheel`` (the copy bundled with the installed package),
    ``checkout`` (the repository this code runs from) or ``folder`` (any other package folder)."""
    if archive:
        return "archive"
    real = root.resolve()
    if real == BUNDLED.resolve():
        return "wheel"
    if real == REPO_ROOT.resolve():
        return "checkout"
    return "folder"


def package_info(descriptor: dict[str, Any], source: str) -> dict[str, str]:
    """What a loaded frame's ``.attrs`` carry."""
    return {"name": str(descriptor.get("name", "")), "version": str(descriptor.get("version", "")),
            "source": source}


def version() -> str:
    """The data version of the package ``timeline.load()`` reads by default (``timeline.__version__``)."""
    try:
        data = json.loads((default_package() / DESCRIPTOR).read_text(encoding="utf-8"))
        return str(data["version"])
    except (OSError, ValueError, KeyError, TypeError):
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        try:  # a checkout not built yet: what pip installed
            return installed(DIST_NAME)
        except PackageNotFoundError:
            return "0+unknown"
