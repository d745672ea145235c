"""One package reader: every kind of spec opens the same package, every entry point refuses the same
unsafe ones, and load, diff, validate, history, stats, plot and site all open packages through it."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import timeline
from timeline import plot, reader, site, stats
from timeline.history import Release, open_release
from timeline.problems import DuplicateResource, IntegrityError, NotFound, TimelineError, UnsafeArchive, UnsafePackage
from timeline.reader import open_package
from timeline.tables import TABLES
from timeline.validate import validate_package


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          check=True, capture_output=True)
    return done.stdout.decode()


@pytest.fixture
def committed(built_mini: Path) -> Path:
    """The built mini package committed in a git repository one folder up (so it sits under a prefix)."""
    top = built_mini.parent
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "built")
    return built_mini


def commit_descriptor(root: Path, data: bytes) -> None:
    (root / "datapackage.json").write_bytes(data)
    git(root, "commit", "-qam", "descriptor changed")


def edited(root: Path, table: str, **changes) -> bytes:
    descriptor = json.loads((root / "datapackage.json").read_text())
    next(r for r in descriptor["resources"] if r["name"] == table).update(changes)
    return json.dumps(descriptor, indent=2).encode()


def fake_release(root: Path, version: str = "1.0.0") -> Path:
    """The built package at ``root`` recorded as its release ``version``."""
    release = root / "data/releases" / version
    (release / "data").mkdir(parents=True)
    shutil.copyfile(root / "datapackage.json", release / "datapackage.json")
    for table in root.glob("data/*.parquet"):
        shutil.copyfile(table, release / "data" / table.name)
    (release / "release.json").write_text("{}")
    return release


def zipped(root: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file() and (p.name == "datapackage.json" or p.parent.name == "data" and p.suffix == ".parquet"):
                zf.write(p, p.relative_to(root).as_posix())
    return path


# ---------------------------------------------------------------- every kind of spec


def test_every_kind_of_spec_opens_the_same_package(committed: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    archive = zipped(committed, tmp_path / "mini.zip")
    opened = {
        "folder": open_package(committed),
        "descriptor": open_package(committed / "datapackage.json"),
        "archive": open_package(archive),
        "revision": open_package("HEAD", committed),
    }
    assert {k: (v.source, v.label) for k, v in opened.items()} == {
        "folder": ("folder", str(committed)),
        "descriptor": ("folder", str(committed / "datapackage.json")),
        "archive": ("archive", str(archive)),
        "revision": ("revision", "HEAD"),
    }
    folder = opened["folder"]
    assert folder.parquet_tables() == list(TABLES)
    for src in opened.values():
        assert src.descriptor == folder.descriptor
        assert list(src.resources) == list(folder.resources)
        assert src.arrow("events").equals(folder.arrow("events"))
    assert opened["revision"].where == "HEAD:repo/datapackage.json"  # the package's place in the revision


def test_a_path_is_a_package_before_it_is_a_revision_and_nothing_else_is_either(committed: Path):
    assert open_package(str(committed), committed).source == "folder"
    with pytest.raises(NotFound, match="^no-such-rev: not found \\(no package folder, .* not a git revision of "):
        open_package("no-such-rev", committed)
    with pytest.raises(NotFound, match="^--output=x: not found"):  # an option is never passed to git as a revision
        open_package("--output=x", committed)
    with pytest.raises(NotFound, match="^HEAD: not found$"):  # without a repository, only paths
        open_package("HEAD")
    with pytest.raises(KeyError, match="no table 'evnts' in HEAD:repo/datapackage.json; tables: actors, "):
        open_package("HEAD", committed).arrow("evnts")


# ---------------------------------------------------------------- git revisions are checked like folders


def test_a_revision_whose_descriptor_is_not_json_is_refused(committed: Path, cli):
    commit_descriptor(committed, b'{"resources": [')
    with pytest.raises(UnsafePackage, match="^HEAD:repo/datapackage.json: not valid JSON"):
        open_package("HEAD", committed)
    code, out, err = cli("diff", "--repo", str(committed), "HEAD", str(committed))
    assert (code, out) == (2, "") and err.startswith("error: HEAD:repo/datapackage.json: not valid JSON")


def test_a_revision_whose_descriptor_is_too_large_is_refused_unread(committed: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    size = (committed / "datapackage.json").stat().st_size
    monkeypatch.setattr("timeline.package.MAX_DESCRIPTOR_BYTES", size - 1)
    monkeypatch.setattr(reader.RevisionPackage, "_blob", lambda *_: pytest.fail("read a descriptor too large"))
    with pytest.raises(UnsafePackage, match=f"^HEAD:repo/datapackage.json: {size:,} bytes is too large"):
        open_package("HEAD", committed)


def test_a_revision_without_a_package_is_named(committed: Path):
    git(committed, "rm", "-q", "datapackage.json")
    git(committed, "commit", "-qm", "gone")
    with pytest.raises(TimelineError, match="^HEAD: repo/datapackage.json is not in that revision$"):
        open_package("HEAD", committed)


def test_a_revision_whose_blob_does_not_match_its_hash_is_refused(committed: Path, cli):
    commit_descriptor(committed, edited(committed, "events", hash="sha256:" + "0" * 64))
    src = open_package("HEAD", committed)
    with pytest.raises(IntegrityError, match="^HEAD:repo/data/events.parquet: sha256 does not match datapackage.json"):
        src.arrow("events")
    assert open_package("HEAD", committed, verify=False).arrow("events").num_rows == 7
    code, _, err = cli("diff", "--repo", str(committed), "HEAD", str(committed))
    assert code == 2 and err.startswith("error: HEAD:repo/data/events.parquet: sha256 does not match")


def test_a_revision_whose_blob_has_another_size_is_refused(committed: Path):
    size = (committed / "data/actors.parquet").stat().st_size
    commit_descriptor(committed, edited(committed, "actors", **{"x-bytes": size + 1}))
    with pytest.raises(IntegrityError, match=f"^HEAD:repo/data/actors.parquet: size is {size} bytes, "
                                             f"datapackage.json says {size + 1}"):
        open_package("HEAD", committed).data("actors")


def test_a_revision_without_recorded_hashes_cannot_vouch_for_its_files(committed: Path):
    commit_descriptor(committed, edited(committed, "events", hash=""))
    with pytest.raises(IntegrityError, match="records no size and sha256 for it"):
        open_package("HEAD", committed).data("events")


@pytest.mark.parametrize(("path", "why"), [("../secret.parquet", "leaves the package"),
                                           ("/etc/passwd", "is absolute or a URL"),
                                           (":(top)data/events.parquet", "is not in that revision")])
def test_a_revision_resource_path_outside_the_package_is_refused(committed: Path, path: str, why: str):
    commit_descriptor(committed, edited(committed, "events", path=path))
    with pytest.raises(TimelineError, match=why):
        open_package("HEAD", committed).data("events")


def test_a_revision_resource_that_is_a_link_or_folder_is_refused(committed: Path):
    (committed / "data/link.parquet").symlink_to("events.parquet")
    git(committed, "add", "-A")
    commit_descriptor(committed, edited(committed, "events", path="data/link.parquet"))
    with pytest.raises(UnsafePackage, match="^HEAD:repo/data/link.parquet: a link, folder or submodule"):
        open_package("HEAD", committed).data("events")
    commit_descriptor(committed, edited(committed, "events", path="data"))
    with pytest.raises(UnsafePackage, match="^HEAD:repo/data: a link, folder or submodule"):
        open_package("HEAD", committed).data("events")


def test_a_revision_with_a_resource_listed_twice_is_refused(committed: Path):
    descriptor = json.loads((committed / "datapackage.json").read_text())
    descriptor["resources"].append(dict(descriptor["resources"][0]))
    commit_descriptor(committed, json.dumps(descriptor).encode())
    with pytest.raises(DuplicateResource, match="listed twice"):
        open_package("HEAD", committed)


# ---------------------------------------------------------------- every entry point refuses the same


def test_a_hostile_archive_is_refused_by_every_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("datapackage.json", "{}")
        zf.writestr("../evil.txt", "x")
    with pytest.raises(UnsafeArchive, match="leaves the folder"):
        open_package(path)
    with pytest.raises(UnsafePackage, match="leaves the folder"):
        timeline.load(path=path)
    (problem,) = validate_package(path)
    assert (problem.file, problem.rule) == ("evil.zip", "archive")


@pytest.mark.parametrize("view", ["stats", "plot", "site", "history"])
def test_the_views_refuse_a_tampered_descriptor(built_mini: Path, view: str):
    descriptor = json.loads((built_mini / "datapackage.json").read_text())
    descriptor["resources"].append(dict(descriptor["resources"][0]))
    (built_mini / "datapackage.json").write_text(json.dumps(descriptor))
    call = {"stats": lambda: stats.report(built_mini), "plot": lambda: plot.figure_files(built_mini),
            "site": lambda: site.build_site(built_mini),
            "history": lambda: open_release(Release("1.0.0", built_mini, {}))}[view]
    with pytest.raises(DuplicateResource, match="listed twice"):
        call()


def test_the_ids_of_a_release_are_read_only_from_intact_files(built_mini: Path):
    """The build learns the published ids from the last release, through the reader's checks."""
    from timeline.pipeline import prepare

    release = fake_release(built_mini)
    ids = set(timeline.load("events", built_mini)["event_id"])
    assert set(open_release(Release("1.0.0", release, {})).tables["events"].column("event_id").to_pylist()) == ids
    data = bytearray((release / "data/events.parquet").read_bytes())
    data[len(data) // 2] ^= 1
    (release / "data/events.parquet").write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="^data/events.parquet: sha256 does not match"):
        prepare(built_mini)


# ---------------------------------------------------------------- everything opens packages here


class Opened(Exception):
    pass


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every call of ``reader.open_package``, which then stops the caller."""
    calls: list[tuple] = []

    def spy(spec=None, repo=None, **kwargs):
        calls.append((str(spec), repo is not None))
        raise Opened

    monkeypatch.setattr(reader, "open_package", spy)
    return calls


def test_every_reader_opens_packages_through_the_one_reader(built_mini: Path, opened: list, cli):
    spec, release = str(built_mini), fake_release(built_mini)
    for call in (lambda: timeline.load(path=built_mini), lambda: validate_package(built_mini),
                 lambda: stats.report(built_mini), lambda: plot.figure_files(built_mini),
                 lambda: site.build_site(built_mini),
                 lambda: open_release(Release("1.0.0", release, {}))):
        with pytest.raises(Opened):
            call()
    assert cli("diff", spec, spec)[0] == 2  # the CLI reports the (here: injected) failure
    assert opened == [(spec, False)] * 5 + [(str(release), False), (spec, True)]


def test_a_table_reads_as_pyarrows_read_table_gives_it_empty_or_not(built_mini: Path):
    import pyarrow.parquet as pq

    src = open_package(built_mini)
    sizes = {}
    for name in src.parquet_tables():
        data = src.data(name)
        want = pq.read_table(data)
        for got in (src.arrow(name, data=data), src.arrow(name, data=Path(data).read_bytes())):
            assert got.equals(want) and got.schema.equals(want.schema, check_metadata=True), name
            # the same chunks too: an empty table has one empty chunk per column, as read_table gives it
            assert [c.num_chunks for c in got.columns] == [c.num_chunks for c in want.columns], name
        sizes[name] = want.num_rows
    assert 0 in sizes.values() and max(sizes.values()) > 0  # both kinds were read
