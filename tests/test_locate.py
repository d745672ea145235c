"""A CLI that knows where it is (issue 15, item 3): from a subfolder, outside a checkout, missing paths;
and `timeline new`, the skeleton event."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import timeline
from tests.conftest import REPO
from timeline.paths import find_root
from timeline.problems import NotFound

OUTSIDE = "needs a checkout of the timeline repository"


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert find_root() is None
    return folder


NEEDS_CHECKOUT = [["validate"], ["validate", "--records-only"], ["build"], ["build", "--check"],
                  ["release", "--dry-run"], ["archive", "--check"], ["codebook"], ["codebook", "--check"], ["site"],
                  ["stats", "--write"], ["new", "--date", "2025-03-01", "--type", "meeting", "--slug", "x"]]


@pytest.mark.parametrize("args", NEEDS_CHECKOUT)
def test_outside_a_checkout_record_and_writing_commands_exit_2_and_write_nothing(outside: Path, cli, args):
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: `timeline {args[0]}` {OUTSIDE}, and {outside} is not inside one") and \
        err.count("\n") == 1, err
    assert list(outside.iterdir()) == []  # nothing written into a folder that is not a checkout


def test_outside_a_checkout_validate_names_package(outside: Path, cli):
    err = cli("validate")[2]
    assert "--package PATH" in err and "data/records/package.yaml" in err


def test_outside_a_checkout_read_only_commands_use_the_installed_package(outside: Path, cli):
    code, out, err = cli("validate", "--package")
    assert (code, out.strip(), err) == (0, "Valid: no problems found.", "")
    code, out, _ = cli("stats")
    version = timeline.load("events")  # the same default package as the library's
    assert code == 0 and out.startswith("# Data report: russia-dprk-timeline v") and len(version) > 0
    code, out, _ = cli("diff", str(REPO / "data/releases/2.0.0"), "--summary")
    assert code == 0 and out.startswith(f"Comparing {REPO / 'data/releases/2.0.0'} (version 2.0.0) with ")


def test_outside_a_checkout_out_says_where_to_write(outside: Path, cli):
    code, out, _ = cli("codebook", "--out", "book.md")
    assert code == 0 and out == "Wrote book.md.\n"
    assert (outside / "book.md").read_text(encoding="utf-8").startswith("# ")
    assert cli("codebook", "--check", "--out", "book.md")[0] == 0


def test_from_a_subfolder_commands_find_the_checkout(built_mini: Path, cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_TODAY", "2026-01-01")
    monkeypatch.chdir(built_mini / "data" / "records" / "events")
    assert find_root() == built_mini.resolve()
    code, out, err = cli("validate")
    assert (code, err) == (0, ""), out
    assert cli("build", "--check")[0] == 0
    code, out, _ = cli("build")
    assert code == 0 and f"Package in {built_mini.resolve() / 'build/package'}" in out
    assert (built_mini / "build/package/datapackage.json").is_file()
    assert not (built_mini / "data/records/events/build").exists()


def test_a_missing_path_is_not_found(tmp_path: Path, cli):
    with pytest.raises(NotFound, match="missing: not found"):
        timeline.load(path="missing")
    with pytest.raises(FileNotFoundError):  # NotFound is also a FileNotFoundError
        timeline.load("events", path=tmp_path / "nothing")
    for args in (["stats", "--package", "missing"], ["validate", "--package", "missing"],
                 ["site", "--package", "missing", "--out", str(tmp_path / "x.html")],
                 ["validate", "--root", "missing"], ["diff", "missing", str(REPO)]):
        code, out, err = cli(*args)
        assert (code, out) == (2, ""), args
        assert err.startswith("error: missing: not found"), (args, err)


def test_build_writes_the_working_package_outside_the_committed_one(built_mini: Path, cli):
    events = built_mini / "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"
    events.write_text(events.read_text().replace("status: active", "status: active\nnotes: A test note."))
    before = (built_mini / "data/events.parquet").read_bytes()
    assert cli("build", "--root", str(built_mini))[0] == 0
    assert (built_mini / "data/events.parquet").read_bytes() == before
    assert (built_mini / "build/package/data/events.parquet").read_bytes() != before
    assert cli("build", "--root", str(built_mini), "--out", str(tmp := built_mini / "elsewhere"))[0] == 0
    assert (tmp / "data/events.parquet").read_bytes() == (built_mini / "build/package/data/events.parquet").read_bytes()


# ---------------------------------------------------------------- timeline new


def test_new_writes_a_skeleton_that_validation_reports_field_by_field(mini_repo: Path, cli,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_TODAY", "2026-01-01")
    code, out, _ = cli("new", "--root", str(mini_repo), "--date", "2025-03-01", "--type", "meeting", "--slug", "x")
    path = mini_repo / "data/records/events/2025/2025-03-01-x.yaml"
    assert code == 0 and out.startswith(f"Wrote {path}")
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (record["id"], record["type"], record["date_start"], record["date_precision"], record["status"]) == \
        ("2025-03-01-x", "meeting", "2025-03-01", "day", "active")
    code, out, _ = cli("validate", "--records-only", "--root", str(mini_repo))
    lines = out.splitlines()
    assert code == 1 and lines[-1] == "9 problem(s) found."
    assert all(line.startswith("data/records/events/2025/2025-03-01-x.yaml:") and "[required] is required but "
               "missing" in line for line in lines[:-1]), lines
    # Never overwrites, never reuses an id.
    code, _, err = cli("new", "--root", str(mini_repo), "--date", "2025-03-01", "--type", "meeting", "--slug", "x")
    assert code == 2 and "already exists; ids are never reused" in err


@pytest.mark.parametrize(("date", "precision", "start"), [("2025-03", "month", "2025-03-01"),
                                                          ("2024", "year", "2024-01-01")])
def test_new_takes_the_precision_from_the_date(mini_repo: Path, cli, date: str, precision: str, start: str):
    assert cli("new", "--root", str(mini_repo), "--date", date, "--type", "statement", "--slug", "y")[0] == 0
    record = yaml.safe_load((mini_repo / f"data/records/events/{start[:4]}/{date}-y.yaml").read_text())
    assert (record["id"], record["date_start"], record["date_precision"]) == (f"{date}-y", start, precision)


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2025-02-30", "--type", "meeting", "--slug", "x"], "--date must be written YYYY-MM-DD"),
    (["--date", "2025-03-01", "--type", "meting", "--slug", "x"], "--type 'meting' is not an event type"),
    (["--date", "2025-03-01", "--type", "meeting", "--slug", "Two Words"], "--slug must be lower-case words"),
])
def test_new_refuses_bad_arguments(mini_repo: Path, cli, args: list[str], message: str):
    code, out, err = cli("new", "--root", str(mini_repo), *args)
    assert (code, out) == (2, "") and err.startswith(f"error: {message}"), err
    assert not (mini_repo / "data/records/events/2025/2025-03-01-x.yaml").exists()
