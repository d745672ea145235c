"""Shared fixtures: a small valid package of real records, built or not, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from timeline.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini_repo(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini (seven real events, their actors, the treaty): not yet built."""
    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def built_mini(mini_repo: Path) -> Path:
    """The mini package, built."""
    assert main(["build", "--root", str(mini_repo), "--out", str(mini_repo)]) == 0
    return mini_repo


def snapshot(root: Path) -> dict[str, bytes]:
    """Bytes of every build output under ``root``, to prove a failed build changed nothing."""
    files = [root / "datapackage.json", *sorted((root / "data").glob("*.parquet")),
             *sorted((root / "schemas").glob("*.json")),
             root / "datapackage-csv.json", *sorted((root / "data" / "csv").glob("*.csv"))]
    return {str(p.relative_to(root)): p.read_bytes() for p in files if p.exists()}


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
