"""Release archives: reproducible bytes, valid for frictionless, loadable, refused when unsafe."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from timeline.archive import build_archive, extract
from timeline.load import load
from timeline.plot import FIGURE_NAMES
from timeline.problems import IntegrityError, UnsafePackage
from timeline.release import release
from timeline.tables import TABLES


@pytest.fixture
def archive(mini_repo: Path, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copyfile(REPO / "LICENSE", mini_repo / "LICENSE")
    return release(mini_repo, today=dt.date(2026, 1, 15)).archive


def test_archive_is_sorted_flat_and_dated_1980(archive: Path):
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    expected = {"datapackage.json", "datapackage-csv.json", "README.md", "LICENSE", "CITATION.cff", "codebook.md"}
    expected |= {f"data/{t}.parquet" for t in TABLES} | {f"csv/{t}.csv" for t in TABLES}
    expected |= {f"figures/{n}.png" for n in FIGURE_NAMES}
    assert set(names) == expected


def test_the_same_inputs_give_the_same_bytes(archive: Path):
    with zipfile.ZipFile(archive) as zf:
        inputs = {n: zf.read(n) for n in zf.namelist() if not n.startswith("csv/") and "-csv" not in n}
    assert build_archive(inputs) == archive.read_bytes()
    assert build_archive(dict(reversed(inputs.items()))) == archive.read_bytes()


@pytest.mark.parametrize("descriptor", ["datapackage.json", "datapackage-csv.json"])
def test_unzipped_archive_validates_with_frictionless(archive: Path, tmp_path: Path, descriptor: str):
    folder = tmp_path / "unzipped"
    folder.mkdir()
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json", descriptor],
                          cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:]
    assert '"valid": true' in done.stdout


def test_load_reads_an_archive_with_hashes_checked(archive: Path, built_mini: Path):
    events = load("events", archive)
    assert len(events) == 7 and set(load(path=archive)) == set(TABLES)
    assert events["event_type"].dtype == "category"
    tampered = archive.with_name("tampered.zip")
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = bytearray(src.read(info))
            if info.filename == "data/events.parquet":
                data[len(data) // 2] ^= 0xFF
            dst.writestr(info, bytes(data))
    with pytest.raises(IntegrityError, match="sha256"):
        load("events", tampered)


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], compress=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compress) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("entries", "message"), [
    ([("../evil.txt", b"x")], "leaves the folder"),
    ([("data/../../evil.txt", b"x")], "leaves the folder"),
    ([("/etc/evil", b"x")], "absolute path"),
    ([("C:/evil", b"x")], "absolute path"),
    ([(_link("datapackage.json"), b"/etc/passwd")], "link"),
    ([("a.txt", b"x"), ("A.TXT", b"y")], "twice"),
])
def test_unsafe_entries_are_refused(tmp_path: Path, entries, message: str):
    bad = _zip(tmp_path / "bad.zip", entries)
    with pytest.raises(UnsafePackage, match=message):
        extract(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()


def test_decompression_bombs_and_oversized_archives_are_refused(tmp_path: Path):
    bomb = _zip(tmp_path / "bomb.zip", [("data/events.parquet", bytes(16 << 20))], zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafePackage, match="decompression bomb"):
        extract(bomb, tmp_path / "out")
    big = _zip(tmp_path / "big.zip", [("a.bin", bytes(4096))])
    with pytest.raises(UnsafePackage, match="limit"):
        extract(big, tmp_path / "out", max_total=1024)
    assert not (tmp_path / "out").exists()


def test_not_a_zip_is_refused(tmp_path: Path):
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip")
    with pytest.raises(UnsafePackage, match="not a readable zip"):
        load("events", fake)


def test_size_lies_are_caught_while_unpacking(tmp_path: Path):
    good = _zip(tmp_path / "good.zip", [("a.txt", b"0123456789" * 10)])
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.infolist()[0]
    # Shrink the declared size in the central directory only; the stored data is longer.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24: central + 28] = (10).to_bytes(4, "little")
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    assert info.file_size == 100
    with pytest.raises((UnsafePackage, zipfile.BadZipFile)):
        extract(lying, tmp_path / "out")


def _setuptools_supports_pep639() -> bool:
    try:
        from importlib.metadata import version

        return int(version("setuptools").split(".")[0]) >= 77
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _setuptools_supports_pep639(), reason="building the wheel needs setuptools>=77")
def test_wheel_carries_the_tables_and_loads_without_a_checkout(tmp_path: Path):
    """The wheel, installed in a fresh venv far from any checkout, has the data's version and says so."""
    import json
    import sysconfig

    version = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["version"]
    src = tmp_path / "src"
    shutil.copytree(REPO / "timeline", src / "timeline", ignore=shutil.ignore_patterns("__pycache__", "_package"))
    for rel in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "datapackage.json"):
        shutil.copyfile(REPO / rel, src / rel)
    shutil.copytree(REPO / "data", src / "data", ignore=shutil.ignore_patterns("records", "releases"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(src)], check=True, capture_output=True)
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name == f"russia_dprk_timeline-{version}-py3-none-any.whl"  # the data version
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "timeline/_package/datapackage.json" in names
    assert {f"timeline/_package/data/{t}.parquet" for t in TABLES} <= names
    # A fresh venv: the wheel installed into it, its dependencies seen through a .pth line (which,
    # unlike a site folder, does not run this checkout's editable-install hook).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, capture_output=True)
    code = ("import timeline; t = timeline.load('events'); print(len(t)); print(timeline.__version__); "
            "print(t.attrs['version'], t.attrs['source']); print(timeline.__file__)")
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True, env=env)
    count, module_version, attrs, where = done.stdout.splitlines()
    assert int(count) == len(load("events", REPO))
    assert (module_version, attrs) == (version, f"{version} wheel")
    assert where.startswith(site) and not where.startswith(str(REPO))
    cited = subprocess.run([venv / "bin" / "timeline", "cite"], cwd=tmp_path, capture_output=True, text=True,
                           check=True, env=env)
    assert f"(Version {version}) [Data set]" in cited.stdout
    # The installed CLI outside a checkout (issue 15, item 3): read-only commands read the bundled copy,
    # record commands exit 2 naming --package, nothing is written without --out.
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([python, "-m", "timeline", *args], cwd=tmp_path, capture_output=True,
                              text=True, env=env)

    stats = cli("stats")
    assert stats.returncode == 0 and stats.stdout.startswith("# Data report: russia-dprk-timeline v"), stats.stderr
    valid = cli("validate", "--package")
    assert (valid.returncode, valid.stdout) == (0, "Valid: no problems found.\n"), valid.stderr
    needs = cli("validate")
    assert needs.returncode == 2 and "--package PATH" in needs.stderr and "Traceback" not in needs.stderr
    assert cli("site").returncode == 2 and not (tmp_path / "site" / "index.html").exists()
    assert cli("site", "--out", "page.html").returncode == 0 and (tmp_path / "page.html").is_file()
