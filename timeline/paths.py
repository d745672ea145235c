"""Where things live. Imports nothing else from the package."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
RECORDS = Path("data") / "records"
DESCRIPTOR = "datapackage.json"
# A wheel carries a copy of the built package here (see pyproject.toml).
BUNDLED = PACKAGE_DIR / "_package"


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
