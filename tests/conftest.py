"""Shared fixtures: a small valid package of real records, built or not, and a CLI runner."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from timeline.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).resolve().parent.parent
RELEASE_DAY = dt.date(2026, 1, 15)  # the day of the mini package's first release in the release tests


@pytest.fixture(scope="session")
def released_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini package after its first release, 1.0.0 on RELEASE_DAY: released once per test run."""
    from timeline.release import release

    root = tmp_path_factory.mktemp("released") / "repo"
    shutil.copytree(MINI, root)
    shutil.copyfile(REPO / "LICENSE", root / "LICENSE")
    assert release(root, today=RELEASE_DAY).version == "1.0.0"
    return root


@pytest.fixture
def released(released_once: Path, tmp_path: Path) -> Path:
    """A private copy of the released mini package, for a test to change."""
    root = tmp_path / "repo"
    shutil.copytree(released_once, root, symlinks=True)
    return root


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


# Packages whose version changes the bytes of committed outputs (Parquet, figures, explorer).
BYTE_PACKAGES = ("pandas", "pyarrow", "numpy", "matplotlib", "kiwisolver", "pillow")


def lock() -> dict[str, str]:
    """The exact versions in constraints.txt, by lower-case name."""
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[name.lower()] = version
    return pins


def off_lock() -> list[str]:
    """``name installed (lock: x)`` for each byte-relevant package not at its locked version."""
    from importlib.metadata import PackageNotFoundError, version

    pins, out = lock(), []
    for name in BYTE_PACKAGES:
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue
        if installed != pins.get(name):
            out.append(f"{name} {installed} (lock: {pins.get(name)})")
    return out


# For tests that compare bytes with committed outputs: those hold under the lock only.
needs_lock = pytest.mark.skipif(bool(off_lock()), reason="compares bytes with committed outputs, which are "
                                "reproducible under constraints.txt only; installed: " + ", ".join(off_lock()))
