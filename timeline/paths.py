"""Where things live. Imports nothing else from the package."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
RECORDS = Path("data") / "records"
DESCRIPTOR = "datapackage.json"
# A wheel carries a copy of the built package here (see pyproject.toml).
BUNDLED = PACKAGE_DIR / "_package"
# A checkout is recognised by its package metadata record, which every checkout has.
MARKER = RECORDS / "package.yaml"
# Where `timeline build` writes the package built from the working records (git-ignored): the
# committed tables are those of the last release, written by `timeline release` (docs/contributing).
WORKING = Path("build") / "package"


def table_path(table: str) -> str:
    """Path of a table's Parquet file, relative to the package root."""
    return f"data/{table}.parquet"


def csv_folder() -> str:
    """Folder of the committed CSV mirror (one file per table), relative to the package root."""
    return "data/csv"


def schema_path(table: str) -> str:
    """Path of a table's Frictionless schema, relative to the package root."""
    return f"schemas/{table}.json"


def default_package() -> Path:
    """The package to load when none is named: the checkout's, else the one bundled in the wheel."""
    if (REPO_ROOT / DESCRIPTOR).exists() and (REPO_ROOT / "timeline").is_dir():
        return REPO_ROOT
    return BUNDLED


def is_checkout(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def find_root(start: Path | None = None) -> Path | None:
    """The checkout holding ``start`` (default: the current folder) or any folder above it; None if none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_checkout(folder):
            return folder
    return None
