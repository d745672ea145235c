"""Untrusted input: packages, archives and record folders that try to reach outside, exhaust
memory or run code are refused with a clear error, never followed and never a traceback."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import stat
import threading
import zipfile
from pathlib import Path

import pytest
import yaml

import timeline
from tests.conftest import REPO
from timeline.archive import extract
from timeline.problems import Problem, UnsafePackage
from timeline.validate import validate_package, validate_records
from timeline.yamlio import MAX_FILE_BYTES, _Loader, read_yaml

MEETING = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"


# ---------------------------------------------------------------- descriptors


def set_path(root: Path, table: str, path: object) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text())
    next(r for r in descriptor["resources"] if r["name"] == table)["path"] = path
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


@pytest.mark.parametrize(("path", "why"), [
    ("/etc/passwd", "is absolute or a URL"),
    ("\\\\server\\share\\events.parquet", "is absolute or a URL"),
    ("C:\\data\\events.parquet", "is absolute or a URL"),
    ("https://example.org/events.parquet", "is absolute or a URL"),
    ("file:///etc/passwd", "is absolute or a URL"),
    ("../events.parquet", "leaves the package or names a hidden file"),
    ("data/../../events.parquet", "leaves the package or names a hidden file"),
    ("data\\..\\..\\events.parquet", "leaves the package or names a hidden file"),
    (".git/config", "leaves the package or names a hidden file"),
    (["data/events.parquet", "data/actors.parquet"], "path must be a single relative file path"),
    ("", "path must be a single relative file path"),
])
def test_resource_paths_that_leave_the_package_are_refused(built_mini: Path, path, why, cli):
    set_path(built_mini, "events", path)
    with pytest.raises(UnsafePackage, match=f"^resource events: .*{why}"):
        timeline.load("events", built_mini)
    with pytest.raises(UnsafePackage):
        timeline.load("events", built_mini, verify=False)  # the opt-out skips hashes, never this
    code, out, err = cli("validate", "--package", str(built_mini))
    assert code == 1 and err == ""
    assert "events: [unsafe-path] resource events: " in out and why in out


def test_a_resource_linked_outside_the_package_is_refused(built_mini: Path, tmp_path: Path):
    """The link target is a perfect copy with the right hash: it is refused for where it is."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(built_mini / "data/events.parquet", outside / "events.parquet")
    (built_mini / "data/events.parquet").unlink()
    (built_mini / "data/events.parquet").symlink_to(outside / "events.parquet")
    with pytest.raises(UnsafePackage, match="points outside the package through a link"):
        timeline.load("events", built_mini)
    problems = validate_package(built_mini)
    assert [(p.file, p.rule) for p in problems] == [("data/events.parquet", "unsafe-path")]


def test_a_data_folder_linked_outside_is_refused(built_mini: Path, tmp_path: Path):
    shutil.move(built_mini / "data", tmp_path / "data")
    (built_mini / "data").symlink_to(tmp_path / "data", target_is_directory=True)
    with pytest.raises(UnsafePackage, match="points outside the package through a link"):
        timeline.load(path=built_mini)


# ---------------------------------------------------------------- release archives


def zip_bytes(entries: list[tuple[zipfile.ZipInfo | str, bytes]], compression=zipfile.ZIP_STORED) -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", compression=compression) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return sink.getvalue()


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Archives are written at tmp/a/ and unpacked to tmp/a/out: anything escaping lands in tmp/."""
    folder = tmp_path / "a"
    folder.mkdir()
    return folder


def escaped(archive_dir: Path) -> list[str]:
    """Files anywhere under tmp/ other than the archive and the unpack folder."""
    root = archive_dir.parent
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and not str(p.relative_to(root)).startswith(("a/evil.zip", "a/out")))


@pytest.mark.parametrize(("entries", "why"), [
    ([("../evil.txt", b"x")], "is an absolute path or leaves the folder"),
    ([("data/../../evil.txt", b"x")], "is an absolute path or leaves the folder"),
    ([("/tmp/evil.txt", b"x")], "is an absolute path or leaves the folder"),
    ([("C:/evil.txt", b"x")], "is an absolute path or leaves the folder"),
    ([("..\\evil.txt", b"x")], "is an absolute path or leaves the folder"),
    ([symlink_entry("data", "..")], "is a link or special file"),
    ([symlink_entry("link", "/etc/passwd")], "is a link or special file"),
    ([("datapackage.json", b"{}"), ("DataPackage.json", b"{}")], "appears twice"),
])
def test_archives_that_reach_outside_are_refused_before_unpacking(archive_dir: Path, entries, why):
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes(entries))
    with pytest.raises(UnsafePackage, match=why):
        extract(path, archive_dir / "out")
    assert escaped(archive_dir) == []
    assert not (archive_dir / "out").exists() or not any((archive_dir / "out").iterdir())


def test_a_decompression_bomb_is_refused_by_ratio(archive_dir: Path):
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes([("data/events.parquet", b"\0" * (20 << 20))], zipfile.ZIP_DEFLATED))
    assert path.stat().st_size < 100_000  # 20 MiB of zeros in a few kB
    with pytest.raises(UnsafePackage, match="refused as a decompression bomb"):
        extract(path, archive_dir / "out")
    assert not (archive_dir / "out").exists()


def test_an_archive_over_the_total_limit_is_refused(archive_dir: Path):
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes([(f"data/part{i}.bin", os.urandom(1000)) for i in range(5)]))
    with pytest.raises(UnsafePackage, match="would unpack to 5000 bytes; the limit is 4000"):
        extract(path, archive_dir / "out", max_total=4000)


def test_an_archive_that_lies_about_its_sizes_is_refused(archive_dir: Path):
    """The headers say 10 bytes; the data inflates to 10 MiB. Nothing past the lie is written."""
    data = zip_bytes([("data/events.parquet", b"\0" * (10 << 20))], zipfile.ZIP_DEFLATED)
    real = (10 << 20).to_bytes(4, "little")
    assert data.count(real) == 2  # the local header and the central directory
    path = archive_dir / "evil.zip"
    path.write_bytes(data.replace(real, (10).to_bytes(4, "little")))
    with pytest.raises(UnsafePackage):
        extract(path, archive_dir / "out")
    written = archive_dir / "out/data/events.parquet"
    assert not written.exists() or written.stat().st_size <= 10


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_a_file_that_is_not_a_zip_is_refused(archive_dir: Path, content: bytes):
    path = archive_dir / "evil.zip"
    path.write_bytes(content)
    with pytest.raises(UnsafePackage, match="not a readable zip archive"):
        extract(path, archive_dir / "out")


def test_loading_a_hostile_archive_is_refused_and_leaves_no_cache(archive_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    cache = archive_dir.parent / "cache"
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache))
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes([("datapackage.json", b"{}"), ("../../evil.txt", b"x")]))
    with pytest.raises(UnsafePackage, match="leaves the folder"):
        timeline.load("events", path)
    assert not cache.exists() or [p for p in cache.rglob("*") if p.is_file()] == []
    assert escaped(archive_dir) == []


# ---------------------------------------------------------------- record folders


def problems_of(root: Path) -> list[Problem]:
    """validate_records, with a deadline: a refused FIFO must not be waited on."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(validate_records(root)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert result, "validation did not finish: something blocked on a special file"
    return result[0]


def test_a_record_linked_outside_is_not_followed(mini_repo: Path, tmp_path: Path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: [the secret text must never be echoed]\n")
    (mini_repo / "data/records/events/2025/2025-11-01-link.yaml").symlink_to(secret)
    (mini_repo / "data/records/events/linked-dir").symlink_to(tmp_path, target_is_directory=True)
    problems = problems_of(mini_repo)
    assert [(p.file, p.rule) for p in problems] == [
        ("data/records/events/2025/2025-11-01-link.yaml", "file-type"),
        ("data/records/events/linked-dir", "file-type"),
    ]
    assert "secret" not in "".join(map(str, problems))


def test_a_linked_registry_is_not_followed(mini_repo: Path, tmp_path: Path):
    actors = mini_repo / "data/records/actors.yaml"
    shutil.move(actors, tmp_path / "actors.yaml")
    actors.symlink_to(tmp_path / "actors.yaml")
    (problem,) = problems_of(mini_repo)
    assert (problem.file, problem.rule) == ("data/records/actors.yaml", "file-type")


def test_a_fifo_in_the_records_is_refused_without_blocking(mini_repo: Path):
    os.mkfifo(mini_repo / "data/records/events/2025/2025-11-01-fifo.yaml")
    (problem,) = problems_of(mini_repo)
    assert str(problem) == ("data/records/events/2025/2025-11-01-fifo.yaml: [file-type] not a regular file "
                            "(a link, folder or device); records must be plain files")


def test_an_oversized_record_file_is_not_read(mini_repo: Path):
    path = mini_repo / MEETING
    path.write_text(path.read_text() + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    (problem,) = problems_of(mini_repo)
    assert problem.rule == "file-size" and problem.file == MEETING
    assert str(problem).endswith(f"a record file may hold at most {MAX_FILE_BYTES:,}")


@pytest.mark.parametrize("name", [b"2025-11-01-caf\xe9.yaml", b"2025-11-01-two\nlines.yaml"])
def test_hostile_file_names_give_one_printable_line(mini_repo: Path, name: bytes, cli):
    folder = os.fsencode(mini_repo / "data/records/events/2025")
    with open(os.path.join(folder, name), "wb") as fh:
        fh.write(b"title: [not text]\n")
    code, out, err = cli("validate", "--records-only", "--root", str(mini_repo))
    assert code == 1 and err == ""
    *lines, total = out.splitlines()
    assert total == f"{len(lines)} problem(s) found."
    assert "title: [type] expected text, not a list" in out
    for line in lines:  # every problem is in the odd file, on one printable line
        assert line.startswith("data/records/events/2025/2025-11-01-") and line.isprintable(), line
    out.encode("utf-8")  # printable on any UTF-8 terminal


# ---------------------------------------------------------------- no code from data


def test_yaml_tags_cannot_run_code(tmp_path: Path):
    marker = tmp_path / "ran"
    text = f"id: !!python/object/apply:os.system ['touch {marker}']\n".encode()
    doc, problems = read_yaml("x.yaml", text)
    assert doc is None and problems[0].rule == "yaml-tag"
    with pytest.raises(yaml.constructor.ConstructorError):  # and the loader itself cannot build it either
        yaml.load(text, Loader=_Loader)  # noqa: S506 - the point of the test
    assert not marker.exists()


def test_the_record_loader_is_a_safe_loader():
    assert issubclass(_Loader, yaml.constructor.SafeConstructor)
    assert not issubclass(_Loader, yaml.constructor.FullConstructor)


def _unsafe_calls(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            found += [f"import {n}" for n in names if n and n.split(".")[0] in ("pickle", "marshal", "shelve",
                                                                              "dill", "cloudpickle", "joblib")]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("eval", "exec", "read_pickle", "to_pickle", "unsafe_load", "full_load", "unsafe_load_all",
                    "full_load_all"):
            found.append(f"{name}()")
        if name in ("load", "load_all") and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "yaml":
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            loader_name = getattr(loader, "attr", getattr(loader, "id", ""))
            if loader_name not in ("SafeLoader", "CSafeLoader", "_Loader"):
                found.append(f"yaml.{name}(Loader={loader_name or 'default'})")
    return [f"{path.relative_to(REPO)}:{x}" for x in found]


def test_no_unsafe_deserialisation_anywhere():
    files = sorted((REPO / "timeline").rglob("*.py")) + sorted((REPO / "scripts").rglob("*.py"))
    assert files
    assert [x for path in files for x in _unsafe_calls(path)] == []


# ---------------------------------------------------------------- round two (issue 14)


@pytest.mark.parametrize("path", ["data/events\x00.parquet", "data/\x07events.parquet", "data/events.parquet\n",
                                  "data/ev\x85ents.parquet"])
def test_a_resource_path_with_a_control_character_is_refused(built_mini: Path, path: str, cli):
    set_path(built_mini, "events", path)
    with pytest.raises(UnsafePackage, match="^resource events: .*contains a NUL or other control character"):
        timeline.load("events", built_mini)
    code, out, err = cli("validate", "--package", str(built_mini))
    assert (code, err) == (1, "")
    assert "events: [unsafe-path] resource events: path " in out and "control character" in out


def test_a_resource_that_is_a_link_loop_is_refused(built_mini: Path, cli):
    data = built_mini / "data"
    (data / "loop-a").symlink_to("loop-b")
    (data / "loop-b").symlink_to("loop-a")
    set_path(built_mini, "events", "data/loop-a")
    with pytest.raises(UnsafePackage, match="^resource events: path 'data/loop-a' cannot be followed: a link loop"):
        timeline.load("events", built_mini)
    code, out, err = cli("validate", "--package", str(built_mini))
    assert (code, err) == (1, "")
    assert [x for x in out.splitlines() if "[" in x] == [
        "data/loop-a: events: [unsafe-path] resource events: path 'data/loop-a' cannot be followed: a link loop "
        "or an unreadable link (RuntimeError)"]


def test_a_resource_linked_to_nothing_is_refused(built_mini: Path):
    (built_mini / "data/events.parquet").unlink()
    (built_mini / "data/events.parquet").symlink_to("gone.parquet")
    with pytest.raises(UnsafePackage, match="is a link to nothing"):
        timeline.load("events", built_mini)


def test_two_resources_with_one_name_are_refused_naming_it(built_mini: Path, cli):
    """Today's first match silently lost to the second, and the report blamed an intact file."""
    descriptor = json.loads((built_mini / "datapackage.json").read_text())
    twin = dict(next(r for r in descriptor["resources"] if r["name"] == "actors"))
    twin["name"] = "events"
    descriptor["resources"].append(twin)
    (built_mini / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    with pytest.raises(UnsafePackage, match="^resource events: listed twice in datapackage.json"):
        timeline.load(path=built_mini)
    with pytest.raises(UnsafePackage, match="listed twice"):
        timeline.load("actors", built_mini, verify=False)
    code, out, err = cli("validate", "--package", str(built_mini))
    assert (code, err) == (1, "")
    (line,) = [x for x in out.splitlines() if "[" in x]
    assert line == ("datapackage.json: [duplicate-resource] resource events: listed twice in datapackage.json "
                    "(paths 'data/events.parquet' and 'data/actors.parquet'); each name names one file")


@pytest.mark.parametrize("entries", [
    [("data", b"x"), ("data/events.parquet", b"y")],
    [("data/events.parquet", b"y"), ("DATA", b"x")],
    [("datapackage.json", b"{}"), ("datapackage.json/x", b"y")],
])
def test_an_archive_with_a_file_and_a_folder_of_one_name_is_refused(archive_dir: Path, entries, cli,
                                                                    monkeypatch: pytest.MonkeyPatch):
    cache = archive_dir.parent / "cache"
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache))
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes(entries))
    with pytest.raises(UnsafePackage, match="is both a file and a folder of other entries"):
        extract(path, archive_dir / "out")
    assert not (archive_dir / "out").exists()
    with pytest.raises(UnsafePackage, match="is both a file and a folder"):
        timeline.load("events", path)
    code, out, err = cli("validate", "--package", str(path))
    assert (code, err) == (1, "")
    assert out.startswith("evil.zip: [archive] archive entry ") and "is both a file and a folder" in out
    assert not cache.exists() or [p for p in cache.rglob("*") if p.is_file()] == []


def test_an_archive_entry_with_a_control_character_is_refused(archive_dir: Path):
    path = archive_dir / "evil.zip"
    path.write_bytes(zip_bytes([("data/ev\x1bents.parquet", b"x")]))
    with pytest.raises(UnsafePackage, match="contains a control character"):
        extract(path, archive_dir / "out")


def test_validate_reads_a_sound_release_archive(built_mini: Path, tmp_path: Path, cli,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "mini.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for p in sorted(built_mini.rglob("*")):
            if p.is_file() and (p.name == "datapackage.json" or p.parent.name == "data" and p.suffix == ".parquet"):
                zf.write(p, p.relative_to(built_mini).as_posix())
    code, out, err = cli("validate", "--package", str(path))
    assert (code, out, err) == (0, "Valid: no problems found.\n", "")
