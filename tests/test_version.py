"""One version: the descriptor's is the data version, and timeline.__version__, loaded frames and builds agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import timeline
from tests.conftest import FIXTURES, REPO
from timeline.build import build
from timeline.history import last_release
from timeline.load import load
from timeline.release import rebuild, release

NEW_EVENT = FIXTURES / "diff/basic/new/data/records/events/2024/2024-11-04-putin-receives-choe-kremlin.yaml"
MEETING = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"


def version_of(root: Path) -> str:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["version"]




def test_the_checkout_is_release_2_0_0_and_says_so_everywhere():
    assert version_of(REPO) == last_release(REPO).version == timeline.__version__
    events = load("events")
    assert events.attrs == {"name": "russia-dprk-timeline", "version": timeline.__version__, "source": "checkout"}


def test_every_table_carries_name_version_and_source(tmp_path: Path):
    tables = load(path=REPO / "data/releases/1.0.0")
    assert {t.attrs["version"] for t in tables.values()} == {"1.0.0"}
    assert {t.attrs["source"] for t in tables.values()} == {"folder"}
    _, data = rebuild(REPO, "1.0.0")
    (tmp_path / "r.zip").write_bytes(data)
    assert load("events", tmp_path / "r.zip").attrs == {"name": "russia-dprk-timeline", "version": "1.0.0",
                                                       "source": "archive"}
    assert load("events", REPO / "datapackage.json").attrs["source"] == "checkout"


def test_before_the_first_release_a_build_is_unreleased(built_mini: Path):
    assert version_of(built_mini) == "0.1.0.dev0"  # package.yaml's version, not yet released


def test_a_build_that_differs_from_the_last_release_calls_itself_the_next_version_dev0(released: Path, cli):
    assert version_of(released) == "1.0.0"
    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)  # MINOR
    build(released)
    assert version_of(released) == "1.1.0.dev0"
    code, out, _ = cli("release", "--root", str(released), "--dry-run")
    assert code == 0 and out.startswith("Release 1.1.0 after 1.0.0")  # the same next version
    assert load("events", released).attrs["version"] == "1.1.0.dev0"
    code, out, _ = cli("diff", str(released / "data/releases/1.0.0"), str(released), "--summary")
    assert code == 0 and "(version 1.0.0) with" in out and "(version 1.1.0.dev0)." in out
    assert "so the next version after 1.0.0 is 1.1.0." in out
    code, out, _ = cli("diff", str(released), str(released / "data/releases/1.0.0"), "--summary")
    assert code == 0 and "next version" not in out  # only the last release tells what follows a dev build
    (released / "data/records/events/2024" / NEW_EVENT.name).unlink()  # back to what was released
    build(released)
    assert version_of(released) == "1.0.0"


def test_a_correction_makes_a_patch_dev_build_and_the_release_drops_the_suffix(released: Path):
    path = released / MEETING
    path.write_text(path.read_text().replace("date_start: '2025-10-27'", "date_start: '2025-10-28'"))
    build(released)
    assert version_of(released) == "1.0.1.dev0"
    assert release(released).version == "1.0.1"
    assert version_of(released) == "1.0.1"
