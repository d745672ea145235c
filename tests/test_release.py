"""timeline release: versions computed from the change, provenance, changelog, refusals."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import FIXTURES, RELEASE_DAY, REPO
from timeline.build import build
from timeline.history import last_release
from timeline.release import rebuild, release
from timeline.tables import TABLES

DAY = RELEASE_DAY
NEW_EVENT = FIXTURES / "diff/basic/new/data/records/events/2024/2024-11-04-putin-receives-choe-kremlin.yaml"
MEETING = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"




def rows(root: Path, table: str) -> dict[str, dict]:
    key = TABLES[table].primary_key
    return {"/".join(r[k] for k in key): r for r in pq.read_table(root / f"data/{table}.parquet").to_pylist()}


def changes(root: Path, version: str) -> set[tuple[str, str, str, str | None]]:
    return {(r["table_name"], r["record_id"], r["change"], r["fields"])
            for r in rows(root, "changes").values() if r["version"] == version}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_first_release_writes_everything_consistently(released: Path, cli):
    descriptor = json.loads((released / "datapackage.json").read_text())
    assert (descriptor["version"], descriptor["created"]) == ("1.0.0", "2026-01-15T00:00:00Z")
    assert "version: 1.0.0" in (released / "data/records/package.yaml").read_text()
    assert "version: 1.0.0" in (released / "CITATION.cff").read_text()
    assert "## [1.0.0] - 2026-01-15" in (released / "CHANGELOG.md").read_text()
    assert (released / "docs/codebook.md").exists()
    assert {r["added_in"] for r in rows(released, "events").values()} == {"1.0.0"}
    assert rows(released, "changes") == {}  # the first release is the baseline of the log
    # the committed state is complete: a build changes nothing and the archive is rebuilt byte for byte
    assert cli("build", "--check", "--root", str(released))[0] == 0
    rel, data = rebuild(released)
    assert data == (released / "dist/russia-dprk-timeline-1.0.0.zip").read_bytes()
    assert rel.manifest["archive"]["sha256"] in (released / "CHANGELOG.md").read_text()
    code, out, _ = cli("archive", "--check", "--root", str(released))
    assert code == 0 and "Identical to release 1.0.0" in out


def test_adding_an_event_is_minor_and_named_in_the_changelog(released: Path, cli):
    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)
    code, out, err = cli("release", "--root", str(released), "--date", "2026-02-01")
    assert code == 0, err
    assert "Release 1.1.0 after 1.0.0: MINOR (rows added)" in out
    assert re.search(r"sha256: [0-9a-f]{64}", out)
    entry = (released / "CHANGELOG.md").read_text().split("## [1.0.0]")[0]
    assert "## [1.1.0] - 2026-02-01" in entry and "`2024-11-04-putin-receives-choe-kremlin`" in entry
    events = rows(released, "events")
    assert (events["2024-11-04-putin-receives-choe-kremlin"]["added_in"],
            events["2024-11-04-putin-receives-choe-kremlin"]["modified_in"]) == ("1.1.0", "1.1.0")
    assert {e["added_in"] for i, e in events.items() if not i.startswith("2024-11-04")} == {"1.0.0"}
    assert ("events", "2024-11-04-putin-receives-choe-kremlin", "added", None) in changes(released, "1.1.0")
    assert last_release(released).version == "1.1.0"
    assert cli("build", "--check", "--root", str(released))[0] == 0


def test_correcting_a_date_is_a_patch(released: Path):
    edit(released, MEETING, "date_start: '2025-10-27'", "date_start: '2025-10-28'")  # a simulated correction
    result = release(released, today=DAY)
    assert result.version == "1.0.1"
    meeting = rows(released, "events")["2025-10-27-putin-receives-choe-kremlin"]
    assert (meeting["added_in"], meeting["modified_in"]) == ("1.0.0", "1.0.1")
    assert changes(released, "1.0.1") == {("events", "2025-10-27-putin-receives-choe-kremlin", "modified",
                                           "date_start")}


def test_removing_a_field_is_major(released: Path, monkeypatch):
    table = TABLES["treaty_obligations"]
    monkeypatch.setitem(TABLES, "treaty_obligations", dataclasses.replace(
        table, fields=tuple(f for f in table.fields if f.name != "article")))
    path = released / "data/records/treaties.yaml"
    path.write_text(re.sub(r"(?m)^ +article: .*\n", "", path.read_text()))
    # The data report (a release output) counts `article`; removing it for real means editing stats.py too.
    monkeypatch.setattr("timeline.stats.report", lambda path=None: "")
    result = release(released, today=DAY)
    assert result.version == "2.0.0"
    assert [(s.table, s.field, s.change) for s in result.diff.schema] == [
        ("treaty_obligations", "article", "field removed")]
    assert "`treaty_obligations.article`: field removed" in (released / "CHANGELOG.md").read_text()


def test_deleting_a_published_id_is_refused_and_retracting_is_a_patch(released: Path, cli):
    before = (released / "CHANGELOG.md").read_bytes()
    duma = released / "data/records/events/2024/2024-10-24-duma-ratifies-treaty.yaml"
    text = duma.read_text()
    duma.unlink()
    code, _, err = cli("release", "--root", str(released))
    assert code == 1
    assert "2024-10-24-duma-ratifies-treaty: event_id: [id-removed]" in err and "nothing was released" in err
    assert (released / "CHANGELOG.md").read_bytes() == before and last_release(released).version == "1.0.0"
    duma.write_text(text.replace("status: active\n", "status: retracted\nretraction_reason: Retracted in a "
                                 "test, to exercise the release.\n"))
    result = release(released, today=DAY)
    assert result.version == "1.0.1"
    assert changes(released, "1.0.1") == {("events", "2024-10-24-duma-ratifies-treaty", "retracted",
                                           "status, retraction_reason")}
    assert "### Retracted" in (released / "CHANGELOG.md").read_text()


def test_nothing_to_release(released: Path, cli):
    code, _, err = cli("release", "--root", str(released))
    assert code == 1 and "nothing changed since release 1.0.0" in err


def test_a_dry_run_with_nothing_to_release_exits_0_and_says_so(released: Path, cli):
    code, out, err = cli("release", "--root", str(released), "--dry-run")
    assert (code, err) == (0, "")
    assert out == "Nothing to release: nothing changed since release 1.0.0.\nDry run: nothing was written.\n"


def test_bump_override_needs_a_reason_and_records_it(released: Path, cli):
    edit(released, MEETING, "date_start: '2025-10-27'", "date_start: '2025-10-28'")
    code, _, err = cli("release", "--root", str(released), "--bump", "minor")
    assert code == 2 and "--reason" in err
    code, out, _ = cli("release", "--root", str(released), "--bump", "minor", "--reason",
                       "Test: the correction changes how the event is counted by month.")
    assert code == 0 and "Release 1.1.0 after 1.0.0: MINOR" in out
    entry = (released / "CHANGELOG.md").read_text()
    assert "The bump was set to MINOR by hand. Reason: Test: the correction" in entry
    assert json.loads((released / "data/releases/1.1.0/release.json").read_text())["computed"] == "patch"


def test_an_invalid_package_is_refused(released: Path, cli):
    edit(released, MEETING, "date_precision: day", "date_precision: daily")
    code, _, err = cli("release", "--root", str(released))
    assert code == 1 and "[vocabulary]" in err and last_release(released).version == "1.0.0"


def test_builds_between_releases_stamp_the_upcoming_version(released: Path, cli):
    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)
    build(released)
    # the build is not release 1.0.0 any more: it calls itself the version a release would cut, unreleased
    assert json.loads((released / "datapackage.json").read_text())["version"] == "1.1.0.dev0"
    assert rows(released, "events")["2024-11-04-putin-receives-choe-kremlin"]["added_in"] == "1.1.0"
    code, out, _ = cli("release", "--root", str(released), "--dry-run")
    assert code == 0 and "Release 1.1.0" in out and "nothing was written" in out
    assert last_release(released).version == "1.0.0"


def test_the_repository_release_rebuilds_byte_identically():
    """The last release recorded in this repository, rebuilt from its files, has the recorded sha256."""
    rel, data = rebuild(REPO)
    assert hashlib.sha256(data).hexdigest() == rel.manifest["archive"]["sha256"]
    assert f"sha256 `{rel.manifest['archive']['sha256']}`" in (REPO / "CHANGELOG.md").read_text()
    # the committed package equals the last release, so it carries that version (a build that differs
    # would call itself X.Y.Z.dev0, see tests/test_version.py); `timeline release` moves it on
    assert json.loads((REPO / "datapackage.json").read_text())["version"] == rel.version


def test_a_release_writes_the_views_ci_checks_and_a_new_event_leaves_them_alone(released: Path, cli):
    # The data report, figures and explorer are release outputs, checked against the committed package.
    for args in (["stats", "--check"], ["site", "--check"], ["plot", "--check"], ["build", "--check"]):
        assert cli(*args, "--root", str(released))[0] == 0, args
    before = {p: p.read_bytes() for p in [released / "docs/data-report.md", released / "site/index.html",
                                          released / "datapackage.json", *sorted(released.glob("data/*.parquet"))]}
    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)
    code, out, _ = cli("build", "--root", str(released))
    assert code == 0 and "events 8" in out
    assert {p: p.read_bytes() for p in before} == before
    for args in (["stats", "--check"], ["site", "--check"], ["build", "--check"]):
        assert cli(*args, "--root", str(released))[0] == 0, args
    # Writing the working package over the committed one is what the check catches.
    assert cli("build", "--root", str(released), "--out", str(released))[0] == 0
    code, _, err = cli("build", "--check", "--root", str(released))
    assert code == 1 and "differ from release 1.0.0's package" in err and "data/events.parquet" in err


def test_the_rules_check_the_provenance_the_release_stamps(released: Path):
    """The stamp comes before the rules: a version that breaks them is reported, where it lands."""
    from timeline.pipeline import prepare

    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)
    ready = prepare(released, DAY, unreleased=False, choose=lambda pend: "one")
    shown = {(p.record, p.field, p.rule, p.value) for p in ready.problems}
    assert ("2024-11-04-putin-receives-choe-kremlin", "added_in", "pattern", "'one'") in shown
    assert ("", "version", "pattern", "'one'") in shown  # the release log's new row
    assert ready.pending is None
    clean = prepare(released, DAY, unreleased=False)
    assert clean.problems == [] and clean.pending.version == "1.1.0"
    assert set(clean.frames["events"]["added_in"]) == {"1.0.0", "1.1.0"}


def test_invalid_records_are_reported_before_a_refused_bump(released: Path, cli):
    edit(released, MEETING, "date_precision: day", "date_precision: daily")
    code, _, err = cli("release", "--root", str(released), "--bump", "minor")
    assert code == 1 and "[vocabulary]" in err


def test_a_duplicate_id_after_a_release_is_reported_not_diffed(released: Path, cli):
    """The diff with the release matches rows by key; records whose keys repeat are only checked."""
    copy = released / "data/records/events/2025/2025-10-27-copy.yaml"
    copy.write_text((released / MEETING).read_text())
    code, out, _ = cli("validate", "--records-only", "--root", str(released))
    assert code == 1 and "[primary-key]" in out


def test_the_unreleased_notes_move_into_the_release_entry(released: Path, cli):
    log = released / "CHANGELOG.md"
    text = log.read_text()
    at = text.index("## [1.0.0]")
    log.write_text(text[:at] + "## Unreleased\n\n- A new command.\n- A fixed bug.\n\n" + text[at:])
    shutil.copyfile(NEW_EVENT, released / "data/records/events/2024" / NEW_EVENT.name)
    code, _, err = cli("release", "--root", str(released), "--date", "2026-02-01")
    assert code == 0, err
    text = log.read_text()
    unreleased, entry = text.split("## Unreleased\n\n")[1].split("## [1.1.0]")
    assert unreleased == ""  # emptied, kept for what comes next
    entry = entry.split("## [1.0.0]")[0]
    assert entry.index("MINOR release after 1.0.0") < entry.index("### Changes\n\n- A new command.\n- A fixed bug.\n")
    assert entry.index("- A fixed bug.") < entry.index("### Added")
    assert text.count("- A new command.") == 1
